"""Drive the real camera-station UI like a user, for benchmarks and the
README's screenshots: a private Xvfb (no auth, so xdotool and xwd reach it),
the app with N demo cameras on the MediaMTX stand-in on free loopback ports,
clicks and keys through xdotool, screenshots through xwd + ImageMagick.
The tiles' state comes from the app's log (STATION_UI_STATS=1:
"ui-stats state <camera> <state> ..." lines)."""
import calendar, os, re, signal, socket, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) .*ui-stats state (\S+) (\S+)")


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def log_time(stamp):
    """Seconds since the epoch of a log line's time (the app runs with TZ=UTC)."""
    return calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + int(stamp[20:23]) / 1000.0


class Xvfb:
    def __init__(self, width, height, number=None):
        self.display = f":{number if number is not None else 90 + os.getpid() % 100}"
        self.proc = subprocess.Popen(["Xvfb", self.display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class StationUi:
    def __init__(self, build, display, work, cameras=4, extra_args=()):
        self.display = display
        self.log_path = os.path.join(work, "ui.log")
        p = free_ports(9)
        sets = ["server.host=127.0.0.1", f"server.port={p[0]}", "health.host=127.0.0.1", f"health.port={p[1]}",
                f"mediamtx.binary={ROOT}/tests/support/mediamtx-standin/mediamtx-standin", f"mediamtx.api_port={p[2]}",
                f"mediamtx.rtsp_port={p[3]}", f"mediamtx.hls_port={p[4]}", f"mediamtx.webrtc_port={p[5]}",
                f"mediamtx.webrtc_udp_port={p[6]}", f"mediamtx.metrics_port={p[7]}", f"mediamtx.playback_port={p[8]}",
                f"cameras.demo={cameras}"]
        args = [os.path.join(build, "bin", "camera-station"), "--data-dir", os.path.join(work, "data"), "--config", "/dev/null"]
        for s in sets:
            args += ["--set", s]
        args += list(extra_args)
        self.env = dict(os.environ, DISPLAY=display, STATION_UI_STATS="1", TZ="UTC", QT_QPA_PLATFORM="xcb")
        self.log = open(self.log_path, "w")
        self.t0 = time.time()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)

    def state_events(self):
        """[(time, view, state)] from the log, in order."""
        out = []
        with open(self.log_path, errors="replace") as f:
            for line in f:
                m = STATE_LINE.match(line)
                if m:
                    out.append((log_time(m.group(1)), m.group(2), m.group(3)))
        return out

    def log_times(self, pattern):
        rx = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) .*" + pattern)
        with open(self.log_path, errors="replace") as f:
            return [log_time(m.group(1)) for m in map(rx.match, f) if m]

    def wait_live(self, views, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            state = {}
            for _, view, s in self.state_events():
                state[view] = s
            if all(state.get(v) == "live" for v in views):
                return True
            time.sleep(0.3)
        return False

    def click(self, x, y, settle=0.0):
        t = time.time()  # before the click: the app may react before xdotool returns
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=self.env, check=True)
        time.sleep(settle)
        return t

    def key(self, k, settle=0.0):
        subprocess.run(["xdotool", "key", k], env=self.env, check=True)
        time.sleep(settle)

    def shot(self, path):
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=self.env, check=True, capture_output=True).stdout
        subprocess.run(["convert", "xwd:-", path], input=xwd, check=True)

    def child_pid(self, name):
        """The pid of the app's child process whose command line contains name (e.g. the stand-in)."""
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) != self.proc.pid:
                        continue
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if name.encode() in f.read():
                        return int(pid)
            except (OSError, ValueError, IndexError):
                pass
        return None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
