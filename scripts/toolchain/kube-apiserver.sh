#!/usr/bin/env bash
# Makes a Kubernetes API server available for the k8s stack's server-side dry run:
# `scripts/toolchain/kube-apiserver.sh ensure` prints (last line of stdout) the directory holding
# `kube-apiserver` (built from Go modules) and `etcd` (Debian's etcd-server, installed when missing).
#
#   - kube-apiserver comes from ${TRUSTCIRCLE_CACHE:-~/.cache/trustcircle}/kube-apiserver/<version>/bin,
#     built there the first time from k8s.io/kubernetes/cmd/kube-apiserver through ./kube-apiserver-tools
#     (k8s.io/kubernetes' go.mod points its staging modules at ./staging: the tools module requires them
#     at the matching v0.x release instead). ~4 min and ~1 GB of modules on 2 cores, once per version.
#   - The build goes to a temporary directory renamed into place; one build at a time (flock).
# The version is KUBERNETES_VERSION in versions.env; tests/k8s/test_pins.py checks the tools module.
# Environment: TRUSTCIRCLE_CACHE (cache root), GO (the go command), GOMAXPROCS (default 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/scripts/toolchain/kube-apiserver-tools"
fail() { printf 'kube-apiserver.sh: error: %s\n' "$1" >&2; [ -z "${2:-}" ] || printf '  how to fix: %s\n' "$2" >&2; exit 1; }
log() { printf 'kube-apiserver.sh: %s\n' "$*" >&2; }

# shellcheck disable=SC1091
ver="$(set -a; source "$root/versions.env" >/dev/null 2>&1; printf '%s' "${KUBERNETES_VERSION:-}")"
[[ "$ver" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "KUBERNETES_VERSION in versions.env is '$ver'" "set it to X.Y.Z"
grep -q "k8s.io/kubernetes v$ver\b" "$tools/go.mod" \
  || fail "kube-apiserver-tools/go.mod does not require k8s.io/kubernetes v$ver" \
          "set the version there (and its staging modules to v0.${ver#*.}), then: cd $tools && go mod tidy"
fp="$(cd "$tools" && cat go.mod go.sum | sha256sum | cut -c1-16)"
dest="${TRUSTCIRCLE_CACHE:-$HOME/.cache/trustcircle}/kube-apiserver/$ver"

ready() { [ -x "$dest/bin/kube-apiserver" ] && [ "$(cat "$dest/fingerprint" 2>/dev/null)" = "$fp" ]; }

build() {
  local go tmp start minor ldflags
  go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
  [ -x "$go" ] || command -v "$go" >/dev/null || fail "go is needed once to build kube-apiserver $ver" "install Go 1.21+"
  tmp="$(mktemp -d "$(dirname "$dest")/.building-$ver.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  log "building kube-apiserver v$ver from Go modules (first time only, ~4 min on 2 cores)…"
  start=$SECONDS
  minor="${ver#*.}"; minor="${minor%%.*}"
  ldflags="-X k8s.io/component-base/version.gitVersion=v$ver -X k8s.io/component-base/version.gitMajor=1"
  ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor"
  if ! (cd "$tools" && CGO_ENABLED=0 GOWORK=off GOFLAGS='' GOMAXPROCS="${GOMAXPROCS:-2}" "$go" build -mod=readonly \
          -trimpath -buildvcs=false -ldflags "$ldflags" -o "$tmp/bin/" k8s.io/kubernetes/cmd/kube-apiserver) >"$tmp/go.log" 2>&1; then
    cat "$tmp/go.log" >&2
    fail "building kube-apiserver v$ver failed (see above)" \
         "check that the Go module proxy serves k8s.io/kubernetes v$ver (go mod download -json k8s.io/kubernetes@v$ver)"
  fi
  "$tmp/bin/kube-apiserver" --version | grep -q "v$ver" || fail "the built kube-apiserver is not v$ver"
  printf '%s\n' "$fp" >"$tmp/fingerprint"
  rm -f "$tmp/go.log"
  rm -rf "$dest" && mv -T "$tmp" "$dest"
  trap - EXIT
  log "kube-apiserver v$ver ready in $dest/bin (built in $((SECONDS - start)) s)"
}

case "${1:-ensure}" in
  ensure)
    if ! command -v etcd >/dev/null; then
      # shellcheck source=../lib.sh
      source "$root/scripts/lib.sh"
      tc_apt_install etcd-server
    fi
    if ! ready; then
      mkdir -p "$(dirname "$dest")"
      exec 9>"$(dirname "$dest")/.lock-$ver"
      flock 9
      ready || build
    fi
    ln -sf "$(command -v etcd)" "$dest/bin/etcd"
    printf '%s\n' "$dest/bin" ;;
  version) echo "$ver" ;;
  *) fail "unknown command '$1'" "use: $0 ensure|version" ;;
esac
