"""Path manager: streams, readers, on-demand logic, hooks and recording."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from typing import Any, Dict, Optional

from mtx_conf import LIVE_PATH_KEYS, Conf, parse_duration, split_address
from mtx_hooks import Hook
from mtx_log import log, rfc3339nano
from mtx_media import parse_sdp, tracks_info
from mtx_record import Recorder, list_segments
from mtx_rtsp import PathError, RTSPSource


def is_rtsp_url(src: str) -> bool:
    return src.startswith("rtsp://") or src.startswith("rtsps://")


class Stream:
    """A published stream: its SDP, the readers it feeds, its byte counters."""

    def __init__(self, sdp: str, source_type: str, source_id: str) -> None:
        self.sdp = sdp
        _, self.medias = parse_sdp(sdp)
        self.tracks2 = tracks_info(self.medias)
        self.source_type, self.source_id = source_type, source_id
        self.readers: Dict[str, Any] = {}
        self.inbound_bytes = 0
        self.outbound_bytes = 0

    def describe_tracks(self) -> str:
        n = len(self.tracks2)
        return "%d %s (%s)" % (n, "track" if n == 1 else "tracks", ", ".join(t["codec"] for t in self.tracks2))

    def feed(self, track: int, rtcp: bool, payload: bytes) -> None:
        self.inbound_bytes += len(payload)
        for r in list(self.readers.values()):
            n = r.deliver(track, rtcp, payload)
            if not r.hidden:
                self.outbound_bytes += n


class Path:
    """One configured path (MediaMTX's path object)."""

    def __init__(self, mgr: "PathManager", name: str, conf: Dict[str, Any]) -> None:
        self.mgr, self.name, self.conf = mgr, name, conf
        self.prefix = "[path %s]" % name
        self.stream: Optional[Stream] = None
        self.publisher: Any = None
        self.readers: Dict[str, Any] = {}
        self.available_time: Optional[dt.datetime] = None
        self.stream_event = asyncio.Event()
        self.init_hook: Optional[Hook] = None
        self.demand_hook: Optional[Hook] = None
        self.available_hook: Optional[Hook] = None
        self.read_hooks: Dict[str, Hook] = {}
        self.static_source: Optional[RTSPSource] = None
        self.demand_source: Optional[RTSPSource] = None
        self.pending = 0
        self.close_timer: Optional[asyncio.TimerHandle] = None
        self.recorder: Optional[Recorder] = None
        self.closed = False

    # ---------------------------------------------------------------- helpers
    def env(self, **extra: str) -> Dict[str, str]:
        e = {"MTX_PATH": self.name, "RTSP_PATH": self.name, "RTSP_PORT": str(self.mgr.rtsp_port())}
        e.update(extra)
        return e

    def _hook(self, key: str, restart_key: str = "", one_shot: bool = False, **extra: str) -> Optional[Hook]:
        cmd = self.conf.get(key) or ""
        if not cmd:
            return None
        restart = bool(self.conf.get(restart_key)) if restart_key else False
        return Hook(key, self.prefix, cmd, self.env(**extra), restart, one_shot).start()

    def segment_hook(self, key: str, file: str, duration: Optional[float]) -> None:
        extra = {"MTX_SEGMENT_PATH": file}
        if duration is not None:
            extra["MTX_SEGMENT_DURATION"] = "%g" % duration
        self._hook(key, one_shot=True, **extra)

    def visible_readers(self):
        return [r for r in self.readers.values() if not r.hidden]

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self.init_hook = self._hook("runOnInit", "runOnInitRestart")
        src = self.conf.get("source", "publisher")
        if is_rtsp_url(src) and not self.conf.get("sourceOnDemand"):
            self.static_source = RTSPSource(self, src)
            self.static_source.start()
        elif src not in ("publisher", "redirect") and not is_rtsp_url(src):
            log.warn("%s source '%s' is not supported by the stand-in" % (self.prefix, src))

    async def close(self, reason: str) -> None:
        """Drop everything the path owns; hooks get SIGINT and are awaited."""
        self.closed = True
        self._cancel_timer()
        for src in (self.static_source, self.demand_source):
            if src is not None:
                await src.stop()
        self.static_source = self.demand_source = None
        if self.publisher is not None:
            self.publisher.kick(reason)
        self._unset_stream(reason)
        for r in list(self.readers.values()):
            r.kick(reason)
        rec, self.recorder = self.recorder, None
        if rec:
            await rec.stop()
        for h in [self.demand_hook, self.init_hook, self.available_hook] + list(self.read_hooks.values()):
            if h is not None:
                await h.stop(reason)
        self.read_hooks.clear()
        self.demand_hook = self.init_hook = self.available_hook = None

    def update_live(self, conf: Dict[str, Any]) -> None:
        """record* / forward changes: no disruption, only the recorder reacts."""
        old = self.conf
        self.conf = conf
        rec_changed = any(old.get(k) != conf.get(k) for k in LIVE_PATH_KEYS if k != "record")
        if rec_changed and self.recorder is not None:
            r, self.recorder = self.recorder, None
            self.mgr.spawn(r.stop())
        self._update_recorder()

    # ---------------------------------------------------------------- on-demand
    async def describe(self, session) -> Stream:
        """A reader wants the stream: start on-demand sources and wait for them."""
        if self.stream is not None:
            return self.stream
        if self.closed:
            raise PathError(404, "path '%s' is closing" % self.name)
        src = self.conf.get("source", "publisher")
        if src == "publisher" and self.conf.get("runOnDemand"):
            timeout = parse_duration(self.conf.get("runOnDemandStartTimeout", "10s"))
            if self.demand_hook is None or not self.demand_hook.running:
                self.demand_hook = self._hook("runOnDemand", "runOnDemandRestart", MTX_QUERY=session.query)
        elif is_rtsp_url(src) and self.conf.get("sourceOnDemand"):
            timeout = parse_duration(self.conf.get("sourceOnDemandStartTimeout", "10s"))
            if self.demand_source is None:
                self.demand_source = RTSPSource(self, src)
                self.demand_source.start()
        else:
            raise PathError(404, "no stream is available on path '%s'" % self.name)
        self.pending += 1
        self._cancel_timer()
        try:
            await asyncio.wait_for(self._wait_stream(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            self.pending -= 1
        if self.stream is None:
            if self.pending == 0:
                await self._stop_demand("timed out")
            raise PathError(404, "source of path '%s' has timed out" % self.name)
        self._check_idle()
        return self.stream

    async def _wait_stream(self) -> None:
        while self.stream is None:
            await self.stream_event.wait()

    def _cancel_timer(self) -> None:
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None

    def _check_idle(self) -> None:
        if self.pending or self.visible_readers() or self.close_timer is not None:
            return
        if self.demand_hook is not None:
            after = parse_duration(self.conf.get("runOnDemandCloseAfter", "10s"))
        elif self.demand_source is not None:
            after = parse_duration(self.conf.get("sourceOnDemandCloseAfter", "10s"))
        else:
            return
        self.close_timer = asyncio.get_running_loop().call_later(after, self._on_close_timer)

    def _on_close_timer(self) -> None:
        self.close_timer = None
        if not self.pending and not self.visible_readers():
            self.mgr.spawn(self._stop_demand("not needed by anyone"))

    async def _stop_demand(self, reason: str) -> None:
        hook, self.demand_hook = self.demand_hook, None
        if hook is not None:
            await hook.stop(reason)
            self._hook("runOnUnDemand", one_shot=True)
        src, self.demand_source = self.demand_source, None
        if src is not None:
            await src.stop()
            self.remove_publisher(src)

    # ---------------------------------------------------------------- publisher
    def set_publisher(self, pub, sdp: str, source_type: str, source_id: str) -> Stream:
        if self.closed:
            raise PathError(400, "terminated")
        if self.publisher is not None and self.publisher is not pub:
            if not self.conf.get("overridePublisher", True):
                raise PathError(400, "someone is already publishing to path '%s'" % self.name)
            old = self.publisher
            self._unset_stream("replaced")
            old.kick("someone else is publishing to path '%s'" % self.name)
        self.publisher = pub
        self.stream = Stream(sdp, source_type, source_id)
        self.available_time = dt.datetime.now()
        self.stream_event.set()
        log.info("%s stream is available and online, %s" % (self.prefix, self.stream.describe_tracks()))
        self.available_hook = self._hook("runOnAvailable", "runOnAvailableRestart",
                                         MTX_SOURCE_TYPE=source_type, MTX_SOURCE_ID=source_id)
        self._update_recorder()
        return self.stream

    def remove_publisher(self, pub) -> None:
        if self.publisher is pub:
            self._unset_stream("publisher left")

    def _unset_stream(self, reason: str) -> None:
        st, self.stream, self.publisher = self.stream, None, None
        self.stream_event.clear()
        self.available_time = None
        if st is None:
            return
        log.info("%s stream is not available anymore" % self.prefix)
        for r in list(self.readers.values()):
            r.kick("source of path '%s' is not available anymore" % self.name)
        if self.available_hook is not None:
            self.mgr.spawn(self.available_hook.stop())
            self.available_hook = None
        self._hook("runOnUnavailable", one_shot=True, MTX_SOURCE_TYPE=st.source_type,
                   MTX_SOURCE_ID=st.source_id)
        self._update_recorder()
        if not self.closed:
            self._check_idle()

    # ---------------------------------------------------------------- readers
    def check_reader(self, session) -> None:
        mx = int(self.conf.get("maxReaders") or 0)
        if mx and not session.hidden and len(self.visible_readers()) >= mx:
            raise PathError(400, "maximum reader count reached")

    def add_reader(self, session) -> None:
        if self.stream is None or session.closed:
            session.kick("source of path '%s' is not available" % self.name)
            return
        self.readers[session.id] = session
        self.stream.readers[session.id] = session
        if not session.hidden:
            self._cancel_timer()
            h = self._hook("runOnRead", "runOnReadRestart", MTX_READER_TYPE="rtspSession",
                           MTX_READER_ID=session.id, MTX_QUERY=session.query)
            if h:
                self.read_hooks[session.id] = h

    def remove_reader(self, session) -> None:
        self.readers.pop(session.id, None)
        if self.stream is not None:
            self.stream.readers.pop(session.id, None)
        h = self.read_hooks.pop(session.id, None)
        if h is not None:
            self.mgr.spawn(h.stop())
            self._hook("runOnUnread", one_shot=True, MTX_READER_TYPE="rtspSession",
                       MTX_READER_ID=session.id, MTX_QUERY=session.query)
        if not session.hidden and not self.closed:
            self._check_idle()

    # ---------------------------------------------------------------- recording
    def _update_recorder(self) -> None:
        want = bool(self.conf.get("record")) and self.stream is not None and not self.closed
        if want and self.recorder is None:
            self.recorder = Recorder(self)
            self.recorder.start()
        elif not want and self.recorder is not None:
            r, self.recorder = self.recorder, None
            self.mgr.spawn(r.stop())

    # ---------------------------------------------------------------- API
    def api(self) -> Dict[str, Any]:
        st = self.stream
        t = rfc3339nano(self.available_time) if self.available_time else None
        # internal/core/path.go: listed readers sorted by type, then id (hidden ones left out).
        readers = sorted(({"type": getattr(r, "reader_type", "rtspSession"), "id": r.id} for r in self.visible_readers()),
                         key=lambda x: (x["type"], x["id"]))
        inb = st.inbound_bytes if st else 0
        outb = st.outbound_bytes if st else 0
        tracks2 = st.tracks2 if st else []
        return {"name": self.name, "confName": self.name,
                "source": {"type": st.source_type, "id": st.source_id} if st else None,
                "available": st is not None, "availableTime": t, "online": st is not None,
                "onlineTime": t, "tracks2": tracks2, "readers": readers, "inboundBytes": inb,
                "outboundBytes": outb, "inboundFramesInError": 0, "ready": st is not None,
                "readyTime": t, "tracks": [x["codec"] for x in tracks2], "bytesReceived": inb,
                "bytesSent": outb}


class PathManager:
    """Creates, updates and destroys paths to match the configuration."""

    def __init__(self, core) -> None:
        self.core = core
        self.paths: Dict[str, Path] = {}
        self.tasks: set = set()
        self.lock = asyncio.Lock()

    def rtsp_port(self) -> int:
        return split_address(self.core.conf.global_.get("rtspAddress", ":8554"), 8554)[1]

    def read_timeout(self) -> float:
        return parse_duration(self.core.conf.global_.get("readTimeout", "10s")) or 10.0

    def spawn(self, coro) -> None:
        t = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(t)
        t.add_done_callback(self.tasks.discard)

    async def apply(self, conf: Conf) -> None:
        async with self.lock:
            for name, p in list(self.paths.items()):
                if name not in conf.paths:
                    await p.close("path configuration removed")
                    del self.paths[name]
                    continue
                eff = conf.effective(name)
                if eff == p.conf:
                    continue
                changed = {k for k in set(eff) | set(p.conf) if eff.get(k) != p.conf.get(k)}
                if changed <= LIVE_PATH_KEYS:
                    p.update_live(eff)
                else:
                    await p.close("path configuration changed")
                    self.paths[name] = Path(self, name, eff)
                    self.paths[name].start()
            for name in conf.paths:
                if name not in self.paths:
                    self.paths[name] = Path(self, name, conf.effective(name))
                    self.paths[name].start()

    async def close_all(self) -> None:
        async with self.lock:
            await asyncio.gather(*(p.close("terminated") for p in self.paths.values()))
            self.paths.clear()
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=20)

    def segments(self, name: str):
        return list_segments(self.core.conf.effective(name), name)

    async def cleanup_loop(self) -> None:
        """recordDeleteAfter: delete segments older than the limit (not the one being written)."""
        while True:
            await asyncio.sleep(10)
            for name, p in list(self.paths.items()):
                limit = parse_duration(p.conf.get("recordDeleteAfter", "0s"))
                if not limit:
                    continue
                current = p.recorder.current if p.recorder else None
                for s in self.segments(name):
                    if s.file != current and time.time() - s.start.timestamp() > limit:
                        try:
                            os.remove(s.file)
                            log.info("[path %s] [recorder] deleted segment %s" % (name, s.file))
                        except OSError:
                            pass
