// lkstack-load: a load client for livekit-server that never decodes video, so one small machine
// can drive tens of rooms of subscribers. Per room one publisher sends synthetic VP8 frames (one
// layer or three simulcast layers) stamped with their send time; subscribers pick layers as the
// viewer grid does and count RTP packets, loss, frames and frame latency. It prints one JSON
// object, or exits 1 with one line on stderr when nothing could be measured.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"go.uber.org/zap"
)

func main() {
	c, err := parseConfig(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fail(err)
	}
	lksdk.SetLogger(sdkLogger())
	// Every phase has its own bound; this one catches a hang anywhere (an SDK call that never
	// returns), so a bench step can never wedge its caller.
	limit := c.hardDeadline()
	time.AfterFunc(limit, func() { fail(fmt.Errorf("hard deadline of %s passed", limit)) })
	rep, err := run(c)
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fail(err)
	}
}

// fail prints err on one line (the caller reads stderr's last line) and exits 1.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "lkstack-load:", strings.Join(strings.Fields(err.Error()), " "))
	os.Exit(1)
}

// sdkLogger is the SDK's own zap logger at warning level, on stderr: at info it logs every
// negotiation, times hundreds of participants. Pion's ICE and mux warn at every join and leave
// (pings before a candidate pair, packets before DTLS is up, an agent already closed), so its
// components log errors only. Errors come without the default stack trace, and repeats are
// sampled: an overloaded server makes every participant log the same line.
func sdkLogger() protoLogger.Logger {
	l, err := protoLogger.FromZapLogger(zap.New(nil, zap.AddCaller()), &protoLogger.Config{
		Level:           "warn",
		ComponentLevels: map[string]string{"livekit-sdk.pion": "error"},
		Sample:          true,
	})
	if err != nil {
		return protoLogger.GetLogger()
	}
	return l.WithComponent("livekit-sdk")
}
