#!/usr/bin/env bash
# Builds the root filesystem of the "hosts" that the provisioning suite boots with systemd-nspawn:
# Debian bookworm (debootstrap minbase) with systemd, sshd and sudo installed, and the packages that
# `patroni-kit provision apply` installs (PostgreSQL 15, Patroni, etcd, HAProxy) downloaded into apt's
# cache but NOT installed, so the provisioning step "packages" really runs `apt-get install` inside the
# container without any network beyond the test's namespaces.
# Idempotent: a complete image (marker file) is reused; CI builds it once into the cache folder.
#   bash scripts/build-host-image.sh [DEST]      default DEST: $CACHE/nspawn/bookworm
set -euo pipefail

CACHE="${PATRONI_KIT_CACHE:-/var/cache/patroni-kit}"
DEST="${1:-$CACHE/nspawn/bookworm}"
MARK="$DEST/.patroni-kit-image-v1"
log() { printf '\033[1m[host-image]\033[0m %s\n' "$*"; }
die() { printf '[host-image] error: %s\n' "$*" >&2; exit 1; }

[ -f "$MARK" ] && { log "image present: $DEST"; exit 0; }
[ "$(id -u)" = 0 ] || die "building the nspawn host image needs root"

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm "${need[@]}" >/dev/null
fi

MIRROR="${PATRONI_KIT_DEBIAN_MIRROR:-}"
if [ -z "$MIRROR" ]; then
  MIRROR=$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ && u {print u; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi

TMP="$DEST.partial"
rm -rf "$TMP"
mkdir -p "$(dirname "$DEST")"
start=$(date +%s)
log "debootstrap minbase bookworm from $MIRROR"
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,openssh-server,sudo,iproute2,ca-certificates \
  bookworm "$TMP" "$MIRROR" >"$TMP.log" 2>&1 || { tail -20 "$TMP.log" >&2; die "debootstrap failed (log: $TMP.log)"; }

# The same package list as the provisioning renderer's Debian package step; downloaded only.
PACKAGES=(postgresql-15 postgresql-client-15 patroni python3-etcd python3-psycopg2 etcd-server etcd-client haproxy curl)
log "downloading ${PACKAGES[*]} into the image's apt cache"
chroot "$TMP" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
chroot "$TMP" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --download-only \
  --no-install-recommends "${PACKAGES[@]}" >/dev/null
# Keep the downloaded archives: apt's docker-clean style hooks would remove them.
rm -f "$TMP/etc/apt/apt.conf.d/docker-clean"
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$TMP/etc/apt/apt.conf.d/10keep-debs"
# Every host gets its own host keys from the test harness; none in the shared image.
rm -f "$TMP"/etc/ssh/ssh_host_*
# Units that would fail or wait inside a container without a network manager.
chroot "$TMP" systemctl mask systemd-networkd-wait-online.service getty@tty1.service console-getty.service >/dev/null 2>&1 || true
echo 'root:*' | chroot "$TMP" chpasswd -e
rm -f "$TMP/etc/machine-id"; : >"$TMP/etc/machine-id"
rm -rf "$TMP/var/lib/apt/lists/partial"
rm -rf "$DEST"
mv "$TMP" "$DEST"
rm -f "$TMP.log"
date -u +%FT%TZ >"$MARK"
log "image ready in $(( $(date +%s) - start )) s: $DEST ($(du -sh "$DEST" | cut -f1))"
