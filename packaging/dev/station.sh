#!/usr/bin/env bash
# Camera Station developer entry point: one command installs what is missing
# (Debian 12 packages), builds, and then runs the app or every test.
#
#   packaging/dev/station.sh run [--no-demo|--demo] [camera-station options]   build and start the app
#   packaging/dev/station.sh test                                             build and run every test
#
# `run` needs MediaMTX for video. When it is missing, it installs the pinned
# release with packaging/mediamtx/install-mediamtx.sh --pinned (verified
# against the release's checksums.sha256). When that is impossible (offline,
# or the install failed or was refused) it starts a labelled DEMO instead:
# the MediaMTX stand-in (tests/support/mediamtx-standin) and two test-pattern
# cameras, with its own data folder. --no-demo: run without MediaMTX instead;
# --demo: the demo even when MediaMTX is installed.
#
# Run as root, or as a user with sudo, on Debian 12. Environment:
#   STATION_DATA_DIR        data folder for `run` (default ~/.local/share/camera-station)
#   STATION_DEMO_DATA_DIR   data folder of the demo (default ~/.local/share/camera-station-demo)
#   STATION_BUILD_DIR       build folder (default ./build, the CMake preset "default")
#   STATION_NO_SETUP=1      skip the package check and the build (use the existing build)
#   STATION_MEDIAMTX_PREFIX where MediaMTX is installed (default /opt/mediamtx)
#   MEDIAMTX_RELEASE_BASE_URL  release server for the installer (default GitHub; see its --help)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/../.." && pwd)"
cd "$top"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
elapsed() { local s=$SECONDS; printf '%dm%02ds' $((s / 60)) $((s % 60)); }

install_packages() {
    local wanted missing=()
    mapfile -t wanted < <(grep -Ev '^\s*(#|$)' "$here/debian-build-deps.txt")
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "all ${#wanted[@]} Debian packages present"
        return
    fi
    say "installing ${#missing[@]} missing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
    say "configuring and building (CMake preset 'default', Ninja)"
    cmake --preset default >/dev/null
    cmake --build --preset default -- -j"$(nproc)"
}

# MediaMTX is not in Debian. Found: $mediamtx_bin names it. Missing: install
# the pinned release, verified (install-mediamtx.sh --pinned); returns 1
# when that is not possible, with the reason already said.
mediamtx_bin=""
find_mediamtx() {
    local dir
    local IFS=:
    for dir in ${STATION_MEDIAMTX_SEARCH:-$PATH:/usr/local/bin:$mediamtx_prefix}; do
        if [ -n "$dir" ] && [ -x "$dir/mediamtx" ] && [ ! -d "$dir/mediamtx" ]; then
            mediamtx_bin="$dir/mediamtx"
            return 0
        fi
    done
    return 1
}

ensure_mediamtx() {
    if [[ " $* " == *"mediamtx.binary="* ]] || [ -n "${CAMERA_STATION_MEDIAMTX_BINARY:-}" ]; then
        mediamtx_bin="(configured)"
        return 0
    fi
    find_mediamtx && return 0
    say "MediaMTX is not installed: installing the pinned release (packaging/mediamtx/install-mediamtx.sh --pinned)"
    local sudo="" rc=0
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    local base=()
    [ -z "${MEDIAMTX_RELEASE_BASE_URL:-}" ] || base=(--base-url "$MEDIAMTX_RELEASE_BASE_URL")
    $sudo "$top/packaging/mediamtx/install-mediamtx.sh" --pinned --prefix "$mediamtx_prefix" "${base[@]}" || rc=$?
    case "$rc" in
        0) mediamtx_bin="$mediamtx_prefix/mediamtx"; return 0 ;;
        3) say "could not install MediaMTX: this machine is offline (the release could not be downloaded)" ;;
        1) say "could not install MediaMTX: the installer refused (see REFUSED above)" ;;
        *) say "could not install MediaMTX: the installer failed (exit $rc)" ;;
    esac
    return 1
}

# Prints the run command's own lines, and the app's output unchanged; when the
# app says "serving: ws://HOST:PORT/PATH, health on port N", says where it
# listens (the ports really bound, whatever the configuration chose).
# Ignores SIGINT/SIGTERM: it ends when the app closes its output, so the
# app's shutdown messages are still shown after Ctrl+C.
announce() {
    trap '' INT TERM
    local demo="$1" line host port path hport re='serving: ws://(.*):([0-9]+)(/[^,]*), health on port ([0-9]+)'
    while IFS= read -r line; do
        printf '%s\n' "$line"
        if [[ "$line" =~ $re ]]; then
            host="${BASH_REMATCH[1]}" port="${BASH_REMATCH[2]}" path="${BASH_REMATCH[3]}" hport="${BASH_REMATCH[4]}"
            case "$host" in 0.0.0.0|::|"[::]"|"") host=127.0.0.1 ;; *:*) host="[$host]" ;; esac
            say "API: ws://$host:$port$path   health: http://$host:$hport/health   (Ctrl+C stops)"
            [ "$demo" = 0 ] || say "DEMO: MediaMTX stand-in, test-pattern cameras — install MediaMTX for real cameras: sudo packaging/mediamtx/install-mediamtx.sh --pinned"
        fi
    done
}

run_app() {
    local demo="$1"; shift
    local data="${STATION_DATA_DIR:-$HOME/.local/share/camera-station}"
    if [ "$demo" = 1 ]; then
        data="${STATION_DEMO_DATA_DIR:-$HOME/.local/share/camera-station-demo}"
        set -- --set "mediamtx.binary=$top/tests/support/mediamtx-standin/mediamtx-standin" \
            --demo-cameras 2 --set ui.demo_notice=true "$@"
    elif [ -n "$mediamtx_bin" ] && [ "$mediamtx_bin" != "(configured)" ]; then
        # Name the binary found or just installed: the prefix may be outside
        # the app's own search (PATH, /usr/local/bin, /opt/mediamtx).
        set -- --set "mediamtx.binary=$mediamtx_bin" "$@"
    fi
    mkdir -p "$data"
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [[ " $* " != *" --headless "* ]]; then
        say "no display: starting headless (add a display for the kiosk UI)"
        set -- --headless "$@"
    fi
    say "starting camera-station --data-dir $data $*"
    local status=0
    "$build_dir/bin/camera-station" --data-dir "$data" "$@" 2>&1 | announce "$demo" || status=${PIPESTATUS[0]}
    return "$status"
}

run_tests() {
    say "running every test (ctest)"
    local status=0
    ctest --preset default || status=$?
    say "tests finished in $(elapsed) with status $status"
    return $status
}

cmd="${1:-}"
shift || true
build_dir="${STATION_BUILD_DIR:-$top/build}"
mediamtx_prefix="${STATION_MEDIAMTX_PREFIX:-/opt/mediamtx}"
case "$cmd" in
    run)
        demo=auto args=()
        for a in "$@"; do
            case "$a" in
                --no-demo) demo=0 ;;
                --demo) demo=1 ;;
                *) args+=("$a") ;;
            esac
        done
        if [ "${STATION_NO_SETUP:-0}" != 1 ]; then
            install_packages
            build
        fi
        if [ "$demo" = auto ]; then
            demo=0
            if ! ensure_mediamtx "${args[@]}"; then
                say "starting the DEMO instead: the MediaMTX stand-in and two test-pattern cameras (data in ${STATION_DEMO_DATA_DIR:-$HOME/.local/share/camera-station-demo});"
                say "  for real cameras install MediaMTX: sudo packaging/mediamtx/install-mediamtx.sh --pinned (packaging/README.md, MediaMTX), or pass --no-demo to run without it"
                demo=1
            fi
        elif [ "$demo" = 0 ]; then
            ensure_mediamtx "${args[@]}" \
                || say "--no-demo: continuing without MediaMTX (/health/ready says 503 mediamtx_unavailable)"
        fi
        run_app "$demo" "${args[@]}"
        ;;
    test)
        install_packages
        build
        run_tests
        ;;
    *)
        echo "usage: $0 run [--no-demo|--demo] [camera-station options] | test" >&2
        exit 2
        ;;
esac
