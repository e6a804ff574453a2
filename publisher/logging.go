// The LiveKit SDK's logger: its own zap logger at warning level (at info it logs every
// negotiation), so problems still reach the process's output.
package main

import (
	protoLogger "github.com/livekit/protocol/logger"
)

func sdkLogger() protoLogger.Logger {
	l, err := protoLogger.NewZapLogger(&protoLogger.Config{Level: "warn"})
	if err != nil {
		return protoLogger.GetLogger()
	}
	return l.WithComponent("livekit-sdk")
}
