#!/usr/bin/env bash
# Builds the Go servers the tests run, each at the version pinned in schema/versions.ts, into
# "$cache/bin/<name>-<version>". A built binary is reused; the builds run in parallel.
#
# livekit-server and actionlint install with `go install module@version`. LiveKit Ingress and
# MediaMTX cannot: the module proxy refuses their version lists, Ingress's go.mod carries a
# `replace`, and MediaMTX's main package embeds two files its module zip lacks. Both are built
# from the published modules through a wrapper module made here in a temp dir (a go.mod that
# requires the module, repeating its own `replace` lines, and a tools.go that imports its main
# package); nothing of theirs is copied into this repository.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${LKSTACK_CACHE_DIR:-$HOME/.cache/lkstack}
mkdir -p "$cache/bin" "$cache/logs"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

pinned() { # pinned <key> [file-pattern]: the version of <key> in the version table
  local v
  v=$(sed -n "s/.*$1: *\"\(v\{0,1\}[0-9.]*\)\".*/\1/p" "$here/schema/versions.ts" | head -n1)
  [ -n "$v" ] || { echo "cannot read $1 version from schema/versions.ts" >&2; exit 1; }
  echo "$v"
}
livekit_version=$(pinned livekitServer)
ingress_version=$(pinned livekitIngress)
mediamtx_version=$(pinned mediamtx)
actionlint_version=$(pinned actionlint)
helm_version=$(pinned helm)

go_install() { # go_install <module/cmd> <version> <binary name>
  local out="$cache/bin/$3-$2"
  [ -x "$out" ] && return 0
  local tmp
  tmp=$(mktemp -d)
  CGO_ENABLED=0 GOBIN="$tmp" go install "$1@$2"
  mv "$tmp/$(basename "$1")" "$out"
  rm -rf "$tmp"
}

module_dir() { # module_dir <module> <version>: where the module proxy's copy is unpacked
  go mod download -json "$1@$2" | sed -n 's/.*"Dir": "\(.*\)",/\1/p'
}

# wrapper <dir> <module> <version> <main package>: a module in <dir> that builds <main package>.
wrapper() {
  local dir=$1 module=$2 version=$3 main=$4 src
  src=$(module_dir "$module" "$version")
  [ -d "$src" ] || { echo "go mod download $module@$version failed" >&2; return 1; }
  {
    echo "module lkstack.test/wrapper"
    echo
    sed -n 's/^go \(.*\)/go \1/p' "$src/go.mod"
    grep '^replace ' "$src/go.mod" || true
    echo "require $module $version"
  } >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$main" >"$dir/tools.go"
  # The module's own sums: the checksum database does not know the `replace` targets' pseudo-versions.
  cp "$src/go.sum" "$dir/go.sum"
  chmod u+w "$dir/go.mod" "$dir/go.sum"
  (cd "$dir" && go mod tidy >/dev/null)
}

build_ingress() {
  local out="$cache/bin/ingress-$ingress_version"
  [ -x "$out" ] && return 0
  local dir
  dir=$(mktemp -d)
  wrapper "$dir" github.com/livekit/ingress "$ingress_version" github.com/livekit/ingress/cmd/server
  (cd "$dir" && CGO_ENABLED=1 go build -trimpath -o "$out.tmp" github.com/livekit/ingress/cmd/server)
  mv "$out.tmp" "$out"
  rm -rf "$dir"
}

build_mediamtx() {
  local out="$cache/bin/mediamtx-$mediamtx_version"
  [ -x "$out" ] && return 0
  local dir
  dir=$(mktemp -d)
  wrapper "$dir" github.com/bluenviron/mediamtx "$mediamtx_version" github.com/bluenviron/mediamtx
  # The two generated files go in through -overlay, which only reaches files outside GOMODCACHE,
  # hence the vendor tree. VERSION is what `go generate` writes from git; hls.min.js is hls.js's
  # published bundle, from the npm registry.
  (cd "$dir" && go mod vendor -e)
  local pkg="$dir/vendor/github.com/bluenviron/mediamtx/internal"
  printf '%s' "$mediamtx_version" >"$dir/VERSION"
  # The hls.js release MediaMTX pins, from its own downloader's VERSION file (e.g. "v1.7.0").
  local hlsjs_version
  hlsjs_version=$(sed 's/^v//' "$(module_dir github.com/bluenviron/mediamtx "$mediamtx_version")/internal/servers/hls/hlsjsdownloader/VERSION")
  (cd "$dir" && npm pack --silent "hls.js@$hlsjs_version" >/dev/null && tar -xzf "hls.js-$hlsjs_version.tgz")
  printf '{"Replace":{"%s":"%s","%s":"%s"}}' \
    "$pkg/core/VERSION" "$dir/VERSION" \
    "$pkg/servers/hls/hls.min.js" "$dir/package/dist/hls.min.js" >"$dir/overlay.json"
  (cd "$dir" && CGO_ENABLED=0 go build -mod=vendor -trimpath -overlay overlay.json -o "$out.tmp" github.com/bluenviron/mediamtx)
  mv "$out.tmp" "$out"
  rm -rf "$dir"
}

# Run the builds side by side (the Ingress's cgo build is the long one) and report each failure.
declare -A jobs=()
run() { # run <name> <function> ...: in the background, logging to $cache/logs/<name>.log
  local name=$1
  shift
  ("$@") >"$cache/logs/$name.log" 2>&1 &
  jobs[$name]=$!
}
run livekit-server go_install github.com/livekit/livekit-server/cmd/server "$livekit_version" livekit-server
run actionlint go_install github.com/rhysd/actionlint/cmd/actionlint "$actionlint_version" actionlint
run helm go_install helm.sh/helm/v3/cmd/helm "$helm_version" helm
run ingress build_ingress
run mediamtx build_mediamtx
failed=0
for name in "${!jobs[@]}"; do
  if ! wait "${jobs[$name]}"; then
    echo "building $name failed; its log:" >&2
    tail -n 40 "$cache/logs/$name.log" >&2
    failed=1
  fi
done
exit $failed
