// One subscriber: subscribes to its room's camera at its layer and reads RTP without decoding,
// counting packets, bytes, sequence gaps and frame starts, and each frame's latency.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

type subscriber struct {
	identity string
	layer    layer
	room     *lksdk.Room
	stats    subStats
	started  time.Time     // connect call start
	first    chan struct{} // closed at the first RTP packet
	readers  sync.WaitGroup
}

// run state shared with every reader: whether latencies are being recorded, and whether the run
// is tearing down (after which a closed track is expected, not an error).
type runState struct {
	measuring atomic.Bool
	closing   atomic.Bool
	errs      errorLog
}

// subscribe joins roomName and waits for the first packet (or the join timeout); the subscriber
// is returned once connected, even when no packet came, so its silence shows in the report.
func subscribe(c config, roomName string, index int, st *runState) (*subscriber, error) {
	s := &subscriber{
		identity: fmt.Sprintf("load-sub-%s-%d", roomName, index),
		layer:    c.layerFor(index),
		first:    make(chan struct{}),
	}
	cb := lksdk.NewRoomCallback()
	cb.OnTrackSubscribed = func(track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, _ *lksdk.RemoteParticipant) {
		if track.Kind() != webrtc.RTPCodecTypeVideo {
			return
		}
		if c.simulcast {
			if err := pub.SetVideoQuality(s.layer.quality); err != nil {
				st.errs.add(fmt.Sprintf("%s: set quality: %v", s.identity, err))
			}
		}
		s.readers.Go(func() { s.read(track, st) })
	}
	cb.OnDisconnected = func() {
		if !st.closing.Load() {
			st.errs.add(s.identity + ": disconnected by the server")
		}
	}
	s.started = time.Now()
	room, err := connect(c, roomName, s.identity, false, cb)
	if err != nil {
		return nil, err
	}
	s.room = room
	select {
	case <-s.first:
	case <-time.After(c.joinTimeout - time.Since(s.started)):
		st.errs.add(fmt.Sprintf("%s: no packet within %s of joining", s.identity, c.joinTimeout))
	}
	return s, nil
}

// read counts the track's packets until it closes. It reads into one buffer and one packet
// rather than ReadRTP's fresh ones: at thousands of packets a second the garbage is the cost.
func (s *subscriber) read(track *webrtc.TrackRemote, st *runState) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			if !st.closing.Load() {
				st.errs.add(fmt.Sprintf("%s: track ended: %v", s.identity, err))
			}
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue // not RTP: nothing to count
		}
		if s.stats.packet(time.Now(), &pkt, n, st.measuring.Load()) {
			close(s.first)
		}
	}
}

// joinMs is connect start to first packet; false when none came.
func (s *subscriber) joinMs() (float64, bool) {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	if s.stats.firstAt.IsZero() {
		return 0, false
	}
	return float64(s.stats.firstAt.Sub(s.started).Microseconds()) / 1000, true
}

// close leaves the room; the readers end when its peer connections close.
func (s *subscriber) close() {
	s.room.Disconnect()
	s.readers.Wait()
}
