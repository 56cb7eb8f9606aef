"""Recording: fragmented MP4 segments written by an internal ffmpeg reader.

The recorder reads the path back over RTSP (hidden from the API's readers)
and writes fMP4 with `-c copy`, so files are real, playable and survive a
SIGKILL up to the last fragment — the properties the app relies on.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import signal
import time
from dataclasses import dataclass
from typing import List, Optional

from mtx_conf import parse_duration
from mtx_log import log, rfc3339nano
from mtx_rtsp import HIDDEN_UA

_TOKENS = re.compile(r"%path|%Y|%m|%d|%H|%M|%S|%f|%z|%s")


def ext_of(conf: dict) -> str:
    return ".ts" if conf.get("recordFormat") == "mpegts" else ".mp4"


def render(pattern: str, name: str, t: dt.datetime) -> str:
    """Expand recordPath placeholders for local time `t` (aware)."""
    def sub(m: re.Match) -> str:
        tok = m.group(0)
        if tok == "%path":
            return name
        if tok == "%f":
            return "%06d" % t.microsecond
        if tok == "%s":
            return str(int(t.timestamp()))
        if tok == "%z":
            off = t.utcoffset() or dt.timedelta(0)
            if not off:
                return "Z"
            mins = int(off.total_seconds()) // 60
            return "%s%02d%02d" % ("+" if mins >= 0 else "-", abs(mins) // 60, abs(mins) % 60)
        return t.strftime(tok)
    return _TOKENS.sub(sub, pattern)


@dataclass
class Segment:
    file: str
    start: dt.datetime

    @property
    def start_str(self) -> str:
        return rfc3339nano(self.start)


def _regex(pattern: str, name: str) -> re.Pattern:
    out, pos = [], 0
    groups = {"%Y": r"(?P<Y{n}>\d{{4}})", "%m": r"(?P<m{n}>\d{{2}})", "%d": r"(?P<d{n}>\d{{2}})",
              "%H": r"(?P<H{n}>\d{{2}})", "%M": r"(?P<M{n}>\d{{2}})", "%S": r"(?P<S{n}>\d{{2}})",
              "%f": r"(?P<f{n}>\d{{6}})", "%z": r"(?P<z{n}>Z|[+-]\d{{4}})", "%s": r"(?P<s{n}>\d+)"}
    for i, m in enumerate(_TOKENS.finditer(pattern)):
        out.append(re.escape(pattern[pos:m.start()]))
        tok = m.group(0)
        out.append(re.escape(name) if tok == "%path" else groups[tok].format(n=i))
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("^" + "".join(out) + "$")


def list_segments(conf: dict, name: str) -> List[Segment]:
    """Segments on disk for a path, oldest first (including the one being written)."""
    pattern = os.path.abspath(conf.get("recordPath", "")) + ext_of(conf)
    pattern_raw = conf.get("recordPath", "")
    if not os.path.isabs(pattern_raw):
        pattern = os.path.join(os.getcwd(), pattern_raw) + ext_of(conf)
    rx = _regex(pattern, name)
    first = _TOKENS.search(pattern)
    prefix = pattern[:first.start()] if first else pattern
    base = os.path.dirname(prefix) if not prefix.endswith("/") else prefix.rstrip("/")
    segs: List[Segment] = []
    if not os.path.isdir(base):
        return segs
    max_depth = pattern.count("/") - base.count("/") + 1
    for root, dirs, files in os.walk(base):
        if root.count("/") - base.count("/") >= max_depth:
            dirs[:] = []
        for f in files:
            full = os.path.join(root, f)
            m = rx.match(full)
            if not m:
                continue
            t = _time_of(m)
            if t is not None:
                segs.append(Segment(full, t))
    segs.sort(key=lambda s: s.start)
    return segs


def _time_of(m: re.Match) -> Optional[dt.datetime]:
    vals = {}
    for k, v in m.groupdict().items():
        vals.setdefault(k[0], v)
    try:
        if "s" in vals:
            t = dt.datetime.fromtimestamp(int(vals["s"])).astimezone()
            return t.replace(microsecond=int(vals.get("f", "0")))
        naive = dt.datetime(int(vals["Y"]), int(vals["m"]), int(vals["d"]), int(vals["H"]),
                            int(vals["M"]), int(vals["S"]), int(vals.get("f", "0")))
    except (KeyError, ValueError):
        return None
    z = vals.get("z")
    if z:
        if z == "Z":
            return naive.replace(tzinfo=dt.timezone.utc)
        sign = 1 if z[0] == "+" else -1
        return naive.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=int(z[1:3]), minutes=int(z[3:5]))))
    return naive.astimezone()  # the process's local time, like MediaMTX without %z


class Recorder:
    """Writes consecutive segments while the path's stream is available."""

    def __init__(self, path) -> None:
        self.path = path
        self.prefix = "[path %s] [recorder]" % path.name
        self.proc: Optional[asyncio.subprocess.Process] = None
        self.task: Optional[asyncio.Task] = None
        self.stopping = False
        self.current: Optional[str] = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """SIGINT ffmpeg so it finalises the segment, and wait for it."""
        self.stopping = True
        if self.proc is not None and self.proc.returncode is None:
            try:
                self.proc.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except asyncio.TimeoutError:  # internal helper, not a hook: may be killed
                self.proc.kill()
                await self.proc.wait()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, 15)
            except (asyncio.TimeoutError, asyncio.CancelledError, Exception):
                pass

    async def _until_first_part(self, hidden: str, out: str, running: Optional[asyncio.Task]) -> bool:
        """Rename `hidden` to `out` once it holds a complete fragment; False if
        ffmpeg ended first (or, with running=None, if there is none now)."""
        if hidden == out:
            return True
        while True:
            try:
                with open(hidden, "rb") as f:
                    if b"moof" in f.read(1 << 22):
                        os.rename(hidden, out)
                        return True
            except OSError:
                pass
            if running is None or running.done():
                return False
            await asyncio.sleep(0.05)

    def _argv(self, conf: dict, url: str, out: str) -> List[str]:
        seg = parse_duration(conf.get("recordSegmentDuration", "1h")) or 3600
        part = parse_duration(conf.get("recordPartDuration", "1s")) or 1
        argv = []
        if shutil.which("setpriv"):
            argv += ["setpriv", "--pdeathsig", "INT"]  # finalise if the stand-in dies
        argv += ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                 "-user_agent", HIDDEN_UA + "/recorder", "-rtsp_transport", "tcp",
                 "-analyzeduration", "500000", "-probesize", "100000",
                 "-i", url, "-map", "0", "-c", "copy", "-t", "%.3f" % seg]
        if ext_of(conf) == ".ts":
            argv += ["-f", "mpegts"]
        else:
            argv += ["-f", "mp4", "-flush_packets", "1",
                     "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
                     "-frag_duration", str(int(part * 1e6))]
        return argv + ["-y", out]

    async def _run(self) -> None:
        failures = 0
        log.info("%s started" % self.prefix)
        for _ in range(10**9):
            if self.stopping or self.path.stream is None:
                break
            conf = self.path.conf
            start = dt.datetime.now().astimezone()
            pattern = conf.get("recordPath", "")
            out = render(pattern, self.path.name, start) + ext_of(conf)
            out = os.path.abspath(out)
            try:
                os.makedirs(os.path.dirname(out), exist_ok=True)
            except OSError as e:
                log.error("%s %s" % (self.prefix, e))
                break
            url = "rtsp://127.0.0.1:%d/%s" % (self.path.mgr.rtsp_port(), self.path.name)
            # MediaMTX creates the segment file only when its first part is
            # complete (internal/recorder: the segment opens on the first part's
            # flush), so the file appears ~1 part after the first IDR. ffmpeg
            # writes a hidden name (not matched by the recordPath listing); it is
            # renamed into place, under its open descriptor, once the first
            # fragment (moof) is on disk. mpegts files appear at once.
            # Opt-in (STANDIN_RECORD_FIRST_PART=1) until the app counts a timed
            # recording from its first sample, not from the file's appearance:
            # with it, tst_media's 5 s recording is 6.1 s on disk.
            late = os.environ.get("STANDIN_RECORD_FIRST_PART") == "1" and ext_of(conf) == ".mp4"
            hidden = out + ".standin-partial" if late else out
            try:
                self.proc = await asyncio.create_subprocess_exec(
                    *self._argv(conf, url, hidden), stdin=asyncio.subprocess.DEVNULL, start_new_session=True)
            except OSError as e:
                log.error("%s cannot start ffmpeg: %s" % (self.prefix, e))
                break
            t0 = time.monotonic()
            wait = asyncio.get_running_loop().create_task(self.proc.wait())
            created = await self._until_first_part(hidden, out, wait)
            if created:
                self.current = out
                log.info("%s creating segment %s" % (self.prefix, out))
                self.path.segment_hook("runOnRecordSegmentCreate", out, None)
            code = await wait
            elapsed = time.monotonic() - t0
            if not created and await self._until_first_part(hidden, out, None):  # ended right after its first part
                created = True
                log.info("%s creating segment %s" % (self.prefix, out))
                self.path.segment_hook("runOnRecordSegmentCreate", out, None)
            if hidden != out and os.path.exists(hidden):
                os.remove(hidden)  # no complete part: MediaMTX would not have created a file
            self.current = None
            if os.path.exists(out) and os.path.getsize(out) > 0:
                log.info("%s closing segment %s" % (self.prefix, out))
                self.path.segment_hook("runOnRecordSegmentComplete", out, elapsed)
                failures = 0
            else:
                failures += 1
                if os.path.exists(out):
                    os.remove(out)
                log.warn("%s ffmpeg exited with code %d without writing %s" % (self.prefix, code, out))
                if not self.stopping:
                    await asyncio.sleep(min(0.5 * failures, 5))
        log.info("%s stopped" % self.prefix)
