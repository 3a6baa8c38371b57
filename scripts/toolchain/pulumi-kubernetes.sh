#!/usr/bin/env bash
# Makes the Pulumi Kubernetes provider plugin available (the k8s stack's `pulumi preview`/`up`):
# `scripts/toolchain/pulumi-kubernetes.sh ensure` prints (last line of stdout) the directory that holds
# `pulumi-resource-kubernetes` at PULUMI_KUBERNETES_VERSION (versions.env), built the first time from Go
# modules into ${TRUSTCIRCLE_CACHE:-~/.cache/trustcircle}/pulumi-kubernetes/<version>/bin.
#
# No tagged version of github.com/pulumi/pulumi-kubernetes/provider/v4 is served by the Go module proxy,
# but the pseudo-version of the commit tagged v<version> is (PULUMI_KUBERNETES_PROVIDER_MODULE). `go
# install` of it cannot work: its go.mod replaces sdk/v4 with ../sdk (a folder of the repository, not in
# the module) and its main package embeds two files that `go generate` writes. So the steps of the
# provider's own Makefile (target k8sprovider) are done here, on a copy of the module:
#   1. go mod download -json of the module; its h1: sum must be PULUMI_KUBERNETES_PROVIDER_MODULE_SUM
#      (the go command also checks it against the checksum database);
#   2. the module copied into a writable temporary directory;
#   3. in its go.mod the replace dropped and github.com/pulumi/pulumi-kubernetes/sdk/v4 required at
#      v<version> instead (the same release's tag, served by the proxy); its two go.sum lines are the
#      ones `go mod download` verified; nothing else in go.mod/go.sum changes (-mod=readonly checks it);
#   4. `VERSION=<version> go run generate.go` in cmd/pulumi-resource-kubernetes: schema-embed.json (the
#      provider's schema.json with the version stamped) and terraform-mapping-embed.json;
#   5. go build, CGO off, with -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=<version>;
#   6. checks: the binary's build information (module, sdk/v4 version), the version string the -X
#      flag stamped (read from the binary) and that it starts; then the temporary directory is renamed
#      into place with a fingerprint: a warm run only checks files.
# A cold build took 26 min on 2 shared cores at the lowest priority (docs/kubernetes.md): ~600 MB of
# modules, ~4.4 GB of Go build cache; each go command is bounded by what is left of
# TRUSTCIRCLE_PULUMI_KUBERNETES_TIMEOUT seconds (default 3600).
#
# Pulumi finds the plugin once it is installed into PULUMI_HOME from this file (scripts/lib.sh,
# tc_pulumi_kubernetes_install): `pulumi plugin install resource kubernetes <version> --file <binary>`.
#
# Usage: scripts/toolchain/pulumi-kubernetes.sh ensure    build if needed; print the bin directory
#        scripts/toolchain/pulumi-kubernetes.sh version   print the pinned version
# Environment: TRUSTCIRCLE_CACHE (cache root), GO (the go command), GOMAXPROCS (also the number of
#              parallel compile jobs, go build -p, when set), TRUSTCIRCLE_PULUMI_KUBERNETES_TIMEOUT.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
module=github.com/pulumi/pulumi-kubernetes/provider/v4
sdk=github.com/pulumi/pulumi-kubernetes/sdk/v4
# Bump when the steps above change: cached builds of another recipe are rebuilt.
recipe=1

fail() { printf 'pulumi-kubernetes.sh: error: %s\n' "$1" >&2; [ -z "${2:-}" ] || printf '  how to fix: %s\n' "$2" >&2; exit 1; }
log() { printf 'pulumi-kubernetes.sh: %s\n' "$*" >&2; }

pin() {  # NAME: its value in versions.env (sourced in a subshell: nothing leaks)
  # shellcheck disable=SC1091
  (set -a; source "$root/versions.env" >/dev/null 2>&1; eval "printf '%s' \"\${$1:-}\"")
}
ver="$(pin PULUMI_KUBERNETES_VERSION)"
modver="$(pin PULUMI_KUBERNETES_PROVIDER_MODULE)"
modsum="$(pin PULUMI_KUBERNETES_PROVIDER_MODULE_SUM)"
[[ "$ver" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || fail "PULUMI_KUBERNETES_VERSION in versions.env is '$ver', not a version like X.Y.Z" "set it in versions.env"
[[ "$modver" =~ ^v4\.[0-9]+\.[0-9]+(-[0-9.]*[0-9]{14}-[0-9a-f]{12})?$ ]] \
  || fail "PULUMI_KUBERNETES_PROVIDER_MODULE in versions.env is '$modver', not a version of $module" \
          "set it to the pseudo-version of the commit tagged v$ver (go list -m -json $module@<commit>)"
[[ "$modsum" =~ ^h1:[A-Za-z0-9+/]{43}=$ ]] \
  || fail "PULUMI_KUBERNETES_PROVIDER_MODULE_SUM in versions.env is '$modsum', not an h1: checksum" \
          "set it to the Sum that go mod download -json $module@$modver prints"

dest="${TRUSTCIRCLE_CACHE:-$HOME/.cache/trustcircle}/pulumi-kubernetes/$ver"
binary=pulumi-resource-kubernetes

find_go() {
  local go="${GO:-}" gv
  [ -n "$go" ] || go="$(command -v go 2>/dev/null)" || true
  [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
  [ -n "$go" ] || fail "the Go toolchain (go) is needed once, to build the Pulumi Kubernetes provider $ver" \
                       "install Go 1.24 or newer and put it on PATH, or set GO=/path/to/go"
  gv="$("$go" env GOVERSION 2>/dev/null)" || gv=""
  [[ "$gv" =~ ^go1\.([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 24 ] \
    || fail "$go is ${gv:-unusable}; the provider's go.mod needs Go 1.24 or newer" "install a newer Go or set GO"
  printf '%s' "$go"
}
# What the cached binary is built from (a warm run needs no Go: the Go version is noted in BUILD only).
fp="$(printf 'recipe %s\n%s %s %s\n%s v%s\n' "$recipe" "$module" "$modver" "$modsum" "$sdk" "$ver" \
        | sha256sum | cut -c1-16)"

ready() { [ -x "$dest/bin/$binary" ] && [ "$(cat "$dest/fingerprint" 2>/dev/null)" = "$fp" ]; }

# Runs a go command in DIR under what is left of the time budget, its output to $golog.
deadline=0
run_go() {  # DIR STEP-DESCRIPTION ARGS...
  local dir="$1" what="$2" left rc=0
  shift 2
  left=$((deadline - SECONDS))
  [ "$left" -gt 0 ] || fail "no time left for: $what (TRUSTCIRCLE_PULUMI_KUBERNETES_TIMEOUT)"
  (cd "$dir" && CGO_ENABLED=0 GOWORK=off GOFLAGS='' timeout -k 30 "$left" "$@") >"$golog" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] && return 0
  tail -n 60 "$golog" >&2
  [ "$rc" -ne 124 ] || fail "$what: still running after the time budget ran out (TRUSTCIRCLE_PULUMI_KUBERNETES_TIMEOUT=${TRUSTCIRCLE_PULUMI_KUBERNETES_TIMEOUT:-3600} s)" \
    "run again on a less busy machine, or raise TRUSTCIRCLE_PULUMI_KUBERNETES_TIMEOUT: what was compiled stays in Go's build cache"
  if grep -qE '403 Forbidden|410 Gone|404 Not Found|not available|unknown revision|invalid version' "$golog"; then
    fail "$what: the Go module proxy refused a module (see above)" \
         "check that it serves $module@$modver and $sdk@v$ver (go mod download -json …)"
  elif grep -qE 'missing go.sum entry|updates to go.mod needed' "$golog"; then
    fail "$what: the module's go.mod/go.sum, with sdk/v4 pinned at v$ver, do not build as they are (see above)" \
         "the provider and sdk/v4 versions in versions.env must be the same release"
  elif grep -qE 'dial tcp|no such host|connection refused|i/o timeout|TLS handshake' "$golog"; then
    fail "$what: the Go module proxy could not be reached (see above)" "check the network / go env GOPROXY, then run again"
  elif grep -qE 'no space left' "$golog"; then
    fail "$what: the disk is full (see above)" "free space in $(dirname "$dest") and in the Go caches (go env GOCACHE GOMODCACHE)"
  fi
  fail "$what failed (exit $rc, see above)"
}

cleanup() {  # the temporary build directory and the progress ticker, whatever happened
  [ -z "${ticker:-}" ] || kill "$ticker" 2>/dev/null || true
  [ -z "${tmp:-}" ] || rm -rf "$tmp"
}

# The value the -X flag gave $module/pkg/version.Version, read from the binary (-trimpath keeps
# -ldflags out of the build information; the linker writes the string as the symbol Version.str).
stamped_version() {  # BINARY
  local addr size
  read -r addr size _ < <("$go" tool nm -size "$1" | grep -E "[[:space:]]$module/pkg/version\.Version\.str\$") \
    || { echo "(not stamped)"; return 0; }
  python3 - "$1" "$addr" "$size" <<'PY'
import struct, sys
path, addr, size = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3])
with open(path, "rb") as f:  # an ELF64 file: the loaded segment that holds addr
    head = f.read(64)
    phoff, = struct.unpack_from("<Q", head, 32)
    phentsize, phnum = struct.unpack_from("<HH", head, 54)
    for i in range(phnum if head[:4] == b"\x7fELF" else 0):
        f.seek(phoff + i * phentsize)
        ptype, _, offset, vaddr, _, filesz = struct.unpack("<IIQQQQ", f.read(40))
        if ptype == 1 and vaddr <= addr < vaddr + filesz:
            f.seek(offset + addr - vaddr)
            print(f.read(size).rstrip(b"\0").decode(errors="replace"))
            break
PY
}

# A provider plugin started without an engine listens and prints its port: wait for that, then stop it.
starts() {  # BINARY
  local pid ok=1 _
  "$1" >"$tmp/start.log" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 100); do
    if grep -qE '^[0-9]+$' "$tmp/start.log"; then ok=0; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return "$ok"
}

json_field() {  # FILE KEY: a top-level string field of go's -json output
  sed -nE "s/^[[:space:]]\"$2\": \"(.*)\",?$/\1/p" "$1" | head -n 1
}

build() {
  local start jobs=() ldflags info dir sum gomodsum stamped
  go="$(find_go)"
  mkdir -p "$(dirname "$dest")"
  # Under the lock no other build runs: a leftover is from a killed one.
  rm -rf "$(dirname "$dest")/.building-$ver".*
  tmp="$(mktemp -d "$(dirname "$dest")/.building-$ver.XXXXXX")" && chmod 0755 "$tmp"
  ticker=""
  trap 'cleanup' EXIT
  trap 'cleanup; exit 130' INT TERM
  src="$tmp/src" golog="$tmp/go.log"
  start=$SECONDS
  deadline=$((SECONDS + ${TRUSTCIRCLE_PULUMI_KUBERNETES_TIMEOUT:-3600}))
  [ -z "${GOMAXPROCS:-}" ] || jobs=(-p "$GOMAXPROCS")
  log "building the Pulumi Kubernetes provider v$ver from Go modules (first time only: ~25 min on 2 cores, ~600 MB of modules, ~4.4 GB of Go build cache)"

  log "[1/5] go mod download $module@$modver and $sdk@v$ver"
  mkdir "$src"  # outside any module: GOWORK off, no go.mod
  run_go "$src" "go mod download" "$go" mod download -json "$module@$modver"
  cp "$golog" "$tmp/module.json"
  dir="$(json_field "$tmp/module.json" Dir)" sum="$(json_field "$tmp/module.json" Sum)"
  [ "$sum" = "$modsum" ] || fail "$module@$modver has checksum '$sum', versions.env pins $modsum" \
    "a different module was served: find out why before trusting it; if the pin is wrong, set PULUMI_KUBERNETES_PROVIDER_MODULE_SUM"
  [ -f "$dir/cmd/$binary/main.go" ] && [ -f "$dir/cmd/$binary/generate.go" ] && [ -f "$dir/cmd/$binary/schema.json" ] \
    || fail "$dir has no cmd/$binary/{main.go,generate.go,schema.json}: not the provider module expected"
  run_go "$src" "go mod download $sdk@v$ver" "$go" mod download -json "$sdk@v$ver"
  sum="$(json_field "$golog" Sum)" gomodsum="$(json_field "$golog" GoModSum)"
  [ -n "$sum" ] && [ -n "$gomodsum" ] || fail "go mod download printed no checksums for $sdk@v$ver (see $golog)"

  log "[2/5] copy of the module, go.mod with $sdk v$ver instead of the replace by ../sdk"
  rmdir "$src" && cp -R "$dir" "$src" && chmod -R u+w "$src"
  run_go "$src" "go mod edit" "$go" mod edit -dropreplace="$sdk" -require="$sdk@v$ver"
  grep -q "^replace" "$src/go.mod" && fail "the module's go.mod still has a replace after the edit (see $src/go.mod)" \
    "a newer release changed its go.mod: adapt step 3 of this script"
  printf '%s v%s %s\n%s v%s/go.mod %s\n' "$sdk" "$ver" "$sum" "$sdk" "$ver" "$gomodsum" >>"$src/go.sum"

  log "[3/5] VERSION=$ver go generate: schema-embed.json and terraform-mapping-embed.json (~3 min)"
  # generate.go reads ./schema.json and ./terraform-mapping.json: it runs in the main package's folder
  run_go "$src/cmd/$binary" "go run generate.go" env VERSION="$ver" "$go" run "${jobs[@]}" -mod=readonly \
    -trimpath -buildvcs=false generate.go
  [ -s "$src/cmd/$binary/schema-embed.json" ] && [ -s "$src/cmd/$binary/terraform-mapping-embed.json" ] \
    || fail "go generate wrote no schema-embed.json / terraform-mapping-embed.json (see $golog)"
  grep -q "\"version\":\"$ver\"" "$src/cmd/$binary/schema-embed.json" \
    || fail "schema-embed.json does not carry the version $ver"

  log "[4/5] go build ./cmd/$binary (the long step: ~20 min on 2 cores; progress every minute)"
  ldflags="-X $module/pkg/version.Version=$ver"
  mkdir "$tmp/bin"
  (
    while sleep 60; do
      log "      … still compiling: $((SECONDS - start)) s so far, $(grep -vc '^go: ' "$golog" 2>/dev/null) packages built"
    done
  ) &
  ticker=$!
  # -v: one line per package compiled (the progress above). -mod=readonly: go.mod/go.sum are the whole truth.
  run_go "$src" "go build" "$go" build "${jobs[@]}" -v -mod=readonly -trimpath -buildvcs=false \
    -ldflags "$ldflags" -o "$tmp/bin/" "./cmd/$binary"
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  ticker=""

  log "[5/5] checking the binary: its module, sdk/v4, version stamp, and that it starts"
  info="$("$go" version -m "$tmp/bin/$binary")" || fail "go version -m cannot read $tmp/bin/$binary"
  grep -qE "^[[:space:]]+path[[:space:]]+$module/cmd/$binary\$" <<<"$info" \
    && grep -qE "^[[:space:]]+dep[[:space:]]+${sdk}[[:space:]]+v${ver}[[:space:]]" <<<"$info" \
    || { printf '%s\n' "$info" >&2; fail "the built binary's build information is not that of $module with $sdk v$ver (see above)"; }
  stamped="$(stamped_version "$tmp/bin/$binary")"
  [ "$stamped" = "$ver" ] || fail "the built binary's version.Version is '$stamped', expected $ver (the -X flag)"
  starts "$tmp/bin/$binary" || fail "the built $binary does not start and print its port (it said: $(head -c 500 "$tmp/start.log"))"
  rm -f "$tmp/start.log"

  printf '%s\n' "$fp" >"$tmp/fingerprint"
  printf 'version %s\nmodule %s@%s %s\nsdk %s@v%s\ngo %s\nbuilt in %s s\n' "$ver" "$module" "$modver" "$modsum" \
    "$sdk" "$ver" "$("$go" env GOVERSION)" "$((SECONDS - start))" >"$tmp/BUILD"
  rm -rf "$src" "$golog" "$tmp/module.json"
  if [ -e "$dest" ]; then mv -T "$dest" "$dest.old" && rm -rf "$dest.old"; fi
  mv -T "$tmp" "$dest" || fail "cannot move the build into $dest"
  trap - EXIT INT TERM
  tmp=""
  log "pulumi-resource-kubernetes v$ver ready in $dest/bin ($(du -m "$dest/bin/$binary" | cut -f1) MB, built in $((SECONDS - start)) s)"
}

case "${1:-ensure}" in
  ensure)
    if ! ready; then
      mkdir -p "$(dirname "$dest")"
      exec 9>"$(dirname "$dest")/.lock-$ver"
      flock 9  # one build at a time: a second caller waits, then finds the cache ready
      ready || build
    fi
    printf '%s\n' "$dest/bin" ;;
  version) echo "$ver" ;;
  -h|--help|help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" ;;
  *) fail "unknown command '$1'" "use: $0 ensure|version|help" ;;
esac
