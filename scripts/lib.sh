#!/usr/bin/env bash
# Shared shell functions of ./run: set-up of the tool chain (cached by version outside the repo)
# and the few commands that need it on PATH. Sourced, never run directly.
# Every version comes from versions.env; every heavy artifact lives under $TRUSTCIRCLE_CACHE.

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# shellcheck source=../versions.env
source "$ROOT/versions.env"
export TRUSTCIRCLE_ROOT="$ROOT"
export TRUSTCIRCLE_CACHE="${TRUSTCIRCLE_CACHE:-$HOME/.cache/trustcircle}"
export TRUSTCIRCLE_STATE="${TRUSTCIRCLE_STATE:-$HOME/.local/state/trustcircle}"
PYTHON="${TRUSTCIRCLE_PYTHON:-python3.11}"

tc_log() { printf '==> %s\n' "$*" >&2; }
tc_die() {
  printf 'trustcircle: error: %s\n' "$1" >&2
  [ -n "${2:-}" ] && printf '  how to fix: %s\n' "$2" >&2
  exit 1
}

# --- system packages -------------------------------------------------------------------------
_tc_apt_updated=""
tc_apt_install() {  # tc_apt_install PKG...: install Debian packages, updating the index once
  command -v apt-get >/dev/null || tc_die "missing $*; this machine has no apt-get" \
    "install $* with your system's package manager, then run again"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=""; fi
  if [ -z "$_tc_apt_updated" ]; then
    tc_log "apt-get update (to install $*)"
    $SUDO apt-get update -qq >&2 || tc_die "apt-get update failed" "check the package mirror configuration"
    _tc_apt_updated=1
  fi
  tc_log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >&2 \
    || tc_die "apt-get install $* failed" "install the packages by hand and run again"
}

tc_setup_system() {
  local missing=()
  command -v "$PYTHON" >/dev/null || tc_die "$PYTHON not found" "install Python 3.11 (python3.11 and python3.11-venv)"
  command -v xmlsec1 >/dev/null || missing+=(xmlsec1)
  command -v mvn >/dev/null || missing+=(maven)
  # a real browser for the tests of the pages trustcircle writes (tests/html/chromium.py)
  command -v chromium >/dev/null || missing+=(chromium)
  # a JDK, not only a JRE: the extension is compiled (javac), and Keycloak runs on the same JDK
  if ! command -v javac >/dev/null; then missing+=(openjdk-17-jdk-headless); fi
  [ ${#missing[@]} -eq 0 ] || tc_apt_install "${missing[@]}"
  local jv
  jv=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  case "$jv" in
    17|21|25) ;;
    *) tc_die "Java $jv found; Keycloak $KEYCLOAK_VERSION needs OpenJDK 17, 21 or 25" \
         "install openjdk-17-jdk-headless and put it first on PATH (or set JAVA_HOME)" ;;
  esac
}

# --- Python virtual environment, keyed by the lock file's hash -------------------------------
tc_setup_python() {
  local key venv
  key=$( (cat "$ROOT/requirements.lock"; "$PYTHON" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
  venv="$TRUSTCIRCLE_CACHE/venv/$key"
  if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
    tc_log "creating the Python environment $venv (first time only)"
    rm -rf "$venv"   # an interrupted earlier attempt has no .complete marker: start over
    "$PYTHON" -m venv "$venv" || tc_die "cannot create a virtual environment" "install python3.11-venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements.lock" >&2 \
      || tc_die "pip install -r requirements.lock failed" "check that the package index is reachable, then run again"
    touch "$venv/.complete"
  fi
  export VIRTUAL_ENV="$venv"
  export PATH="$venv/bin:$PATH"
  export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
}

# --- Keycloak distribution from Maven Central, checksum verified -----------------------------
# tc_keycloak_dist [VERSION]: where the distribution of VERSION (default: the pinned one) is cached
tc_keycloak_dist() {
  local v="${1:-$KEYCLOAK_VERSION}"
  echo "$TRUSTCIRCLE_CACHE/keycloak/$v/keycloak-quarkus-dist-$v.tar.gz"
}
# tc_setup_keycloak_dist [VERSION SHA256]: fetch and verify it (first time only)
tc_setup_keycloak_dist() {
  local v="${1:-$KEYCLOAK_VERSION}" sha="${2:-$KEYCLOAK_DIST_SHA256}" dist tmp got
  dist=$(tc_keycloak_dist "$v")
  if [ ! -f "$dist" ]; then
    tc_log "fetching Keycloak $v from Maven Central (first time only)"
    tmp=$(mktemp -d)
    mvn -B -q -Dstyle.color=never dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$v:tar.gz" \
        -DoutputDirectory="$tmp" -Dmdep.overWriteReleases=true >&2 \
      || { rm -rf "$tmp"; tc_die "Maven could not fetch org.keycloak:keycloak-quarkus-dist:$v" \
             "check Maven's repository access (mvn -v; ~/.m2/settings.xml) and run again"; }
    got=$(sha256sum "$tmp/keycloak-quarkus-dist-$v.tar.gz" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then
      rm -rf "$tmp"
      rm -rf "$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$v"
      tc_die "checksum mismatch for the Keycloak $v distribution (got $got, expected $sha)" \
        "the download was corrupt and has been removed from the Maven cache: run again"
    fi
    mkdir -p "$(dirname "$dist")"
    mv "$tmp/keycloak-quarkus-dist-$v.tar.gz" "$dist.part" && mv "$dist.part" "$dist"
    rm -rf "$tmp"
  fi
  # the jars the extension compiles against, from this distribution (trustcircle/local/dist_repo.py)
  python -m trustcircle.local.dist_repo "$dist" "$v" "$ROOT/extensions/pom.xml" "$(tc_keycloak_maven_repo "$v")" \
    || tc_die "the Keycloak $v jars for the extension could not be prepared" "read the message above"
}
tc_keycloak_maven_repo() { echo "$TRUSTCIRCLE_CACHE/keycloak/${1:-$KEYCLOAK_VERSION}/maven"; }

# tc_mvn_extensions [--keycloak VERSION] [--dir DIR] ARGS...: Maven on DIR/pom.xml (default:
# extensions/), built against the jars of that Keycloak version's distribution (default: the pinned one)
tc_mvn_extensions() {
  local v="$KEYCLOAK_VERSION" dir="$ROOT/extensions"
  if [ "${1:-}" = "--keycloak" ]; then v="$2"; shift 2; fi
  if [ "${1:-}" = "--dir" ]; then dir="$2"; shift 2; fi
  mvn -B -q -Dstyle.color=never -f "$dir/pom.xml" -Dkeycloak.version="$v" \
    -Dtrustcircle.keycloak.repository="file://$(tc_keycloak_maven_repo "$v")" "$@"
}

# --- the Keycloak extension, rebuilt only when its sources change -----------------------------
tc_extension_hash() {
  (cd "$ROOT/extensions" && find . -path '*/target' -prune -o -type f -print | LC_ALL=C sort \
     | xargs sha256sum; echo "$KEYCLOAK_VERSION") | sha256sum | cut -c1-16
}
tc_setup_extension() {
  local stamp="$ROOT/extensions/target/.built" h
  h=$(tc_extension_hash)
  # up to date: same sources and Keycloak version, and the jars say they were built for it
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$h" ] && python -c 'import sys
from pathlib import Path
from trustcircle.local.server import built_for
jars = list(Path(sys.argv[1]).glob("*/target/trustcircle-*-[0-9]*[0-9].jar"))
sys.exit(0 if jars and all(built_for(j) == sys.argv[2] for j in jars) else 1)' "$ROOT/extensions" "$KEYCLOAK_VERSION"; then
    return 0
  fi
  tc_log "building the Keycloak extension against Keycloak $KEYCLOAK_VERSION"
  tc_mvn_extensions -DskipTests clean package >&2 \
    || tc_die "the extension did not build" "read Maven's output above; build alone with: mvn -f extensions/pom.xml package"
  tc_extension_pins "$ROOT/extensions" "$KEYCLOAK_VERSION"
  echo "$h" > "$stamp"
}
# tc_extension_pins DIR VERSION: what the Ansible and Kubernetes paths pin of the jars built in DIR:
# their checksums (DIR/target/SHA256SUMS; the build is reproducible) and the Keycloak version they
# were built for (DIR/target/KEYCLOAK_VERSION, what the Ansible role checks)
tc_extension_pins() {
  mkdir -p "$1/target"
  (cd "$1" && sha256sum -- */target/trustcircle-*.jar) > "$1/target/SHA256SUMS"
  echo "$2" > "$1/target/KEYCLOAK_VERSION"
}

# tc_setup_previous_extension: the extension built against $KEYCLOAK_PREVIOUS_VERSION (with its
# distribution), in a copy of extensions/ cached by sources and version (the project's own build is
# left as it is), with the pins the Ansible role reads; prints its directory. The upgrade tests use it.
tc_setup_previous_extension() {
  local prev="$KEYCLOAK_PREVIOUS_VERSION" ext
  tc_setup_keycloak_dist "$prev" "$KEYCLOAK_PREVIOUS_DIST_SHA256" >&2
  ext="$TRUSTCIRCLE_CACHE/upgrade-test/extensions-$prev-$(tc_extension_hash)"
  if [ ! -f "$ext/.built" ]; then
    tc_log "building the extension against Keycloak $prev for the upgrade tests (first time only)"
    rm -rf "$ext" && mkdir -p "$ext"
    tar -C "$ROOT/extensions" --exclude=./target --exclude='./*/target' -cf - . | tar -C "$ext" -xf -
    tc_mvn_extensions --keycloak "$prev" --dir "$ext" -Dtrustcircle.without-attestations -DskipTests clean package >&2 \
      || tc_die "the extension did not build against Keycloak $prev" "read Maven's output above"
    touch "$ext/.built"
  fi
  # (a copy built before the pins were written gets them now)
  [ -s "$ext/target/SHA256SUMS" ] && [ -s "$ext/target/KEYCLOAK_VERSION" ] || tc_extension_pins "$ext" "$prev"
  echo "$ext"
}

# --- the offline verifier page's script (web/verifier): its npm packages (pinned by package-lock.json)
# installed with npm ci and bundled by esbuild into one file, cached by the lock and the sources -----
tc_setup_web() {
  command -v npm >/dev/null || tc_apt_install nodejs npm
  local key dir
  key=$(cat "$ROOT/web/verifier/package-lock.json" "$ROOT/web/verifier/src/"*.js | sha256sum | cut -c1-16)
  dir="$TRUSTCIRCLE_CACHE/web/verifier-$key"
  if [ ! -f "$dir/.complete" ]; then
    tc_log "building the offline verifier page's script (npm ci and esbuild, first time only)"
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$ROOT/web/verifier/package.json" "$ROOT/web/verifier/package-lock.json" "$dir/"
    cp -r "$ROOT/web/verifier/src" "$dir/src"
    (cd "$dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >&2 \
      && timeout 120 ./node_modules/.bin/esbuild src/page.js --bundle --format=iife --minify --platform=browser \
           --target=chrome110,firefox110,safari16 --legal-comments=none --log-level=warning --outfile=verifier.js >&2) \
      || tc_die "the offline verifier page's script did not build" "check that the npm registry is reachable, then run again"
    touch "$dir/.complete"
  fi
  export TRUSTCIRCLE_VERIFIER_SCRIPT="$dir/verifier.js"
}

# --- Pulumi CLI (on PATH, or built from Go modules and cached) --------------------------------
tc_setup_pulumi() {
  local bindir
  bindir=$("$ROOT/scripts/toolchain/pulumi.sh" ensure | tail -n 1) || tc_die "the Pulumi CLI is not available" \
    "read the message above"
  export PATH="$bindir:$PATH"
  export PULUMI_SKIP_UPDATE_CHECK=true
  # a missing plugin is an immediate, clear error, never a download attempt (tc_setup_pulumi_kubernetes
  # provides the only plugin that is not bundled with the CLI)
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_HOME="${PULUMI_HOME:-$TRUSTCIRCLE_STATE/pulumi-home}"
  export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$TRUSTCIRCLE_STATE/pulumi-backend}"
  mkdir -p "${PULUMI_BACKEND_URL#file://}" "$PULUMI_HOME"
  if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    local pf="$TRUSTCIRCLE_STATE/pulumi-passphrase"
    if [ ! -s "$pf" ]; then
      (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$pf")
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$pf"
  fi
}

# A directory for its owner only. The local cluster's state keeps the ACL entry that lets its
# PostgreSQL (the postgres user) pass through: with an ACL the group bits are its mask, so 710
# there (the owning group's own entry stays empty); a plain 700 would cut the database off.
tc_private_dir() {
  mkdir -p -m 700 "$1"
  if command -v getfacl >/dev/null && getfacl -cp "$1" 2>/dev/null | grep -q '^user:postgres:'; then
    chmod 710 "$1"
  else
    chmod 700 "$1"
  fi
}

# --- the k8s stack's Kubernetes provider plugin (built from Go modules, cached; docs/kubernetes.md) ---
# tc_pulumi_kubernetes_install BINDIR: makes BINDIR/pulumi-resource-kubernetes the plugin that pulumi
# runs for PULUMI_KUBERNETES_VERSION (the version the pulumi_kubernetes SDK asks for): installed into
# $PULUMI_HOME from the file, no download; kept if that version is installed there already.
tc_pulumi_kubernetes_install() {
  local v="$PULUMI_KUBERNETES_VERSION" plugins="${PULUMI_HOME:-$HOME/.pulumi}/plugins"
  if [ -x "$plugins/resource-kubernetes-v$v/pulumi-resource-kubernetes" ] \
     && [ ! -e "$plugins/resource-kubernetes-v$v.partial" ]; then
    return 0
  fi
  [ -x "$1/pulumi-resource-kubernetes" ] || tc_die "$1/pulumi-resource-kubernetes not found" \
    "build it: scripts/toolchain/pulumi-kubernetes.sh ensure"
  tc_log "installing the Kubernetes provider plugin $v into $plugins"
  pulumi plugin install resource kubernetes "$v" --reinstall --file "$1/pulumi-resource-kubernetes" >&2 \
    || tc_die "pulumi could not install the Kubernetes provider plugin $v from $1" "read the message above"
}
# tc_setup_pulumi_kubernetes (after tc_setup_pulumi): the plugin built the first time (~25 min on 2
# cores, then cached by version), installed for pulumi; its directory in TRUSTCIRCLE_PULUMI_KUBERNETES_BIN
tc_setup_pulumi_kubernetes() {
  local bindir
  bindir=$(timeout 4000 "$ROOT/scripts/toolchain/pulumi-kubernetes.sh" ensure | tail -n 1) \
    || tc_die "the Kubernetes provider plugin $PULUMI_KUBERNETES_VERSION could not be built" "read the message above"
  tc_pulumi_kubernetes_install "$bindir"
  export TRUSTCIRCLE_PULUMI_KUBERNETES_BIN="$bindir"
}
# tc_names_k8s_stack ARGS...: do pulumi's arguments name (--stack/-s) a stack whose file says platform k8s?
tc_names_k8s_stack() {
  local stack=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --stack|-s) stack="${2:-}"; shift ;;
      --stack=*) stack="${1#--stack=}" ;;
    esac
    shift
  done
  [ -n "$stack" ] && [ -f "$ROOT/Pulumi.$stack.yaml" ] \
    && grep -qE '^[[:space:]]*trustcircle:platform:[[:space:]]*k8s[[:space:]]*(#.*)?$' "$ROOT/Pulumi.$stack.yaml"
}

tc_setup() {
  mkdir -p "$TRUSTCIRCLE_CACHE"
  # the state holds the local database (realm keys, password hashes) and credentials: owner only
  tc_private_dir "$TRUSTCIRCLE_STATE"
  tc_setup_system
  tc_setup_python
  tc_setup_keycloak_dist
  tc_setup_extension
  tc_setup_pulumi
  tc_setup_web  # the offline verifier page's script (tests/test_offline_page.py, ./run attest page)
}

tc_cli() { python -m trustcircle "$@"; }

# --- the local cluster (./run up --cluster): a state directory and a Pulumi stack of its own ---------
tc_cluster_state() { printf '%s' "${TRUSTCIRCLE_CLUSTER_STATE:-${TRUSTCIRCLE_STATE%/}-cluster}"; }

tc_use_cluster() {  # what follows works on the cluster: its state, its stack (before tc_setup)
  export TRUSTCIRCLE_STATE; TRUSTCIRCLE_STATE="$(tc_cluster_state)"
  export TRUSTCIRCLE_STACK=cluster
  unset PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE_FILE PULUMI_HOME
}

tc_setup_cluster_system() {  # Debian's PostgreSQL and nginx (neither started as a system service)
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  # as root, PostgreSQL runs as the postgres user, let through the state's parents by an ACL entry
  [ "$(id -u)" != 0 ] || command -v setfacl >/dev/null || missing+=(acl)
  [ ${#missing[@]} -eq 0 ] || tc_apt_install "${missing[@]}"
}

# A new cluster state has a new passphrase: the stack file's salt of an earlier one would not open it
tc_cluster_stack_file() {
  [ -d "${PULUMI_BACKEND_URL#file://}/.pulumi/stacks" ] || rm -f "$ROOT/Pulumi.cluster.yaml"
}

tc_pulumi() { (cd "$ROOT" && pulumi "$@"); }

# pulumi up on the local stack (created on first use); extra arguments go to pulumi up
tc_pulumi_up() {
  local stack="${TRUSTCIRCLE_STACK:-local}"
  (cd "$ROOT" && { pulumi stack select "$stack" 2>/dev/null || pulumi stack init "$stack" --non-interactive >&2; })
  tc_cli recover --stack "$stack"  # a killed earlier run leaves its lock: cleared if its process is gone
  tc_log "pulumi up (stack $stack)"
  # --refresh: objects changed by hand in Keycloak (drift) are read back and put right
  tc_pulumi up --yes --refresh --stack "$stack" --skip-preview --non-interactive "$@"
}
