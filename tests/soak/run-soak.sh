#!/usr/bin/env bash
# Soak test: camera-station --headless with the MediaMTX stand-in and 2 demo
# cameras for SOAK_SECONDS (default 300) under 500 WebSocket connections of
# steady API traffic (1 req/s each: ping, get_camera_list, list_recordings,
# get_system_status in 10 s turns), a snapshot on each camera every 10 s and a
# 10 s recording every 60 s (files deleted again so long runs stay bounded).
# From the end of the warm-up two hostile peers run beside them from other
# loopback addresses: a slow reader (127.0.0.2; asks for answers of a few KB
# 20 times a second, reads 1 KB/s) and an unauthenticated ping flooder
# (127.0.0.3; never reads). Each reconnects whenever the station drops it.
#
# Asserts: no errors or timeouts for the 500 polite connections; the slow
# reader dropped at least once; the flooder throttled (its sends blocked) or
# closed; RSS while they ran <= RSS after warm-up + 5 % + 8 MiB (one outbound
# budget) per hostile peer; RSS growth <= 5 % between the end of the
# warm-up (min(60 s, SOAK_SECONDS/5)) and the end (after the hostile peers
# stopped); the station's open file
# descriptors back to baseline +-10 after the connections closed and the
# publishers stopped; no leaked child processes (only MediaMTX and its current
# publishers, no zombies) and nothing left after the station stops.
# Ends with "soak: N passed, N failed"; exits non-zero on failure.
#
#   SOAK_SECONDS=300 tests/soak/run-soak.sh [--build-dir DIR] [station_bench options]
#   SOAK_CONNECTIONS=500  (default)
#   SOAK_HOSTILE=1        (default: both hostile peers; slow or flood: one; 0: none.
#                          They need 40 s after the warm-up: SOAK_SECONDS >= 50.)
# 24 hours: see bench/README.md.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
if [[ "${1:-}" == "--build-dir" ]]; then
    build="$2"
    shift 2
fi
bench="$build/bin/station_bench"
server="$build/bin/camera-station"
for f in "$bench" "$server"; do
    if [[ ! -x "$f" ]]; then
        echo "run-soak: $f not found; build first (cmake --preset default && cmake --build build -j2)" >&2
        echo "soak: 0 passed, 1 failed"
        exit 2
    fi
done
seconds="${SOAK_SECONDS:-300}"
conns="${SOAK_CONNECTIONS:-500}"
data_dir="$(mktemp -d "${TMPDIR:-/tmp}/station-soak.XXXXXX")"
bench_pid=""
cleanup() {
    if [[ -n "$bench_pid" ]] && kill -0 "$bench_pid" 2>/dev/null; then
        kill -TERM "$bench_pid" 2>/dev/null || true
        sleep 2
        kill -KILL "$bench_pid" 2>/dev/null || true
    fi
    if [[ "${KEEP_SOAK_LOG:-0}" == "1" && -f "$data_dir/station-server.log" ]]; then
        cp "$data_dir/station-server.log" "${TMPDIR:-/tmp}/station-soak-server.log"
        echo "server log kept in ${TMPDIR:-/tmp}/station-soak-server.log" >&2
    fi
    rm -rf "$data_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The station dies with station_bench (PR_SET_PDEATHSIG); the time limit is the soak plus 5 minutes.
timeout --kill-after=20 $((seconds + 300)) "$bench" --soak "$seconds" --soak-connections "$conns" \
    --server "$server" --data-dir "$data_dir" "$@" &
bench_pid=$!
rc=0
wait "$bench_pid" || rc=$?
bench_pid=""
if [[ $rc -eq 124 ]]; then
    echo "soak: 0 passed, 1 failed (time limit reached)"
fi
exit "$rc"
