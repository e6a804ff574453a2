// Reads one camera stream from MediaMTX over RTSP (TCP) with gortsplib and writes its access
// units, untouched, to one layer of the camera's simulcast track. Reconnects with backoff.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph264"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4/pkg/media"
)

// layerReader feeds one layer; its clock outlives RTSP sessions so timestamps keep advancing.
type layerReader struct {
	cfg    Config
	camera Camera
	layer  Layer
	track  *lksdk.LocalTrack
	clock  sampleClock
	log    *slog.Logger
}

// run plays the stream until ctx ends, reconnecting with backoff when it drops.
func (r *layerReader) run(ctx context.Context) {
	defer layerUp.WithLabelValues(r.camera.ID, r.layer.Quality).Set(0)
	retry(ctx, func(ctx context.Context) error {
		err := r.play(ctx)
		layerUp.WithLabelValues(r.camera.ID, r.layer.Quality).Set(0)
		return err
	}, func(err error, wait time.Duration) {
		reconnectsTotal.WithLabelValues(r.camera.ID, "rtsp").Inc()
		r.log.Warn("rtsp stream lost, retrying", "error", redact(err, r.cfg), "retryIn", wait.String())
	})
}

func (r *layerReader) play(ctx context.Context) error {
	u, err := base.ParseURL(r.cfg.RTSPURL + "/" + r.layer.Path)
	if err != nil {
		return err
	}
	if r.cfg.ReadUser != "" {
		u.User = url.UserPassword(r.cfg.ReadUser, r.cfg.ReadPassword)
	}
	tcp := gortsplib.ProtocolTCP
	c := gortsplib.Client{Scheme: u.Scheme, Host: u.Host, Protocol: &tcp, ReadTimeout: 10 * time.Second}
	if err := c.Start(); err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, c.Close)
	defer stop()

	desc, _, err := c.Describe(u)
	if err != nil {
		return err
	}
	var forma *format.H264
	medi := desc.FindFormat(&forma)
	if medi == nil {
		return errors.New("the stream has no H.264 video (passthrough needs H.264; use ingest: transcode)")
	}
	dec, err := forma.CreateDecoder()
	if err != nil {
		return err
	}
	if _, err := c.Setup(desc.BaseURL, medi, 0, 0); err != nil {
		return err
	}
	sps, pps := forma.SafeParams()
	params := newParamSets(sps, pps)
	r.clock.restart()
	labels := []string{r.camera.ID, r.layer.Quality}
	frames, keyframes, bytes := framesTotal.WithLabelValues(labels...), keyframesTotal.WithLabelValues(labels...), bytesTotal.WithLabelValues(labels...)
	var once sync.Once
	c.OnPacketRTP(medi, forma, func(pkt *rtp.Packet) {
		pts, ok := c.PacketPTS(medi, pkt)
		if !ok {
			return
		}
		au, err := dec.Decode(pkt)
		if err != nil {
			if !errors.Is(err, rtph264.ErrMorePacketsNeeded) && !errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious) {
				r.log.Debug("rtp decode", "error", err)
			}
			return
		}
		data, idr, err := params.frame(au)
		if err != nil || data == nil {
			return
		}
		now := time.Now()
		if err := r.track.WriteSample(media.Sample{Data: data, Duration: r.clock.next(pts, now)}, nil); err != nil {
			r.log.Debug("write sample", "error", err)
			return
		}
		once.Do(func() {
			layerUp.WithLabelValues(labels...).Set(1)
			r.log.Info("rtsp stream playing", "path", r.layer.Path)
		})
		frames.Inc()
		bytes.Add(float64(len(data)))
		if idr {
			keyframes.Inc()
		}
	})
	if _, err := c.Play(nil); err != nil {
		return err
	}
	return c.Wait()
}

// backoff: 1 s doubling to 4 s: a camera or MediaMTX back from a restart plays again within
// seconds, and a refused DESCRIBE every 4 s per layer costs MediaMTX nothing worth saving.
func backoff(attempt int) time.Duration {
	return time.Second << min(attempt, 2)
}

// retry runs attempt until ctx ends; after each return it calls lost and waits backoff(n), with n
// starting over once an attempt has lasted 30 s (a long session's loss is not a repeated failure).
func retry(ctx context.Context, attempt func(context.Context) error, lost func(err error, wait time.Duration)) {
	for n := 0; ctx.Err() == nil; n++ {
		started := time.Now()
		err := attempt(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > 30*time.Second {
			n = 0
		}
		wait := backoff(n)
		lost(err, wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// redact keeps the secrets out of an error that is about to be logged.
func redact(err error, c Config) string {
	if err == nil {
		return "closed"
	}
	s := err.Error()
	for _, secret := range []string{c.ReadPassword, c.APISecret} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
			s = strings.ReplaceAll(s, url.QueryEscape(secret), "[redacted]")
		}
	}
	return fmt.Sprint(s)
}
