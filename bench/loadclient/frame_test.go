package main

import (
	"testing"

	"github.com/livekit/mediatransportutil/pkg/codec"
	"github.com/pion/rtp/codecs"
)

// The SFU's own VP8 parser (livekit-server uses mediatransportutil's) must see our keyframes as
// keyframes with the layer's size, and our interframes as not.
func TestFramesAsTheSFUReadsThem(t *testing.T) {
	buf := make([]byte, frameBytes(150, 15))
	pay := &codecs.VP8Payloader{EnablePictureID: true}
	for _, key := range []bool{true, false} {
		frame := writeFrame(buf, key, 320, 180, 1_700_000_000_123, 42)
		pkts := pay.Payload(1200, frame)
		if len(pkts) != 2 {
			t.Fatalf("key=%v: %d packets, want 2 for %d bytes", key, len(pkts), len(frame))
		}
		var d codec.VP8
		if err := d.Unmarshal(pkts[0]); err != nil {
			t.Fatal(err)
		}
		if d.IsKeyFrame != key {
			t.Fatalf("SFU sees keyframe=%v, wrote %v", d.IsKeyFrame, key)
		}
		if size := codec.ExtractVP8VideoSize(&d, pkts[0]); key && (size.Width != 320 || size.Height != 180) {
			t.Fatalf("SFU reads size %v, wrote 320x180", size)
		}
		start, first, err := vp8Descriptor(pkts[0])
		if err != nil || !first || start != d.HeaderSize {
			t.Fatalf("first packet: start %d (SFU: %d) frameStart %v err %v", start, d.HeaderSize, first, err)
		}
		sent, n, err := readStamp(pkts[0][start:])
		if err != nil || sent != 1_700_000_000_123 || n != 42 {
			t.Fatalf("stamp %d/%d err %v", sent, n, err)
		}
		if _, first, _ := vp8Descriptor(pkts[1]); first {
			t.Fatal("second packet taken for a frame start")
		}
	}
}

func TestFrameBytesMatchesBitrate(t *testing.T) {
	if got := frameBytes(1700, 15); got != 14166 {
		t.Fatalf("1700 kbps at 15 fps: %d bytes a frame", got)
	}
	if got := frameBytes(10, 60); got != keyHeaderLen+stampLen {
		t.Fatalf("tiny bitrate: %d bytes, want room for header and stamp", got)
	}
}
