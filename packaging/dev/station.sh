#!/usr/bin/env bash
# Camera Station developer entry point: one command installs what is missing
# (Debian 12 packages), builds, and then runs the app or every test.
#
#   packaging/dev/station.sh run [camera-station options]   build and start the app
#   packaging/dev/station.sh test                           build and run every test
#
# Run as root, or as a user with sudo, on Debian 12. Environment:
#   STATION_DATA_DIR   data folder for `run` (default ~/.local/share/camera-station)
#   STATION_BUILD_DIR  is always ./build (the CMake preset "default")
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

# MediaMTX is not in Debian: when it is missing and the machine is online, try
# the checksum-verified installer; say plainly when that is not possible and
# carry on (the app runs without it and reports mediamtx_unavailable).
ensure_mediamtx() {
    if command -v mediamtx >/dev/null || [ -x /usr/local/bin/mediamtx ] || [ -x /opt/mediamtx/mediamtx ] \
        || [[ " $* " == *"mediamtx.binary="* ]] || [ -n "${CAMERA_STATION_MEDIAMTX_BINARY:-}" ]; then
        return 0
    fi
    local later="install it later with packaging/mediamtx/install-mediamtx.sh (packaging/README.md, MediaMTX)"
    if ! curl -fsI --max-time 5 -o /dev/null https://github.com 2>/dev/null; then
        say "MediaMTX is not installed, and this machine is offline (github.com unreachable): could not install it"
        say "continuing without MediaMTX (/health/ready says 503 mediamtx_unavailable); $later"
        return 0
    fi
    say "MediaMTX is not installed: trying packaging/mediamtx/install-mediamtx.sh --latest-known"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if ! $sudo "$top/packaging/mediamtx/install-mediamtx.sh" --latest-known; then
        say "could not install MediaMTX (see above): continuing without it; $later"
    fi
}

run_app() {
    local data="${STATION_DATA_DIR:-$HOME/.local/share/camera-station}"
    mkdir -p "$data"
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [[ " $* " != *" --headless "* ]]; then
        say "no display: starting headless (add a display for the kiosk UI)"
        set -- --headless "$@"
    fi
    say "starting camera-station --data-dir $data $*"
    say "API: ws://127.0.0.1:8002/ws   health: http://127.0.0.1:8003/health   (Ctrl+C stops)"
    exec "$top/build/bin/camera-station" --data-dir "$data" "$@"
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
case "$cmd" in
    run)
        install_packages
        build
        ensure_mediamtx "$@"
        run_app "$@"
        ;;
    test)
        install_packages
        build
        run_tests
        ;;
    *)
        echo "usage: $0 run [camera-station options] | test" >&2
        exit 2
        ;;
esac
