// The cameras of this shard: each published by its own goroutine, either all the time or, on
// demand, from a viewer joining its room (LiveKit's webhook) until the room has had no viewer
// for LKSTACK_IDLE_STOP_SECONDS.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	"github.com/livekit/protocol/webhook"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

type managedCamera struct {
	pub     *cameraPublisher
	cancel  context.CancelFunc
	done    chan struct{}
	viewers map[string]bool
	idle    *time.Timer
}

type fleet struct {
	ctx    context.Context
	cfg    Config
	log    *slog.Logger
	mu     sync.Mutex
	byRoom map[string]*managedCamera
	wg     sync.WaitGroup
}

func newFleet(ctx context.Context, cfg Config, cameras []Camera, log *slog.Logger) *fleet {
	f := &fleet{ctx: ctx, cfg: cfg, log: log, byRoom: map[string]*managedCamera{}}
	for _, c := range cameras {
		f.byRoom[c.Room] = &managedCamera{
			pub:     &cameraPublisher{cfg: cfg, camera: c, log: log.With("camera", c.ID)},
			viewers: map[string]bool{},
		}
	}
	return f
}

func (f *fleet) startAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.byRoom {
		f.startLocked(m)
	}
}

// startLocked publishes the camera unless it already is.
func (f *fleet) startLocked(m *managedCamera) {
	if m.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(f.ctx)
	m.cancel, m.done = cancel, make(chan struct{})
	camerasActive.Inc()
	f.wg.Add(1)
	go func(done chan struct{}) {
		defer f.wg.Done()
		defer close(done)
		defer camerasActive.Dec()
		m.pub.run(ctx)
	}(m.done)
}

func (f *fleet) stopLocked(m *managedCamera) {
	if m.cancel == nil {
		return
	}
	m.cancel()
	m.cancel = nil
	m.pub.log.Info("no viewer left: stopped publishing")
}

func (f *fleet) active() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.byRoom {
		if m.cancel != nil {
			n++
		}
	}
	return n
}

func (f *fleet) wait() { f.wg.Wait() }

// viewerJoined starts the camera for a participant that is not the camera itself.
func (f *fleet) viewerJoined(room, identity string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.byRoom[room]
	if m == nil || identity == m.pub.camera.Identity {
		return
	}
	m.viewers[identity] = true
	if m.idle != nil {
		m.idle.Stop()
		m.idle = nil
	}
	if m.cancel == nil {
		m.pub.log.Info("viewer joined: publishing", "room", room)
		f.startLocked(m)
	}
}

// viewerLeft stops the camera LKSTACK_IDLE_STOP_SECONDS after its last viewer left.
func (f *fleet) viewerLeft(room, identity string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.byRoom[room]
	if m == nil || identity == m.pub.camera.Identity {
		return
	}
	delete(m.viewers, identity)
	if len(m.viewers) > 0 || m.cancel == nil || m.idle != nil {
		return
	}
	m.idle = time.AfterFunc(time.Duration(f.cfg.IdleStopSeconds)*time.Second, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		m.idle = nil
		if len(m.viewers) == 0 {
			f.stopLocked(m)
		}
	})
}

// webhook takes LiveKit's signed events; an unsigned or forged one is refused.
func (f *fleet) webhook(w http.ResponseWriter, r *http.Request) {
	event, err := webhook.ReceiveWebhookEvent(r, auth.NewSimpleKeyProvider(f.cfg.APIKey, f.cfg.APISecret))
	if err != nil {
		f.log.Warn("webhook refused", "error", redact(err, f.cfg))
		http.Error(w, "invalid webhook", http.StatusUnauthorized)
		return
	}
	room, who := event.GetRoom().GetName(), event.GetParticipant().GetIdentity()
	switch event.GetEvent() {
	case webhook.EventParticipantJoined:
		f.viewerJoined(room, who)
	case webhook.EventParticipantLeft:
		f.viewerLeft(room, who)
	case webhook.EventRoomFinished:
		f.mu.Lock()
		if m := f.byRoom[room]; m != nil {
			clear(m.viewers)
			f.stopLocked(m)
		}
		f.mu.Unlock()
	}
	w.WriteHeader(http.StatusOK)
}

// adoptWatchedRooms: after a restart, rooms that already have viewers get their camera back
// without waiting for the next join.
func (f *fleet) adoptWatchedRooms() {
	api := lksdk.NewRoomServiceClient(httpURL(f.cfg.LivekitURL), f.cfg.APIKey, f.cfg.APISecret)
	ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	rooms, err := api.ListRooms(ctx, &livekit.ListRoomsRequest{})
	if err != nil {
		f.log.Warn("cannot list rooms; cameras start on the next viewer's join", "error", redact(err, f.cfg))
		return
	}
	for _, room := range rooms.GetRooms() {
		if f.byRoom[room.GetName()] == nil || room.GetNumParticipants() == 0 {
			continue
		}
		res, err := api.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: room.GetName()})
		if err != nil {
			continue
		}
		for _, p := range res.GetParticipants() {
			f.viewerJoined(room.GetName(), p.GetIdentity())
		}
	}
}

func httpURL(ws string) string {
	if rest, ok := strings.CutPrefix(ws, "ws"); ok {
		return "http" + rest
	}
	return ws
}
