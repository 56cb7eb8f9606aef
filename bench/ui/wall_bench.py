#!/usr/bin/env python3
"""The instant-wall benchmark: the real camera-station with its window on a
private Xvfb (1280x800), 4 demo cameras on the MediaMTX stand-in, driven with
xdotool like an operator. Per start it measures, from the tiles' own log lines
(STATION_UI_STATS=1: "ui-stats state <camera> <state>" with the log's ms clock):

  start      process start -> all 4 tiles live
  return     tap Live after 3 s on Library -> all 4 tiles live
  return15   the same after 15 s on Library (past the feeds' 10 s decode linger)
  view       tap a tile -> the camera view live
  dead       MediaMTX SIGKILLed -> all 4 tiles not live
  back       MediaMTX answering again ("state RUNNING") -> all 4 tiles live
             (negative: the pictures were back before the API check said so)

and prints p50 / p95 / max over the starts, one row each, also appended to
--results as bench/run's TSV. Usage:
  bench/ui/wall_bench.py [--build-dir build] [--starts 10] [--results FILE]
"""
import argparse, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAMS = ["camera0", "camera1", "camera2", "camera3"]
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) .*ui-stats state (\S+) (\S+)")
RUNNING = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) .*station\.mediamtx: state RUNNING")


def ts(stamp):
    return time.mktime(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + int(stamp[20:23]) / 1000.0


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Run:
    def __init__(self, build, display, work):
        self.log_path = os.path.join(work, "ui.log")
        p = free_ports(9)
        sets = ["server.host=127.0.0.1", f"server.port={p[0]}", "health.host=127.0.0.1", f"health.port={p[1]}",
                f"mediamtx.binary={ROOT}/tests/support/mediamtx-standin/mediamtx-standin", f"mediamtx.api_port={p[2]}",
                f"mediamtx.rtsp_port={p[3]}", f"mediamtx.hls_port={p[4]}", f"mediamtx.webrtc_port={p[5]}",
                f"mediamtx.webrtc_udp_port={p[6]}", f"mediamtx.metrics_port={p[7]}", f"mediamtx.playback_port={p[8]}",
                "cameras.demo=4"]
        args = [os.path.join(build, "bin", "camera-station"), "--data-dir", os.path.join(work, "data"), "--config", "/dev/null"]
        for s in sets:
            args += ["--set", s]
        env = dict(os.environ, DISPLAY=display, STATION_UI_STATS="1", TZ="UTC", QT_QPA_PLATFORM="xcb")
        self.log = open(self.log_path, "w")
        self.t0 = time.time()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.display = display

    def events(self):
        out, running = [], []
        with open(self.log_path, errors="replace") as f:
            for line in f:
                m = LINE.match(line)
                if m:
                    out.append((ts(m.group(1)), m.group(2), m.group(3)))
                m = RUNNING.match(line)
                if m:
                    running.append(ts(m.group(1)))
        return out, running

    def states_at(self, when, evs):
        st = {}
        for t, cam, s in evs:
            if t <= when:
                st[cam] = s
        return st

    def wait_all(self, since, pred, cams=CAMS, timeout=30):
        """First time >= since at which every camera's latest state satisfies pred."""
        end = time.time() + timeout
        while time.time() < end:
            evs, _ = self.events()
            st = self.states_at(since, evs)
            if all(pred(st.get(c, "")) for c in cams):
                return since
            for t, cam, s in evs:
                if t <= since:
                    continue
                st[cam] = s
                if all(pred(st.get(c, "")) for c in cams):
                    return t
            time.sleep(0.2)
        return None

    def click(self, x, y):
        t = time.time()  # before the click: the tiles may react before xdotool returns
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=dict(os.environ, DISPLAY=self.display), check=True)
        return t

    def key(self, k):
        subprocess.run(["xdotool", "key", k], env=dict(os.environ, DISPLAY=self.display), check=True)

    def standin_pid(self):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) != self.proc.pid:
                        continue
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if b"mediamtx-standin" in f.read():
                        return int(pid)
            except (OSError, ValueError, IndexError):
                pass
        return None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def one_start(build, display, work):
    r = Run(build, display, work)
    res = {}
    live = lambda s: s == "live"
    t = r.wait_all(r.t0, live, timeout=40)
    res["start"] = (t - r.t0) * 1000 if t else None
    if t is None:
        r.stop()
        return res
    time.sleep(2)
    for name, away in (("return", 3), ("return15", 15)):
        r.click(44, 124)             # Library
        time.sleep(away)
        c = r.click(44, 44)          # Live
        t = r.wait_all(c, live, timeout=10)
        res[name] = (t - c) * 1000 if t else None
        time.sleep(2)
    c = r.click(390, 230)            # the first tile
    t = r.wait_all(c - 0.001, live, cams=["camera0/view"], timeout=10)
    res["view"] = (t - c) * 1000 if t else None
    time.sleep(1)
    r.key("Escape")
    time.sleep(2)
    pid = r.standin_pid()
    if pid:
        k = time.time()
        os.kill(pid, signal.SIGKILL)
        dead = r.wait_all(k, lambda s: s not in ("live", ""), timeout=10)
        res["dead"] = (dead - k) * 1000 if dead else None
        t = r.wait_all(dead, live, timeout=30) if dead else None
        _, running = r.events()
        up = [x for x in running if x > k]
        res["back"] = (t - up[0]) * 1000 if (t and up) else None
    r.stop()
    return res


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
    disp = 90 + os.getpid() % 50
    xvfb = subprocess.Popen(["Xvfb", f":{disp}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    results = []
    try:
        for i in range(a.starts):
            with tempfile.TemporaryDirectory(prefix="station-wall.") as work:
                r = one_start(os.path.abspath(a.build_dir), f":{disp}", work)
                if a.keep_logs:
                    os.makedirs(a.keep_logs, exist_ok=True)
                    shutil.copy(os.path.join(work, "ui.log"), os.path.join(a.keep_logs, f"start{i + 1}.log"))
                print(f"start {i + 1}: " + ", ".join(f"{k} {v:.0f} ms" if v is not None else f"{k} -" for k, v in r.items()), flush=True)
                results.append(r)
    finally:
        xvfb.terminate()
    targets = {"start": ("UI wall: app start -> all 4 tiles live", 2000),
               "return": ("UI wall: back to the wall after 3 s away -> live", 500),
               "return15": ("UI wall: back to the wall after 15 s away -> live", 500),
               "view": ("UI wall: open the camera view -> live", 500),
               "dead": ("UI wall: MediaMTX killed -> every tile not live", 1500),
               "back": ("UI wall: MediaMTX ready -> every tile live again", 3000)}
    rows = []
    for key, (label, target) in targets.items():
        vals = sorted(r[key] for r in results if r.get(key) is not None)
        missing = sum(1 for r in results if r.get(key) is None)
        if not vals:
            rows.append(["ui", label, "0", "-", "-", "-", f"{missing} runs without a value", f"<= {target} ms (p95)", "-", "NO"])
            continue
        p95 = vals[min(len(vals) - 1, int(round(0.95 * (len(vals) - 1))))]
        met = "yes" if p95 <= target and missing == 0 else "NO"
        rows.append(["ui", label, f"{len(vals)} starts", f"{statistics.median(vals):.0f} ms", f"p95 {p95:.0f} ms", f"{vals[-1]:.0f} ms",
                     f"{missing} runs without a value" if missing else "all runs", f"<= {target} ms (p95)", "-", met])
    for row in rows:
        print(" | ".join(row))
    if a.results:
        with open(a.results, "a") as f:
            for row in rows:
                f.write("\t".join(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
