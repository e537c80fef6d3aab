#!/usr/bin/env bash
# Idempotent set-up for patroni-kit on Debian 12 (bookworm):
#   1. Debian packages: PostgreSQL 15, Patroni 3.0.2, etcd 3.4, HAProxy, iproute2/iptables, sshd.
#   2. Patroni 4.0.7 and etcd 3.5.16 unpacked from Debian trixie into a cache folder (never installed:
#      installing from trixie would replace libc).
#   3. As root: the Debian rootfs the provisioning suite boots with systemd-nspawn (scripts/build-host-image.sh;
#      installs systemd-container and debootstrap, about 1 min once, then cached in the same folder).
#   4. chromium, ripgrep, libkrb5-dev (Debian) and code-server 4.100.3 (npm, into the cache) for the extension-host tests.
#   5. npm ci, then the TypeScript build.
# Re-running it only does what is missing. Set PATRONI_KIT_SKIP_APT=1 to skip steps 1-4 on a machine
# that provides the binaries another way (see the lab's --patroni-bin / --etcd-bin flags).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO=""; fi
CACHE="${PATRONI_KIT_CACHE:-$([ "$(id -u)" = 0 ] && echo /var/cache/patroni-kit || echo "${XDG_CACHE_HOME:-$HOME/.cache}/patroni-kit")}"

APT_PACKAGES=(postgresql-15 postgresql-client-15 patroni python3-etcd python3-psycopg2 python3-cdiff
  etcd-server etcd-client haproxy iproute2 iptables openssh-server openssh-client curl ca-certificates util-linux
  fonts-dejavu-core chromium ripgrep libkrb5-dev)

missing_packages() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

apt_sources_ready=0
prepare_apt() {
  [ "$apt_sources_ready" = 1 ] && return
  # Pin bookworm before trixie becomes visible, so that no plain `apt-get install` ever takes trixie's
  # packages (and with them trixie's libc and Python).
  if [ ! -f /etc/apt/apt.conf.d/90patroni-kit-default-release ]; then
    echo 'APT::Default-Release "bookworm";' | $SUDO tee /etc/apt/apt.conf.d/90patroni-kit-default-release >/dev/null
  fi
  if [ ! -f /etc/apt/sources.list.d/patroni-kit-trixie.sources ]; then
    # Reuse the mirror this machine already uses for bookworm.
    local uri
    uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ && u {print u; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$uri" ] || die "no bookworm apt source found to derive a trixie source from; add one to /etc/apt/sources.list.d/"
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
      $SUDO tee /etc/apt/sources.list.d/patroni-kit-trixie.sources >/dev/null
  fi
  log "apt-get update"
  $SUDO apt-get update -qq >/dev/null
  apt_sources_ready=1
}

install_apt() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  if [ -z "$missing" ]; then log "Debian packages present"; return; fi
  command -v apt-get >/dev/null || die "apt-get not found. Install these packages by other means: $missing"
  [ "$(id -u)" = 0 ] || [ -n "$SUDO" ] || die "installing $missing needs root: run as root or install sudo"
  prepare_apt
  # No init system here, but keep package scripts from starting a default PostgreSQL, etcd or HAProxy.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod 755 /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf ||
    echo 'create_main_cluster = false' | $SUDO tee -a /etc/postgresql-common/createcluster.conf >/dev/null
  # Refuse before installing anything from trixie: it would drag in trixie's libc and Python (bookworm's
  # patroni needs python3-cdiff, which trixie's python3-ydiff also provides; only bookworm's will do).
  local foreign
  foreign=$(apt-get install -s --no-install-recommends -t bookworm $missing 2>/dev/null | awk '/^Inst / && /Debian(-Security)?:13|trixie/ && !/Debian(-Security)?:12|bookworm/ {print $2}' | tr '\n' ' ' || true)
  [ -z "$foreign" ] || die "installing $missing would take these packages from Debian trixie: $foreign; install bookworm's versions (apt-get install PKG/bookworm) first"
  log "apt-get install $missing"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends -t bookworm $missing >/dev/null
}

# extract NAME VERSION_PREFIX DEST: apt-get download NAME/trixie, check its version, dpkg -x into DEST.
extract_trixie() {
  local name=$1 want=$2 dest=$3 deb ver
  [ -f "$dest/.complete-$name" ] && return
  prepare_apt
  local tmp; tmp=$(mktemp -d); chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq "$name/trixie" >/dev/null) || die "apt-get download $name/trixie failed (is the trixie source reachable?)"
  deb=$(ls "$tmp"/*.deb)
  ver=$(dpkg-deb -f "$deb" Version)
  case "$ver" in "$want"*) ;; *) log "note: trixie has $name $ver (expected $want*)";; esac
  mkdir -p "$dest"
  dpkg -x "$deb" "$dest"
  echo "$ver" >"$dest/.complete-$name"
  rm -rf "$tmp"
}

install_trixie() {
  mkdir -p "$CACHE"
  if [ ! -f "$CACHE/patroni-4/.complete-patroni" ]; then log "unpacking Patroni 4.0.7 from trixie into $CACHE/patroni-4"; fi
  extract_trixie patroni 4.0 "$CACHE/patroni-4"
  if [ ! -f "$CACHE/etcd-3.5/.complete-etcd-server" ]; then log "unpacking etcd 3.5 from trixie into $CACHE/etcd-3.5"; fi
  extract_trixie etcd-server 3.5 "$CACHE/etcd-3.5"
  extract_trixie etcd-client 3.5 "$CACHE/etcd-3.5"
  # The postgres user runs Patroni from here when the lab runs as root.
  chmod -R a+rX "$CACHE"
  PYTHONPATH="$CACHE/patroni-4/usr/lib/python3/dist-packages" /usr/bin/python3 -m patroni --version >/dev/null ||
    die "Patroni 4 from $CACHE/patroni-4 does not start with /usr/bin/python3"
  "$CACHE/etcd-3.5/usr/bin/etcd" --version >/dev/null || die "etcd 3.5 from $CACHE/etcd-3.5 does not start"
}

install_node() {
  if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ "${PATRONI_KIT_FORCE_NPM_CI:-}" != 1 ]; then
    log "node_modules up to date"
  else
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  log "building (tsc -b)"
  npm run --silent build
}

install_host_image() {
  if [ "$(id -u)" != 0 ]; then log "not root: no nspawn image for the provisioning suite (it needs root)"; return; fi
  prepare_apt_if_needed() { command -v debootstrap >/dev/null && command -v systemd-nspawn >/dev/null || prepare_apt; }
  prepare_apt_if_needed
  PATRONI_KIT_CACHE="$CACHE" bash scripts/build-host-image.sh "$CACHE/nspawn/bookworm"
}

if [ "${PATRONI_KIT_SKIP_APT:-}" != 1 ]; then
  install_apt
  install_trixie
  install_host_image
  # The extension-host tests run the extension in code-server, driven by Debian's chromium.
  if [ ! -f "$CACHE/code-server-4.100.3/.complete-4.100.3" ]; then log "installing code-server 4.100.3 into $CACHE/code-server-4.100.3"; fi
  bash scripts/install-code-server.sh "$CACHE/code-server-4.100.3"
fi
install_node
log "ready (binary cache: $CACHE)"
