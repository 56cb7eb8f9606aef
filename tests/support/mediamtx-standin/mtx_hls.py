"""HLS server: enough of MediaMTX v1.20.1's (internal/servers/hls) for a real
client (ffmpeg, ffprobe, a browser with hls.js) to read a path.

What it mirrors (behaviour, not code):
- http_server.go onRequest: `GET /<path>/index.m3u8` without `cookieCheck=1`
  is answered 302 to the same URL with `cookieCheck=1` added (MediaMTX sets a
  partitioned cookie and falls back to the query over plain HTTP); with it, a
  new session is created: read access is checked (protocol `hls`, the raw query
  without `cookieCheck`, credentials from `Authorization`; authMethod http
  gets `token` from the query only through the station's own parsing), the
  path's stream is waited for like any reader (on-demand start), and the
  session's secret is added to the query as `session=` (sessionQueryParamName).
  Other files of the path need a live muxer and a known session secret, else
  401 `{"status":"error","error":"authentication error"}`.
- session.go: each session is a reader of the path, listed in `readers` as
  `{"type":"hlsSession","id":<uuid>}` (internal/defs/api_path.go), and closed
  after 30 s without a request (muxer_instance.go sessionCloseAfter).
- muxer.go: one muxer per path, a hidden reader (APIPathReaderTypeHidden,
  never listed), closed after hlsMuxerCloseAfter without a request; listed by
  /v3/hlsmuxers/list|get, sessions by /v3/hlssessions/list|get.

Differences: the muxer is an ffmpeg reading the path back over RTSP and
writing MPEG-TS segments (MediaMTX's default variant is lowLatency fMP4 with
parts); the playlists are ffmpeg's, with the session's query appended to
every URI; no CDN sessions, no kick, no hls.min.js page.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import signal
import tempfile
import urllib.parse
import uuid
from typing import Dict, Optional

import mtx_auth_http
from mtx_auth import parse_authorization
from mtx_conf import parse_duration
from mtx_http import Request, Response
from mtx_log import log, rfc3339nano
from mtx_rtsp import HIDDEN_UA, PathError

SESSION_CLOSE_AFTER = 30.0  # muxer_instance.go sessionCloseAfter
AUTH_ERROR = b'{"status":"error","error":"authentication error"}'


class Session:
    """One HLS client (session.go): a visible reader of its path."""
    reader_type = "hlsSession"
    hidden = False

    def __init__(self, muxer: "Muxer", remote: str, query: str, user: str, user_agent: str) -> None:
        self.muxer = muxer
        self.id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.created = dt.datetime.now()
        self.remote, self.query, self.user, self.user_agent = remote, query, user, user_agent
        self.last_request = asyncio.get_running_loop().time()
        self.outbound_bytes = 0
        self.closed = False

    def api(self) -> dict:
        return {"id": self.id, "created": rfc3339nano(self.created), "remoteAddr": self.remote,
                "path": self.muxer.path.name, "query": self.query, "user": self.user,
                "userAgent": self.user_agent, "isCDN": False, "outboundBytes": self.outbound_bytes}

    def deliver(self, track: int, rtcp: bool, payload: bytes) -> int:
        return 0  # sessions read through the muxer

    def kick(self, reason: str) -> None:
        self.muxer.close_session(self, reason)


class Muxer:
    """One path's segmenter (muxer.go): an internal ffmpeg reader, hidden."""

    def __init__(self, server: "HLSServer", path) -> None:
        self.server, self.path = server, path
        self.created = dt.datetime.now()
        self.last_request = asyncio.get_running_loop().time()
        self.dir = tempfile.mkdtemp(prefix="standin-hls-")
        self.proc: Optional[asyncio.subprocess.Process] = None
        self.sessions: Dict[str, Session] = {}  # by secret
        self.outbound_bytes = 0
        self.closed = False

    async def start(self) -> None:
        g = self.server.core.conf.global_
        seg = parse_duration(g.get("hlsSegmentDuration") or "1s") or 1
        count = int(g.get("hlsSegmentCount") or 7)
        url = "rtsp://127.0.0.1:%d/%s" % (self.path.mgr.rtsp_port(), self.path.name)
        argv = []
        if shutil.which("setpriv"):
            argv += ["setpriv", "--pdeathsig", "KILL"]
        argv += ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                 "-user_agent", HIDDEN_UA + "/hls", "-rtsp_transport", "tcp",
                 "-analyzeduration", "500000", "-probesize", "100000", "-i", url,
                 "-map", "0", "-c", "copy", "-f", "hls", "-hls_time", "%g" % seg,
                 "-hls_list_size", str(max(count, 3)), "-hls_flags", "delete_segments+independent_segments",
                 "-hls_segment_filename", os.path.join(self.dir, "seg%d.ts"),
                 os.path.join(self.dir, "stream.m3u8")]
        self.proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, start_new_session=True)
        log.info("[HLS] [muxer %s] created automatically" % self.path.name)

    async def wait_ready(self, timeout: float) -> bool:
        """True once the playlist lists a segment (MediaMTX answers the first
        playlist request only when the muxer has segments)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            if self.closed or (self.proc is not None and self.proc.returncode is not None):
                return False
            try:
                with open(os.path.join(self.dir, "stream.m3u8")) as f:
                    if ".ts" in f.read():
                        return True
            except OSError:
                pass
            await asyncio.sleep(0.1)
        return False

    def add_session(self, s: Session) -> None:
        self.sessions[s.secret] = s
        p = self.path
        p.readers[s.id] = s
        p._cancel_timer()
        log.info("[HLS] [session %s] is reading from muxer '%s'" % (s.id[:8], p.name))

    def close_session(self, s: Session, reason: str) -> None:
        if s.closed:
            return
        s.closed = True
        self.sessions.pop(s.secret, None)
        self.path.readers.pop(s.id, None)
        log.info("[HLS] [session %s] closed: %s" % (s.id[:8], reason))
        if not self.path.closed:
            self.path._check_idle()

    async def close(self, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        for s in list(self.sessions.values()):
            self.close_session(s, "muxer destroyed")
        if self.proc is not None and self.proc.returncode is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(self.proc.wait(), 5)
            except (ProcessLookupError, asyncio.TimeoutError):
                try:
                    self.proc.kill()
                except ProcessLookupError:
                    pass
                await self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        log.info("[HLS] [muxer %s] destroyed: %s" % (self.path.name, reason))

    def api(self) -> dict:
        return {"path": self.path.name, "created": rfc3339nano(self.created),
                "lastRequest": rfc3339nano(dt.datetime.now() - dt.timedelta(
                    seconds=asyncio.get_running_loop().time() - self.last_request)),
                "outboundBytes": self.outbound_bytes, "outboundFramesDiscarded": 0,
                "bytesSent": self.outbound_bytes}


class HLSServer:
    def __init__(self, core) -> None:
        self.core = core
        self.muxers: Dict[str, Muxer] = {}
        self.task: Optional[asyncio.Task] = None

    def start_cleanup(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._cleanup())

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        for m in list(self.muxers.values()):
            await m.close("terminated")
        self.muxers.clear()

    async def _cleanup(self) -> None:
        while True:
            await asyncio.sleep(SESSION_CLOSE_AFTER / 3)  # sessionCleanupPeriod
            now = asyncio.get_running_loop().time()
            close_after = parse_duration(self.core.conf.global_.get("hlsMuxerCloseAfter") or "60s") or 60
            for name, m in list(self.muxers.items()):
                for s in list(m.sessions.values()):
                    if now - s.last_request >= SESSION_CLOSE_AFTER:
                        m.close_session(s, "inactive")
                if now - m.last_request >= close_after or m.path.stream is None or m.path.closed:
                    self.muxers.pop(name, None)
                    await m.close("not used anymore" if m.path.stream is not None else "source is not available")

    def sessions(self):
        return [s for m in self.muxers.values() for s in m.sessions.values()]

    # ------------------------------------------------------------------ HTTP
    async def handle(self, req: Request) -> Response:
        if req.method != "GET":
            return Response(404, b"404 page not found", "text/plain")
        u = urllib.parse.urlsplit(req.target)
        rel = urllib.parse.unquote(u.path)[1:]
        if "/" not in rel:
            return Response(404, b"404 page not found", "text/plain")
        name, fname = rel.rsplit("/", 1)
        if fname == "index.m3u8":
            return await self._index(req, name, u.query)
        m = self.muxers.get(name)
        q = urllib.parse.parse_qs(u.query)
        s = m.sessions.get((q.get("session") or [""])[0]) if m is not None else None
        if s is None:
            return Response(401, AUTH_ERROR)
        now = asyncio.get_running_loop().time()
        s.last_request = m.last_request = now
        if fname not in ("stream.m3u8",) and not (fname.startswith("seg") and fname.endswith(".ts")):
            return Response(404, b"404 page not found", "text/plain")
        try:
            with open(os.path.join(m.dir, fname), "rb") as f:
                data = f.read()
        except OSError:
            return Response(404, b"404 page not found", "text/plain")
        if fname.endswith(".m3u8"):
            return Response(200, self._with_query(data, u.query), "application/vnd.apple.mpegurl",
                            {"Cache-Control": "no-cache"})
        s.outbound_bytes += len(data)
        m.outbound_bytes += len(data)
        return Response(200, data, "video/mp2t")

    @staticmethod
    def _with_query(playlist: bytes, query: str) -> bytes:
        out = []
        for line in playlist.decode().splitlines():
            if line and not line.startswith("#"):
                line += "?" + query
            out.append(line)
        return ("\n".join(out) + "\n").encode()

    async def _index(self, req: Request, name: str, query: str) -> Response:
        q = urllib.parse.parse_qsl(query, keep_blank_values=True)
        if ("cookieCheck", "1") not in q:
            loc = "/%s/index.m3u8?%s" % (urllib.parse.quote(name), urllib.parse.urlencode(q + [("cookieCheck", "1")]))
            return Response(302, b"", "text/plain", {"Location": loc})
        raw_query = urllib.parse.urlencode([kv for kv in q if kv[0] != "cookieCheck"])
        path = self.core.paths.paths.get(name)
        if path is None:
            return Response(404, b'{"status":"error","error":"path \'%s\' is not configured"}' % name.encode())
        remote = "%s:%d" % req.peer[:2]
        user = ""
        header = req.headers.get("authorization", "")
        if self.core.auth_http():
            creds = mtx_auth_http.http_credentials(header)
            areq = mtx_auth_http.AuthRequest(action="read", ip=req.peer[0], creds=creds, path=name,
                                             query=raw_query, protocol="hls", id=str(uuid.uuid4()),
                                             user_agent=req.headers.get("user-agent", ""))
            aerr = await self.core.authenticate_http(areq, path_manager=True)
            if aerr is not None:
                if aerr.ask_credentials:
                    return Response(401, AUTH_ERROR, headers={"WWW-Authenticate": 'Basic realm="mediamtx"'})
                await self.core.log_and_delay("[HLS] [conn %s]" % remote, aerr)
                return Response(401, AUTH_ERROR)
            user = creds.user
        else:
            creds = parse_authorization(header)
            if not self.core.auth.allowed("read", req.peer[0], creds, name):
                return Response(401, AUTH_ERROR, headers={"WWW-Authenticate": 'Basic realm="mediamtx"'})
            user = creds[0] if creds else ""
        probe = Session.__new__(Session)  # the on-demand start needs a reader's query only
        probe.query = raw_query
        try:
            await path.describe(probe)
        except PathError as e:
            return Response(404, b'{"status":"error","error":"%s"}' % str(e).encode())
        m = self.muxers.get(name)
        if m is None or m.closed:
            m = Muxer(self, path)
            self.muxers[name] = m
            await m.start()
        s = Session(m, remote, raw_query, user, req.headers.get("user-agent", ""))
        m.add_session(s)  # a reader from now on: keeps an on-demand source up
        if not await m.wait_ready(15):
            m.close_session(s, "muxer not ready")
            return Response(404, b'{"status":"error","error":"no stream is available"}')
        m.last_request = s.last_request = asyncio.get_running_loop().time()
        sq = raw_query + ("&" if raw_query else "") + "session=" + s.secret
        body = ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n\n"
                "#EXT-X-STREAM-INF:BANDWIDTH=2000000\nstream.m3u8?%s\n" % sq).encode()
        return Response(200, body, "application/vnd.apple.mpegurl", {"Cache-Control": "no-cache"})
