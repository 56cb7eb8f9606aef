#!/usr/bin/env python3
"""The instant-wall benchmark: the real camera-station with its window on a
private Xvfb (1280x800), 4 demo cameras on the MediaMTX stand-in, driven with
xdotool like an operator (tests/support/station_ui.py). Per start it measures,
from the tiles' own log lines (STATION_UI_STATS=1):

  start      process start -> all 4 tiles live
  return     tap Live after 3 s on Library -> all 4 tiles live
  return15   the same after 15 s on Library (past the feeds' 10 s decode linger)
  view       tap a tile -> the camera view live
  dead       MediaMTX SIGKILLed -> all 4 tiles not live
  back       MediaMTX answering again ("state RUNNING") -> all 4 tiles live
             (negative: the pictures were back before the API check said so)

and prints p50 / p95 / max over the starts, one row each, also appended to
--results as bench/run's TSV. Usage:
  bench/ui/wall_bench.py [--build-dir build] [--starts 10] [--results FILE] [--keep-logs DIR]
"""
import argparse, os, shutil, signal, statistics, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from station_ui import StationUi, Xvfb  # noqa: E402

CAMS = ["camera0", "camera1", "camera2", "camera3"]


def first_time_all(ui, since, pred, views=CAMS, timeout=30):
    """The first log time >= since at which every view's latest state satisfies pred."""
    end = time.time() + timeout
    while time.time() < end:
        state, hit = {}, None
        for t, view, s in ui.state_events():
            state[view] = s
            if t >= since and all(pred(state.get(v, "")) for v in views):
                hit = t
                break
        if hit is None and all(pred(state.get(v, "")) for v in views):
            hit = since  # already so before `since`, and still
        if hit is not None:
            return hit
        time.sleep(0.2)
    return None


def one_start(build, display, work):
    ui = StationUi(build, display, work)
    res = {}
    live = lambda s: s == "live"
    try:
        t = first_time_all(ui, ui.t0, live, timeout=40)
        res["start"] = (t - ui.t0) * 1000 if t else None
        if t is None:
            return res
        time.sleep(2)
        for name, away in (("return", 3), ("return15", 15)):
            ui.click(44, 124, away)          # Library
            c = ui.click(44, 44)             # Live
            t = first_time_all(ui, c, live, timeout=10)
            res[name] = (t - c) * 1000 if t else None
            time.sleep(2)
        c = ui.click(390, 230)               # the first tile
        t = first_time_all(ui, c, live, views=["camera0/view"], timeout=10)
        res["view"] = (t - c) * 1000 if t else None
        time.sleep(1)
        ui.key("Escape", 2)
        pid = ui.child_pid("mediamtx-standin")
        if pid:
            k = time.time()
            os.kill(pid, signal.SIGKILL)
            dead = first_time_all(ui, k, lambda s: s not in ("live", ""), timeout=10)
            res["dead"] = (dead - k) * 1000 if dead else None
            t = first_time_all(ui, dead, live, timeout=30) if dead else None
            # The pictures are often back before the supervisor's API check logs
            # RUNNING: wait for that line too, else the figure has no reference.
            up, wait_end = [], time.time() + 10
            while t and not up and time.time() < wait_end:
                up = [x for x in ui.log_times(r"station\.mediamtx: state RUNNING") if x > k]
                if not up:
                    time.sleep(0.2)
            res["back"] = (t - up[0]) * 1000 if (t and up) else None
            res["killlive"] = (t - k) * 1000 if t else None
    finally:
        ui.stop()
    return res


TARGETS = {"start": ("UI wall: app start -> all 4 tiles live", 2000),
           "return": ("UI wall: back to the wall after 3 s away -> live", 500),
           "return15": ("UI wall: back to the wall after 15 s away -> live", 500),
           "view": ("UI wall: open the camera view -> live", 500),
           "dead": ("UI wall: MediaMTX killed -> every tile not live", 1500),
           "back": ("UI wall: MediaMTX ready -> every tile live again", 3000),
           "killlive": ("UI wall: MediaMTX killed -> every tile live again (restart included)", None)}


def table(results):
    rows = []
    for key, (label, target) in TARGETS.items():
        vals = sorted(r[key] for r in results if r.get(key) is not None)
        missing = sum(1 for r in results if r.get(key) is None)
        if not vals:
            rows.append(["ui", label, "0", "-", "-", "-", f"{missing} runs without a value",
                         f"<= {target} ms (p95)" if target else "- (no target)", "-", "NO" if target else "-"])
            continue
        p95 = vals[min(len(vals) - 1, int(round(0.95 * (len(vals) - 1))))]
        met = ("yes" if p95 <= target and missing == 0 else "NO") if target else "-"
        rows.append(["ui", label, f"{len(vals)} starts", f"{statistics.median(vals):.0f} ms", f"p95 {p95:.0f} ms", f"{vals[-1]:.0f} ms",
                     f"{missing} runs without a value" if missing else "all runs",
                     f"<= {target} ms (p95)" if target else "- (no target)", "-", met])
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--starts", type=int, default=10)
    ap.add_argument("--results", default="")
    ap.add_argument("--keep-logs", default="", help="copy each start's log into this folder")
    a = ap.parse_args()
    for tool in ("Xvfb", "xdotool"):
        if not shutil.which(tool):
            print(f"wall_bench: {tool} not installed", file=sys.stderr)
            return 2
    x = Xvfb(1280, 800)
    results = []
    try:
        for i in range(a.starts):
            with tempfile.TemporaryDirectory(prefix="station-wall.") as work:
                r = one_start(os.path.abspath(a.build_dir), x.display, work)
                if a.keep_logs:
                    os.makedirs(a.keep_logs, exist_ok=True)
                    shutil.copy(os.path.join(work, "ui.log"), os.path.join(a.keep_logs, f"start{i + 1}.log"))
                print(f"start {i + 1}: " + ", ".join(f"{k} {v:.0f} ms" if v is not None else f"{k} -" for k, v in r.items()), flush=True)
                results.append(r)
    finally:
        x.stop()
    rows = table(results)
    for row in rows:
        print(" | ".join(row))
    if a.results:
        with open(a.results, "a") as f:
            for row in rows:
                f.write("\t".join(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
