#!/bin/bash
# A real Prometheus (Debian's package) scrapes three real stations on loopback:
#   A  the MediaMTX stand-in and one demo camera, with API traffic (successes
#      and errors) so the request counters and histograms have series; later
#      its camera's publisher is frozen (SIGSTOP): CameraStationStreamStalled
#   B  no MediaMTX (the binary is missing): camera_station_mediamtx_up 0
#   C  the stand-in and one demo camera; the test kills C's MediaMTX three
#      times (by its pid, a child of C) and the supervisor restarts it
# Checks: `promtool check metrics` on each station's /metrics; through
# Prometheus's HTTP API: all three targets up, the station series with the
# right labels (instance, camera), and the shipped alert rules pending or
# firing for the right instance only: CameraStationMediaMTXDown for B,
# CameraStationMediaMTXRestarting for C, nothing for A.
# Exit 77 (ctest SKIP) only when prometheus/promtool are not installed.
# Usage: tst_prometheus.sh BUILD_DIR
set -uo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
bin="$build/bin/camera-station"
standin="$top/tests/support/mediamtx-standin/mediamtx-standin"
py=/usr/bin/python3
for tool in prometheus promtool; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not found (Debian's prometheus package: apt-get install prometheus)"
        exit 77
    fi
done
work="$(mktemp -d /tmp/tst-prometheus.XXXXXX)"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    [ "${TST_KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
wait_for() {  # seconds command...
    local end=$((SECONDS + $1)); shift
    while [ $SECONDS -lt $end ]; do "$@" && return 0; sleep 0.5; done
    "$@"
}
free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_station NAME ARGS...: headless, its own data folder and free ports;
# sets api_NAME and health_NAME.
declare -A api health spid
start_station() {
    local name="$1"; shift
    local args=(--headless --data-dir "$work/$name" --set server.host=127.0.0.1 --set health.host=127.0.0.1)
    api[$name]="$(free_port)" health[$name]="$(free_port)"
    args+=(--set "server.port=${api[$name]}" --set "health.port=${health[$name]}")
    for k in api_port rtsp_port hls_port webrtc_port webrtc_udp_port metrics_port playback_port; do
        args+=(--set "mediamtx.$k=$(free_port)")
    done
    # Restart MediaMTX quickly after it dies, so C's crash loop takes seconds.
    args+=(--set mediamtx.restart_max_backoff_s=1)
    STANDIN_AUTH_FAIL_DELAY_S=0 "$bin" "${args[@]}" "$@" >"$work/$name.log" 2>&1 &
    spid[$name]=$!
    pids+=("$!")
}
serving() { grep -q 'serving:' "$work/$1.log"; }
mtx_up() { curl -s "http://127.0.0.1:${health[$1]}/metrics" | grep -qx 'camera_station_mediamtx_up 1'; }

start_station a --set "mediamtx.binary=$standin" --demo-cameras 1
start_station b --set mediamtx.binary=/nonexistent/mediamtx --demo-cameras 1
start_station c --set "mediamtx.binary=$standin" --demo-cameras 1
for s in a b c; do
    wait_for 20 serving "$s" || { bad "station $s did not start"; tail -n 20 "$work/$s.log"; exit 1; }
done
check "A and C: MediaMTX (the stand-in) is up" wait_for 30 bash -c "$(declare -f mtx_up); declare -A health=([a]=${health[a]} [c]=${health[c]}); mtx_up a && mtx_up c"

# Traffic on A: successes, an unknown method (-32601), a bad parameter (-32602),
# two snapshots (the duration histogram) that retention then deletes.
token="$("$bin" --data-dir "$work/a" token --role admin --user prom-test 2>/dev/null)"
"$py" - "${api[a]}" "$token" >"$work/rpc.out" 2>&1 <<'EOF'
import asyncio, json, sys
import websockets

async def main(port, token):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as ws:
        n = 0
        async def call(method, params):
            nonlocal n
            n += 1
            await ws.send(json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": n}))
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if msg.get("id") == n:
                    print(method, "ok" if "result" in msg else msg["error"]["code"])
                    return msg
        await call("authenticate", {"auth_token": token})
        for _ in range(5):
            await call("ping", {})
        await call("no_such_method", {})
        await call("take_snapshot", {"device": 42})
        await call("take_snapshot", {"device": "camera0"})
        await call("take_snapshot", {"device": "camera0"})
        # Retention: keep at most 1 byte, run once: both snapshots go.
        await call("set_retention_policy", {"policy_type": "size", "max_size_gb": 1e-9, "enabled": False})
        r = await call("cleanup_old_files", {})
        print("snapshots_deleted", r.get("result", {}).get("snapshots_deleted"))
        # Keep camera0's publisher running (stream figures, the freeze below).
        await call("start_streaming", {"device": "camera0", "auto_close_after": "0s"})

asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
EOF
check "traffic on A answered (5 pings, -32601, -32602, 2 snapshots, a retention run deleting both, start_streaming)" \
    bash -c "[ \$(grep -c '^ping ok' '$work/rpc.out') = 5 ] && grep -q '^no_such_method -32601' '$work/rpc.out' && grep -q '^take_snapshot -32602' '$work/rpc.out' \
        && [ \$(grep -c '^take_snapshot ok' '$work/rpc.out') = 2 ] && grep -qx 'snapshots_deleted 2' '$work/rpc.out' && grep -qx 'start_streaming ok' '$work/rpc.out'"

# promtool check metrics on each station's real scrape.
for s in a b c; do
    curl -s "http://127.0.0.1:${health[$s]}/metrics" >"$work/$s.metrics"
    if promtool check metrics <"$work/$s.metrics" >"$work/$s.lint" 2>&1 && [ ! -s "$work/$s.lint" ]; then
        ok "promtool check metrics: station $s's /metrics has no problems ($(grep -vc '^#' "$work/$s.metrics") samples)"
    else
        bad "promtool check metrics on station $s:"; sed 's/^/       | /' "$work/$s.lint"
    fi
done
check "A's scrape: request counters by method and code (unknown methods as method=\"unknown\"), duration histograms, retention deletions, recording failures at 0" \
    bash -c "grep -q 'camera_station_rpc_requests_total{method=\"ping\",code=\"ok\"} 5' '$work/a.metrics' \
        && grep -q 'camera_station_rpc_requests_total{method=\"unknown\",code=\"-32601\"} 1' '$work/a.metrics' \
        && grep -q 'camera_station_rpc_request_duration_seconds_bucket{method=\"ping\",le=\"+Inf\"} 5' '$work/a.metrics' \
        && grep -q 'camera_station_snapshot_duration_seconds_count 2' '$work/a.metrics' \
        && grep -q 'camera_station_retention_deleted_files_total{kind=\"snapshot\"} 2' '$work/a.metrics' \
        && grep -q 'camera_station_recording_failures_total{camera=\"camera0\"} 0' '$work/a.metrics'"

# Prometheus: scrape and evaluate every second, the shipped rules.
prom_port="$(free_port)"
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $top/packaging/prometheus/camera-station.rules.yml
scrape_configs:
  - job_name: camera-station
    static_configs:
      - targets: ["127.0.0.1:${health[a]}", "127.0.0.1:${health[b]}", "127.0.0.1:${health[c]}"]
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=("$!")
prom="http://127.0.0.1:$prom_port"

# q PATH [curl args]: JSON from Prometheus's HTTP API.
q() { curl -s --max-time 5 "$prom$1" "${@:2}"; }
targets_up() {
    q /api/v1/targets | "$py" -c 'import json,sys; t=json.load(sys.stdin)["data"]["activeTargets"]; sys.exit(0 if len(t)==3 and all(x["health"]=="up" for x in t) else 1)' 2>/dev/null
}
check "Prometheus scraped all three stations: 3 targets, all up" wait_for 60 targets_up

# Now that Prometheus watches (a counter's increase needs samples from before):
# C's MediaMTX crashes three times: kill its child (by pid) once it is back up each time.
mtx_child() { pgrep -P "${spid[c]}" -f mediamtx-standin | head -n 1; }
for i in 1 2 3; do
    wait_for 30 bash -c "$(declare -f mtx_up); declare -A health=([c]=${health[c]}); mtx_up c" || break
    child="$(mtx_child)"
    [ -n "$child" ] && kill -KILL "$child"
    sleep 1
done
check "C's supervisor restarted MediaMTX three times" \
    wait_for 30 bash -c "curl -s 'http://127.0.0.1:${health[c]}/metrics' | grep -Eq '^camera_station_mediamtx_restarts_total [3-9]'"


# instant QUERY -> "instance=value" lines, sorted
series() {
    q /api/v1/query --data-urlencode "query=$1" -G \
        | "$py" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print("\n".join(sorted(",".join(f"{k}={v}" for k,v in sorted(x["metric"].items()) if k not in ("__name__","job")) + "=" + x["value"][1] for x in r)))'
}
A="127.0.0.1:${health[a]}" B="127.0.0.1:${health[b]}" C="127.0.0.1:${health[c]}"
mtx_series_ok() { [ "$(series camera_station_mediamtx_up)" = "$(printf 'instance=%s=1\ninstance=%s=0\ninstance=%s=1' "$A" "$B" "$C" | sort)" ]; }
check "camera_station_mediamtx_up through Prometheus: A 1, B 0, C 1" wait_for 20 mtx_series_ok
check "camera_station_camera_up has camera and instance labels, one series per station's camera" \
    bash -c "[ \"\$($(declare -f q series); prom=$prom; py=$py; series camera_station_camera_up)\" = \"$(printf 'camera=camera0,instance=%s=1\ncamera=camera0,instance=%s=1\ncamera=camera0,instance=%s=1' "$A" "$B" "$C" | sort)\" ]"
check "camera_station_build_info and process figures are there for each station" \
    bash -c "$(declare -f q series); prom=$prom; py=$py; [ \$(series camera_station_build_info | grep -c 'version=') = 3 ] && [ \$(series process_resident_memory_bytes | wc -l) = 3 ] && [ \$(series camera_station_event_loop_stall_seconds | wc -l) = 3 ]"

# alerts -> "alertname instance state" lines, sorted
alerts() {
    q /api/v1/alerts | "$py" -c 'import json,sys; a=json.load(sys.stdin)["data"]["alerts"]; print("\n".join(sorted(" ".join((x["labels"]["alertname"], x["labels"].get("instance", ""), x["state"])) for x in a)))'
}
alerts_right() {
    local got; got="$(alerts)"
    echo "$got" >"$work/alerts.txt"
    grep -Eq "^CameraStationMediaMTXDown $B (pending|firing)$" <<<"$got" \
        && grep -Eq "^CameraStationMediaMTXRestarting $C firing$" <<<"$got" \
        && [ "$(grep -c . <<<"$got")" = 2 ]
}
if wait_for 30 alerts_right; then
    ok "alerts: MediaMTXDown pending for B only, MediaMTXRestarting firing for C only, none for A"
else
    bad "alerts: got"; sed 's/^/       | /' "$work/alerts.txt"
fi

# A's camera0 freezes: its publisher (a descendant of A, found by its parent
# chain, stopped by pid) keeps the RTSP session open but sends nothing.
publisher() {
    local mtx; mtx="$(pgrep -P "${spid[a]}" -f mediamtx-standin | head -n 1)"
    [ -n "$mtx" ] && pgrep -P "$mtx" -f 'testsrc2' | head -n 1
}
age() { curl -s --max-time 5 "http://127.0.0.1:${health[a]}/metrics" | sed -n 's/^camera_station_camera_last_data_age_seconds{camera="camera0"} //p'; }
flowing() { local a; a="$(age)"; [ -n "$a" ] && "$py" -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 5 else 1)' "$a"; }
check "A's camera0 streams: stream_ready 1, bytes received, last-data age under 5 s" \
    wait_for 20 bash -c "$(declare -f flowing age); health_a=${health[a]}; py=$py; declare -A health=([a]=\$health_a); flowing \
        && curl -s 'http://127.0.0.1:${health[a]}/metrics' | grep -q '^camera_station_camera_stream_ready{camera=\"camera0\"} 1' \
        && curl -s 'http://127.0.0.1:${health[a]}/metrics' | grep -Eq '^camera_station_camera_received_bytes_total\{camera=\"camera0\"\} [1-9]'"
pub="$(publisher)"
if [ -n "$pub" ]; then
    kill -STOP "$pub"
    stalled_alert() { alerts | grep -Eq "^CameraStationStreamStalled $A (pending|firing)\$"; }
    if wait_for 40 stalled_alert; then
        ok "A's camera0 publisher frozen: last-data age $(age) s, CameraStationStreamStalled pending for A"
    else
        bad "A's camera0 publisher frozen: no CameraStationStreamStalled for A (age $(age); alerts: $(alerts | tr '\n' ';'))"
    fi
    kill -CONT "$pub"
    check "A's camera0 publisher resumed: data flows again (age under 5 s)" wait_for 20 flowing
else
    bad "A's camera0 publisher not found under A's MediaMTX"
fi

# Event-loop stall: A stopped (SIGSTOP) for 3 s; once it runs again its
# main loop notices the late timer and reports the stall for a minute.
stall() { curl -s --max-time 5 "http://127.0.0.1:${health[a]}/metrics" | sed -n 's/^camera_station_event_loop_stall_seconds //p'; }
before="$(stall)"
kill -STOP "${spid[a]}"; sleep 3; kill -CONT "${spid[a]}"
stall_seen() { "$py" -c 'import sys; sys.exit(0 if 2.5 <= float(sys.argv[1]) < 10 else 1)' "$(stall)"; }
if wait_for 10 stall_seen; then
    ok "A stopped for 3 s: camera_station_event_loop_stall_seconds $before -> $(stall)"
else
    bad "A stopped for 3 s: camera_station_event_loop_stall_seconds $before -> $(stall) (expected 2.5..10)"
fi

echo "prometheus: $passed passed, $failed failed"
[ "$failed" = 0 ]
