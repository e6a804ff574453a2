// Synthetic VP8 frames: nothing is encoded, but each frame starts as a real one does, so the SFU
// sees keyframes (it only switches a subscriber's layer at one, and reads the size from it), and
// then carries its send time and counter where a subscriber finds them without decoding.
//
//	interframe: tag(3) | send time ms (8, big-endian) | counter (4) | padding
//	keyframe:   tag(3) | 9d 01 2a | width (2, LE) | height (2, LE) | send time | counter | padding
package main

import (
	"encoding/binary"
	"errors"
)

const (
	interHeaderLen = 3  // the frame tag
	keyHeaderLen   = 10 // the tag, the start code and the size
	stampLen       = 12 // send time and counter
)

// frameBytes is the size that makes fps frames a second carry kbps (at least a header and stamp).
func frameBytes(kbps, fps int) int {
	return max(kbps*1000/8/fps, keyHeaderLen+stampLen)
}

// writeFrame fills buf (its whole length is the frame) as one frame and returns it. The
// padding is left as it was: its content is never read, and the SRTP layer encrypts it anyway.
func writeFrame(buf []byte, key bool, width, height uint16, sentMs int64, counter uint32) []byte {
	header := interHeaderLen
	if key {
		header = keyHeaderLen
	}
	// Frame tag (RFC 6386 9.1), little-endian: bit 0 the frame type (0 = key), bits 1-3 the
	// version (0), bit 4 show_frame, bits 5-23 the first partition's size: here the rest of the
	// frame, which is what a one-partition frame of this size would declare.
	tag := uint32(1) << 4
	if !key {
		tag |= 1
	}
	tag |= uint32(min(len(buf)-header, 1<<19-1)) << 5
	buf[0], buf[1], buf[2] = byte(tag), byte(tag>>8), byte(tag>>16)
	if key {
		buf[3], buf[4], buf[5] = 0x9d, 0x01, 0x2a
		// 14 bits of size, 2 of scaling (0: none).
		binary.LittleEndian.PutUint16(buf[6:], width&0x3fff)
		binary.LittleEndian.PutUint16(buf[8:], height&0x3fff)
	}
	binary.BigEndian.PutUint64(buf[header:], uint64(sentMs))
	binary.BigEndian.PutUint32(buf[header+8:], counter)
	return buf
}

var errShortFrame = errors.New("frame too short for its stamp")

// readStamp reads the send time and counter from the start of a frame: the VP8 data of its first
// packet, which holds them whole (frames have room for them, and the payloader cuts at ~1200 bytes).
func readStamp(frame []byte) (sentMs int64, counter uint32, err error) {
	if len(frame) < interHeaderLen {
		return 0, 0, errShortFrame
	}
	header := interHeaderLen
	if frame[0]&1 == 0 {
		header = keyHeaderLen
	}
	if len(frame) < header+stampLen {
		return 0, 0, errShortFrame
	}
	return int64(binary.BigEndian.Uint64(frame[header:])), binary.BigEndian.Uint32(frame[header+8:]), nil
}
