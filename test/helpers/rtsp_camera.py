#!/usr/bin/env python3
"""A test IP camera: H.264 over RTSP from Debian's gst-rtsp-server, on 127.0.0.1.

Each frame carries its own frame number and capture time (low 32 bits of Unix ms) as two rows
of 32 black/white luma blocks across the top of the picture (layout in test/helpers/stamp.ts),
which survive scaling and re-encoding better than text. The rest is a moving bar over a
gradient, so the encoder has real work to do.

  rtsp_camera.py --port 8554 --path cam --width 1280 --height 720 --fps 25 [--user u --password p]

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


class Camera:
    def __init__(self, args):
        self.args = args
        self.base = background(args.width, args.height)
        self.chroma = bytes([128]) * (args.width * args.height // 2)
        self.counter = 0
        self.lock = threading.Lock()
        self.sources = []

    def frame(self):
        a = self.args
        luma = bytearray(self.base)
        x0 = (self.counter * 8) % a.width
        bar = bytes([235]) * min(48, a.width - x0)
        for y in range(2 * (a.height // ROWS), a.height):
            luma[y * a.width + x0 : y * a.width + x0 + len(bar)] = bar
        stamp(luma, a.width, a.height, [self.counter & 0xFFFFFFFF, int(time.time() * 1000) & 0xFFFFFFFF])
        self.counter += 1
        return Gst.Buffer.new_wrapped(bytes(luma) + self.chroma)

    def tick(self):
        buf = self.frame()
        with self.lock:
            for src in list(self.sources):
                if src.emit("push-buffer", buf) != Gst.FlowReturn.OK:
                    self.sources.remove(src)
        return True

    def on_media(self, _factory, media):
        src = media.get_element().get_by_name("src")
        with self.lock:
            self.sources.append(src)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="cam")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=720)
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--bitrate", type=int, default=2500, help="kbps")
    p.add_argument("--user")
    p.add_argument("--password")
    args = p.parse_args()

    Gst.init(None)
    cam = Camera(args)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    caps = f"video/x-raw,format=I420,width={args.width},height={args.height},framerate={args.fps}/1"
    factory.set_launch(
        f"( appsrc name=src is-live=true do-timestamp=true format=time caps={caps} "
        f"! queue max-size-buffers=2 leaky=downstream "
        f"! x264enc tune=zerolatency speed-preset=ultrafast bitrate={args.bitrate} key-int-max={args.fps * 2} "
        f"! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory.set_shared(True)
    factory.connect("media-configure", cam.on_media)
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        server.set_auth(auth)
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role("viewer", "media.factory.access", True)
        perms.add_permission_for_role("viewer", "media.factory.construct", True)
        factory.set_permissions(perms)
    server.get_mount_points().add_factory(f"/{args.path}", factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        sys.exit(1)
    GLib.timeout_add(1000 // args.fps, cam.tick)
    loop = GLib.MainLoop()
    signal.signal(signal.SIGTERM, lambda *_: loop.quit())
    signal.signal(signal.SIGINT, lambda *_: loop.quit())
    print(f"ready rtsp://127.0.0.1:{args.port}/{args.path}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
