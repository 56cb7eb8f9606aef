#!/bin/bash
# Installs a MediaMTX release for Camera Station, verified by SHA-256.
#
#   install-mediamtx.sh --tarball FILE [--sha256 HEX] [options]
#   install-mediamtx.sh --url URL      [--sha256 HEX] [options]
#   install-mediamtx.sh --latest-known [options]     newest release of the table for this machine
#
# The digest comes from --sha256 or from the table of known releases
# (known-releases.txt beside this script, or --known FILE). Nothing is
# installed without a digest, and a tarball whose digest differs is refused;
# when both --sha256 and the table name the file, they must agree.
#
# Options:
#   --prefix DIR   install folder (default /opt/mediamtx, one of the places
#                  camera-station looks for MediaMTX)
#   --service      also install the hardened mediamtx.service, for a station
#                  configured with mediamtx.supervise: false (not enabled here)
#   --known FILE   table of known releases (sha256 file version url)
#
# Exit status: 0 installed; 1 refused (no or wrong digest, bad tarball);
# 2 bad usage; 3 download failed (offline).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
known="${MEDIAMTX_KNOWN_RELEASES:-$here/known-releases.txt}"
prefix=/opt/mediamtx
tarball="" url="" sha="" service=0 latest=0

say() { echo "install-mediamtx: $*" >&2; }
refuse() { say "REFUSED: $*"; exit 1; }
usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --tarball) tarball="${2:?}"; shift 2 ;;
        --url) url="${2:?}"; shift 2 ;;
        --sha256) sha="${2:?}"; shift 2 ;;
        --prefix) prefix="${2:?}"; shift 2 ;;
        --known) known="${2:?}"; shift 2 ;;
        --service) service=1; shift ;;
        --latest-known) latest=1; shift ;;
        -h|--help) usage ;;
        *) say "unknown argument: $1"; usage ;;
    esac
done

# Table rows without comments: "sha256 file version url".
table() { [ -r "$known" ] && grep -Ev '^[[:space:]]*(#|$)' "$known" || true; }

case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    armv7l) arch=armv7 ;;
    *) arch="$(uname -m)" ;;
esac

if [ "$latest" = 1 ]; then
    row="$(table | awk -v a="_linux_${arch}.tar.gz" 'index($2, a) {print}' | sort -k3,3V | tail -n 1)"
    [ -n "$row" ] || refuse "no release for linux/$arch is listed in $known (add one, or pass --url and --sha256)"
    read -r sha tarname _ url <<<"$row"
    [ -n "$url" ] || refuse "the table line for $tarname has no download URL"
fi

[ -n "$tarball" ] || [ -n "$url" ] || { say "give --tarball FILE, --url URL or --latest-known"; usage; }
[ -z "$tarball" ] || [ -z "$url" ] || { say "give --tarball or --url, not both"; usage; }

work="$(mktemp -d /tmp/install-mediamtx.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if [ -n "$url" ]; then
    tarname="$(basename "${url%%\?*}")"
    tarball="$work/$tarname"
    say "downloading $url"
    if command -v curl >/dev/null; then
        curl -fsSL --max-time 300 --connect-timeout 10 -o "$tarball" "$url" || { say "could not download $url (offline?)"; exit 3; }
    elif command -v wget >/dev/null; then
        wget -q -T 10 -O "$tarball" "$url" || { say "could not download $url (offline?)"; exit 3; }
    else
        say "neither curl nor wget is installed: apt-get install curl"; exit 3
    fi
else
    [ -f "$tarball" ] || refuse "$tarball is not a file"
    tarname="$(basename "$tarball")"
fi

# The expected digest: strictly 64 hex characters, from the command line
# and/or the table, which must agree when both name it.
listed="$(table | awk -v f="$tarname" '$2 == f {print tolower($1)}' | sort -u)"
[ "$(printf '%s\n' "$listed" | grep -c .)" -le 1 ] || refuse "$known lists $tarname with more than one digest"
sha="$(printf '%s' "$sha" | tr 'A-F' 'a-f')"
if [ -n "$sha" ] && ! [[ "$sha" =~ ^[0-9a-f]{64}$ ]]; then
    refuse "--sha256 must be 64 hexadecimal characters"
fi
if [ -n "$listed" ] && ! [[ "$listed" =~ ^[0-9a-f]{64}$ ]]; then
    refuse "$known has a malformed digest for $tarname"
fi
if [ -n "$sha" ] && [ -n "$listed" ] && [ "$sha" != "$listed" ]; then
    refuse "--sha256 disagrees with the digest $known lists for $tarname"
fi
expected="${sha:-$listed}"
[ -n "$expected" ] || refuse "no SHA-256 for $tarname: it is not in $known and --sha256 was not given
  (copy the digest from the release's checksums.sha256, published with the tarball)"

actual="$(sha256sum "$tarball" | awk '{print $1}')"
if [ "$actual" != "$expected" ]; then
    refuse "SHA-256 mismatch for $tarname
  expected $expected
  actual   $actual"
fi
say "SHA-256 verified: $expected  $tarname"

# Unpack: no absolute names, no "..", and a regular file named mediamtx.
if tar -tzf "$tarball" | grep -Eq '(^/|(^|/)\.\.(/|$))'; then
    refuse "$tarname holds absolute or '..' paths"
fi
mkdir "$work/x"
tar -xzf "$tarball" -C "$work/x" --no-same-owner --no-same-permissions
[ -f "$work/x/mediamtx" ] && [ ! -L "$work/x/mediamtx" ] || refuse "$tarname has no mediamtx program at its top level"
chmod 0755 "$work/x/mediamtx"
version="$("$work/x/mediamtx" --version 2>&1 | head -n 1 || true)"
[ -n "$version" ] || refuse "the mediamtx in $tarname does not run here (wrong architecture?)"

install -d -m 0755 "$prefix"
install -m 0755 "$work/x/mediamtx" "$prefix/.mediamtx.new"
mv -f "$prefix/.mediamtx.new" "$prefix/mediamtx"
for extra in mediamtx.yml LICENSE; do
    if [ -f "$work/x/$extra" ]; then
        install -m 0644 "$work/x/$extra" "$prefix/$extra.dist"
    fi
done
printf '%s\n%s  %s\n' "$version" "$expected" "$tarname" >"$prefix/INSTALLED"
chmod 0644 "$prefix/INSTALLED"
say "installed $version at $prefix/mediamtx (camera-station finds it there)"

if [ "$service" = 1 ]; then
    install -d -m 0755 /etc/mediamtx
    if [ ! -e /etc/mediamtx/mediamtx.yml ] && [ -f "$work/x/mediamtx.yml" ]; then
        install -m 0644 "$work/x/mediamtx.yml" /etc/mediamtx/mediamtx.yml
    fi
    sed "s|@MEDIAMTX_BINARY@|$prefix/mediamtx|" "$here/mediamtx.service" >/etc/systemd/system/mediamtx.service
    chmod 0644 /etc/systemd/system/mediamtx.service
    say "installed /etc/systemd/system/mediamtx.service (for mediamtx.supervise: false only):"
    say "  set mediamtx.supervise: false in /etc/camera-station/camera-station.yaml, edit /etc/mediamtx/mediamtx.yml,"
    say "  then: systemctl daemon-reload && systemctl enable --now mediamtx.service && systemctl restart camera-station"
fi
