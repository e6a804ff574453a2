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
#
# lkstack-publisher is ours (publisher/, its own module with a committed go.sum); it is named by a
# content hash of its sources, and "$cache/bin/lkstack-publisher" links to the current build.
# lkstack-load, the load bench's client (bench/loadclient/), is built the same way.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${LKSTACK_CACHE_DIR:-$HOME/.cache/lkstack}
mkdir -p "$cache/bin" "$cache/logs"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

pinned() { # pinned <key> [file-pattern]: the version of <key> in the version table
  local v
  v=$(sed -n "s/.*$1: *\"\(v\{0,1\}[0-9][0-9a-f.-]*\)\".*/\1/p" "$here/schema/versions.ts" | head -n1)
  [ -n "$v" ] || { echo "cannot read $1 version from schema/versions.ts" >&2; exit 1; }
  echo "$v"
}
livekit_version=$(pinned livekitServer)
ingress_version=$(pinned livekitIngress)
mediamtx_version=$(pinned mediamtx)
actionlint_version=$(pinned actionlint)
pulumi_version=$(pinned pulumiCli)
k8s_provider_version=$(pinned pulumiKubernetesProvider)
kubernetes_version=$(pinned kubernetes)
etcd_version=$(pinned etcd)
prometheus_crds_version=$(pinned prometheusOperatorCrds)
cert_manager_crds_version=$(pinned certManagerCrds)
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

# build_own <dir> <binary>: one of our Go modules (publisher/, bench/loadclient/), named by a content
# hash of its sources, with "$cache/bin/<binary>" linked to the current build.
build_own() {
  local dir=$1 name=$2 hash out link="$cache/bin/$2"
  hash=$(cd "$here" && find "$dir" -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
  out="$cache/bin/$name-$hash"
  if [ ! -x "$out" ]; then
    # Its own unit tests and vet run with each new build (a cached build has passed them).
    (cd "$here/$dir" && nice -n 19 go vet -mod=readonly . && CGO_ENABLED=0 nice -n 19 go test -mod=readonly -count=1 .)
    (cd "$here/$dir" && CGO_ENABLED=0 nice -n 19 go build -mod=readonly -trimpath -o "$out.tmp" .)
    mv "$out.tmp" "$out"
  fi
  ln -sfn "$(basename "$out")" "$link.tmp" && mv -T "$link.tmp" "$link"
}

# The engine suite's tools (test/engine). None installs with `go install`: each module's go.mod
# `replace`s a sibling directory of its repository (../sdk, ./staging/..., ../api), which a module
# zip lacks. Each wrapper below requires the published modules instead, so the proxy's copies are
# what is built. They are slow (~40 min cold on 2 idle cores), hence `nice` and the version cache.
niced_build() { # niced_build <dir> <go build args...>
  local dir=$1
  shift
  (cd "$dir" && nice -n 19 go build -trimpath "$@")
}

# engine_wrapper <dir> <go.mod source> <requires...>: go.mod keeping only the `replace` lines that
# point at published modules (not at sibling directories), go.sum seeded from the module's own.
engine_wrapper() {
  local dir=$1 src=$2
  shift 2
  {
    echo "module lkstack.test/wrapper"
    echo
    sed -n 's/^go \(.*\)/go \1/p' "$src/go.mod"
    grep '^replace .* => [^.]' "$src/go.mod" | sort -u || true
    local req
    for req in "$@"; do echo "require $req"; done
  } >"$dir/go.mod"
  cp "$src/go.sum" "$dir/go.sum"
  chmod u+w "$dir/go.mod" "$dir/go.sum"
}

build_pulumi() {
  local out="$cache/bin/pulumi-$pulumi_version"
  [ -x "$out" ] && return 0
  local dir src
  dir=$(mktemp -d)
  src=$(module_dir github.com/pulumi/pulumi/pkg/v3 "$pulumi_version")
  engine_wrapper "$dir" "$src" "github.com/pulumi/pulumi/pkg/v3 $pulumi_version" "github.com/pulumi/pulumi/sdk/v3 $pulumi_version"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' >"$dir/tools.go"
  (cd "$dir" && go mod tidy >/dev/null)
  # Unstamped, the CLI reports no version and the Automation API refuses it.
  niced_build "$dir" -o "$out.tmp" \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  mv "$out.tmp" "$out"
  rm -rf "$dir"
}

# The provider's main embeds two generated files its zip lacks; the zip has their sources
# (schema.json, terraform-mapping.json), so this main embeds those and calls the exported Serve.
build_kubernetes_provider() {
  local out="$cache/bin/pulumi-resource-kubernetes-$k8s_provider_version"
  [ -x "$out" ] && return 0
  local dir src module=github.com/pulumi/pulumi-kubernetes/provider/v4
  dir=$(mktemp -d)
  src=$(module_dir "$module" "$k8s_provider_version")
  engine_wrapper "$dir" "$src" "$module $k8s_provider_version"
  cp "$src/cmd/pulumi-resource-kubernetes/schema.json" "$src/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$dir/"
  chmod u+w "$dir"/*.json
  cat >"$dir/main.go" <<GO
package main

import (
	_ "embed"

	"$module/pkg/provider"
	"$module/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var mapping []byte

func main() { provider.Serve("kubernetes", version.Version, schema, mapping) }
GO
  (cd "$dir" && go mod tidy >/dev/null)
  # The release this pseudo-version is (engine-facts), so the provider reports a real version.
  niced_build "$dir" -o "$out.tmp" -ldflags "-X $module/pkg/version.Version=4.25.0" .
  mv "$out.tmp" "$out"
  rm -rf "$dir"
}

# kube-apiserver and kube-controller-manager in one build (they share most packages). Kubernetes'
# go.mod replaces its 31 staging modules with ./staging; each is published as v0.<minor>.<patch>.
build_kubernetes() {
  local apiserver="$cache/bin/kube-apiserver-$kubernetes_version"
  local kcm="$cache/bin/kube-controller-manager-$kubernetes_version"
  [ -x "$apiserver" ] && [ -x "$kcm" ] && return 0
  local dir src staging=v0.${kubernetes_version#v1.}
  dir=$(mktemp -d)
  src=$(module_dir k8s.io/kubernetes "$kubernetes_version")
  engine_wrapper "$dir" "$src" "k8s.io/kubernetes $kubernetes_version"
  sed -n 's|^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*|replace \1 => \1 '"$staging"'|p' "$src/go.mod" >>"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n)\n' >"$dir/tools.go"
  (cd "$dir" && go mod tidy >/dev/null)
  # Unstamped, the server reports v0.0.0 and kubectl cannot parse its version.
  local minor=${kubernetes_version#v1.}
  minor=${minor%%.*}
  local stamp="-X k8s.io/component-base/version.gitVersion=$kubernetes_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  niced_build "$dir" -o "$apiserver.tmp" -ldflags "$stamp" k8s.io/kubernetes/cmd/kube-apiserver
  niced_build "$dir" -o "$kcm.tmp" -ldflags "$stamp" k8s.io/kubernetes/cmd/kube-controller-manager
  mv "$apiserver.tmp" "$apiserver"
  mv "$kcm.tmp" "$kcm"
  rm -rf "$dir"
}

# etcd's server module replaces its sibling modules (../api, ...) with directories; the published
# ones at the same version are what the wrapper requires instead.
build_etcd() {
  local out="$cache/bin/etcd-$etcd_version"
  [ -x "$out" ] && return 0
  local dir src
  dir=$(mktemp -d)
  src=$(module_dir go.etcd.io/etcd/server/v3 "$etcd_version")
  engine_wrapper "$dir" "$src" "go.etcd.io/etcd/server/v3 $etcd_version"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$dir/tools.go"
  (cd "$dir" && go mod tidy >/dev/null)
  niced_build "$dir" -o "$out.tmp" go.etcd.io/etcd/server/v3
  mv "$out.tmp" "$out"
  rm -rf "$dir"
}

# The CRDs the engine suite installs: the published manifests in each project's module zip.
fetch_crds() {
  local out="$cache/crds/$prometheus_crds_version-$cert_manager_crds_version"
  [ -d "$out" ] && return 0
  local prom cm
  prom=$(module_dir github.com/prometheus-operator/prometheus-operator "$prometheus_crds_version")
  cm=$(module_dir github.com/cert-manager/cert-manager "$cert_manager_crds_version")
  mkdir -p "$out.tmp"
  cp "$prom/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
    "$prom/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml" \
    "$cm/deploy/crds/cert-manager.io_certificates.yaml" \
    "$cm/deploy/crds/cert-manager.io_issuers.yaml" \
    "$cm/deploy/crds/cert-manager.io_clusterissuers.yaml" "$out.tmp/"
  chmod u+w "$out.tmp"/*
  mv "$out.tmp" "$out"
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
run lkstack-publisher build_own publisher lkstack-publisher
run lkstack-load build_own bench/loadclient lkstack-load
# The engine suite's tools: the long part of a cold run (README "The two commands" gives its time), each niced.
run pulumi build_pulumi
run pulumi-resource-kubernetes build_kubernetes_provider
run kubernetes build_kubernetes
run etcd build_etcd
run crds fetch_crds
failed=0
for name in "${!jobs[@]}"; do
  if ! wait "${jobs[$name]}"; then
    echo "building $name failed; its log:" >&2
    tail -n 40 "$cache/logs/$name.log" >&2
    failed=1
  fi
done
exit $failed
