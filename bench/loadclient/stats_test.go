package main

import (
	"math"
	"testing"
)

func TestSeqTrackerAcrossWrap(t *testing.T) {
	var s seqTracker
	for _, seq := range []uint16{65533, 65534, 1, 0, 65534, 2} { // 65535 lost; 0 late; 65534 repeated
		s.observe(seq)
	}
	if s.expected() != 6 {
		t.Fatalf("expected %d packets, want 6 (65533..2)", s.expected())
	}
}

func TestWindowLoss(t *testing.T) {
	start := counters{packets: 10, expected: 10}
	c, lost := window(start, counters{packets: 108, expected: 110})
	if c.packets != 98 || lost != 2 {
		t.Fatalf("window %+v lost %d", c, lost)
	}
	// More arrived than expected (retransmissions of packets missing before the window).
	if _, lost := window(start, counters{packets: 112, expected: 110}); lost != 0 {
		t.Fatalf("lost %d, want 0", lost)
	}
}

func TestPercentile(t *testing.T) {
	v := sortedCopy([]float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10})
	if percentile(v, 50) != 5 || percentile(v, 95) != 10 || percentile(v, 0) != 1 {
		t.Fatalf("p50 %v p95 %v", percentile(v, 50), percentile(v, 95))
	}
	if !math.IsNaN(percentile(nil, 50)) {
		t.Fatal("percentile of nothing is a number")
	}
}

func TestLayerMix(t *testing.T) {
	t.Setenv("LIVEKIT_API_KEY", "k")
	t.Setenv("LIVEKIT_API_SECRET", "s")
	c, err := parseConfig([]string{"--simulcast", "--mix", "0.7,0.2,0.1"})
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for i := range 20 {
		got += c.layerFor(i).name[:1]
	}
	if got != "lllllllmmhlllllllmmh" {
		t.Fatalf("layers by index: %s", got)
	}
	if one, _ := parseConfig(nil); one.layerFor(0).name != "high" || len(one.layers) != 1 {
		t.Fatal("without --simulcast everyone takes the one (high) layer")
	}
	if _, err := parseConfig([]string{"--seconds", "121"}); err == nil {
		t.Fatal("a window over 120 s accepted")
	}
}
