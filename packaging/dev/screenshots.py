#!/usr/bin/env python3
"""Screenshots of the real app for the README: camera-station on a private
Xvfb with 4 demo cameras on the MediaMTX stand-in, driven with xdotool like a
user (a snapshot and a 4 s recording are made on the way, so the library and
the player have something to show). Writes docs/screenshots/*.png:
  1280x800: wall, camera, library, player, status, settings; 800x480: wall
Usage: packaging/dev/screenshots.py [--build-dir build] [--out docs/screenshots]
"""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class App:
    def __init__(self, build, width, height, work):
        self.display = f":{100 + os.getpid() % 50}"
        self.xvfb = subprocess.Popen(["Xvfb", self.display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        p = free_ports(9)
        sets = ["server.host=127.0.0.1", f"server.port={p[0]}", "health.host=127.0.0.1", f"health.port={p[1]}",
                f"mediamtx.binary={ROOT}/tests/support/mediamtx-standin/mediamtx-standin", f"mediamtx.api_port={p[2]}",
                f"mediamtx.rtsp_port={p[3]}", f"mediamtx.hls_port={p[4]}", f"mediamtx.webrtc_port={p[5]}",
                f"mediamtx.webrtc_udp_port={p[6]}", f"mediamtx.metrics_port={p[7]}", f"mediamtx.playback_port={p[8]}",
                "cameras.demo=4"]
        args = [os.path.join(build, "bin", "camera-station"), "--data-dir", os.path.join(work, "data"), "--config", "/dev/null"]
        for s in sets:
            args += ["--set", s]
        self.env = dict(os.environ, DISPLAY=self.display, STATION_UI_STATS="1", TZ="UTC", QT_QPA_PLATFORM="xcb")
        self.log_path = os.path.join(work, "ui.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)

    def live_count(self):
        state = {}
        with open(self.log_path, errors="replace") as f:
            for line in f:
                m = re.search(r"ui-stats state (camera\d) (\S+)", line)
                if m:
                    state[m.group(1)] = m.group(2)
        return sum(1 for s in state.values() if s == "live")

    def wait_live(self, n=4, timeout=60):
        end = time.time() + timeout
        while time.time() < end and self.live_count() < n:
            time.sleep(0.3)

    def click(self, x, y, settle=1.0):
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=self.env, check=True)
        time.sleep(settle)

    def key(self, k, settle=1.0):
        subprocess.run(["xdotool", "key", k], env=self.env, check=True)
        time.sleep(settle)

    def shot(self, path):
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=self.env, check=True, capture_output=True).stdout
        subprocess.run(["convert", "xwd:-", path], input=xwd, check=True)
        print("wrote", path)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.xvfb.terminate()
        self.log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    a = ap.parse_args()
    for tool in ("Xvfb", "xdotool", "xwd", "convert"):
        if not shutil.which(tool):
            print(f"screenshots: {tool} is not installed", file=sys.stderr)
            return 2
    os.makedirs(a.out, exist_ok=True)
    build = os.path.abspath(a.build_dir)
    with tempfile.TemporaryDirectory(prefix="station-shots.") as work:
        app = App(build, 1280, 800, work)
        try:
            app.wait_live()
            time.sleep(1)
            app.shot(os.path.join(a.out, "wall-1280x800.png"))
            app.click(390, 230, 1.5)                    # the first tile: camera view
            app.shot(os.path.join(a.out, "camera-1280x800.png"))
            app.click(937, 748, 2.0)                    # Snapshot
            app.click(1159, 748, 4.5)                   # Record ...
            app.click(1159, 748, 2.0)                   # ... and stop
            app.key("Escape")
            app.click(44, 124, 4.0)                     # Library (recordings), thumbnails made
            app.shot(os.path.join(a.out, "library-1280x800.png"))
            app.click(230, 200, 3.0)                    # the first recording: the player
            app.shot(os.path.join(a.out, "player-1280x800.png"))
            app.key("Escape")
            app.click(44, 204, 1.5)                     # Status
            app.shot(os.path.join(a.out, "status-1280x800.png"))
            app.click(44, 284, 1.5)                     # Settings
            app.shot(os.path.join(a.out, "settings-1280x800.png"))
        finally:
            app.stop()
    with tempfile.TemporaryDirectory(prefix="station-shots.") as work:
        app = App(build, 800, 480, work)
        try:
            app.wait_live()
            time.sleep(1)
            app.shot(os.path.join(a.out, "wall-800x480.png"))
        finally:
            app.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
