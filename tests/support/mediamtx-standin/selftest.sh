#!/bin/bash
# Self-test of the MediaMTX stand-in: API, auth (internal; http in
# test_auth_http.py), RTSP read (ffmpeg and
# GStreamer), runOnDemand, recording, pull source, graceful shutdown.
# Loopback only; ports from STANDIN_RTSP_PORT / STANDIN_API_PORT or free ones.
# Exits non-zero on the first failure. Needs ffmpeg, ffprobe, gst-launch-1.0, curl.
set -u -o pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STANDIN="$HERE/mediamtx-standin"
WORK="$(mktemp -d /tmp/mediamtx-standin-selftest.XXXXXX)"
export TZ=UTC STANDIN_AUTH_FAIL_DELAY_S=0 STANDIN_REQUEST_LOG="$WORK/requests.jsonl"
PID=""
BG=()

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
RTSP_PORT="${STANDIN_RTSP_PORT:-$(free_port)}"
API_PORT="${STANDIN_API_PORT:-$(free_port)}"
PASS="selftest$RANDOM$RANDOM"
API="http://127.0.0.1:$API_PORT"
RTSP="rtsp://127.0.0.1:$RTSP_PORT"

cleanup() {
    for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$PID" 2>/dev/null
    fi
    pkill -INT -f "127.0.0.1:$RTSP_PORT/|localhost:$RTSP_PORT/" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "ok   - $*"; }
fail() {
    echo "FAIL - $*"
    echo "---- stand-in log (last 40 lines) ----"
    tail -n 40 "$WORK/standin.log" 2>/dev/null
    exit 1
}
api() { curl -s -m 10 -u "selftest:$PASS" "$@"; }
status_of() { curl -s -m 10 -o /dev/null -w '%{http_code}' "$@"; }

cat > "$WORK/mediamtx.yml" <<EOF
logLevel: info
api: yes
apiAddress: 127.0.0.1:$API_PORT
rtspAddress: 127.0.0.1:$RTSP_PORT
# No listener on a fixed default port (8000/8001 UDP, 8888, 8889, 8189):
# the stand-in opens every listener MediaMTX would.
rtspTransports: [tcp]
hls: no
webrtc: no
authInternalUsers:
  - user: any
    ips: ['127.0.0.1']
    permissions:
      - action: publish
      - action: read
  - user: selftest
    pass: will-be-overridden
    ips: ['127.0.0.1']
    permissions:
      - action: api
pathDefaults:
  recordPath: $WORK/rec/%path/%path_%Y-%m-%d_%H-%M-%S-%f
  recordDeleteAfter: 0s
  runOnDemandCloseAfter: 2s
paths:
  test:
    runOnDemand: ffmpeg -hide_banner -loglevel error -re -f lavfi -i testsrc2=size=640x360:rate=25 -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 25 -f rtsp -rtsp_transport tcp rtsp://localhost:\$RTSP_PORT/\$MTX_PATH
  pulled:
    source: $RTSP/test
    sourceOnDemand: yes
EOF

echo "# stand-in self-test: RTSP $RTSP_PORT, API $API_PORT, work dir $WORK"
[ "$("$STANDIN" --version)" = "v1.20.1-standin" ] || fail "--version"
pass "--version prints v1.20.1-standin"

/usr/bin/python3 "$HERE/test_rules.py" || fail "test_rules.py (v1.20.1 load-time rules)"
pass "test_rules.py: v1.20.1 load-time rules, table-driven"

/usr/bin/python3 "$HERE/test_auth_http.py" || fail "test_auth_http.py (authMethod http)"
pass "test_auth_http.py: authMethod http (manager.go authenticateHTTP) for RTSP, the API and metrics"

# A listener on a busy port ends the start, as in MediaMTX (internal/core/core.go).
BUSY_PORT="$(free_port)"
/usr/bin/python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); time.sleep(30)' "$BUSY_PORT" &
BG+=($!)
BUSY_UDP="$(free_port)"
/usr/bin/python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",int(sys.argv[1]))); time.sleep(30)' "$BUSY_UDP" &
BG+=($!)
sleep 0.5
printf 'api: no\nmetrics: no\nrtspAddress: 127.0.0.1:%s\nrtspTransports: [tcp]\nwebrtc: no\nhlsAddress: 127.0.0.1:%s\n' "$(free_port)" "$BUSY_PORT" > "$WORK/busy.yml"
out="$(timeout 10 "$STANDIN" "$WORK/busy.yml" 2>&1)"; rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "listen tcp 127.0.0.1:$BUSY_PORT: bind: address already in use" || fail "busy HLS port: rc=$rc out=$out"
printf 'api: no\nmetrics: no\nrtspAddress: 127.0.0.1:%s\nrtspTransports: [udp, tcp]\nrtpAddress: 127.0.0.1:%s\nrtcpAddress: 127.0.0.1:%s\nhls: no\nwebrtc: no\n' "$(free_port)" "$BUSY_UDP" "$(free_port)" > "$WORK/busy-udp.yml"
out="$(timeout 10 "$STANDIN" "$WORK/busy-udp.yml" 2>&1)"; rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "listen udp 127.0.0.1:$BUSY_UDP: bind: address already in use" || fail "busy RTP port: rc=$rc out=$out"
printf 'rtspTransports: [udp, tcp]\nrtpAddress: ""\n' > "$WORK/nortp.yml"
out="$(timeout 10 "$STANDIN" "$WORK/nortp.yml" 2>&1)"; rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "'rtpAddress' must be set when UDP is enabled" || fail "UDP without rtpAddress: rc=$rc out=$out"
printf 'paths:\n  cam:\n    source: rtsp://admin@10.0.0.1/s\n' > "$WORK/badsrc.yml"
out="$(timeout 10 "$STANDIN" "$WORK/badsrc.yml" 2>&1)"; rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "username and password must be both provided" || fail "user without password: rc=$rc out=$out"
pass "busy TCP and UDP listeners, missing rtpAddress and a user without password end the start (exit 1)"

printf 'foo: 1\n' > "$WORK/bad.yml"
out="$("$STANDIN" "$WORK/bad.yml")"; rc=$?
[ $rc -eq 1 ] && [ "$out" = 'ERR: json: unknown field "foo"' ] || fail "unknown YAML key: rc=$rc out=$out"
pass "unknown YAML key → ERR line, exit 1"

( cd "$WORK" && MTX_AUTHINTERNALUSERS_1_PASS="$PASS" exec "$STANDIN" "$WORK/mediamtx.yml" ) > "$WORK/standin.log" 2>&1 &
PID=$!
for _ in $(seq 50); do
    [ "$(status_of -u "selftest:$PASS" "$API/v3/info")" = 200 ] && break
    kill -0 "$PID" 2>/dev/null || fail "stand-in exited at startup"
    sleep 0.2
done
grep ' INF ' "$WORK/standin.log" | tail -n 1 | grep -q '\[API\] started with listener on' || fail "[API] line is not the last INF startup line"
pass "started; [API] line last; MTX_AUTHINTERNALUSERS_1_PASS applied"

# --- control API and auth
[ "$(status_of "$API/v3/info")" = 401 ] || fail "/v3/info without credentials is not 401"
curl -s -m 5 -D - -o /dev/null "$API/v3/info" | grep -qi '^WWW-Authenticate: Basic realm="mediamtx"' \
    || fail "no WWW-Authenticate header"
[ "$(status_of -u selftest:wrong "$API/v3/info")" = 401 ] || fail "wrong password is not 401"
api "$API/v3/info" | grep -q '"version":"v1.20.1-standin"' || fail "/v3/info body"
[ "$(status_of -H "Authorization: Bearer selftest:$PASS" "$API/v3/info")" = 200 ] || fail "Bearer user:pass"
[ "$(curl -s -m 5 "$API/v3/info")" = '{"status":"error","error":"authentication error"}' ] || fail "401 body without credentials"
[ "$(curl -s -m 5 -u selftest:wrong "$API/v3/info")" = '{"status":"error","error":"authentication error"}' ] || fail "401 body with a wrong password"
pass "/v3/info: 401 + WWW-Authenticate without credentials, 401 wrong (MediaMTX's JSON body both times), 200 Basic and Bearer"

body="$(api -X PATCH -d '{"foo":1}' -w ' %{http_code}' "$API/v3/config/paths/patch/test")"
[ "$body" = '{"status":"error","error":"json: unknown field \"foo\""} 400' ] || fail "unknown field: $body"
[ "$(api -o /dev/null -w '%{http_code}' -X PATCH "$API/v3/config/paths/patch/test")" = 400 ] || fail "empty body"
[ "$(api -o /dev/null -w '%{http_code}' "$API/v3/nope")" = 404 ] || fail "unknown route"
[ "$(api -o /dev/null -w '%{http_code}' "$API/v3/paths/list?itemsPerPage=0")" = 400 ] || fail "itemsPerPage=0"
grep -q '"method": "PATCH", "path": "/v3/config/paths/patch/test", "body": {"foo": 1}, "status": 400' \
    "$WORK/requests.jsonl" || fail "request log lacks the PATCH"
pass "PATCH unknown field → 400 json: unknown field; empty body 400; 404 route; itemsPerPage=0 400; JSONL log"

api "$API/v3/paths/get/test" | grep -q '"ready":false' || fail "idle path not listed as not ready"
pgrep -f "localhost:$RTSP_PORT/test" > /dev/null && fail "querying the API started runOnDemand"
pass "idle path listed; querying does not start runOnDemand"

# --- reading (starts runOnDemand)
timeout 25 ffmpeg -hide_banner -loglevel error -rtsp_transport tcp -i "$RTSP/test" -t 2 -f null - \
    || fail "ffmpeg TCP read of /test"
pass "ffmpeg -rtsp_transport tcp read 2 s of /test (runOnDemand started the publisher)"
timeout 25 ffmpeg -hide_banner -loglevel fatal -i "$RTSP/test" -t 1 -f null - || fail "ffmpeg UDP→TCP fallback"
pass "ffmpeg without -rtsp_transport falls back to TCP after 461"
timeout 25 gst-launch-1.0 -q -e rtspsrc location="$RTSP/test" ! rtph264depay ! avdec_h264 \
    ! fakesink num-buffers=25 > "$WORK/gst.log" 2>&1 || { cat "$WORK/gst.log"; fail "GStreamer read"; }
pass "gst-launch-1.0 rtspsrc decoded 25 frames"

# --- a long reader: path state, recording
timeout 40 ffmpeg -hide_banner -loglevel error -rtsp_transport tcp -i "$RTSP/test" -t 22 -f null - &
BG+=($!)
sleep 1.5
info="$(api "$API/v3/paths/get/test")"
echo "$info" | grep -q '"ready":true' || fail "paths/get not ready: $info"
echo "$info" | grep -q '"readers":\[{"type":"rtspSession"' || fail "paths/get has no reader: $info"
echo "$info" | grep -q '"codecProps":{"width":640,"height":360,"profile":"Baseline"' || fail "codecProps: $info"
pass "paths/get: ready, rtspSession source, 1 reader, H264 640x360 Baseline"

[ "$(api -o /dev/null -w '%{http_code}' -X PATCH -d '{"record":true}' "$API/v3/config/paths/patch/test")" = 200 ] \
    || fail "PATCH record on"
# MediaMTX creates the file when the first 1 s part after the first IDR closes: wait for it.
for _ in $(seq 60); do ls "$WORK"/rec/test/test_*.mp4 > /dev/null 2>&1 && break; sleep 0.1; done
ls "$WORK"/rec/test/test_*.mp4 > /dev/null 2>&1 || fail "no segment file 6 s after record on"
api "$API/v3/paths/get/test" | grep -q '"readers":\[{"type":"rtspSession","id":"[^"]*"}\]' \
    || fail "the recorder is listed as a reader"
sleep 2
api -X PATCH -d '{"record":false}' "$API/v3/config/paths/patch/test" > /dev/null
segs=("$WORK"/rec/test/test_*.mp4)
[ ${#segs[@]} -eq 1 ] || fail "expected 1 segment, got ${#segs[@]}"
dur="$(ffprobe -v error -show_entries format=duration -of csv=p=0 "${segs[0]}")"
awk -v d="$dur" 'BEGIN { exit !(d >= 2.5 && d <= 5.5) }' || fail "segment duration $dur not 4 ± 1.5 s"
start="$(api "$API/v3/recordings/get/test" | sed -n 's/.*"start":"\([^"]*\)".*/\1/p')"
base="$(basename "${segs[0]}" .mp4)"
expect="$(/usr/bin/python3 -c 'import datetime,sys; s=sys.argv[1].replace("Z","+00:00"); h,_,f=s[:-6].partition("."); t=datetime.datetime.fromisoformat(h+"."+(f+"000000")[:6]+s[-6:]); print(t.strftime("test_%Y-%m-%d_%H-%M-%S-%f"))' "$start")"
[ "$expect" = "$base" ] || fail "recordings start $start does not match file $base"
pass "record on 4 s → $base.mp4 (appeared after its first part, recorder hidden from readers), ffprobe $dur s, API start $start"

# Segments like v1.20.1 internal/recorder (format_fmp4_track.go, format_fmp4_segment.go):
# contiguous, cut at an IDR, each named after its first sample, mvhd duration set on close.
rm -f "$WORK"/rec/test/test_*.mp4
api -X PATCH -d '{"recordSegmentDuration":"2s","record":true}' "$API/v3/config/paths/patch/test" > /dev/null
sleep 5.5
api -X PATCH -d '{"record":false}' "$API/v3/config/paths/patch/test" > /dev/null
/usr/bin/python3 - "$WORK"/rec/test/test_*.mp4 <<'PY' || fail "contiguous segments"
import datetime, json, subprocess, sys
files = sorted(sys.argv[1:])
assert len(files) >= 2, "expected 2 or more segments, got %d" % len(files)
def start(f):
    return datetime.datetime.strptime(f.rsplit("/", 1)[1][5:-4], "%Y-%m-%d_%H-%M-%S-%f")
for a, b in zip(files, files[1:]):
    d = float(subprocess.check_output(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", a]))
    gap = (start(b) - start(a)).total_seconds() - d
    assert abs(gap) < 0.05, "%s: %.3f s, next starts %.3f s later" % (a, d, gap + d)
for f in files:
    key = subprocess.check_output(["ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
                                   "-show_entries", "packet=flags", "-of", "csv=p=0", f]).decode().split()[0]
    assert key.startswith("K"), "%s begins with a non-key frame (%s)" % (f, key)
    with open(f, "rb") as fh:
        data = fh.read(4096)
    i = data.index(b"mvhd")
    ver = data[i + 4]
    scale = int.from_bytes(data[i + 16:i + 20] if ver == 0 else data[i + 24:i + 28], "big")
    dur = int.from_bytes(data[i + 20:i + 24] if ver == 0 else data[i + 28:i + 36], "big")
    assert dur > 0 and scale > 0, "%s: mvhd duration %d" % (f, dur)
print("%d segments" % len(files))
PY
pass "recordSegmentDuration 2s: contiguous segments, each from a key frame, mvhd duration written on close"

# --- pull source
timeout 25 ffmpeg -hide_banner -loglevel error -rtsp_transport tcp -i "$RTSP/pulled" -t 2 -f null - \
    || fail "read of the rtsp:// source path"
pass "rtsp:// pull source path (sourceOnDemand) readable"

for p in "${BG[@]}"; do wait "$p" 2>/dev/null; done
BG=()

# --- graceful shutdown
kill -TERM "$PID"
rc=""
for _ in $(seq 100); do
    if ! kill -0 "$PID" 2>/dev/null; then wait "$PID"; rc=$?; break; fi
    sleep 0.1
done
[ "$rc" = 0 ] || fail "SIGTERM exit code '$rc'"
grep -q 'INF shutting down gracefully' "$WORK/standin.log" || fail "no 'shutting down gracefully'"
PID=""
sleep 0.3
if pgrep -af "ffmpeg.*$RTSP_PORT/"; then fail "ffmpeg processes left after shutdown"; fi
pass "SIGTERM → 'shutting down gracefully', exit 0, no ffmpeg left"
echo "# all checks passed"
