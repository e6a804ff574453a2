// Turns the access units an RTSP H.264 stream delivers into WebRTC samples without decoding:
// parameter sets re-inserted before every IDR (cameras often send them only in the SDP, and a
// viewer joining mid-stream can decode from an IDR only with them), Annex-B framing, and each
// sample's duration from the camera's RTP clock so viewers see the camera's own frame rate.
package main

import (
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// h264Clock is H.264's RTP clock rate (RFC 6184).
const h264Clock = 90000

// paramSets remembers the latest SPS and PPS, from the SDP or in band.
type paramSets struct {
	sps, pps []byte
	// waitingForIDR drops the frames before the first IDR: they cannot be decoded.
	waitingForIDR bool
}

func newParamSets(sps, pps []byte) *paramSets {
	return &paramSets{sps: sps, pps: pps, waitingForIDR: true}
}

// frame returns the Annex-B sample for one access unit, or nil when it must be dropped
// (before the first IDR, or an IDR with no parameter sets known yet).
func (p *paramSets) frame(au [][]byte) ([]byte, bool, error) {
	idr, hasSPS, hasPPS := false, false, false
	kept := make([][]byte, 0, len(au)+2)
	for _, nalu := range au {
		if len(nalu) == 0 {
			continue
		}
		switch h264.NALUType(nalu[0] & 0x1f) {
		case h264.NALUTypeSPS:
			p.sps, hasSPS = nalu, true
		case h264.NALUTypePPS:
			p.pps, hasPPS = nalu, true
		case h264.NALUTypeIDR:
			idr = true
		case h264.NALUTypeAccessUnitDelimiter:
			continue // carries nothing a browser needs
		}
		kept = append(kept, nalu)
	}
	if p.waitingForIDR && !idr {
		return nil, false, nil
	}
	if idr {
		if p.sps == nil || p.pps == nil {
			return nil, false, nil
		}
		p.waitingForIDR = false
		var prefix [][]byte
		if !hasSPS {
			prefix = append(prefix, p.sps)
		}
		if !hasPPS {
			prefix = append(prefix, p.pps)
		}
		kept = append(prefix, kept...)
	}
	buf, err := h264.AnnexB(kept).Marshal()
	return buf, idr, err
}

// sampleClock gives each sample its duration from the RTP timestamps of one RTSP session, and
// from the wall clock across a reconnect (the RTP clock restarts with each session).
type sampleClock struct {
	lastPTS  int64
	havePTS  bool
	lastWall time.Time
}

// restart is called when a new RTSP session begins.
func (c *sampleClock) restart() { c.havePTS = false }

func (c *sampleClock) next(pts int64, now time.Time) time.Duration {
	var d time.Duration
	delta := pts - c.lastPTS
	switch {
	case c.havePTS && delta > 0 && delta < 10*h264Clock:
		d = time.Duration(delta) * time.Second / h264Clock
	case !c.lastWall.IsZero():
		// First frame of a session, or a jump in the camera's clock: real time elapsed.
		d = now.Sub(c.lastWall)
	}
	c.lastPTS, c.havePTS, c.lastWall = pts, true, now
	return d
}
