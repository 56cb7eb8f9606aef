#!/usr/bin/env bash
# Runs the camera-station API benchmark (bench/api_load, station_bench) on loopback.
#
#   bench/run-api-bench.sh [--build-dir DIR] [station_bench options...]
#
# Creates a temporary data directory (10,000 recording files are written into
# it before the server starts), starts build/bin/camera-station --headless on
# free loopback ports, loads it with 1, 100 and 1000 WebSocket clients, prints
# one table, stops the server and removes the directory. Always exits 0 once
# the benchmark ran (targets missed or not); non-zero only if it could not run.
# Extra options go to station_bench (see `build/bin/station_bench --help`),
# e.g. --duration 5 --connections 1,100.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="$here/../build"
if [[ "${1:-}" == "--build-dir" ]]; then
    build_dir="$2"
    shift 2
fi
bench="$build_dir/bin/station_bench"
server="$build_dir/bin/camera-station"
for f in "$bench" "$server"; do
    if [[ ! -x "$f" ]]; then
        echo "run-api-bench: $f not found; build first:" >&2
        echo "  cmake --preset default && cmake --build build -j2" >&2
        exit 2
    fi
done

data_dir="$(mktemp -d "${TMPDIR:-/tmp}/station-bench.XXXXXX")"
bench_pid=""
cleanup() {
    # station_bench stops the server itself, and the server dies with it
    # (PR_SET_PDEATHSIG); this only covers an interrupted run.
    if [[ -n "$bench_pid" ]] && kill -0 "$bench_pid" 2>/dev/null; then
        kill -TERM "$bench_pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$bench_pid" 2>/dev/null || true
    fi
    if [[ -f "$data_dir/station-server.log" && "${KEEP_BENCH_LOG:-0}" == "1" ]]; then
        cp "$data_dir/station-server.log" "${TMPDIR:-/tmp}/station-bench-server.log"
        echo "server log kept in ${TMPDIR:-/tmp}/station-bench-server.log" >&2
    fi
    rm -rf "$data_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bench" --server "$server" --data-dir "$data_dir" "$@" &
bench_pid=$!
rc=0
wait "$bench_pid" || rc=$?
bench_pid=""
if [[ $rc -ne 0 ]]; then
    echo "run-api-bench: station_bench failed to run (exit $rc)" >&2
    exit "$rc"
fi
exit 0
