"""A small HTTP/1.1 server on asyncio (keep-alive, Content-Length bodies).

Running the API on the same event loop as the RTSP relay keeps all state
single-threaded, and lets fault injection hold answers without threads.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Dict, List, Optional, Tuple

MAX_BODY = 10 * 1024 * 1024
REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 413: "Request Entity Too Large", 500: "Internal Server Error"}


@dataclass
class Request:
    method: str
    target: str
    headers: Dict[str, str]
    body: bytes
    peer: Tuple[str, int]


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: Dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response]]


class HTTPServer:
    """Serves `handler` on one or more loopback sockets."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.servers: List[asyncio.base_events.Server] = []
        self.conns: set = set()

    async def listen(self, hosts: List[str], port: int) -> None:
        for h in hosts:
            self.servers.append(await asyncio.start_server(self._conn, h, port, reuse_address=True))

    async def close(self) -> None:
        for s in self.servers:
            s.close()
        for w in list(self.conns):
            w.close()
        for s in self.servers:
            try:
                await asyncio.wait_for(s.wait_closed(), 2)
            except (asyncio.TimeoutError, Exception):
                pass
        self.servers = []

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.conns.add(writer)
        try:
            while True:
                req = await self._read_request(reader, peer[:2])
                if req is None:
                    break
                if isinstance(req, Response):
                    self._write(writer, req, close=True)
                    break
                resp = await self.handler(req)
                close = (req.headers.get("connection", "").lower() == "close"
                         or req.headers.get("_version") == "HTTP/1.0")
                self._write(writer, resp, close)
                await writer.drain()
                if close:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self.conns.discard(writer)
            writer.close()

    async def _read_request(self, reader: asyncio.StreamReader, peer) -> Optional[object]:
        line = await reader.readline()
        if not line:
            return None
        parts = line.decode("latin-1").strip().split(" ")
        if len(parts) != 3:
            return Response(400, b"400 Bad Request", "text/plain; charset=utf-8")
        headers: Dict[str, str] = {"_version": parts[2]}
        for _ in range(200):
            h = await reader.readline()
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            for _ in range(100000):
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    await reader.readline()
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            body = b"".join(chunks)
        elif headers.get("content-length"):
            n = int(headers["content-length"])
            if n > MAX_BODY:
                return Response(413, b'{"status":"error","error":"body too large"}')
            body = await reader.readexactly(n)
        return Request(parts[0], parts[1], headers, body, peer)

    @staticmethod
    def _write(writer: asyncio.StreamWriter, r: Response, close: bool) -> None:
        head = ["HTTP/1.1 %d %s" % (r.status, REASONS.get(r.status, "Status")),
                "Content-Length: %d" % len(r.body)]
        if r.body or r.status != 401:
            head.append("Content-Type: " + r.content_type)
        head += ["%s: %s" % kv for kv in r.headers.items()]
        if close:
            head.append("Connection: close")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + r.body)
