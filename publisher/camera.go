// One camera: joins its room as camera_<uuid>, publishes one simulcast H.264 track whose layers
// are the camera's own streams, and keeps a reader per layer. Rejoins with backoff when the
// SFU session is lost; the readers reconnect to MediaMTX on their own.
package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
)

var qualityOf = map[string]livekit.VideoQuality{
	"low":    livekit.VideoQuality_LOW,
	"medium": livekit.VideoQuality_MEDIUM,
	"high":   livekit.VideoQuality_HIGH,
}

// h264Codec is what the track offers: packetization-mode 1 (FU-A/STAP-A, as cameras send) and
// the constrained-baseline id browsers and livekit-server register; the SDP's profile is only a
// label for the SFU, the decoder reads the real one from the SPS.
var h264Codec = webrtc.RTPCodecCapability{
	MimeType:    webrtc.MimeTypeH264,
	ClockRate:   h264Clock,
	SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
}

type cameraPublisher struct {
	cfg    Config
	camera Camera
	log    *slog.Logger
}

// run publishes the camera until ctx ends.
func (p *cameraPublisher) run(ctx context.Context) {
	defer cameraUp.WithLabelValues(p.camera.ID).Set(0)
	// The readers' clocks outlive SFU sessions, so each layer's timestamps keep advancing.
	readers := make([]*layerReader, len(p.camera.Layers))
	for i, l := range p.camera.Layers {
		readers[i] = &layerReader{cfg: p.cfg, camera: p.camera, layer: l, log: p.log.With("layer", l.Quality)}
	}
	retry(ctx, func(ctx context.Context) error {
		err := p.session(ctx, readers)
		cameraUp.WithLabelValues(p.camera.ID).Set(0)
		return err
	}, func(err error, wait time.Duration) {
		reconnectsTotal.WithLabelValues(p.camera.ID, "sfu").Inc()
		p.log.Warn("sfu session lost, rejoining", "error", redact(err, p.cfg), "retryIn", wait.String())
	})
}

// session joins the room, publishes the track and feeds it until the room is lost or ctx ends.
func (p *cameraPublisher) session(ctx context.Context, readers []*layerReader) error {
	lost := make(chan struct{})
	var lostOnce sync.Once
	cb := lksdk.NewRoomCallback()
	cb.OnDisconnected = func() { lostOnce.Do(func() { close(lost) }) }
	room, err := lksdk.ConnectToRoom(p.cfg.LivekitURL, lksdk.ConnectInfo{
		APIKey:              p.cfg.APIKey,
		APISecret:           p.cfg.APISecret,
		RoomName:            p.camera.Room,
		ParticipantIdentity: p.camera.Identity,
		ParticipantName:     p.camera.Name,
	}, cb, lksdk.WithAutoSubscribe(false))
	if err != nil {
		return err
	}
	defer room.Disconnect()

	simulcastID := "SC_" + p.camera.ID
	tracks := make([]*lksdk.LocalTrack, len(p.camera.Layers))
	for i, l := range p.camera.Layers {
		t, err := lksdk.NewLocalTrack(h264Codec, lksdk.WithSimulcast(simulcastID, &livekit.VideoLayer{
			Quality: qualityOf[l.Quality],
			Width:   l.Width,
			Height:  l.Height,
			Bitrate: l.BitrateKbps * 1000,
		}))
		if err != nil {
			return err
		}
		tracks[i] = t
	}
	if _, err := room.LocalParticipant.PublishSimulcastTrack(tracks, &lksdk.TrackPublicationOptions{
		Name:   "camera",
		Source: livekit.TrackSource_CAMERA,
	}); err != nil {
		return err
	}
	cameraUp.WithLabelValues(p.camera.ID).Set(1)
	p.log.Info("published simulcast track", "room", p.camera.Room, "layers", len(tracks))

	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, r := range readers {
		r.track = tracks[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(rctx)
		}()
	}
	defer func() {
		cancel()
		wg.Wait()
	}()
	select {
	case <-ctx.Done():
		return nil
	case <-lost:
		return errRoomLost
	}
}
