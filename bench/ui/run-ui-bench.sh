#!/usr/bin/env bash
# UI wall benchmark: camera-station with its window (under xvfb-run, 1280x800),
# 4 demo cameras (640x360 at 25 fps) on the MediaMTX stand-in, so the wall is
# a 2x2 grid of tiles fed by the station's one decode per camera. The tiles
# log their statistics (STATION_UI_STATS=1, see qml/components/LiveVideo.qml):
#   ui-stats state <camera> <state> ms_after_tile_created N
#   ui-stats fps <camera> <fps over the last 5 s> frames N state S
# Reports: first frame per tile, fps per tile after a 15 s warm-up, the UI
# process's CPU (100% = one core) and RSS with its slope.
#
#   bench/ui/run-ui-bench.sh [--build-dir DIR] [--seconds 60] [--results FILE] [--work-dir DIR]
#
# The 30-minute memory target: --seconds 1800 (see bench/README.md).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build"
seconds=60
results=""
work=""
while (($#)); do
    case "$1" in
        --build-dir) build="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --results) results="$2"; shift 2 ;;
        --work-dir) work="$2"; shift 2 ;;
        *) echo "run-ui-bench: unknown option $1" >&2; exit 2 ;;
    esac
done
server="$build/bin/camera-station"
standin="$root/tests/support/mediamtx-standin/mediamtx-standin"
[[ -x "$server" ]] || { echo "run-ui-bench: $server not found" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "run-ui-bench: xvfb-run not installed" >&2; exit 2; }

own_work=0
if [[ -z "$work" ]]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/station-uibench.XXXXXX")"
    own_work=1
fi
mkdir -p "$work/data"
log="$work/ui.log"
xvfb_pid=""
ui_pid=""
cleanup() {
    [[ -n "$ui_pid" ]] && kill -TERM "$ui_pid" 2>/dev/null
    if [[ -n "$xvfb_pid" ]]; then
        for _ in $(seq 1 40); do kill -0 "$xvfb_pid" 2>/dev/null || break; sleep 0.25; done
        kill -TERM "$xvfb_pid" 2>/dev/null
    fi
    ((own_work)) && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r -a ports < <(python3 -c '
import socket
ss=[socket.socket() for _ in range(9)]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss: s.close()')
sets=(server.host=127.0.0.1 "server.port=${ports[0]}" health.host=127.0.0.1 "health.port=${ports[1]}"
      "mediamtx.binary=$standin" "mediamtx.api_port=${ports[2]}" "mediamtx.rtsp_port=${ports[3]}" "mediamtx.hls_port=${ports[4]}"
      "mediamtx.webrtc_port=${ports[5]}" "mediamtx.webrtc_udp_port=${ports[6]}" "mediamtx.metrics_port=${ports[7]}"
      "mediamtx.playback_port=${ports[8]}" cameras.demo=4)
args=(--data-dir "$work/data" --config /dev/null)
for s in "${sets[@]}"; do args+=(--set "$s"); done

echo "ui: xvfb-run -a -s '-screen 0 1280x800x24' $server ${args[*]}" >&2
t0=$(date +%s%N)
STATION_UI_STATS=1 TZ=UTC STANDIN_AUTH_FAIL_DELAY_S=0 QT_QUICK_BACKEND="${QT_QUICK_BACKEND:-}" \
    xvfb-run -a -s "-screen 0 1280x800x24" "$server" "${args[@]}" >"$log" 2>&1 &
xvfb_pid=$!

# The UI process: camera-station under xvfb-run.
find_ui() {
    local p
    for p in /proc/[0-9]*; do
        p="${p#/proc/}"
        [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == "camera-station" ]] || continue
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$work/data" && { echo "$p"; return; }
    done
}
for _ in $(seq 1 100); do ui_pid="$(find_ui)"; [[ -n "$ui_pid" ]] && break; sleep 0.1; done
if [[ -z "$ui_pid" ]]; then
    echo "run-ui-bench: the UI did not start; log:" >&2; tail -20 "$log" >&2
    [[ -n "$results" ]] && printf 'ui\tUI wall\t-\t-\t-\t-\tUI did not start\t-\t-\tNO\n' >>"$results"
    exit 0
fi
clk=$(getconf CLK_TCK)
samples="$work/samples.tsv"
: >"$samples"
end=$(( $(date +%s) + seconds ))
while (( $(date +%s) < end )) && kill -0 "$ui_pid" 2>/dev/null; do
    # t_ms  utime+stime(ticks)  rss_kb  machine_busy  machine_total
    st=$(cut -d')' -f2- "/proc/$ui_pid/stat" 2>/dev/null) || break
    cpu=$(awk '{print $12+$13}' <<<"$st")
    rss=$(awk '/^VmRSS:/{print $2}' "/proc/$ui_pid/status" 2>/dev/null)
    mach=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    printf '%s\t%s\t%s\t%s\n' "$(( ($(date +%s%N) - t0) / 1000000 ))" "$cpu" "$rss" "$mach" >>"$samples"
    sleep 2
done
alive=1
kill -0 "$ui_pid" 2>/dev/null || alive=0
kill -TERM "$ui_pid" 2>/dev/null
for _ in $(seq 1 60); do kill -0 "$xvfb_pid" 2>/dev/null || break; sleep 0.25; done
ui_pid=""

python3 - "$log" "$samples" "$clk" "$seconds" "$alive" "${results:-/dev/null}" "$(nproc)" <<'EOF'
import re, sys, statistics
log, samples, clk, seconds, alive, results, ncpu = sys.argv[1:8]
clk, seconds, alive, ncpu = int(clk), int(seconds), alive == "1", int(ncpu)
first, fps = {}, {}
for line in open(log, errors="replace"):
    m = re.search(r"ui-stats state (\S+) live ms_after_tile_created (\d+)", line)
    if m and m.group(1) not in first:
        first[m.group(1)] = (int(m.group(2)), int(m.group(2)))
    m = re.search(r"ui-stats fps (\S+) ([\d.]+) frames (\d+) state (\S+)", line)
    if m:
        fps.setdefault(m.group(1), []).append(float(m.group(2)))
rows = [[float(x) for x in l.split()] for l in open(samples) if l.strip()]
warm_ms = 15000
steady = [r for r in rows if r[0] >= warm_ms] or rows
def pct(a, b):
    return 100.0 * (b[1] - a[1]) / clk / ((b[0] - a[0]) / 1000) if b[0] > a[0] else 0
cpu = pct(steady[0], steady[-1]) if len(steady) > 1 else 0
mach = 100.0 * ncpu * (steady[-1][3] - steady[0][3]) / max(1, steady[-1][4] - steady[0][4]) if len(steady) > 1 else 0
rss = [(r[0] / 1000, r[2] / 1024) for r in steady]
slope = 0
if len(rss) > 2:
    xs, ys = [x for x, _ in rss], [y for _, y in rss]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 60 if den else 0
# fps per tile after the warm-up: the 5 s windows from the 4th on (the first 15 s skipped)
fps = {k: v for k, v in fps.items() if not k.endswith("/view")}  # wall tiles only
first = {k: v for k, v in first.items() if not k.endswith("/view")}
tile_fps = {k: statistics.mean(v[3:]) if len(v) > 3 else (statistics.mean(v) if v else 0) for k, v in fps.items()}
out = []
def row(metric, n, p50, p99, mx, detail, target, met):
    out.append("\t".join(["ui", metric, n, p50, p99, mx, detail, target, "-", met]))
ff_tile = sorted(v[1] for v in first.values())
ff_play = sorted(v[0] for v in first.values())
if ff_tile:
    row("UI first frame per tile (page opens at start: cold path)", f"{len(ff_tile)} tiles", f"{statistics.median(ff_tile):.0f} ms", "-", f"{ff_tile[-1]:.0f} ms",
        "first live picture after the tile appeared; publishers started on demand by the station's readers",
        "<= 1500 ms (warm path)", "n/a (cold)")
else:
    row("UI first frame per tile", "0 tiles", "-", "-", "-", "no frame logged", "<= 1500 ms (warm path)", "NO")
vals = sorted(tile_fps.values())
row("UI 2x2 wall 640x360@25: fps per tile", f"{len(vals)} tiles", f"{statistics.median(vals):.1f} fps" if vals else "-", f"min {vals[0]:.1f} fps" if vals else "-",
    f"max {vals[-1]:.1f} fps" if vals else "-", "; ".join(f"{k} {v:.1f}" for k, v in sorted(tile_fps.items())) or "no fps lines",
    ">= 24 fps each", "yes" if len(vals) == 4 and vals[0] >= 24 else "NO")
row("UI process CPU (2x2 wall)", "1", "-", "-", f"{cpu:.0f}% of one core", f"whole machine {mach:.0f}% of {ncpu} CPUs over the same window",
    "<= 150%", "yes" if cpu <= 150 and rows else "NO")
row(f"UI RSS over {seconds} s (after 15 s)", "1", f"{rss[0][1]:.1f} MB" if rss else "-", f"end {rss[-1][1]:.1f} MB" if rss else "-",
    f"{slope:+.2f} MB/min", "slope by least squares; 30-min target: see bench/README.md" + ("" if alive else "; UI EXITED EARLY"),
    "- (30-min run: no growth)", "-")
for l in out:
    print(l.replace("\t", " | "))
with open(results, "a") as f:
    for l in out:
        f.write(l + "\n")
EOF
exit 0
