#!/usr/bin/env bash
# The seed's `lk load-test` (subscriber side) against a running server, with the lk CLI built by
# `go install`. Bounded: 100 rooms x 10 viewers for 30 s by default (the seed's test), override
# with LK_ROOMS, LK_SUBSCRIBERS, LK_DURATION. Needs LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET.
set -uo pipefail
version=v2.13.2
cache=${LKSTACK_CACHE_DIR:-$HOME/.cache/lkstack}
lk="$cache/bin/lk-$version"
if [ ! -x "$lk" ]; then
  tmp=$(mktemp -d)
  if ! out=$(GOTOOLCHAIN=local GOBIN="$tmp" go install "github.com/livekit/livekit-cli/v2/cmd/lk@$version" 2>&1); then
    echo "bench/lk-load-test: skipped: go install github.com/livekit/livekit-cli/v2/cmd/lk@$version failed:"
    echo "$out" | tail -n 3 | sed 's/^/  /'
    echo "  (bench/load covers the same subscriber-side figures with @livekit/rtc-node)"
    exit 0
  fi
  mkdir -p "$cache/bin" && mv "$tmp/lk" "$lk"
fi
: "${LIVEKIT_URL:?set LIVEKIT_URL (and LIVEKIT_API_KEY, LIVEKIT_API_SECRET) to a running server}"
# lk reads the URL and key pair from env, so the secret never appears in a process listing.
# Upstream `lk load-test` drives one room; the seed's many rooms are parallel runs.
rooms=${LK_ROOMS:-100}
duration=${LK_DURATION:-30}
for i in $(seq 1 "$rooms"); do
  timeout $((duration + 60)) "$lk" load-test --room "camera_loadtest_$i" --video-publishers 1 \
    --subscribers "${LK_SUBSCRIBERS:-10}" --duration "${duration}s" > "${TMPDIR:-/tmp}/lk-load-test-$i.log" 2>&1 &
done
wait
tail -n 20 "${TMPDIR:-/tmp}/lk-load-test-1.log"
