#!/usr/bin/env python3
"""A test IP camera: H.264 over RTSP from Debian's gst-rtsp-server, on 127.0.0.1.

It serves a main stream and, with --sub-path, a sub stream of the same pictures at a smaller
size (as IP cameras do), both stamped from one clock. Each frame carries its own frame number and capture time (low 32 bits of Unix ms) as two rows
of 32 black/white luma blocks across the top of the picture (layout in test/helpers/stamp.ts),
which survive scaling and re-encoding better than text. The rest is a moving bar over a
gradient, so the encoder has real work to do.

  rtsp_camera.py --port 8554 --path cam --width 1280 --height 720 --fps 25 [--gop 2]
                 [--sub-path sub --sub-width 640 --sub-height 360] [--user u --password p]

Prints "ready rtsp://127.0.0.1:<port>/<path>" once it listens; stops on SIGTERM.
"""
import argparse
import signal
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

BITS = 32
ROWS = 16  # the picture height is split in 16 bands; the stamp uses the first two


def background(width, height):
    rows = [bytes([16 + (200 * y) // height]) * width for y in range(height)]
    return bytearray(b"".join(rows))


def stamp(luma, width, height, words):
    band = height // ROWS
    for row, word in enumerate(words):
        for bit in range(BITS):
            on = (word >> (BITS - 1 - bit)) & 1
            x0 = bit * width // BITS
            x1 = (bit + 1) * width // BITS
            value = bytes([235 if on else 16]) * (x1 - x0)
            for y in range(row * band, (row + 1) * band):
                luma[y * width + x0 : y * width + x1] = value


class Stream:
    """One encoded stream of the camera (main or sub): its size and the appsrcs of its clients."""

    def __init__(self, width, height):
        self.width = width
        self.height = height
        self.base = background(width, height)
        self.chroma = bytes([128]) * (width * height // 2)
        self.sources = []

    def frame(self, counter, now_ms):
        w, h = self.width, self.height
        luma = bytearray(self.base)
        x0 = (counter * 8 * w // 1280) % w
        bar = bytes([235]) * min(max(4, 48 * w // 1280), w - x0)
        for y in range(2 * (h // ROWS), h):
            luma[y * w + x0 : y * w + x0 + len(bar)] = bar
        stamp(luma, w, h, [counter & 0xFFFFFFFF, now_ms & 0xFFFFFFFF])
        return Gst.Buffer.new_wrapped(bytes(luma) + self.chroma)


class Camera:
    def __init__(self, streams):
        self.streams = streams
        self.counter = 0
        self.lock = threading.Lock()

    def tick(self):
        now_ms = int(time.time() * 1000)
        for stream in self.streams:
            with self.lock:
                sources = list(stream.sources)
            if not sources:
                continue
            buf = stream.frame(self.counter, now_ms)
            for src in sources:
                if src.emit("push-buffer", buf) != Gst.FlowReturn.OK:
                    with self.lock:
                        stream.sources.remove(src)
        self.counter += 1
        return True

    def on_media(self, stream):
        def configure(_factory, media):
            src = media.get_element().get_by_name("src")
            with self.lock:
                stream.sources.append(src)

        return configure


def factory_for(cam, stream, args, bitrate):
    factory = GstRtspServer.RTSPMediaFactory()
    caps = f"video/x-raw,format=I420,width={stream.width},height={stream.height},framerate={args.fps}/1"
    gop = max(1, round(args.gop * args.fps))
    factory.set_launch(
        f"( appsrc name=src is-live=true do-timestamp=true format=time caps={caps} "
        f"! queue max-size-buffers=2 leaky=downstream "
        f"! x264enc tune=zerolatency speed-preset=ultrafast bitrate={bitrate} key-int-max={gop} "
        f"! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory.set_shared(True)
    factory.connect("media-configure", cam.on_media(stream))
    if args.user:
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role("viewer", "media.factory.access", True)
        perms.add_permission_for_role("viewer", "media.factory.construct", True)
        factory.set_permissions(perms)
    return factory


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="cam")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=720)
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--bitrate", type=int, default=2500, help="kbps")
    p.add_argument("--gop", type=float, default=2.0, help="seconds between keyframes")
    p.add_argument("--sub-path", help="also serve a sub stream at this path")
    p.add_argument("--sub-width", type=int, default=640)
    p.add_argument("--sub-height", type=int, default=360)
    p.add_argument("--sub-bitrate", type=int, default=500, help="kbps")
    p.add_argument("--user")
    p.add_argument("--password")
    args = p.parse_args()

    Gst.init(None)
    main_stream = Stream(args.width, args.height)
    streams = [main_stream]
    if args.sub_path:
        sub_stream = Stream(args.sub_width, args.sub_height)
        streams.append(sub_stream)
    cam = Camera(streams)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        server.set_auth(auth)
    mounts = server.get_mount_points()
    mounts.add_factory(f"/{args.path}", factory_for(cam, main_stream, args, args.bitrate))
    if args.sub_path:
        mounts.add_factory(f"/{args.sub_path}", factory_for(cam, sub_stream, args, args.sub_bitrate))
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        sys.exit(1)
    GLib.timeout_add(1000 // args.fps, cam.tick)
    loop = GLib.MainLoop()
    signal.signal(signal.SIGTERM, lambda *_: loop.quit())
    signal.signal(signal.SIGINT, lambda *_: loop.quit())
    print(f"ready rtsp://127.0.0.1:{args.port}/{args.path}" + (f" and /{args.sub_path}" if args.sub_path else ""), flush=True)
    loop.run()


if __name__ == "__main__":
    main()
