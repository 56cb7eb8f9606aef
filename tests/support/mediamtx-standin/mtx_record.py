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
import uuid
from dataclasses import dataclass
from typing import List, Optional, Tuple

from mtx_conf import parse_duration
from mtx_log import log, rfc3339nano
from mtx_rtsp import RECORDER_FIRST_IDR, RECORDER_UA

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


def write_duration(file: str, seconds: float) -> None:
    """Store a closed segment's duration in its moov/mvhd, as MediaMTX does on
    close (v1.20.1 internal/recorder/format_fmp4_segment.go: writeDuration,
    called from the segment's close). ffmpeg's empty_moov leaves it 0."""
    with open(file, "r+b") as f:
        head = f.read(8)
        if len(head) < 8 or head[4:] != b"ftyp":
            raise ValueError("ftyp box not found")
        f.seek(int.from_bytes(head[:4], "big"))
        moov = f.read(8)
        if len(moov) < 8 or moov[4:] != b"moov":
            raise ValueError("moov box not found")
        box = f.read(8)
        if len(box) < 8 or box[4:] != b"mvhd":
            raise ValueError("mvhd box not found")
        at = f.tell()
        version = f.read(1)[0]
        if version == 1:
            f.seek(at + 4 + 16)
            scale = int.from_bytes(f.read(4), "big")
            f.write(int(round(seconds * scale)).to_bytes(8, "big"))
        else:
            f.seek(at + 4 + 8)
            scale = int.from_bytes(f.read(4), "big")
            f.write(min(int(round(seconds * scale)), 0xFFFFFFFF).to_bytes(4, "big"))


def _segment_rows(csv: str) -> List[Tuple[float, float]]:
    """(start, end) of each segment ffmpeg's segment muxer has finished, in order."""
    rows: List[Tuple[float, float]] = []
    try:
        with open(csv) as f:
            for line in f:
                parts = line.strip().rsplit(",", 2)
                if len(parts) == 3:
                    rows.append((float(parts[1]), float(parts[2])))
    except (OSError, ValueError):
        pass
    return rows


class Recorder:
    """Writes consecutive segments while the path's stream is available.

    Mirrors MediaMTX v1.20.1 internal/recorder (format_fmp4_track.go,
    format_fmp4_segment.go, format_fmp4_part.go):
    - nothing is recorded before the first IDR (the RTSP server holds the
      recorder's packets until one; mtx_rtsp.RTSPSession.deliver);
    - a segment's file is created only when its first part (recordPartDuration
      of samples) closes, and is named after the time of its first sample;
    - segments are contiguous: one ffmpeg run cuts them at the first key frame
      once recordSegmentDuration is reached (ffmpeg's segment muxer);
    - a segment gets its duration (mvhd) when it closes.
    Differences left: ffmpeg cuts at multiples of the segment duration from the
    start, MediaMTX at the segment duration from each segment's own start; the
    first file's name is the wall time the stand-in relayed the first IDR,
    MediaMTX's is that sample's NTP time (also the time it was received).
    """

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

    def _argv(self, conf: dict, url: str, ua: str, hidden: str, csv: str) -> List[str]:
        seg = parse_duration(conf.get("recordSegmentDuration", "1h")) or 3600
        part = parse_duration(conf.get("recordPartDuration", "1s")) or 1
        argv = []
        if shutil.which("setpriv"):
            argv += ["setpriv", "--pdeathsig", "INT"]  # finalise if the stand-in dies
        argv += ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                 "-user_agent", ua, "-rtsp_transport", "tcp",
                 "-analyzeduration", "500000", "-probesize", "100000",
                 "-i", url, "-map", "0", "-c", "copy",
                 "-f", "segment", "-segment_time", "%.3f" % seg, "-reset_timestamps", "1",
                 "-segment_list", csv, "-segment_list_type", "csv"]
        if ext_of(conf) == ".ts":
            argv += ["-segment_format", "mpegts"]
        else:
            argv += ["-segment_format", "mp4", "-segment_format_options",
                     "movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=%d:flush_packets=1"
                     % int(part * 1e6)]
        return argv + ["-y", hidden]

    @staticmethod
    def _has_part(file: str, mp4: bool) -> bool:
        try:
            if not mp4:
                return os.path.getsize(file) > 0
            with open(file, "rb") as f:
                return b"moof" in f.read(1 << 22)
        except OSError:
            return False

    async def _run(self) -> None:
        failures = 0
        log.info("%s started" % self.prefix)
        while not self.stopping and self.path.stream is not None:
            created, code = await self._run_once()
            if created < 0:
                break
            if created > 0:
                failures = 0
                continue
            failures += 1
            log.warn("%s ffmpeg exited with code %s without writing a segment" % (self.prefix, code))
            if not self.stopping:
                await asyncio.sleep(min(0.5 * failures, 5))
        log.info("%s stopped" % self.prefix)

    async def _run_once(self) -> Tuple[int, Optional[int]]:
        """One ffmpeg run: (segments created, exit code); -1 when it cannot start."""
        conf = self.path.conf
        ext = ext_of(conf)
        mp4 = ext == ".mp4"
        pattern = conf.get("recordPath", "")
        token = uuid.uuid4().hex[:12]
        ua = RECORDER_UA + token
        workdir = os.path.dirname(os.path.abspath(render(pattern, self.path.name, dt.datetime.now().astimezone()) + ext))
        try:
            os.makedirs(workdir, exist_ok=True)
        except OSError as e:
            log.error("%s %s" % (self.prefix, e))
            return -1, None
        # ffmpeg writes hidden names (not matched by the recordPath listing);
        # each is renamed into place, under ffmpeg's open descriptor, once its
        # first part is on disk, as MediaMTX creates the file only then.
        hidden = os.path.join(workdir, ".standin-rec-%s-%%05d%s" % (token, ext))
        csv = os.path.join(workdir, ".standin-rec-%s.csv" % token)
        url = "rtsp://127.0.0.1:%d/%s" % (self.path.mgr.rtsp_port(), self.path.name)
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self._argv(conf, url, ua, hidden, csv), stdin=asyncio.subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            log.error("%s cannot start ffmpeg: %s" % (self.prefix, e))
            return -1, None
        wait = asyncio.get_running_loop().create_task(self.proc.wait())
        created: List[str] = []
        closed = 0
        try:
            while True:
                exited = wait.done()
                rows = _segment_rows(csv)
                while True:  # create the next segment once its first part is written
                    h = hidden % len(created)
                    if not os.path.exists(h) or not self._has_part(h, mp4):
                        break
                    first = RECORDER_FIRST_IDR.get(ua)
                    if first is None:
                        first = dt.datetime.now().astimezone()
                    if created:
                        if len(rows) < len(created):
                            break  # the previous segment's end is not listed yet
                        start = first + dt.timedelta(seconds=rows[len(created) - 1][1] - rows[0][0])
                    else:
                        start = first
                    out = os.path.abspath(render(pattern, self.path.name, start) + ext)
                    try:
                        os.makedirs(os.path.dirname(out), exist_ok=True)
                        os.rename(h, out)
                    except OSError as e:
                        log.error("%s %s" % (self.prefix, e))
                        break
                    created.append(out)
                    self.current = out
                    log.info("%s creating segment %s" % (self.prefix, out))
                    self.path.segment_hook("runOnRecordSegmentCreate", out, None)
                while closed < len(created) and closed < len(rows):  # finished by ffmpeg
                    out = created[closed]
                    duration = rows[closed][1] - rows[closed][0]
                    if mp4:
                        try:
                            write_duration(out, duration)
                        except (OSError, ValueError) as e:
                            log.warn("%s %s: %s" % (self.prefix, out, e))
                    if self.current == out:
                        self.current = None
                    log.info("%s closing segment %s" % (self.prefix, out))
                    self.path.segment_hook("runOnRecordSegmentComplete", out, duration)
                    closed += 1
                if exited:
                    break
                await asyncio.sleep(0.05)
        finally:
            code = await wait
            self.current = None
            RECORDER_FIRST_IDR.pop(ua, None)
            for i in range(len(created), len(created) + 2):  # never got a part: no file, like MediaMTX
                if os.path.exists(hidden % i):
                    os.remove(hidden % i)
            if os.path.exists(csv):
                os.remove(csv)
        return len(created), code
