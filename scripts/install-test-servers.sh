#!/usr/bin/env bash
# Installs the real servers the conformance tests start: coturn and redis-server from Debian,
# livekit-server built from the Go module proxy at the version pinned in schema/versions.ts.
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
# A real browser for the camera-grid test (driven by playwright-core).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "need root to apt-get install ${need_apt[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian starts daemons on install; the tests start their own, so keep the packaged ones off.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

lk_bin="$cache/bin/livekit-server-$livekit_version"
if [ ! -x "$lk_bin" ]; then
  echo "building livekit-server $livekit_version (first run only; cached in $cache)" >&2
  tmp=$(mktemp -d)
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$tmp" \
    go install "github.com/livekit/livekit-server/cmd/server@$livekit_version"
  mv "$tmp/server" "$lk_bin"
  rmdir "$tmp"
fi
# actionlint validates the GitHub workflows (version from TEST_TOOL_VERSIONS in schema/versions.ts).
actionlint_version=$(sed -n 's/.*actionlint: *"\(v[0-9.]*\)".*/\1/p' "$here/schema/versions.ts" | head -n1)
al_bin="$cache/bin/actionlint-$actionlint_version"
if [ ! -x "$al_bin" ]; then
  tmp=$(mktemp -d)
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$tmp" go install "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version"
  mv "$tmp/actionlint" "$al_bin"
  rmdir "$tmp"
fi
# MediaMTX cannot be built with `go install` (its embedded VERSION file is generated), so the
# tests check our key allow-list against the release's own api/openapi.yaml from the module proxy.
mediamtx_version=$(sed -n 's/.*mediamtx: *"\(v[0-9.]*\)".*/\1/p' "$here/schema/versions.ts" | head -n1)
mediamtx_dir=$(cd "$cache" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "github.com/bluenviron/mediamtx@$mediamtx_version" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
cp "$mediamtx_dir/api/openapi.yaml" "$cache/mediamtx-$mediamtx_version-openapi.yaml"

echo "livekit-server: $lk_bin"
echo "mediamtx openapi: $cache/mediamtx-$mediamtx_version-openapi.yaml"
echo "actionlint: $al_bin"
echo "turnserver: $(command -v turnserver)"
echo "redis-server: $(command -v redis-server)"
echo "chromium: $(command -v chromium)"
