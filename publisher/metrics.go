// The publisher's Prometheus metrics (/metrics) and health (/healthz), on one HTTP port.
package main

import (
	"github.com/prometheus/client_golang/prometheus"
)

var (
	cameraUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "lkstack_publisher_camera_up",
		Help: "1 while the camera's room is joined and its simulcast track published.",
	}, []string{"camera"})
	layerUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "lkstack_publisher_layer_up",
		Help: "1 while the layer's RTSP stream is playing from MediaMTX.",
	}, []string{"camera", "layer"})
	framesTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lkstack_publisher_frames_total",
		Help: "H.264 access units published, per camera and layer.",
	}, []string{"camera", "layer"})
	keyframesTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lkstack_publisher_keyframes_total",
		Help: "IDR access units published, per camera and layer.",
	}, []string{"camera", "layer"})
	bytesTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lkstack_publisher_bytes_total",
		Help: "H.264 bytes published, per camera and layer.",
	}, []string{"camera", "layer"})
	reconnectsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lkstack_publisher_reconnects_total",
		Help: "Sessions lost and retried, per camera and peer (rtsp: MediaMTX or the camera, sfu: livekit-server).",
	}, []string{"camera", "peer"})
	camerasServed = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lkstack_publisher_cameras",
		Help: "Cameras of this shard.",
	})
	camerasActive = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lkstack_publisher_cameras_active",
		Help: "Cameras being published now (all of them, unless on demand).",
	})
)

func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(cameraUp, layerUp, framesTotal, keyframesTotal, bytesTotal, reconnectsTotal, camerasServed, camerasActive,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return r
}
