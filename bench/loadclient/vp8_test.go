package main

import (
	"testing"

	"github.com/livekit/mediatransportutil/pkg/codec"
)

// Descriptors as the SFU writes them after munging: every combination of the optional fields.
func TestDescriptorExtensions(t *testing.T) {
	for _, d := range []codec.VP8{
		{S: true, FirstByte: 0x10},
		{S: true, FirstByte: 0x10, I: true, PictureID: 100},
		{S: true, FirstByte: 0x10, I: true, M: true, PictureID: 3000},
		{S: true, FirstByte: 0x10, I: true, M: true, PictureID: 3000, L: true, TL0PICIDX: 7, T: true, TID: 1},
		{S: true, FirstByte: 0x10, L: true, TL0PICIDX: 7, T: true, K: true, KEYIDX: 3},
		{S: true, FirstByte: 0x10, K: true},
		{FirstByte: 0x00, I: true, M: true, PictureID: 5},
		{FirstByte: 0x11, I: true, PictureID: 5}, // S with partition 1: not a frame start
	} {
		d.HeaderSize = 6
		hdr, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		start, first, err := vp8Descriptor(append(hdr, 0xff))
		if err != nil || start != len(hdr) || first != (d.FirstByte == 0x10) {
			t.Fatalf("%+v: start %d of %d, frameStart %v, err %v", d, start, len(hdr), first, err)
		}
	}
	if _, _, err := vp8Descriptor([]byte{0x90, 0x80}); err == nil {
		t.Fatal("truncated picture ID accepted")
	}
}
