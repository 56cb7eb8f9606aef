"""A minimal RTSP 1.0 relay (TCP interleaved only) and an RTSP pull client.

Publishers: OPTIONS/ANNOUNCE/SETUP(mode=record)/RECORD. Readers: OPTIONS/
DESCRIBE/SETUP/PLAY. UDP transports get 461 so ffmpeg and GStreamer retry
over TCP. Packets are relayed unchanged; each reader has a bounded write
buffer and is dropped when it overflows, so one slow reader never stalls
the publisher or the other readers.
"""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import re
import socket
import urllib.parse
import uuid
from typing import Dict, List, Optional, Tuple

from mtx_auth import parse_authorization
import mtx_auth_http
from mtx_log import log, rfc3339nano
from mtx_media import parse_sdp, reader_sdp

# Internal readers (the recorder) identify themselves with this User-Agent:
# they are hidden from the API's readers and bypass auth, like MediaMTX's
# in-process recorder.
HIDDEN_UA = "mediamtx-standin-internal"
RECORDER_UA = HIDDEN_UA + "/recorder/"  # + a token per recorder run

# Wall time of the first IDR delivered to each recorder run, by user agent
# (read by mtx_record.Recorder to name its first segment).
RECORDER_FIRST_IDR: Dict[str, "dt.datetime"] = {}


def h264_rtp_starts_idr(packet: bytes) -> bool:
    """True if an RTP packet (RFC 6184) begins an access unit holding an IDR
    (type 5) or the SPS (type 7) an encoder sends in front of one: a single
    NAL unit, a STAP-A carrying one, or the first fragment of an FU-A IDR."""
    if len(packet) < 13 or packet[0] >> 6 != 2:
        return False
    off = 12 + 4 * (packet[0] & 0x0F)
    if packet[0] & 0x10:  # header extension
        if len(packet) < off + 4:
            return False
        off += 4 + 4 * int.from_bytes(packet[off + 2:off + 4], "big")
    if len(packet) <= off:
        return False
    typ = packet[off] & 0x1F
    if typ in (5, 7):
        return True
    if typ == 24:  # STAP-A: 16-bit sizes, then NAL units
        i = off + 1
        while i + 3 <= len(packet):
            size = int.from_bytes(packet[i:i + 2], "big")
            if packet[i + 2] & 0x1F in (5, 7):
                return True
            i += 2 + size
        return False
    if typ == 28 and len(packet) > off + 1:  # FU-A: start bit and the inner type
        return bool(packet[off + 1] & 0x80) and packet[off + 1] & 0x1F == 5
    return False
# A reader's backlog limit: writeQueueSize packets of ~1500 bytes (MediaMTX
# counts packets; the stand-in counts the bytes queued on the socket).
PACKET_BYTES = 1500
MAX_HEADER_LINES = 100
MAX_BODY = 1024 * 1024


class PathError(Exception):
    def __init__(self, status: int, msg: str) -> None:
        super().__init__(msg)
        self.status = status


REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           454: "Session Not Found", 455: "Method Not Valid In This State",
           461: "Unsupported Transport", 500: "Internal Server Error", 501: "Not Implemented"}


async def read_message(reader: asyncio.StreamReader):
    """Next item on an RTSP connection: ('frame', channel, payload) or
    ('msg', first_line, headers, body)."""
    first = await reader.readexactly(1)
    if first == b"$":
        hdr = await reader.readexactly(3)
        size = int.from_bytes(hdr[1:3], "big")
        return ("frame", hdr[0], await reader.readexactly(size))
    line = first + await reader.readline()
    while line in (b"\r\n", b"\n"):
        line = await reader.readline()
        if not line:
            raise asyncio.IncompleteReadError(b"", None)
    headers: Dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        h = await reader.readline()
        if not h:
            raise asyncio.IncompleteReadError(b"", None)
        if h in (b"\r\n", b"\n"):
            break
        k, _, v = h.decode("utf-8", "replace").partition(":")
        headers[k.strip().lower()] = v.strip()
    body = b""
    n = int(headers.get("content-length", "0") or 0)
    if n:
        if n > MAX_BODY:
            raise ValueError("body too large")
        body = await reader.readexactly(n)
    return ("msg", line.decode("utf-8", "replace").strip(), headers, body)


def parse_transport(value: str) -> Optional[Tuple[int, int, bool]]:
    """First TCP alternative of a Transport header → (rtp_ch, rtcp_ch, record)."""
    for alt in value.split(","):
        parts = [p.strip() for p in alt.split(";")]
        if not parts or "TCP" not in parts[0].upper():
            continue
        rec = any(p.lower() == "mode=record" or p.lower() == 'mode="record"' for p in parts)
        for p in parts:
            if p.startswith("interleaved="):
                a, _, b = p[12:].partition("-")
                try:
                    return int(a), int(b or int(a) + 1), rec
                except ValueError:
                    return None
        return -1, -1, rec
    return None


class RTSPSession:
    """One client connection (MediaMTX keeps one session per connection too)."""

    def __init__(self, server: "RTSPServer", reader, writer) -> None:
        self.server, self.reader, self.writer = server, reader, writer
        self.core = server.core
        self.id = str(uuid.uuid4())
        self.short = self.id.replace("-", "")[:8]
        self.rtsp_session = uuid.uuid4().hex[:16]
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.remote = "%s:%d" % (peer[0], peer[1])
        self.ip = peer[0]
        self.created = dt.datetime.now()
        self.state = "idle"
        self.path = None
        self.path_name = ""
        self.query = ""
        self.user = ""
        self.user_agent = ""
        self.hidden = False
        # A recorder reader gets nothing before the first IDR (track index of the
        # H.264 video, or None when not gated / already open).
        self.idr_gate: Optional[int] = None
        self.announced_sdp: Optional[str] = None
        self.stream = None
        self.ch_to_track: Dict[int, Tuple[int, bool]] = {}  # publisher: channel → (track, is_rtcp)
        self.track_to_ch: Dict[int, Tuple[int, int]] = {}  # reader: track → (rtp_ch, rtcp_ch)
        self.inbound_bytes = self.outbound_bytes = 0
        self.in_rtp = self.in_rtcp = self.out_rtp = self.out_rtcp = self.discarded = 0
        self.closed = False
        self.close_reason = ""
        self.close_after_response = False  # authMethod http: wrong credentials end the connection
        self.buffer_limit = max(64, int(self.core.conf.global_.get("writeQueueSize") or 512)) * PACKET_BYTES

    # ---- API
    def api(self) -> dict:
        return {"id": self.id, "created": rfc3339nano(self.created), "remoteAddr": self.remote,
                "state": self.state, "path": self.path_name, "query": self.query, "user": self.user,
                "userAgent": self.user_agent, "transport": "TCP" if self.track_to_ch or self.ch_to_track else None,
                "profile": "AVP" if self.track_to_ch or self.ch_to_track else None,
                "conns": [self.id],
                "inboundBytes": self.inbound_bytes, "outboundBytes": self.outbound_bytes,
                "inboundRTPPackets": self.in_rtp, "inboundRTPPacketsLost": 0,
                "inboundRTPPacketsInError": 0, "inboundRTPPacketsJitter": 0,
                "inboundRTCPPackets": self.in_rtcp, "inboundRTCPPacketsInError": 0,
                "outboundRTPPackets": self.out_rtp, "outboundRTPPacketsReportedLost": 0,
                "outboundRTPPacketsDiscarded": self.discarded, "outboundRTCPPackets": self.out_rtcp,
                "bytesReceived": self.inbound_bytes, "bytesSent": self.outbound_bytes,
                "rtpPacketsReceived": self.in_rtp, "rtpPacketsSent": self.out_rtp,
                "rtpPacketsLost": 0, "rtpPacketsInError": 0, "rtpPacketsJitter": 0,
                "rtcpPacketsReceived": self.in_rtcp, "rtcpPacketsSent": self.out_rtcp,
                "rtcpPacketsInError": 0}

    def conn_api(self) -> dict:
        return {"id": self.id, "created": rfc3339nano(self.created), "remoteAddr": self.remote,
                "bytesReceived": self.inbound_bytes, "bytesSent": self.outbound_bytes,
                "inboundBytes": self.inbound_bytes, "outboundBytes": self.outbound_bytes,
                "session": self.id, "tunnel": "none"}

    def kick(self, reason: str) -> None:
        """Close the connection; the read loop then cleans up path state."""
        if not self.close_reason:
            self.close_reason = reason
        self.closed = True  # no more deliveries
        self.writer.transport.abort()  # close() would first flush a slow reader's backlog

    # ---- relay (called by Stream.feed for readers)
    def deliver(self, track: int, rtcp: bool, payload: bytes) -> int:
        chans = self.track_to_ch.get(track)
        if chans is None or self.closed:
            return 0
        if self.idr_gate is not None:
            # MediaMTX's recorder drops every sample before the first random
            # access unit (v1.20.1 internal/recorder/format_fmp4.go, H264: no
            # DTS extractor and no sample until an IDR), so a recording always
            # begins with a key frame. The stand-in's ffmpeg recorder gets the
            # same: nothing, on any track, until the video starts an IDR.
            if rtcp or track != self.idr_gate or not h264_rtp_starts_idr(payload):
                return 0
            self.idr_gate = None
            RECORDER_FIRST_IDR[self.user_agent] = dt.datetime.now().astimezone()
        if self.writer.transport.get_write_buffer_size() > self.buffer_limit:
            self.discarded += 1
            log.warn("[RTSP] [session %s] reader is too slow (over %d queued bytes), closing"
                     % (self.short, self.buffer_limit))
            self.kick("reader is too slow")
            return 0
        ch = chans[1] if rtcp else chans[0]
        self.writer.write(b"$" + bytes([ch]) + len(payload).to_bytes(2, "big") + payload)
        self.outbound_bytes += len(payload)
        if rtcp:
            self.out_rtcp += 1
        else:
            self.out_rtp += 1
        return len(payload)

    # ---- connection loop
    async def run(self) -> None:
        log.info("[RTSP] [conn %s] opened" % self.remote)
        log.info("[RTSP] [session %s] created by %s" % (self.short, self.remote))
        try:
            while True:
                item = await read_message(self.reader)
                if item[0] == "frame":
                    self._on_frame(item[1], item[2])
                    continue
                _, line, headers, body = item
                resp = await self._on_request(line, headers, body)
                if resp is None:
                    continue
                self.writer.write(resp)
                if self.state == "teardown" or self.close_after_response:
                    break
                after = getattr(self, "_after_response", None)
                if after:
                    self._after_response = None
                    after()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            self.closed = True
            self._cleanup()
            self.writer.close()
            log.info("[RTSP] [session %s] destroyed: %s" % (self.short, self.close_reason or "EOF"))
            log.info("[RTSP] [conn %s] closed: %s" % (self.remote, self.close_reason or "EOF"))

    def _cleanup(self) -> None:
        if self.path is not None:
            if self.state == "publish":
                self.path.remove_publisher(self)
            elif self.state == "read":
                self.path.remove_reader(self)
        self.server.sessions.pop(self.id, None)

    def _on_frame(self, ch: int, payload: bytes) -> None:
        self.inbound_bytes += len(payload)
        if self.state == "publish" and self.stream is not None:
            tr = self.ch_to_track.get(ch)
            if tr is not None:
                if tr[1]:
                    self.in_rtcp += 1
                else:
                    self.in_rtp += 1
                self.stream.feed(tr[0], tr[1], payload)
        elif ch % 2 == 1:
            self.in_rtcp += 1

    def _resp(self, status: int, cseq: str, extra: Optional[Dict[str, str]] = None, body: bytes = b"") -> bytes:
        lines = ["RTSP/1.0 %d %s" % (status, REASONS.get(status, "Error")), "CSeq: " + cseq,
                 "Server: gortsplib"]
        for k, v in (extra or {}).items():
            for one in (v if isinstance(v, list) else [v]):
                lines.append("%s: %s" % (k, one))
        if body:
            lines.append("Content-Length: %d" % len(body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    async def _auth(self, action: str, name: str, headers: Dict[str, str], cseq: str,
                    url: str = "", method: str = "") -> Optional[bytes]:
        if self.hidden:
            return None
        if self.core.auth_http():
            return await self._auth_http(action, name, headers, cseq, url, method)
        creds = parse_authorization(headers.get("authorization", ""))
        if creds:
            self.user = creds[0]
        if self.core.auth.allowed(action, self.ip, creds, name):
            return None
        if not creds:
            return self._resp(401, cseq, {"WWW-Authenticate": 'Basic realm="mediamtx"'})
        log.info("[RTSP] [session %s] authentication failed" % self.short)
        return self._resp(401, cseq, {"WWW-Authenticate": 'Basic realm="mediamtx"'})

    async def _auth_http(self, action: str, name: str, headers: Dict[str, str], cseq: str,
                         url: str, method: str) -> Optional[bytes]:
        """authMethod http, as MediaMTX v1.20.1's RTSP server does it.

        internal/core/path_manager.go doDescribe/doFindPathConf/doAddReader:
        the path configuration is looked up first, so an unconfigured path is
        never sent to the auth server (the caller answers it). The request
        (internal/servers/rtsp/conn.go onDescribe, session.go onAnnounce and
        onSetup): protocol rtsp, the connection/session id, the raw query as
        gortsplib splits it, credentials from Basic/Digest (never a token:
        that comes from ?token= in getToken), and the User-Agent for ANNOUNCE
        and SETUP only (onDescribe does not pass it). A reader is asked twice:
        at DESCRIBE and at its first SETUP; a publisher once, at ANNOUNCE
        (RECORD has SkipAuth).

        Refused (conn.go handleAuthError, gortsplib server_conn.go
        handleAuthError): AskCredentials → 401 with the challenge, connection
        kept, no pause; otherwise pathManager's LogAndDelayError (warning,
        0-4 s pause), 401 without a challenge, and the connection is closed."""
        if name not in self.core.paths.paths:
            return None
        auth_header = headers.get("authorization")
        creds = mtx_auth_http.rtsp_credentials(auth_header)
        _, query = mtx_auth_http.rtsp_path_and_query(url, setup=method == "SETUP",
                                                     announce=method == "ANNOUNCE")
        areq = mtx_auth_http.AuthRequest(
            action=action, ip=self.ip, creds=creds, path=name, query=query, protocol="rtsp",
            id=self.id, user_agent=headers.get("user-agent", "") if method != "DESCRIBE" else "")
        aerr = await self.core.authenticate_http(areq, path_manager=True)
        if aerr is None:
            self.user = creds.user
            return None
        if aerr.ask_credentials and not mtx_auth_http.rtsp_credentials_provided(auth_header):
            return self._resp(401, cseq, {"WWW-Authenticate": self._challenge()})
        if not aerr.ask_credentials:
            # DESCRIBE is the connection's request (conn.go), the others the session's.
            who = "conn %s" % self.remote if method == "DESCRIBE" else "session %s" % self.short
            await self.core.log_and_delay("[RTSP] [%s]" % who, aerr)
        self.close_after_response = True
        self.close_reason = str(aerr)
        return self._resp(401, cseq)

    def _challenge(self) -> List[str]:
        """gortsplib v5.6.4 pkg/auth/www_authenticate.go GenerateWWWAuthenticate
        for rtspAuthMethods, realm "ipcam" (server.go serverAuthRealm)."""
        out = []
        for m in self.core.conf.global_.get("rtspAuthMethods") or ["basic"]:
            if m == "basic":
                out.append('Basic realm="ipcam"')
            elif m == "digest":
                if not getattr(self, "auth_nonce", ""):
                    self.auth_nonce = uuid.uuid4().hex
                out.append('Digest realm="ipcam", nonce="%s", algorithm="MD5"' % self.auth_nonce)
        return out

    def _path_of(self, url: str) -> Tuple[str, str]:
        u = urllib.parse.urlsplit(url)
        return urllib.parse.unquote(u.path).strip("/"), u.query

    async def _on_request(self, line: str, headers: Dict[str, str], body: bytes) -> Optional[bytes]:
        parts = line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("RTSP/"):
            if line.startswith("RTSP/"):
                return None  # a response to something we never send
            raise ValueError("bad request line")
        method, url, _ = parts
        cseq = headers.get("cseq", "0")
        if headers.get("user-agent"):
            self.user_agent = headers["user-agent"]
            self.hidden = self.user_agent.startswith(HIDDEN_UA)
        sess = {"Session": self.rtsp_session + ";timeout=60"}
        if method == "OPTIONS":
            return self._resp(200, cseq, {"Public": "DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, PAUSE, "
                                                    "GET_PARAMETER, SET_PARAMETER, TEARDOWN"})
        if method in ("GET_PARAMETER", "SET_PARAMETER"):
            return self._resp(200, cseq, sess if self.state != "idle" or self.track_to_ch else None)
        if method == "TEARDOWN":
            self.state_before = self.state
            self._cleanup_state()
            self.state = "teardown"
            self.close_reason = "torn down by %s" % self.remote
            return self._resp(200, cseq)
        if method == "DESCRIBE":
            return await self._describe(url, headers, cseq)
        if method == "ANNOUNCE":
            return await self._announce(url, headers, body, cseq)
        if method == "SETUP":
            return await self._setup(url, headers, cseq)
        if method == "PLAY":
            return self._play(cseq)
        if method == "RECORD":
            return self._record(cseq)
        if method == "PAUSE":
            return self._resp(200, cseq, sess)
        return self._resp(501, cseq)

    def _cleanup_state(self) -> None:
        self._cleanup()
        self.path = None

    async def _find_path(self, name: str, cseq: str):
        path = self.core.paths.paths.get(name)
        if path is None:
            log.info("[RTSP] [session %s] closed: path '%s' is not configured" % (self.short, name))
            return None, self._resp(404, cseq)
        return path, None

    async def _describe(self, url: str, headers, cseq: str) -> bytes:
        name, self.query = self._path_of(url)
        deny = await self._auth("read", name, headers, cseq, url, "DESCRIBE")
        if deny:
            return deny
        path, err = await self._find_path(name, cseq)
        if err:
            return err
        try:
            stream = await path.describe(self)
        except PathError as e:
            log.info("[RTSP] [session %s] %s" % (self.short, e))
            return self._resp(e.status, cseq)
        self.path_name = name
        # gortsplib v5.6.4 server_conn.go: Content-Base is the request URL as sent,
        # query included, plus "/": a reader's SETUP then carries ?token= too.
        base = url + "/"
        sdp = reader_sdp(stream.sdp).encode()
        return self._resp(200, cseq, {"Content-Base": base, "Content-Type": "application/sdp"}, sdp)

    async def _announce(self, url: str, headers, body: bytes, cseq: str) -> bytes:
        name, self.query = self._path_of(url)
        deny = await self._auth("publish", name, headers, cseq, url, "ANNOUNCE")
        if deny:
            return deny
        path = self.core.paths.paths.get(name)
        if path is None:
            log.info("[RTSP] [session %s] path '%s' is not configured" % (self.short, name))
            return self._resp(404, cseq)
        if path.conf.get("source") != "publisher":
            log.info("[RTSP] [session %s] can't publish to path '%s' with a static source" % (self.short, name))
            return self._resp(400, cseq)
        sdp = body.decode("utf-8", "replace")
        _, medias = parse_sdp(sdp)
        if not medias:
            return self._resp(400, cseq)
        self.announced_sdp = sdp
        self.path_name = name
        self.path = path
        return self._resp(200, cseq)

    async def _setup(self, url: str, headers, cseq: str) -> bytes:
        tr = parse_transport(headers.get("transport", ""))
        if tr is None:
            return self._resp(461, cseq)
        rtp_ch, rtcp_ch, _rec = tr
        full, query = self._path_of(url)
        sess = {"Session": self.rtsp_session + ";timeout=60"}
        if self.announced_sdp is not None:  # publisher
            _, medias = parse_sdp(self.announced_sdp)
            idx = None
            for i, m in enumerate(medias):
                c = m.control
                if c and (url == c or full.endswith("/" + c) or full == c):
                    idx = i
            if idx is None:
                idx = len({t for t, _ in self.ch_to_track.values()})
            if idx >= len(medias):
                return self._resp(400, cseq)
            if rtp_ch < 0:
                rtp_ch, rtcp_ch = idx * 2, idx * 2 + 1
            self.ch_to_track[rtp_ch] = (idx, False)
            self.ch_to_track[rtcp_ch] = (idx, True)
            return self._resp(200, cseq, dict(sess, Transport="RTP/AVP/TCP;unicast;interleaved=%d-%d;mode=record"
                                                % (rtp_ch, rtcp_ch)))
        # reader
        m = re.match(r"^(.*?)/?trackID=(\d+)$", full)
        name, idx = (m.group(1), int(m.group(2))) if m else (full, len(self.track_to_ch))
        if self.path_name and name != self.path_name and not m:
            name = self.path_name
        if not query:
            query = self.query
        if self.path is None:
            deny = await self._auth("read", name, headers, cseq, url, "SETUP")
            if deny:
                return deny
            path, err = await self._find_path(name, cseq)
            if err:
                return err
            try:
                await path.describe(self)
            except PathError as e:
                log.info("[RTSP] [session %s] %s" % (self.short, e))
                return self._resp(e.status, cseq)
            self.path, self.path_name, self.query = path, name, query
        stream = self.path.stream
        if stream is None:
            return self._resp(404, cseq)
        if idx >= len(parse_sdp(stream.sdp)[1]):
            return self._resp(404, cseq)
        if rtp_ch < 0:
            rtp_ch, rtcp_ch = idx * 2, idx * 2 + 1
        self.track_to_ch[idx] = (rtp_ch, rtcp_ch)
        return self._resp(200, cseq, dict(sess, Transport="RTP/AVP/TCP;unicast;interleaved=%d-%d"
                                            % (rtp_ch, rtcp_ch)))

    def _play(self, cseq: str) -> bytes:
        sess = {"Session": self.rtsp_session + ";timeout=60"}
        if self.state == "read":
            return self._resp(200, cseq, sess)
        if not self.track_to_ch or self.path is None:
            return self._resp(455, cseq)
        if self.path.stream is None:
            return self._resp(404, cseq)
        try:
            self.path.check_reader(self)
        except PathError as e:
            log.info("[RTSP] [session %s] %s" % (self.short, e))
            return self._resp(e.status, cseq)
        self.state = "read"
        if self.user_agent.startswith(RECORDER_UA):
            video = [i for i, t in enumerate(self.path.stream.tracks2) if t["codec"] == "H264"]
            if video and video[0] in self.track_to_ch:
                self.idr_gate = video[0]
        self._after_response = lambda: self.path.add_reader(self)  # packets only after the 200
        ntr = len(self.track_to_ch)
        if not self.hidden:
            log.info("[RTSP] [session %s] is reading from path '%s', %d %s with TCP"
                     % (self.short, self.path_name, ntr, "track" if ntr == 1 else "tracks"))
        return self._resp(200, cseq, dict(sess, Range="npt=0.000-"))

    def _record(self, cseq: str) -> bytes:
        sess = {"Session": self.rtsp_session + ";timeout=60"}
        if self.announced_sdp is None or not self.ch_to_track or self.path is None:
            return self._resp(455, cseq)
        try:
            self.stream = self.path.set_publisher(self, self.announced_sdp, "rtspSession", self.id)
        except PathError as e:
            log.info("[RTSP] [session %s] %s" % (self.short, e))
            return self._resp(e.status, cseq)
        self.state = "publish"
        log.info("[RTSP] [session %s] is publishing to path '%s', %s"
                 % (self.short, self.path_name, self.stream.describe_tracks()))
        return self._resp(200, cseq, sess)


class RTSPServer:
    """The listener plus the live sessions (for /v3/rtspsessions)."""

    def __init__(self, core) -> None:
        self.core = core
        self.servers: list = []
        self.sessions: Dict[str, RTSPSession] = {}

    async def listen(self, hosts: List[str], port: int) -> None:
        for h in hosts:
            self.servers.append(await asyncio.start_server(self._conn, h, port, reuse_address=True))

    async def _conn(self, reader, writer) -> None:
        s = RTSPSession(self, reader, writer)
        self.sessions[s.id] = s
        await s.run()

    async def close(self) -> None:
        for srv in self.servers:
            srv.close()
        for s in list(self.sessions.values()):
            s.kick("terminated")
        for _ in range(40):
            if not self.sessions:
                break
            await asyncio.sleep(0.05)

    def sessions_sorted(self) -> List[RTSPSession]:
        return sorted((s for s in self.sessions.values() if not s.hidden), key=lambda s: s.created)

    def session_by_id(self, sid: str) -> Optional[RTSPSession]:
        s = self.sessions.get(sid)
        return None if s is None or s.hidden else s


# --------------------------------------------------------------------------- pull client

class RTSPSource:
    """Pulls `source: rtsp://...` over TCP into a path; retries every 5 s."""

    RETRY_PAUSE = 5.0

    def __init__(self, path, url: str) -> None:
        self.path, self.url = path, url
        self.id = str(uuid.uuid4())
        self.task: Optional[asyncio.Task] = None
        self.writer = None
        self.cseq = 0
        self.auth_header = ""
        self.stopped = False

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        """Cancel the pull loop. Cancels repeatedly: asyncio.wait_for in Python
        3.11 can swallow a cancellation that races with its inner future."""
        self.stopped = True
        if self.writer:
            self.writer.close()
        for _ in range(100):
            if self.task is None or self.task.done():
                break
            self.task.cancel()
            await asyncio.wait({self.task}, timeout=0.1)
        self.task = None

    def kick(self, reason: str) -> None:
        if self.writer:
            self.writer.close()

    async def _loop(self) -> None:
        label = "[path %s] [RTSP source]" % self.path.name
        log.info("%s started" % label)
        while not self.stopped:
            try:
                await self._once()
                log.error("%s EOF" % label)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # any failure: report and retry, like MediaMTX
                # v1.20.1 internal/staticsources/handler.go run: the source's error at
                # Error level ("ERR [path NAME] [RTSP source] ..."), then a 5 s pause.
                log.error("%s %s" % (label, self._go_error(e)))
            finally:
                if self.writer:
                    self.writer.close()
                    self.writer = None
                self.path.remove_publisher(self)
            await asyncio.sleep(self.RETRY_PAUSE)

    def _go_error(self, e: BaseException) -> str:
        """The text Go's net package / gortsplib gives for a failed pull."""
        u = urllib.parse.urlsplit(self.url)
        at = "%s:%d" % (u.hostname, u.port or 554)
        if isinstance(e, ConnectionRefusedError):
            return "dial tcp %s: connect: connection refused" % at
        if isinstance(e, asyncio.TimeoutError):
            return "dial tcp %s: i/o timeout" % at if self.writer is None else "read: i/o timeout"
        if isinstance(e, (asyncio.IncompleteReadError, ConnectionResetError)):
            return "EOF"
        if isinstance(e, socket.gaierror):
            return "dial tcp: lookup %s: no such host" % u.hostname
        return str(e) or type(e).__name__

    async def _request(self, reader, method: str, url: str, extra: Optional[Dict[str, str]] = None):
        for attempt in range(2):
            self.cseq += 1
            hdrs = {"CSeq": str(self.cseq), "User-Agent": "mediamtx-standin"}
            if self.auth_header:
                hdrs["Authorization"] = self._authorization(method, url)
            hdrs.update(extra or {})
            msg = "%s %s RTSP/1.0\r\n" % (method, url) + "".join("%s: %s\r\n" % kv for kv in hdrs.items()) + "\r\n"
            self.writer.write(msg.encode())
            while True:
                item = await asyncio.wait_for(read_message(reader), 10)
                if item[0] == "msg" and item[1].startswith("RTSP/"):
                    break
            status = int(item[1].split(" ")[1])
            if status == 401 and attempt == 0 and self._creds() and "www-authenticate" in item[2]:
                self.auth_header = item[2]["www-authenticate"]
                continue
            if status != 200:
                raise RuntimeError("bad status code: %d (%s)" % (status, method))
            return item[2], item[3]
        raise RuntimeError("authentication failed")

    def _creds(self) -> Optional[Tuple[str, str]]:
        u = urllib.parse.urlsplit(self.url)
        if u.username is None:
            return None
        return urllib.parse.unquote(u.username), urllib.parse.unquote(u.password or "")

    def _authorization(self, method: str, url: str) -> str:
        user, pw = self._creds() or ("", "")
        ch = self.auth_header
        if ch.lower().startswith("digest"):
            params = dict(re.findall(r'(\w+)="?([^",]*)"?', ch[6:]))
            ha1 = hashlib.md5(("%s:%s:%s" % (user, params.get("realm", ""), pw)).encode()).hexdigest()
            ha2 = hashlib.md5(("%s:%s" % (method, url)).encode()).hexdigest()
            resp = hashlib.md5(("%s:%s:%s" % (ha1, params.get("nonce", ""), ha2)).encode()).hexdigest()
            return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s"'
                    % (user, params.get("realm", ""), params.get("nonce", ""), url, resp))
        return "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()

    async def _once(self) -> None:
        u = urllib.parse.urlsplit(self.url)
        clean = urllib.parse.urlunsplit((u.scheme, u.hostname + (":%d" % u.port if u.port else ""),
                                         u.path, u.query, ""))
        reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(u.hostname, u.port or 554), 10)
        await self._request(reader, "OPTIONS", clean)
        hdrs, body = await self._request(reader, "DESCRIBE", clean, {"Accept": "application/sdp"})
        sdp = body.decode("utf-8", "replace")
        base = hdrs.get("content-base") or hdrs.get("content-location") or clean
        _, medias = parse_sdp(sdp)
        if not medias:
            raise RuntimeError("no media in SDP")
        session = ""
        for i, m in enumerate(medias):
            c = m.control
            if c.startswith("rtsp://"):
                turl = c
            elif c in ("", "*"):
                turl = base
            else:
                turl = base.rstrip("/") + "/" + c
            extra = {"Transport": "RTP/AVP/TCP;unicast;interleaved=%d-%d" % (2 * i, 2 * i + 1)}
            if session:
                extra["Session"] = session
            h, _ = await self._request(reader, "SETUP", turl, extra)
            session = h.get("session", "").split(";")[0]
        await self._request(reader, "PLAY", base, {"Session": session, "Range": "npt=0.000-"})
        stream = self.path.set_publisher(self, sdp, "rtspSource", self.id)
        log.info("[path %s] [RTSP source] ready: %s" % (self.path.name, stream.describe_tracks()))
        read_timeout = self.path.mgr.read_timeout()
        last_keepalive = asyncio.get_running_loop().time()
        while True:
            item = await asyncio.wait_for(read_message(reader), read_timeout)
            if item[0] == "frame":
                ch = item[1]
                stream.feed(ch // 2, bool(ch % 2), item[2])
            now = asyncio.get_running_loop().time()
            if now - last_keepalive > 20:
                last_keepalive = now
                self.cseq += 1
                self.writer.write(("GET_PARAMETER %s RTSP/1.0\r\nCSeq: %d\r\nSession: %s\r\n\r\n"
                                   % (base, self.cseq, session)).encode())
