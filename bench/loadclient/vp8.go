// The VP8 RTP payload descriptor (RFC 7741 4.2), read only as far as a subscriber needs: does this
// packet start a frame, and where does the frame's data begin. The SFU rewrites the picture ID and
// may add TL0PICIDX/TID, so the optional bytes are parsed rather than assumed.
package main

import "errors"

var errShortDescriptor = errors.New("VP8 payload descriptor truncated")

// vp8Descriptor returns where the VP8 data starts in an RTP payload and whether the packet is the
// first of a frame (S set, partition index 0).
func vp8Descriptor(p []byte) (start int, frameStart bool, err error) {
	if len(p) < 1 {
		return 0, false, errShortDescriptor
	}
	// |X|R|N|S|R|PID(3)|
	frameStart = p[0]&0x10 != 0 && p[0]&0x07 == 0
	idx := 1
	if p[0]&0x80 != 0 {
		if len(p) < 2 {
			return 0, false, errShortDescriptor
		}
		// |I|L|T|K|RSV(4)|
		x := p[1]
		idx = 2
		if x&0x80 != 0 { // I: picture ID, 7 bits, or 15 when its first bit (M) is set
			if len(p) < idx+1 {
				return 0, false, errShortDescriptor
			}
			if p[idx]&0x80 != 0 {
				idx += 2
			} else {
				idx++
			}
		}
		if x&0x40 != 0 { // L: TL0PICIDX
			idx++
		}
		if x&0x30 != 0 { // T or K: one byte of TID/Y/KEYIDX
			idx++
		}
	}
	if idx > len(p) {
		return 0, false, errShortDescriptor
	}
	return idx, frameStart, nil
}
