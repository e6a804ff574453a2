// What one subscriber has received, counted per RTP packet without decoding. The window's figures
// are differences of two snapshots, so joining and warm-up traffic stays out of them.
package main

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// seqTracker extends 16-bit RTP sequence numbers. The SFU rewrites them per down track so they are
// continuous across layer switches: a gap is a packet that never arrived.
type seqTracker struct {
	started bool
	base    int64 // extended number of the first packet
	highest int64 // highest extended number seen
}

// observe takes one packet's sequence number; late and repeated ones (retransmissions) do not
// move the highest.
func (t *seqTracker) observe(seq uint16) {
	if !t.started {
		t.started = true
		t.base, t.highest = int64(seq), int64(seq)
		return
	}
	if d := int64(int16(seq - uint16(t.highest))); d > 0 {
		t.highest += d
	}
}

// expected is how many packets the stream has had so far, received or not (RFC 3550 A.3).
func (t *seqTracker) expected() int64 {
	if !t.started {
		return 0
	}
	return t.highest - t.base + 1
}

type counters struct {
	packets  int64 // RTP packets, padding-only ones included
	padding  int64 // padding-only packets (the SFU's bandwidth probes)
	bytes    int64 // whole RTP packets, as read
	frames   int64 // packets that start a frame
	expected int64
}

type subStats struct {
	mu        sync.Mutex
	c         counters
	seq       seqTracker
	latencies []float64 // ms, frames that started while measuring
	badStamps int64     // frame starts whose stamp could not be read
	firstAt   time.Time
}

// packet counts one RTP packet read at now (n bytes on the wire); measuring says whether its
// frame's latency belongs to the window. It reports whether this was the subscriber's first packet.
func (s *subStats) packet(now time.Time, pkt *rtp.Packet, n int, measuring bool) (first bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.firstAt.IsZero() {
		s.firstAt, first = now, true
	}
	s.c.packets++
	s.c.bytes += int64(n)
	s.seq.observe(pkt.SequenceNumber)
	s.c.expected = s.seq.expected()
	if len(pkt.Payload) == 0 {
		s.c.padding++
		return first
	}
	start, frameStart, err := vp8Descriptor(pkt.Payload)
	if err != nil || !frameStart {
		return first
	}
	s.c.frames++
	if !measuring {
		return first
	}
	sentMs, _, err := readStamp(pkt.Payload[start:])
	if err != nil {
		s.badStamps++
		return first
	}
	// Publisher and subscriber share this host's clock; the stamp is whole ms, the reading finer.
	s.latencies = append(s.latencies, float64(now.UnixMicro())/1000-float64(sentMs))
	return first
}

func (s *subStats) snapshot() counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// window is what arrived between two snapshots, and the packets missing from it.
func window(start, end counters) (c counters, lost int64) {
	c = counters{
		packets:  end.packets - start.packets,
		padding:  end.padding - start.padding,
		bytes:    end.bytes - start.bytes,
		frames:   end.frames - start.frames,
		expected: end.expected - start.expected,
	}
	// Retransmissions can arrive for packets counted missing earlier, hence the floor.
	return c, max(c.expected-c.packets, 0)
}

// percentile is the nearest-rank percentile of sorted values; NaN for none (the report writes null).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func sortedCopy(v []float64) []float64 {
	out := slices.Clone(v)
	slices.Sort(out)
	return out
}

// errorLog counts the run's errors and keeps the first few messages for the report.
type errorLog struct {
	mu    sync.Mutex
	count int
	first []string
}

const keptErrors = 5

func (e *errorLog) add(msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.count++
	if len(e.first) < keptErrors {
		e.first = append(e.first, msg)
	}
}

func (e *errorLog) summary() (int, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count, slices.Clone(e.first)
}
