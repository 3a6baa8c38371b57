#!/usr/bin/env bash
# Makes the Pulumi CLI usable: `scripts/toolchain/pulumi.sh ensure` prints (last line of stdout) the
# directory that holds `pulumi`, `pulumi-language-python`, `pulumi-language-python-exec` and
# `pulumi-resource-pulumi-python` (the Python dynamic-provider plugin); put it first on PATH.
#
#   - If `pulumi` and `pulumi-language-python` are already on PATH (an engineer's own Pulumi install),
#     their directory is used as it is (a warning is printed when its version is not the pinned one).
#   - Otherwise the binaries come from ${TRUSTCIRCLE_CACHE:-~/.cache/trustcircle}/pulumi/<version>/bin,
#     built there the first time from Go modules (the Go module proxy is the only source needed):
#     the CLI from github.com/pulumi/pulumi/pkg/v3/cmd/pulumi, the Python language host from
#     ./pulumi-tools/cmd/pulumi-language-python (see the comment there for why it is not Pulumi's own),
#     and the two Python scripts from the sdk/v3 module's python/ folder.
#     The build goes to a temporary directory that is renamed into place, so an interrupted build never
#     leaves a half-filled cache; a warm run only checks files and returns at once.
#
# The version is PULUMI_VERSION in versions.env (the Python SDK is pulumi==<that version> from PyPI);
# pulumi-tools/go.mod must require pkg/v3 and sdk/v3 at exactly that version.
#
# So that pulumi never reaches for the network, run it with:
#   PULUMI_SKIP_UPDATE_CHECK=true           no "a newer version is available" lookup
#   PULUMI_BACKEND_URL=file://<dir>         local state instead of the Pulumi Cloud service
#   PULUMI_CONFIG_PASSPHRASE=<passphrase>   passphrase secrets provider (or PULUMI_CONFIG_PASSPHRASE_FILE)
#   PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true   (when driven by the Automation API)
#   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true   a missing plugin is an error, never a download
# A program that uses only the core SDK and dynamic providers needs no plugin; the k8s stack's
# Kubernetes provider plugin is built by ./pulumi-kubernetes.sh.
#
# Usage: scripts/toolchain/pulumi.sh ensure     build if needed; print the bin directory
#        scripts/toolchain/pulumi.sh version    print the pinned version
#        source scripts/toolchain/pulumi.sh     defines tc_pulumi_ensure (prints the directory)
# Environment: TRUSTCIRCLE_CACHE (cache root), TRUSTCIRCLE_PULUMI_IGNORE_PATH=1 (never use a pulumi on
#              PATH, always the cached build), GO (the go command to use).

_tc_pulumi_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_tc_pulumi_tools="$_tc_pulumi_root/scripts/toolchain/pulumi-tools"

_tc_pulumi_log() { printf 'pulumi.sh: %s\n' "$*" >&2; }
_tc_pulumi_fail() {  # message [how to fix]
  printf 'pulumi.sh: error: %s\n' "$1" >&2
  [ -z "${2:-}" ] || printf '  how to fix: %s\n' "$2" >&2
  return 1
}

# The pinned version, from versions.env (sourced in a subshell so that nothing leaks into the caller).
_tc_pulumi_version() {
  local v
  [ -f "$_tc_pulumi_root/versions.env" ] \
    || { _tc_pulumi_fail "$_tc_pulumi_root/versions.env not found"; return 1; }
  # shellcheck disable=SC1091
  v="$(set -a; source "$_tc_pulumi_root/versions.env" >/dev/null 2>&1; printf '%s' "${PULUMI_VERSION:-}")"
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
    || { _tc_pulumi_fail "PULUMI_VERSION in versions.env is '${v}', not a version like X.Y.Z" \
           "set PULUMI_VERSION=X.Y.Z in versions.env"; return 1; }
  printf '%s' "$v"
}

# Fingerprint of what the cached binaries are built from: a change to the tools module rebuilds them.
_tc_pulumi_fingerprint() {
  (cd "$_tc_pulumi_tools" && find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -print0 \
     | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

_tc_pulumi_cache_ready() {  # dir fingerprint
  local f
  for f in pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python; do
    [ -x "$1/bin/$f" ] || return 1
  done
  [ "$(cat "$1/fingerprint" 2>/dev/null)" = "$2" ]
}

# Checks that go.mod requires pkg/v3 and sdk/v3 at exactly the pinned version.
_tc_pulumi_check_gomod() {  # version
  local mod m found
  mod="$_tc_pulumi_tools/go.mod"
  for m in pkg sdk; do
    found="$(sed -nE "s#^[[:space:]]*(require[[:space:]]+)?github\.com/pulumi/pulumi/$m/v3[[:space:]]+(v[^[:space:]]+).*#\2#p" "$mod")"
    [ "$found" = "v$1" ] || {
      _tc_pulumi_fail "scripts/toolchain/pulumi-tools/go.mod requires github.com/pulumi/pulumi/$m/v3 ${found:-(nothing)}, but versions.env pins PULUMI_VERSION=$1" \
        "cd scripts/toolchain/pulumi-tools && go get github.com/pulumi/pulumi/pkg/v3@v$1 github.com/pulumi/pulumi/sdk/v3@v$1 && go mod tidy (or set PULUMI_VERSION back)"
      return 1
    }
  done
}

_tc_pulumi_find_go() {
  local go="${GO:-}"
  [ -n "$go" ] || go="$(command -v go 2>/dev/null)" || true
  [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
  [ -n "$go" ] || {
    _tc_pulumi_fail "the Go toolchain (go) is needed once, to build Pulumi $1 from Go modules, and is not on PATH" \
      "install Go 1.21 or newer (it fetches the newer Go that Pulumi needs from the module proxy by itself), e.g. unpack the official Go release into /usr/local/go and add /usr/local/go/bin to PATH (Debian bookworm's golang-go is 1.19: too old); or set GO=/path/to/go"
    return 1
  }
  local gv
  gv="$("$go" env GOVERSION 2>/dev/null)" || gv=""
  [[ "$gv" =~ ^go1\.([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 21 ] || {
    _tc_pulumi_fail "$go is ${gv:-unusable}; building Pulumi needs Go 1.21 or newer" \
      "install a newer Go (1.21+ switches to the version Pulumi's go.mod asks for by itself) or set GO=/path/to/go"
    return 1
  }
  printf '%s' "$go"
}

# Explains a failed go command from its captured output.
_tc_pulumi_explain_go_error() {  # logfile version
  if grep -qE '403 Forbidden|410 Gone|404 Not Found|not available|unknown revision|invalid version' "$1"; then
    _tc_pulumi_fail "the Go module proxy refused a module that Pulumi $2 needs (see above)" \
      "pick a PULUMI_VERSION whose modules the proxy serves (check: go mod download -json github.com/pulumi/pulumi/pkg/v3@vX.Y.Z github.com/pulumi/pulumi/sdk/v3@vX.Y.Z), then set it in versions.env and in pulumi-tools/go.mod (go get … && go mod tidy)"
  elif grep -qE 'requires go >=|GOTOOLCHAIN' "$1"; then
    _tc_pulumi_fail "this Go is older than Pulumi's go.mod asks for and may not fetch a newer one (see above)" \
      "unset GOTOOLCHAIN (or set GOTOOLCHAIN=auto) so that Go fetches the toolchain it needs, or install that Go"
  elif grep -qE 'missing go.sum entry|updates to go.mod needed' "$1"; then
    _tc_pulumi_fail "scripts/toolchain/pulumi-tools/go.mod or go.sum is out of date (see above)" \
      "cd scripts/toolchain/pulumi-tools && go mod tidy"
  elif grep -qE 'dial tcp|no such host|connection refused|i/o timeout|TLS handshake' "$1"; then
    _tc_pulumi_fail "the Go module proxy could not be reached (see above)" \
      "check the network / GOPROXY setting (go env GOPROXY), then run again"
  elif grep -qE 'no space left' "$1"; then
    _tc_pulumi_fail "the disk is full (see above)" "free space in $(dirname "$3") and in the Go caches (go env GOCACHE GOMODCACHE)"
  else
    _tc_pulumi_fail "building Pulumi $2 failed (see above)"
  fi
}

_tc_pulumi_build() {  # version dest fingerprint
  local ver="$1" dest="$2" fp="$3" go tmp log sdkdir ldflags start
  go="$(_tc_pulumi_find_go "$ver")" || return 1
  _tc_pulumi_check_gomod "$ver" || return 1

  mkdir -p "$(dirname "$dest")" || { _tc_pulumi_fail "cannot create $(dirname "$dest")"; return 1; }
  # Under the lock no other build runs, so any leftover is from a killed one (kill -9, power loss).
  [ "${_tc_pulumi_locked:-}" != 1 ] || rm -rf "$(dirname "$dest")/.building-$ver".* "$dest.old"
  tmp="$(mktemp -d "$(dirname "$dest")/.building-$ver.XXXXXX")" && chmod 0755 "$tmp" || return 1
  # Expand $tmp now: the traps outlive this function's locals.
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'; exit 130" INT TERM
  log="$tmp/go.log"
  mkdir "$tmp/bin" || return 1

  _tc_pulumi_log "building pulumi v$ver from Go modules (first time only, ~3 min on 2 cores; ~1.5 GB of modules and ~1.6 GB of build cache)…"
  start=$SECONDS
  ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$ver"
  # CGO off: static binaries, no C compiler needed (as Pulumi's own releases). GOWORK off: a go.work
  # above the repo must not change what is built. -mod=readonly: go.mod/go.sum are the whole truth.
  if ! (cd "$_tc_pulumi_tools" && CGO_ENABLED=0 GOWORK=off GOFLAGS='' "$go" build -mod=readonly -trimpath \
          -buildvcs=false -ldflags "$ldflags" -o "$tmp/bin/" \
          github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./cmd/pulumi-language-python) >"$log" 2>&1; then
    cat "$log" >&2
    _tc_pulumi_explain_go_error "$log" "$ver" "$dest"
    return 1
  fi

  # The exec shim and the dynamic-provider plugin are Python/sh scripts shipped in the sdk module.
  sdkdir="$(cd "$_tc_pulumi_tools" && GOWORK=off GOFLAGS='' "$go" list -mod=readonly -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3 2>"$log")"
  if [ -z "$sdkdir" ] || [ ! -f "$sdkdir/python/cmd/pulumi-language-python-exec" ] \
     || [ ! -f "$sdkdir/python/dist/pulumi-resource-pulumi-python" ]; then
    cat "$log" >&2
    _tc_pulumi_fail "cannot find python/cmd/pulumi-language-python-exec and python/dist/pulumi-resource-pulumi-python in the sdk/v3 module (${sdkdir:-not downloaded})"
    return 1
  fi
  if ! install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$tmp/bin/pulumi-language-python-exec" \
     || ! install -m 0755 "$sdkdir/python/dist/pulumi-resource-pulumi-python" "$tmp/bin/pulumi-resource-pulumi-python"; then
    _tc_pulumi_fail "cannot copy the Python scripts from $sdkdir"
    return 1
  fi

  # Smoke test before the result becomes visible.
  local got
  got="$(PULUMI_SKIP_UPDATE_CHECK=true "$tmp/bin/pulumi" version 2>&1)"
  [ "$got" = "v$ver" ] || { _tc_pulumi_fail "the built pulumi says '$got', expected v$ver"; return 1; }
  got="$("$tmp/bin/pulumi-language-python" -version 2>&1)"
  [ "$got" = "v$ver" ] || { _tc_pulumi_fail "the built pulumi-language-python says '$got', expected v$ver"; return 1; }

  rm -f "$log"
  printf '%s\n' "$fp" >"$tmp/fingerprint"
  # Into place: a stale build (other fingerprint) is moved aside first; `mv -T` never nests into a dir.
  if [ -e "$dest" ]; then
    mv -T "$dest" "$dest.old" && rm -rf "$dest.old"
  fi
  mv -T "$tmp" "$dest" || { _tc_pulumi_fail "cannot move the build into $dest"; return 1; }
  trap - EXIT INT TERM
  _tc_pulumi_log "pulumi v$ver ready in $dest/bin (built in $((SECONDS - start)) s)"
}

# Prints the directory holding pulumi and its Python plugins, building them into the cache if needed.
tc_pulumi_ensure() {
  local ver dir have
  ver="$(_tc_pulumi_version)" || return 1

  if [ "${TRUSTCIRCLE_PULUMI_IGNORE_PATH:-}" != 1 ] && command -v pulumi >/dev/null 2>&1 \
     && command -v pulumi-language-python >/dev/null 2>&1; then
    dir="$(dirname "$(command -v pulumi)")"
    case "$dir" in
      */pulumi/"$ver"/bin) ;;  # our own cache, already on PATH
      *)
        have="$(PULUMI_SKIP_UPDATE_CHECK=true pulumi version 2>/dev/null)" || have="?"
        [ "$have" = "v$ver" ] \
          || _tc_pulumi_log "warning: using pulumi $have from $dir; trustcircle pins v$ver (versions.env); set TRUSTCIRCLE_PULUMI_IGNORE_PATH=1 to use the pinned build"
        ;;
    esac
    printf '%s\n' "$dir"
    return 0
  fi

  local cache="${TRUSTCIRCLE_CACHE:-$HOME/.cache/trustcircle}/pulumi/$ver" fp
  fp="$(_tc_pulumi_fingerprint)" || return 1
  if ! _tc_pulumi_cache_ready "$cache" "$fp"; then
    mkdir -p "$(dirname "$cache")" || { _tc_pulumi_fail "cannot create $(dirname "$cache")"; return 1; }
    # One build at a time: a second caller waits, then finds the cache ready.
    (
      if command -v flock >/dev/null 2>&1; then
        exec 9>"$(dirname "$cache")/.lock-$ver"
        flock 9 || exit 1
        _tc_pulumi_locked=1
      fi
      _tc_pulumi_cache_ready "$cache" "$fp" || _tc_pulumi_build "$ver" "$cache" "$fp"
    ) || return 1
  fi
  printf '%s\n' "$cache/bin"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-ensure}" in
    ensure) tc_pulumi_ensure ;;
    version) _tc_pulumi_version && echo ;;
    -h|--help|help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" ;;
    *) _tc_pulumi_fail "unknown command '$1'" "use: $0 ensure|version|help"; exit 2 ;;
  esac
fi
