#!/usr/bin/env bash
# Installs the real servers the conformance tests start: coturn, redis-server, Chromium, GStreamer
# and the test camera from Debian; livekit-server, LiveKit Ingress, MediaMTX and actionlint built
# from the Go module proxy at the versions pinned in schema/versions.ts, and our lkstack-publisher
# (publisher/) from source, and the engine suite's Pulumi CLI, kubernetes provider, kube-apiserver,
# kube-controller-manager and etcd (scripts/build-go-servers.sh).
# Go builds land in a cache directory that later runs reuse, so a warm run takes seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${LKSTACK_CACHE_DIR:-$HOME/.cache/lkstack}
mkdir -p "$cache/bin"

# One source of truth for the pinned version: read it from the version table.
livekit_version=$(sed -n 's/.*livekitServer: *"\(v[0-9.]*\)".*/\1/p' "$here/schema/versions.ts" | head -n1)
[ -n "$livekit_version" ] || { echo "cannot read livekitServer version from schema/versions.ts" >&2; exit 1; }

need_apt=()
command -v turnserver >/dev/null 2>&1 || need_apt+=(coturn)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
# A real browser for the camera-grid tests (driven by playwright-core).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# The TLS edge the edge test runs from the rendered Caddyfile (Debian's Caddy 2.6), and openssl for its test CA.
command -v caddy >/dev/null 2>&1 || need_apt+=(caddy)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# LiveKit Ingress: cgo headers to build it, GStreamer plugins to run it (decode, scale, x264).
gst_build=(pkg-config libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev)
gst_run=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools)
# The test camera: gst-rtsp-server through its Python binding on Debian's python3.
camera=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp)
for pkg in "${gst_build[@]}" "${gst_run[@]}" "${camera[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "need root to apt-get install ${need_apt[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian starts daemons on install; the tests start their own, so keep the packaged ones off.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

# livekit-server, actionlint, LiveKit Ingress and MediaMTX at their pinned versions, in parallel.
bash "$here/scripts/build-go-servers.sh"

# The tests also check our MediaMTX key allow-list against the release's own api/openapi.yaml.
mediamtx_version=$(sed -n 's/.*mediamtx: *"\(v[0-9.]*\)".*/\1/p' "$here/schema/versions.ts" | head -n1)
mediamtx_dir=$(cd "$cache" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "github.com/bluenviron/mediamtx@$mediamtx_version" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
cp "$mediamtx_dir/api/openapi.yaml" "$cache/mediamtx-$mediamtx_version-openapi.yaml"

ingress_version=$(sed -n 's/.*livekitIngress: *"\(v[0-9.]*\)".*/\1/p' "$here/schema/versions.ts" | head -n1)
echo "livekit-server: $cache/bin/livekit-server-$livekit_version"
echo "ingress: $cache/bin/ingress-$ingress_version"
echo "mediamtx: $cache/bin/mediamtx-$mediamtx_version"
echo "mediamtx openapi: $cache/mediamtx-$mediamtx_version-openapi.yaml"
echo "lkstack-publisher: $(readlink -f "$cache/bin/lkstack-publisher")"
echo "actionlint: $cache/bin/actionlint-$(sed -n 's/.*actionlint: *"\(v[0-9.]*\)".*/\1/p' "$here/schema/versions.ts" | head -n1)"
echo "turnserver: $(command -v turnserver)"
echo "redis-server: $(command -v redis-server)"
echo "chromium: $(command -v chromium)"
echo "caddy: $(command -v caddy)"
