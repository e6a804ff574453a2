// lkstack-publisher: publishes cameras' own H.264 streams (main stream, sub stream) as the layers
// of one simulcast track per camera room, without decoding them. It adapts two maintained
// libraries, gortsplib (RTSP from MediaMTX) and LiveKit's Go server SDK (WebRTC to the SFU).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	// `lkstack-publisher healthcheck`: the container's health check (the image has no shell or curl).
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck())
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := serve(log); err != nil {
		log.Error("lkstack-publisher stopped", "error", err.Error())
		os.Exit(1)
	}
}

// healthcheck asks the running process's /healthz on LKSTACK_HEALTH_PORT; 0 when it answers 200.
func healthcheck() int {
	port := os.Getenv("LKSTACK_HEALTH_PORT")
	if port == "" {
		port = "9210"
	}
	client := http.Client{Timeout: 3 * time.Second}
	res, err := client.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, "unhealthy:", err)
		return 1
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "unhealthy: /healthz answered", res.Status)
		return 1
	}
	return 0
}

func serve(log *slog.Logger) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	cameras, err := loadCameras(cfg)
	if err != nil {
		return fmt.Errorf("LKSTACK_CAMERAS_DIR=%s: %w", cfg.CamerasDir, err)
	}
	// The SDK's own logger is chatty at info (every negotiation); warnings and errors still show.
	lksdk.SetLogger(sdkLogger())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	f := newFleet(ctx, cfg, cameras, log)
	camerasServed.Set(float64(len(cameras)))
	log.Info("serving cameras", "cameras", len(cameras), "shard", cfg.ShardIndex, "shards", cfg.ShardCount, "onDemand", cfg.OnDemand)

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(newRegistry(), promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintf(w, "ok %d cameras, %d active\n", len(cameras), f.active())
	})
	if cfg.OnDemand {
		mux.HandleFunc("POST /webhook", f.webhook)
		f.adoptWatchedRooms()
	} else {
		f.startAll()
	}
	srv := &http.Server{Addr: fmt.Sprintf(":%d", cfg.HealthPort), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	log.Info("stopping")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	f.wait()
	return nil
}
