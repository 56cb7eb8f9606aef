#!/usr/bin/env python3
"""Screenshots of the real app for the README: camera-station on a private
Xvfb with 4 demo cameras on the MediaMTX stand-in, driven with xdotool like a
user (tests/support/station_ui.py); a snapshot and a 4 s recording are made on
the way, so the library and the player have something to show. Writes
docs/screenshots/*.png: at 1280x800 wall, camera, library, player, status,
settings; at 800x480 the wall.
Usage: packaging/dev/screenshots.py [--build-dir build] [--out docs/screenshots]
"""
import argparse, os, shutil, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from station_ui import StationUi, Xvfb  # noqa: E402

CAMS = ["camera0", "camera1", "camera2", "camera3"]


def session(build, width, height, steps):
    """Runs the app at width x height; steps(ui) clicks and shoots."""
    x = Xvfb(width, height)
    try:
        with tempfile.TemporaryDirectory(prefix="station-shots.") as work:
            ui = StationUi(build, x.display, work)
            try:
                if not ui.wait_live(CAMS):
                    raise SystemExit("screenshots: the tiles did not go live; log: " + ui.log_path)
                time.sleep(1)
                steps(ui)
            finally:
                ui.stop()
    finally:
        x.stop()


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
    out = lambda name: os.path.join(a.out, name)

    def desktop(ui):
        ui.shot(out("wall-1280x800.png"))
        ui.click(390, 230, 1.5)                    # the first tile: camera view
        ui.shot(out("camera-1280x800.png"))
        ui.click(937, 748, 2.0)                    # Snapshot
        ui.click(1159, 748, 4.5)                   # Record ...
        ui.click(1159, 748, 2.0)                   # ... and stop
        ui.key("Escape", 1.0)
        ui.click(44, 124, 4.0)                     # Library (recordings), thumbnails made
        ui.shot(out("library-1280x800.png"))
        ui.click(230, 200, 3.0)                    # the first recording: the player
        ui.shot(out("player-1280x800.png"))
        ui.key("Escape", 1.0)
        ui.click(44, 204, 1.5)                     # Status
        ui.shot(out("status-1280x800.png"))
        ui.click(44, 284, 1.5)                     # Settings
        ui.shot(out("settings-1280x800.png"))

    build = os.path.abspath(a.build_dir)
    session(build, 1280, 800, desktop)
    session(build, 800, 480, lambda ui: ui.shot(out("wall-800x480.png")))
    for name in sorted(os.listdir(a.out)):
        print("wrote", out(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
