#!/bin/bash
# packaging/dev/station.sh run, end to end under Xvfb, without network:
#   demo     MediaMTX missing and the release server unreachable: the app
#            starts with the MediaMTX stand-in and two test-pattern cameras,
#            says "demo: ..." in the log and the window title, serves a
#            snapshot (a real JPEG from the test pattern) and readiness 200;
#            the run command prints the ports really bound (0 = any was asked).
#   online   the release server (a loopback HTTP server made here) has a
#            verified release: the run command installs it into the prefix,
#            runs the app with it, and there is no demo notice.
#   no-demo  --no-demo while offline: today's behaviour, no MediaMTX,
#            /health/ready 503 mediamtx_unavailable, no demo.
# Usage: tst_run_demo.sh BUILD_DIR   (ctest runs it under xvfb-run)
set -uo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
py=/usr/bin/python3
work="$(mktemp -d /tmp/tst-run-demo.XXXXXX)"
run_pid="" srv_pid=""
notice="demo: MediaMTX stand-in, test-pattern cameras — install MediaMTX for real cameras"

stop_run() {
    [ -n "$run_pid" ] || return 0
    kill -INT -- "-$run_pid" 2>/dev/null   # Ctrl+C: the whole process group
    local i
    for i in $(seq 150); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$run_pid" 2>/dev/null; then
        echo "       | the run command did not stop within 15 s after SIGINT: killing it"
        kill -KILL -- "-$run_pid" 2>/dev/null
    fi
    wait "$run_pid" 2>/dev/null; run_rc=$?
    run_pid=""
}
cleanup() {
    stop_run
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    [ "${TST_KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; sed 's/^/       | /' "$out" | tail -n 40; }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
wait_for() {  # seconds command...
    local t="$1"; shift
    local end=$((SECONDS + t))
    while [ $SECONDS -lt $end ]; do "$@" && return 0; sleep 0.2; done
    "$@"
}
free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1"; }

# start_run NAME [station.sh run arguments]: the run command in its own
# process group, MediaMTX searched for only in an empty folder, every port free.
start_run() {
    local name="$1"; shift
    out="$work/$name.out"
    mkdir -p "$work/$name/empty"
    local mtx=()
    for k in api_port rtsp_port hls_port webrtc_port webrtc_udp_port metrics_port playback_port; do
        mtx+=(--set "mediamtx.$k=$(free_port)")
    done
    env STATION_NO_SETUP=1 STATION_BUILD_DIR="$build" \
        STATION_DATA_DIR="$work/$name/data" STATION_DEMO_DATA_DIR="$work/$name/demo-data" \
        STATION_MEDIAMTX_PREFIX="$work/$name/opt" STATION_MEDIAMTX_SEARCH="$work/$name/empty" \
        MEDIAMTX_RELEASE_BASE_URL="$base" \
        setsid "$top/packaging/dev/station.sh" run --set server.port=0 --set health.port=0 \
        --set logging.level=info "${mtx[@]}" "$@" >"$out" 2>&1 &
    run_pid=$!
    api_port="" health_port=""
    wait_for 30 grep -q 'API: ws://127.0.0.1:[0-9]*/ws   health: http://127.0.0.1:[0-9]*/health' "$out" || return 1
    api_port="$(sed -n 's|.*API: ws://127.0.0.1:\([0-9]*\)/ws .*|\1|p' "$out" | head -n 1)"
    health_port="$(sed -n 's|.*health: http://127.0.0.1:\([0-9]*\)/health.*|\1|p' "$out" | head -n 1)"
}
# The announced ports are the ones bound: the app's own "serving:" line agrees,
# neither is the default, and both answer.
ports_are_real() {
    grep -q "serving: ws://0.0.0.0:$api_port/ws, health on port $health_port" "$out" \
        && [ "$api_port" != 8002 ] && [ "$health_port" != 8003 ] \
        && [ "$(http_code "http://127.0.0.1:$health_port/health/live")" = 200 ] \
        && [ "$(http_code "http://127.0.0.1:$api_port/files/snapshots/none.jpg")" != 000 ]
}
ready_is() { [ "$(http_code "http://127.0.0.1:$health_port/health/ready")" = "$1" ]; }
title_has() { xdotool search --name "$1" >/dev/null 2>&1; }

# A release server on loopback: nothing listens at first (offline).
base="http://127.0.0.1:$(free_port)"

# --- demo -------------------------------------------------------------------------
if start_run demo; then ok "demo: the run command announced its ports (API $api_port, health $health_port)"; else bad "demo: no port announcement"; fi
check "demo: it said why (offline) and that it starts the demo" \
    bash -c "grep -q 'this machine is offline' '$out' && grep -q 'starting the DEMO instead' '$out'"
check "demo: the announced ports are the ones bound (not 8002/8003), and answer" ports_are_real
check "demo: the app's log says: $notice" grep -qF "$notice" "$out"
check "demo: /health/ready 200 (the stand-in runs)" wait_for 30 ready_is 200
token="$("$build/bin/camera-station" --data-dir "$work/demo/demo-data" token --role operator --user demo-test 2>/dev/null)"
"$py" - "$api_port" "$token" >"$work/snap.json" 2>"$work/snap.err" <<'EOF'
import asyncio, json, sys
import websockets

async def main(port, token):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as ws:
        async def call(method, params, id_):
            await ws.send(json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": id_}))
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if msg.get("id") == id_:
                    return msg
        auth = await call("authenticate", {"auth_token": token}, 1)
        if "result" not in auth:
            raise SystemExit(f"authenticate failed: {auth}")
        print(json.dumps(await call("take_snapshot", {"device": "camera0"}, 2)))

asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
EOF
snap_file="$("$py" -c 'import json,sys; r=json.load(open(sys.argv[1]))["result"]; print(r["file_path"] if r["status"]=="SUCCESS" else "")' "$work/snap.json" 2>/dev/null)"
snap_ok() {
    [ -n "$snap_file" ] && [ -s "$snap_file" ] \
        && [ "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$snap_file")" = "mjpeg,640,360" ]
}
if snap_ok; then ok "demo: take_snapshot on camera0 wrote a 640x360 JPEG of the test pattern ($(stat -c %s "$snap_file") bytes)"
else bad "demo: take_snapshot: $(cat "$work/snap.json" "$work/snap.err")"; fi
if [ -n "${DISPLAY:-}" ]; then
    check "demo: the window title says: $notice" wait_for 20 title_has "Camera Station — $notice"
else
    bad "no DISPLAY: this test runs under xvfb-run (the window title cannot be checked)"
fi
stop_run
check "demo: Ctrl+C stops the app gracefully (exit 0) and the run command shows its shutdown" \
    bash -c "[ $run_rc = 0 ] && grep -q 'shutting down' '$out'"

# --- no-demo --------------------------------------------------------------------------
start_run nodemo --no-demo || bad "no-demo: no port announcement"
check "no-demo: offline, no MediaMTX: /health/ready 503 and no demo" \
    bash -c "$(declare -f wait_for ready_is http_code); health_port=$health_port; wait_for 20 ready_is 503 && ! grep -qF 'demo: MediaMTX stand-in' '$out' && ! grep -q 'starting the DEMO' '$out'"
stop_run

# --- online: a verified release is installed and used ---------------------------
mkdir -p "$work/www/v1.20.1" "$work/rel"
# The "release" is a MediaMTX that runs the stand-in: what matters here is
# that the run command installs what it verified and runs it.
printf '#!/bin/sh\nexec %q "$@"\n' "$top/tests/support/mediamtx-standin/mediamtx-standin" >"$work/rel/mediamtx"
chmod 0755 "$work/rel/mediamtx"
tarname="mediamtx_v1.20.1_linux_$(case "$(uname -m)" in x86_64) echo amd64;; aarch64) echo arm64v8;; armv7l) echo armv7;; *) uname -m;; esac).tar.gz"
tar -czf "$work/www/v1.20.1/$tarname" -C "$work/rel" mediamtx
(cd "$work/www/v1.20.1" && sha256sum "$tarname" >checksums.sha256)
"$py" -u -m http.server --bind 127.0.0.1 --directory "$work/www" 0 >"$work/http.log" 2>&1 &
srv_pid=$!
wait_for 5 grep -q 'Serving HTTP' "$work/http.log"
base="http://127.0.0.1:$(sed -n 's/.*Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$work/http.log")"
start_run online || bad "online: no port announcement"
check "online: the pinned release was verified and installed into the prefix" \
    bash -c "grep -q 'SHA-256 verified' '$out' && [ -x '$work/online/opt/mediamtx' ] && grep -q '$tarname' '$work/online/opt/INSTALLED'"
check "online: the app runs the installed MediaMTX (/health/ready 200)" wait_for 30 ready_is 200
check "online: no demo notice, no demo cameras" \
    bash -c "! grep -qF 'demo: MediaMTX stand-in' '$out' && ! grep -q 'Test pattern' '$out' && grep -q 'mediamtx.binary=$work/online/opt/mediamtx' '$out'"
if [ -n "${DISPLAY:-}" ]; then
    check "online: the window title is plain \"Camera Station\"" \
        bash -c "$(declare -f wait_for title_has); wait_for 20 title_has '^Camera Station\$'"
fi
stop_run

echo "run-demo: $passed passed, $failed failed"
[ "$failed" = 0 ]
