// The sample preparation: parameter sets before every IDR, nothing before the first IDR, and
// durations from the RTP clock (wall clock across a new session).
package main

import (
	"bytes"
	"testing"
	"time"
)

var (
	sps   = []byte{0x67, 0x42, 0xc0, 0x1f}
	pps   = []byte{0x68, 0xce, 0x3c, 0x80}
	idr   = []byte{0x65, 0x88, 0x84}
	slice = []byte{0x41, 0x9a, 0x02}
	aud   = []byte{0x09, 0xf0}
	start = []byte{0, 0, 0, 1}
)

func annexB(nalus ...[]byte) []byte {
	var out []byte
	for _, n := range nalus {
		out = append(append(out, start...), n...)
	}
	return out
}

func TestParamSetsFromTheSDPPrecedeEveryIDR(t *testing.T) {
	p := newParamSets(sps, pps)
	if got, _, _ := p.frame([][]byte{slice}); got != nil {
		t.Fatalf("a frame before the first IDR was kept: %x", got)
	}
	for i := 0; i < 2; i++ {
		got, key, err := p.frame([][]byte{aud, idr})
		if err != nil || !key || !bytes.Equal(got, annexB(sps, pps, idr)) {
			t.Fatalf("IDR %d: got %x key=%v err=%v, want SPS PPS IDR without the AUD", i, got, key, err)
		}
		got, key, _ = p.frame([][]byte{slice})
		if key || !bytes.Equal(got, annexB(slice)) {
			t.Fatalf("P frame %d: got %x key=%v", i, got, key)
		}
	}
}

func TestInBandParamSetsAreKeptAndNotDoubled(t *testing.T) {
	p := newParamSets(nil, nil)
	if got, _, _ := p.frame([][]byte{idr}); got != nil {
		t.Fatalf("an IDR without known parameter sets was kept: %x", got)
	}
	newSPS := []byte{0x67, 0x64, 0x00, 0x28}
	got, _, _ := p.frame([][]byte{newSPS, pps, idr})
	if !bytes.Equal(got, annexB(newSPS, pps, idr)) {
		t.Fatalf("got %x", got)
	}
	got, _, _ = p.frame([][]byte{idr})
	if !bytes.Equal(got, annexB(newSPS, pps, idr)) {
		t.Fatalf("the in-band SPS was not re-inserted: %x", got)
	}
}

func TestDurationsFollowTheRTPClock(t *testing.T) {
	var c sampleClock
	t0 := time.Unix(1000, 0)
	if d := c.next(90000, t0); d != 0 {
		t.Fatalf("first sample: %v", d)
	}
	// 25 fps is 3600 ticks of 90 kHz, whatever the arrival times.
	if d := c.next(93600, t0.Add(time.Millisecond)); d != 40*time.Millisecond {
		t.Fatalf("got %v, want 40ms", d)
	}
	// A new RTSP session restarts the RTP clock: the wall clock fills the gap.
	c.restart()
	if d := c.next(5, t0.Add(20*time.Second)); d != 20*time.Second-time.Millisecond {
		t.Fatalf("across a reconnect: got %v", d)
	}
	if d := c.next(3605, t0.Add(20*time.Second)); d != 40*time.Millisecond {
		t.Fatalf("after a reconnect: got %v", d)
	}
}
