// Joining: each participant's token carries only the grants its role needs, and joins run a few
// at a time so the server sees a ramp, as viewers arriving, not one burst it was never meant to take.
package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/livekit/protocol/auth"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// token mints a join token for one participant; publishers may only publish, subscribers only
// subscribe, and neither sends data.
func token(c config, room, identity string, publish bool) (string, error) {
	subscribe := !publish
	noData := false
	at := auth.NewAccessToken(c.apiKey, c.apiSecret)
	at.SetVideoGrant(&auth.VideoGrant{
		RoomJoin:       true,
		Room:           room,
		CanPublish:     &publish,
		CanSubscribe:   &subscribe,
		CanPublishData: &noData,
	}).SetIdentity(identity).SetValidFor(time.Hour)
	return at.ToJWT()
}

// connect joins room as identity with the role's token; the SDK's connect timeout is the
// per-participant join timeout.
func connect(c config, room, identity string, publish bool, cb *lksdk.RoomCallback) (*lksdk.Room, error) {
	tok, err := token(c, room, identity, publish)
	if err != nil {
		return nil, fmt.Errorf("%s: token: %w", identity, err)
	}
	r, err := lksdk.ConnectToRoomWithToken(c.url, tok, cb,
		lksdk.WithAutoSubscribe(!publish),
		lksdk.WithConnectTimeout(c.joinTimeout))
	if err != nil {
		// The SDK quotes a refused token in its error; it is a credential for an hour, so it is cut.
		return nil, fmt.Errorf("%s: connect: %s", identity, strings.ReplaceAll(err.Error(), tok, "[token]"))
	}
	return r, nil
}

// joinAll runs join(i) for i in [0, n) with at most limit at once, in order. Once ctx ends the
// rest are not started and each is reported to skipped.
func joinAll(ctx context.Context, n, limit int, join func(i int), skipped func(i int)) {
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			skipped(i)
			continue
		}
		if ctx.Err() != nil {
			<-slots
			skipped(i)
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			join(i)
		})
	}
	wg.Wait()
}
