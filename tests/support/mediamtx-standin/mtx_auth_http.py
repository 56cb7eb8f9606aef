"""authMethod: http — MediaMTX v1.20.1's HTTP-delegated authentication.

Mirrors, without copying, tag v1.20.1 (commit 883194a19b72):
  internal/auth/manager.go      matchesPermission, getToken, Authenticate
                                (AskCredentials), authenticateHTTP (the JSON
                                body, any 2xx = allowed, Client.Timeout = readTimeout)
  internal/auth/request.go      the request fields (ID, UserAgent, Query...)
  internal/auth/log_and_delay_error.go  the 0-4 s pause after a refusal
  internal/protocols/httpp/credentials.go  HTTP Authorization → user/pass/token
  internal/protocols/rtsp/credentials.go   RTSP Authorization → user/pass
and of gortsplib v5.6.4 (MediaMTX v1.20.1's go.mod):
  pkg/headers/authorization.go  (*Authorization).Unmarshal (Basic/Digest only)
  server_conn.go                credentialsProvided, handleAuthError
  server_session.go             getPathAndQuery, getPathAndQueryAndTrackID
  pkg/auth/www_authenticate.go, server.go  the challenge (realm "ipcam")
  internal/protocols/tls/make_config.go    authHTTPFingerprint
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import os
import re
import ssl
import urllib.parse
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

# manager.go: maxInboundBodySize, the most of a refusal's body that is read.
MAX_INBOUND_BODY = 128 * 1024


@dataclass
class Credentials:
    """internal/auth/credentials.go: either user+pass or a token."""
    user: str = ""
    password: str = ""
    token: str = ""


@dataclass
class AuthRequest:
    """internal/auth/request.go Request (what authenticateHTTP reads of it)."""
    action: str
    ip: str
    creds: Credentials = field(default_factory=Credentials)
    path: str = ""        # only publish/read/playback
    query: str = ""       # the raw query of the request URL
    protocol: str = ""    # "rtsp" for RTSP; empty for the API and metrics
    id: Optional[str] = None  # a uuid for RTSP; null for the API and metrics
    user_agent: str = ""


class AuthError(Exception):
    """internal/auth/error.go Error: str() is what MediaMTX logs."""

    def __init__(self, wrapped: str, ask_credentials: bool) -> None:
        super().__init__("failed to authenticate: " + wrapped)
        self.ask_credentials = ask_credentials


# --------------------------------------------------------------------------- credentials

def _b64_std(value: str) -> Optional[str]:
    """Go base64.StdEncoding.DecodeString (padding required); None on error."""
    try:
        raw = base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.decode("utf-8", "replace")


def http_credentials(header: str) -> Credentials:
    """internal/protocols/httpp/credentials.go Credentials: `Bearer user:pass`
    (exactly one colon) → user/pass; any other `Bearer X` → token X; else
    `Basic` (net/http Request.BasicAuth: case-insensitive prefix, the first
    colon splits) → user/pass; anything else → nothing."""
    c = Credentials()
    if header.startswith("Bearer "):
        rest = header[len("Bearer "):]
        parts = rest.split(":")
        if len(parts) == 2:
            c.user, c.password = parts
        else:
            c.token = rest
        return c
    if len(header) >= 6 and header[:6].lower() == "basic ":
        dec = _b64_std(header[6:])
        if dec is not None and ":" in dec:
            c.user, _, c.password = dec.partition(":")
    return c


def _rtsp_authorization(header: Optional[str]) -> Optional[Tuple[str, str, str]]:
    """gortsplib pkg/headers/authorization.go (*Authorization).Unmarshal →
    (method, username, basic password), None when it fails."""
    if header is None:
        return None
    method, sep, rest = header.partition(" ")
    if not sep:
        return None
    if method == "Basic":
        dec = _b64_std(rest)
        if dec is None:
            return None
        parts = dec.split(":")
        if len(parts) != 2:
            return None
        return ("Basic", parts[0], parts[1])
    if method == "Digest":
        pairs = re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))', rest)
        kv = {k: a or b for k, a, b in pairs}
        if not all(k in kv for k in ("realm", "username", "nonce", "uri", "response")):
            return None
        return ("Digest", kv["username"], "")
    return None


def rtsp_credentials(header: Optional[str]) -> Credentials:
    """internal/protocols/rtsp/credentials.go Credentials: the user of a Basic
    or Digest header, the password of a Basic one; no token (a Bearer header
    does not parse)."""
    a = _rtsp_authorization(header)
    if a is None:
        return Credentials()
    return Credentials(user=a[1], password=a[2] if a[0] == "Basic" else "")


def rtsp_credentials_provided(header: Optional[str]) -> bool:
    """gortsplib server_conn.go credentialsProvided."""
    a = _rtsp_authorization(header)
    return a is not None and a[1] != ""


def rtsp_path_and_query(url: str, setup: bool, announce: bool = False) -> Tuple[str, str]:
    """gortsplib server_session.go: the raw query MediaMTX gets for a request.
    DESCRIBE/ANNOUNCE use getPathAndQuery (FFmpeg's trailing '/' after the
    query dropped); a reader's SETUP uses getPathAndQueryAndTrackID
    (FFmpeg's '?q/trackID=N' → query 'q'). Returns (decoded path without the
    leading '/', raw query)."""
    u = urllib.parse.urlsplit(url)
    path, query = urllib.parse.unquote(u.path), u.query
    if setup:
        i = query.rfind("/trackID=")
        if i >= 0:
            query = query[:i]
        else:
            j = path.rfind("/trackID=")
            if j >= 0:
                path = path[:j]
            elif query.endswith("/"):
                query = query[:-1]
            elif len(path) >= 1 and path[1:].endswith("/"):
                path = path[:-1]
    elif not announce:
        if query.endswith("/"):
            query = query[:-1]
        elif len(path) > 1 and path.endswith("/"):
            path = path[:-1]
    return path[1:] if path.startswith("/") else path, query


# --------------------------------------------------------------------------- manager.go

def matches_permission(perms: Optional[List[dict]], action: str, path: str) -> bool:
    """manager.go matchesPermission: same action; for publish/read/playback
    also the path rule: empty = any, '~regex' (unanchored search; a regex
    that does not compile matches nothing), or the exact name."""
    for p in perms or []:
        if p.get("action") != action:
            continue
        if action in ("publish", "read", "playback"):
            rule = p.get("path") or ""
            if rule == "":
                return True
            if rule.startswith("~"):
                try:
                    if re.search(rule[1:], path) is not None:
                        return True
                except re.error:
                    pass
            elif rule == path:
                return True
        else:
            return True
    return False


def get_token(req: AuthRequest) -> str:
    """manager.go getToken with tokenInHTTPQuery false (authMethod http):
    the credentials' token, else the password, else for RTSP (and RTMP) the
    `token` query parameter, or the legacy `jwt` one, when given exactly once."""
    if req.creds.token:
        return req.creds.token
    if req.creds.password:
        return req.creds.password
    if req.protocol in ("rtsp", "rtmp"):
        try:
            q = _go_parse_query(req.query)
        except ValueError:
            return ""
        if len(q.get("token", [])) == 1:
            return q["token"][0]
        if len(q.get("jwt", [])) == 1:
            return q["jwt"][0]
    return ""


def _go_parse_query(query: str) -> dict:
    """net/url.ParseQuery: '&'-separated, a ';' in a key is an error, bad
    escapes are errors; returns what was parsed plus the first error (Go
    returns both; getToken ignores the values when there is an error)."""
    out: dict = {}
    for part in query.split("&"):
        if part == "":
            continue
        if ";" in part:
            raise ValueError("invalid semicolon separator in query")
        k, _, v = part.partition("=")
        out.setdefault(_go_unescape(k), []).append(_go_unescape(v))
    return out


def _go_unescape(s: str) -> str:
    if re.search(r"%(?![0-9A-Fa-f]{2})", s):
        raise ValueError("invalid URL escape")
    return urllib.parse.unquote_plus(s)


def go_json(obj) -> bytes:
    """encoding/json.Marshal's text: compact, non-ASCII kept, and <, >, &,
    U+2028, U+2029 escaped."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(a, b)
    return s.encode("utf-8", "replace")


def request_body(req: AuthRequest, token: str) -> bytes:
    """manager.go authenticateHTTP: exactly these fields, in this order."""
    return go_json({
        "ip": req.ip, "user": req.creds.user, "password": req.creds.password, "token": token,
        "action": req.action, "path": req.path, "protocol": req.protocol, "id": req.id,
        "query": req.query, "userAgent": req.user_agent,
    })


async def post_json(url: str, body: bytes, timeout: float, fingerprint: str = "") -> Tuple[int, bytes]:
    """POST like Go's http.Client.Post with a fresh Transport: HTTP/1.1,
    Go's default headers, no 'Connection: close' (Go closes its idle
    connection afterwards; so does this), the whole exchange bounded by
    `timeout` (Client.Timeout). Returns (status, body of a non-2xx answer).
    Redirects are not followed (Go would follow them)."""
    u = urllib.parse.urlsplit(url)
    https = u.scheme == "https"
    host = u.hostname or ""
    port = u.port or (443 if https else 80)
    ctx: Optional[ssl.SSLContext] = None
    if https:
        ctx = ssl.create_default_context()
        if fingerprint:  # internal/protocols/tls/make_config.go
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE

    async def exchange() -> Tuple[int, bytes]:
        try:
            reader, writer = await asyncio.open_connection(host, port, ssl=ctx,
                                                           server_hostname=host if https else None)
        except ssl.SSLError:
            raise
        except OSError as e:  # Go's net.OpError text
            reason = os.strerror(e.errno).lower() if e.errno else str(e)
            raise OSError("dial tcp %s:%d: connect: %s" % (host, port, reason)) from None
        try:
            if https and fingerprint:
                der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True) or b""
                got = hashlib.sha256(der).hexdigest()
                if got != fingerprint.lower():
                    raise OSError("source fingerprint does not match: expected %s, got %s"
                                  % (fingerprint.lower(), got))
            target = (u.path or "/") + ("?" + u.query if u.query else "")
            head = ["POST %s HTTP/1.1" % target, "Host: %s" % u.netloc.rpartition("@")[2],
                    "User-Agent: Go-http-client/1.1", "Content-Length: %d" % len(body)]
            if u.username is not None:
                cred = "%s:%s" % (urllib.parse.unquote(u.username), urllib.parse.unquote(u.password or ""))
                head.append("Authorization: Basic " + base64.b64encode(cred.encode()).decode())
            head += ["Content-Type: application/json", "Accept-Encoding: gzip"]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("EOF")
                parts = line.decode("latin-1").split(" ", 2)
                if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
                    raise ConnectionError("malformed HTTP response %r" % line.decode("latin-1").strip())
                status = int(parts[1])
                length = None
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    if k.strip().lower() == "content-length" and v.strip().isdigit():
                        length = int(v.strip())
                if 100 <= status < 200 and status != 101:
                    continue  # 1xx: the final answer follows
                break
            data = b""
            if not 200 <= status <= 299 and length:
                try:  # the body only makes the log line; a failed read still refuses
                    data = await reader.readexactly(min(length, MAX_INBOUND_BODY))
                except (asyncio.IncompleteReadError, ConnectionError):
                    data = b""
            return status, data
        finally:
            writer.close()

    return await asyncio.wait_for(exchange(), timeout)


async def authenticate(g: dict, req: AuthRequest, timeout: float) -> Optional[AuthError]:
    """manager.go Authenticate + authenticateHTTP for authMethod http: None
    when allowed, else the error (AskCredentials: every server asks for it
    here, EnableAskCredentials is true for RTSP, the API and metrics)."""
    token = get_token(req)
    if matches_permission(g.get("authHTTPExclude") or [], req.action, req.path):
        return None
    url = g.get("authHTTPAddress") or ""
    try:
        status, data = await post_json(url, request_body(req, token), timeout,
                                       g.get("authHTTPFingerprint") or "")
        if 200 <= status <= 299:
            return None
        wrapped = "server replied with code %d" % status
        if data:
            wrapped += ": " + data.decode("utf-8", "replace")
    except asyncio.TimeoutError:
        wrapped = ('HTTP request failed: Post "%s": context deadline exceeded '
                   "(Client.Timeout exceeded while awaiting headers)" % url)
    except (OSError, ConnectionError, ValueError, asyncio.IncompleteReadError, ssl.SSLError) as e:
        wrapped = 'HTTP request failed: Post "%s": %s' % (url, e)
    ask = req.creds.user == "" and req.creds.password == "" and token == ""
    return AuthError(wrapped, ask)
