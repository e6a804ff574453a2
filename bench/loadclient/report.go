// The one JSON object the run prints. Figures with no data (no latency sample, say) are null
// rather than 0, so a reader cannot take a silent subscriber for a fast one.
package main

import (
	"math"
	"time"
)

type layerReport struct {
	Subscribers int      `json:"subscribers"`
	AvgKbps     *float64 `json:"avgKbps"` // mean over the layer's subscribers, whole RTP packets
}

type errorsReport struct {
	Count int      `json:"count"`
	First []string `json:"first"`
}

type report struct {
	Rooms                int     `json:"rooms"`
	SubscribersPerRoom   int     `json:"subscribersPerRoom"`
	Seconds              int     `json:"seconds"`
	WindowSeconds        float64 `json:"windowSeconds"` // as measured
	Simulcast            bool    `json:"simulcast"`
	FPS                  int     `json:"fps"`
	PublishersJoined     int     `json:"publishersJoined"`
	SubscribersJoined    int     `json:"subscribersJoined"`
	SubscribersReceiving int     `json:"subscribersReceiving"` // at least one packet in the window

	JoinMsP50      *float64 `json:"joinMsP50"` // connect call start to first RTP packet
	JoinMsP95      *float64 `json:"joinMsP95"`
	LatencyMsP50   *float64 `json:"latencyMsP50"` // frame send to its first packet's arrival
	LatencyMsP95   *float64 `json:"latencyMsP95"`
	LatencyMsP99   *float64 `json:"latencyMsP99"`
	LatencySamples int      `json:"latencySamples"`

	PacketsReceived int64    `json:"packetsReceived"`
	PaddingPackets  int64    `json:"paddingPackets"` // of those, the SFU's padding-only probes
	PacketsLost     int64    `json:"packetsLost"`
	LossPct         *float64 `json:"lossPct"` // lost / (received + lost)

	Layers struct {
		Low    layerReport `json:"low"`
		Medium layerReport `json:"medium"`
		High   layerReport `json:"high"`
	} `json:"layers"`
	FramesPerSubscriberPerSecond *float64 `json:"framesPerSubscriberPerSecond"`

	Errors errorsReport `json:"errors"`
}

func buildReport(c config, publishers int, subs []*subscriber, start, end []counters, elapsed time.Duration, errs *errorLog) *report {
	secs := elapsed.Seconds()
	r := &report{
		Rooms:              c.rooms,
		SubscribersPerRoom: c.subscribers,
		Seconds:            c.seconds,
		WindowSeconds:      round(secs, 2),
		Simulcast:          c.simulcast,
		FPS:                c.fps,
		PublishersJoined:   publishers,
		SubscribersJoined:  len(subs),
	}
	var joins, latencies []float64
	var frames int64
	kbps := map[string][]float64{}
	for i, s := range subs {
		w, lost := window(start[i], end[i])
		if w.packets > 0 {
			r.SubscribersReceiving++
		}
		r.PacketsReceived += w.packets
		r.PaddingPackets += w.padding
		r.PacketsLost += lost
		frames += w.frames
		kbps[s.layer.name] = append(kbps[s.layer.name], float64(w.bytes)*8/secs/1000)
		if ms, ok := s.joinMs(); ok {
			joins = append(joins, ms)
		}
		s.stats.mu.Lock()
		latencies = append(latencies, s.stats.latencies...)
		s.stats.mu.Unlock()
	}
	joins, latencies = sortedCopy(joins), sortedCopy(latencies)
	r.JoinMsP50 = num(percentile(joins, 50), 1)
	r.JoinMsP95 = num(percentile(joins, 95), 1)
	r.LatencyMsP50 = num(percentile(latencies, 50), 1)
	r.LatencyMsP95 = num(percentile(latencies, 95), 1)
	r.LatencyMsP99 = num(percentile(latencies, 99), 1)
	r.LatencySamples = len(latencies)
	r.LossPct = num(100*float64(r.PacketsLost)/float64(r.PacketsReceived+r.PacketsLost), 3)
	r.Layers.Low = layerSummary(kbps["low"])
	r.Layers.Medium = layerSummary(kbps["medium"])
	r.Layers.High = layerSummary(kbps["high"])
	r.FramesPerSubscriberPerSecond = num(float64(frames)/float64(len(subs))/secs, 2)
	r.Errors.Count, r.Errors.First = errs.summary()
	if r.Errors.First == nil {
		r.Errors.First = []string{}
	}
	return r
}

func layerSummary(kbps []float64) layerReport {
	sum := 0.0
	for _, k := range kbps {
		sum += k
	}
	return layerReport{Subscribers: len(kbps), AvgKbps: num(sum/float64(len(kbps)), 1)}
}

// num rounds v to digits decimals; nil (JSON null) when v is not a number, as 0/0 is.
func num(v float64, digits int) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	r := round(v, digits)
	return &r
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
