// One room's publisher: a VP8 track of synthetic frames, three simulcast layers (rids q/h/f) or
// one. The SDK packetizes each frame and paces nothing, as a camera's encoder output would be.
package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

var vp8Codec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}

// keyframeEvery is the periodic keyframe interval (a browser's is longer; 2 s keeps layer
// switches prompt even when a PLI is lost).
const keyframeEvery = 2 * time.Second

type pubLayer struct {
	layer layer
	track *lksdk.LocalTrack
	buf   []byte
	// keyframe is set when the SFU asks for one (PLI/FIR: a subscriber joined or switched layer);
	// answering it, as an encoder does, keeps joins from waiting for the periodic keyframe.
	keyframe atomic.Bool
}

type publisher struct {
	identity string
	room     *lksdk.Room
	layers   []*pubLayer
	stop     context.CancelFunc
	done     sync.WaitGroup
}

// publish joins roomName, publishes the track and starts sending frames until stopped.
func publish(c config, roomName string, st *runState) (*publisher, error) {
	p := &publisher{identity: "load-pub-" + roomName}
	cb := lksdk.NewRoomCallback()
	cb.OnDisconnected = func() {
		if !st.closing.Load() {
			st.errs.add(p.identity + ": disconnected by the server")
		}
	}
	room, err := connect(c, roomName, p.identity, true, cb)
	if err != nil {
		return nil, err
	}
	p.room = room
	for _, l := range c.layers {
		pl := &pubLayer{layer: l, buf: make([]byte, frameBytes(l.kbps, c.fps))}
		opts := []lksdk.LocalTrackOptions{lksdk.WithRTCPHandler(func(pkt rtcp.Packet) {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				pl.keyframe.Store(true)
			}
		})}
		if c.simulcast {
			opts = append(opts, lksdk.WithSimulcast("load_"+roomName, &livekit.VideoLayer{
				Quality: l.quality,
				Width:   uint32(l.width),
				Height:  uint32(l.height),
				Bitrate: uint32(l.kbps * 1000),
			}))
		}
		if pl.track, err = lksdk.NewLocalSampleTrack(vp8Codec, opts...); err != nil {
			room.Disconnect()
			return nil, fmt.Errorf("%s: track: %w", p.identity, err)
		}
		p.layers = append(p.layers, pl)
	}
	top := c.layers[len(c.layers)-1]
	pubOpts := &lksdk.TrackPublicationOptions{
		Name:        "camera",
		Source:      livekit.TrackSource_CAMERA,
		VideoWidth:  int(top.width),
		VideoHeight: int(top.height),
	}
	if c.simulcast {
		tracks := make([]*lksdk.LocalTrack, len(p.layers))
		for i, pl := range p.layers {
			tracks[i] = pl.track
		}
		_, err = room.LocalParticipant.PublishSimulcastTrack(tracks, pubOpts)
	} else {
		_, err = room.LocalParticipant.PublishTrack(p.layers[0].track, pubOpts)
	}
	if err != nil {
		room.Disconnect()
		return nil, fmt.Errorf("%s: publish: %w", p.identity, err)
	}
	ctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	p.done.Go(func() { p.send(ctx, c.fps, &st.errs) })
	return p, nil
}

// send writes one frame per layer every 1/fps until ctx ends. All layers of a frame carry the
// same send time, so every subscriber's latency is measured from the same instant.
func (p *publisher) send(ctx context.Context, fps int, errs *errorLog) {
	interval := time.Second / time.Duration(fps)
	keyEvery := max(uint32(keyframeEvery/interval), 1)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	reported := false
	for n := uint32(0); ; n++ {
		now := time.Now().UnixMilli()
		for _, pl := range p.layers {
			// Swap first: a request is consumed even when the periodic keyframe is due anyway.
			key := pl.keyframe.Swap(false) || n%keyEvery == 0
			frame := writeFrame(pl.buf, key, pl.layer.width, pl.layer.height, now, n)
			// The track copies the data into its packets, so buf is free again on return.
			if err := pl.track.WriteSample(media.Sample{Data: frame, Duration: interval}, nil); err != nil && !reported {
				reported = true // once per publisher: a broken track fails every frame
				errs.add(fmt.Sprintf("%s: write %s frame: %v", p.identity, pl.layer.name, err))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// close stops sending and leaves the room.
func (p *publisher) close() {
	p.stop()
	p.done.Wait()
	p.room.Disconnect()
}
