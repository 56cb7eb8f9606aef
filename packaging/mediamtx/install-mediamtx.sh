#!/bin/bash
# Installs a MediaMTX release for Camera Station, verified by SHA-256.
#
#   install-mediamtx.sh --pinned [options]           the release this Camera Station targets (v1.20.1)
#   install-mediamtx.sh --release VERSION [options]  a release from GitHub, e.g. v1.20.1
#   install-mediamtx.sh --tarball FILE [--sha256 HEX] [options]
#   install-mediamtx.sh --url URL      [--sha256 HEX] [options]
#   install-mediamtx.sh --latest-known [options]     newest release of the table for this machine
#
# --pinned / --release download the release's checksums.sha256 (published by
# the MediaMTX project beside the tarballs, fetched over HTTPS), take the
# tarball for this machine's architecture from it, download the tarball and
# install it only when its SHA-256 matches. When known-releases.txt (or
# --sha256) also names the tarball, that digest must agree with the
# checksums file as well. A release without checksums.sha256 is refused.
#
# --tarball / --url / --latest-known take the digest from --sha256 or from
# the table (known-releases.txt beside this script, or --known FILE).
# Nothing is installed without a digest, and a tarball whose digest differs
# is refused; when both --sha256 and the table name the file, they must agree.
#
# Options:
#   --prefix DIR     install folder (default /opt/mediamtx, one of the places
#                    camera-station looks for MediaMTX)
#   --service        also install the hardened mediamtx.service, for a station
#                    configured with mediamtx.supervise: false (not enabled here)
#   --known FILE     table of known releases (sha256 file version url)
#   --base-url URL   where releases are downloaded from (default
#                    https://github.com/bluenviron/mediamtx/releases/download,
#                    or $MEDIAMTX_RELEASE_BASE_URL); must be https://, or
#                    http:// to a loopback address (for tests and local mirrors)
#   --arch ARCH      amd64, arm64, armv7 or armv6 (default: this machine's)
#
# Exit status: 0 installed; 1 refused (no, wrong or unpublished digest, bad
# tarball); 2 bad usage; 3 download failed (offline).
set -euo pipefail

# The MediaMTX release this Camera Station is built and tested against
# (INTEGRATION.md). --pinned installs it.
PINNED_VERSION=v1.20.1
DEFAULT_BASE_URL=https://github.com/bluenviron/mediamtx/releases/download

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
known="${MEDIAMTX_KNOWN_RELEASES:-$here/known-releases.txt}"
base_url="${MEDIAMTX_RELEASE_BASE_URL:-$DEFAULT_BASE_URL}"
prefix=/opt/mediamtx
tarball="" url="" sha="" service=0 latest=0 release="" arch=""

say() { echo "install-mediamtx: $*" >&2; }
refuse() { say "REFUSED: $*"; exit 1; }
usage() { sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --tarball) tarball="${2:?}"; shift 2 ;;
        --url) url="${2:?}"; shift 2 ;;
        --sha256) sha="${2:?}"; shift 2 ;;
        --prefix) prefix="${2:?}"; shift 2 ;;
        --known) known="${2:?}"; shift 2 ;;
        --base-url) base_url="${2:?}"; shift 2 ;;
        --arch) arch="${2:?}"; shift 2 ;;
        --release) release="${2:?}"; shift 2 ;;
        --pinned) release="$PINNED_VERSION"; shift ;;
        --service) service=1; shift ;;
        --latest-known) latest=1; shift ;;
        -h|--help) usage ;;
        *) say "unknown argument: $1"; usage ;;
    esac
done

# Table rows without comments: "sha256 file version url".
table() { [ -r "$known" ] && grep -Ev '^[[:space:]]*(#|$)' "$known" || true; }

if [ -z "$arch" ]; then
    case "$(uname -m)" in
        x86_64) arch=amd64 ;;
        aarch64|arm64) arch=arm64 ;;
        armv7l) arch=armv7 ;;
        armv6l) arch=armv6 ;;
        *) arch="$(uname -m)" ;;
    esac
fi
# Release file names for an architecture: MediaMTX has named the 64-bit ARM
# tarball both linux_arm64v8 (scripts/binaries.mk, older releases) and
# linux_arm64; the release's own checksums file says which one it has.
arch_names() {
    case "$1" in
        arm64|arm64v8) echo arm64 arm64v8 ;;
        *) echo "$1" ;;
    esac
}

# download URL FILE: 0 ok; 3 when the server cannot be reached (offline);
# 4 when it answered with an HTTP error (e.g. 404: the file is not published).
# Only https:// is followed, also across redirects (GitHub redirects release
# assets to its object storage); plain http:// only to a loopback address.
download() {
    local from="$1" to="$2" rc=0
    if ! command -v curl >/dev/null; then
        say "curl is not installed: apt-get install curl"; return 3
    fi
    curl -fsSL --proto '=https,http,file' --proto-redir '=https' --max-time 300 --connect-timeout 10 \
        -o "$to" "$from" || rc=$?
    case "$rc" in
        0) return 0 ;;
        22) return 4 ;;      # HTTP status >= 400
        *) return 3 ;;
    esac
}

check_base_url() {
    local loopback='^http://(127(\.[0-9]{1,3}){3}|localhost|\[::1\])(:[0-9]+)?(/|$)'
    [[ "$1" == https://* ]] || [[ "$1" =~ $loopback ]] \
        || refuse "--base-url must be https:// (or http:// to a loopback address): $1"
}

work="$(mktemp -d /tmp/install-mediamtx.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if [ -n "$release" ]; then
    [ -z "$tarball$url" ] && [ "$latest" = 0 ] || { say "--release/--pinned goes alone, without --tarball, --url or --latest-known"; usage; }
    [[ "$release" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || refuse "--release wants a version like $PINNED_VERSION, not '$release'"
    check_base_url "$base_url"
    rel_url="${base_url%/}/$release"
    say "fetching $rel_url/checksums.sha256"
    rc=0; download "$rel_url/checksums.sha256" "$work/checksums.sha256" || rc=$?
    case "$rc" in
        0) ;;
        4) refuse "MediaMTX $release publishes no checksums.sha256 at $rel_url (HTTP error): without it the tarball cannot be verified" ;;
        *) say "could not download $rel_url/checksums.sha256 (offline?)"; exit 3 ;;
    esac
    # sha256sum format: "<digest>  <name>" or "<digest> *<name>"; the name
    # may carry a folder (binaries/...). Lines for other files are ignored.
    tarname="" published=""
    for a in $(arch_names "$arch"); do
        name="mediamtx_${release}_linux_${a}.tar.gz"
        found="$(awk -v f="$name" '{ n = $2; sub(/^\*/, "", n); sub(/^.*\//, "", n); if (n == f) print tolower($1) }' \
            "$work/checksums.sha256" | sort -u)"
        if [ -n "$found" ]; then
            tarname="$name" published="$found"
            break
        fi
    done
    [ -n "$tarname" ] || refuse "checksums.sha256 of MediaMTX $release lists no tarball for linux/$arch ($(arch_names "$arch"))"
    [ "$(printf '%s\n' "$published" | grep -c .)" = 1 ] || refuse "checksums.sha256 of $release lists $tarname with more than one digest"
    [[ "$published" =~ ^[0-9a-f]{64}$ ]] || refuse "checksums.sha256 of $release has a malformed digest for $tarname"
    say "the release's checksums.sha256 lists $published  $tarname"
    url="$rel_url/$tarname"
    # The published digest is one more source that must agree with --sha256
    # and the table (checked below with them).
elif [ "$latest" = 1 ]; then
    row="$(table | awk -v a="_linux_${arch}.tar.gz" 'index($2, a) {print}' | sort -k3,3V | tail -n 1)"
    [ -n "$row" ] || refuse "no release for linux/$arch is listed in $known (add one, pass --url and --sha256, or use --pinned)"
    read -r sha tarname _ url <<<"$row"
    [ -n "$url" ] || refuse "the table line for $tarname has no download URL"
fi
published="${published:-}"

[ -n "$tarball" ] || [ -n "$url" ] || { say "give --pinned, --release VERSION, --tarball FILE, --url URL or --latest-known"; usage; }
[ -z "$tarball" ] || [ -z "$url" ] || { say "give --tarball or --url, not both"; usage; }

if [ -n "$url" ]; then
    tarname="$(basename "${url%%\?*}")"
    tarball="$work/$tarname"
    say "downloading $url"
    rc=0; download "$url" "$tarball" || rc=$?
    case "$rc" in
        0) ;;
        4) refuse "$url is not there (HTTP error)" ;;
        *) say "could not download $url (offline?)"; exit 3 ;;
    esac
else
    [ -f "$tarball" ] || refuse "$tarball is not a file"
    tarname="$(basename "$tarball")"
fi

# The expected digest: strictly 64 hex characters, from the command line,
# the table and/or the release's checksums.sha256, which must all agree.
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
if [ -n "$published" ] && [ -n "$listed" ] && [ "$published" != "$listed" ]; then
    refuse "the release's checksums.sha256 and $known disagree about $tarname
  checksums.sha256    $published
  known-releases.txt  $listed
  (either the release was changed after it was pinned, or the pin is wrong: find out which before installing)"
fi
if [ -n "$published" ] && [ -n "$sha" ] && [ "$published" != "$sha" ]; then
    refuse "--sha256 disagrees with the release's checksums.sha256 for $tarname"
fi
expected="${sha:-${listed:-$published}}"
[ -n "$expected" ] || refuse "no SHA-256 for $tarname: it is not in $known and --sha256 was not given
  (copy the digest from the release's checksums.sha256, published with the tarball, or use --pinned)"
if [ -n "$published" ] && [ -z "$listed" ] && [ -z "$sha" ]; then
    say "note: $known does not pin $tarname; trusting the release's checksums.sha256 (from $base_url) alone"
fi

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
if [ "$prefix" = /opt/mediamtx ]; then
    say "installed $version at $prefix/mediamtx (camera-station finds it there)"
else
    say "installed $version at $prefix/mediamtx (set mediamtx.binary: $prefix/mediamtx)"
fi

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
