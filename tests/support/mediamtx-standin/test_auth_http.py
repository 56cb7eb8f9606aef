#!/usr/bin/env python3
"""Self-test of the stand-in's authMethod http (mtx_auth_http.py) against
what MediaMTX v1.20.1 does (tag v1.20.1; files named in each check):
  M  internal/auth/manager.go        A  internal/api/api.go middlewareAuth
  C  internal/conf/conf.go Validate  R  internal/servers/rtsp/conn.go, session.go
  P  internal/core/path_manager.go   G  gortsplib v5.6.4 server_conn.go, server_session.go
  E  internal/conf/env/env.go        H  internal/protocols/httpp/credentials.go
Starts a small auth server on loopback that records each JSON body and allows
only token `good` (`slow`: answers after readTimeout), then the stand-in with
authMethod http pointing at it; RTSP through raw sockets. Loopback only.
Run: python3 test_auth_http.py (selftest.sh runs it). Exit 1 on the first failure.
"""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "mediamtx-standin")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

FIELDS = ["ip", "user", "password", "token", "action", "path", "protocol", "id", "query", "userAgent"]
SDP = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n"
       "a=control:trackID=0\r\n")
READ_TIMEOUT_S = 2.0


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Failed(Exception):
    pass


def check(cond: bool, what: str, detail="") -> None:
    if not cond:
        raise Failed("%s%s" % (what, (": %s" % (detail,)) if detail != "" else ""))


# --------------------------------------------------------------------------- auth server

class AuthServer:
    """Records (raw body, headers) of every POST; 200 for token good, 401 otherwise."""

    def __init__(self) -> None:
        self.calls: list = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.calls.append((raw, dict(self.headers), self.path))
                token = json.loads(raw).get("token")
                if token == "slow":
                    time.sleep(READ_TIMEOUT_S + 1.5)
                ok = token == "good"
                body = b"" if ok else b"token refused"
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def take(self) -> list:
        with self.lock:
            out, self.calls = self.calls, []
        return out

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------- clients

def http(method: str, url: str, auth: str = "", body: bytes = b"") -> tuple:
    req = urllib.request.Request(url, data=body or None, method=method)
    if auth:
        req.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def basic(user: str, pw: str) -> str:
    return "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()


class RTSP:
    """One raw RTSP connection."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.cseq = 0
        self.buf = b""

    def request(self, method: str, url: str, headers=None, body: bytes = b"") -> tuple:
        self.cseq += 1
        lines = ["%s %s RTSP/1.0" % (method, url), "CSeq: %d" % self.cseq]
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        if body:
            lines.append("Content-Length: %d" % len(body))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before a response to %s" % method)
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split(" ")[1])
        hdrs: dict = {}
        for h in lines[1:]:
            k, _, v = h.partition(":")
            hdrs.setdefault(k.strip().lower(), []).append(v.strip())
        n = int(hdrs.get("content-length", ["0"])[0])
        while len(self.buf) < n:
            self.buf += self.sock.recv(65536)
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, hdrs, body

    def closed_by_peer(self) -> bool:
        self.sock.settimeout(5)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self) -> None:
        self.sock.close()


# --------------------------------------------------------------------------- helpers

def one_call(auth: AuthServer, what: str) -> dict:
    calls = auth.take()
    check(len(calls) == 1, "%s: expected one POST to the auth server" % what, len(calls))
    raw, headers, target = calls[0]
    check(target == "/mediamtx/auth", "%s: POST target" % what, target)
    check(headers.get("Content-Type") == "application/json", "%s: Content-Type" % what, headers)
    obj = json.loads(raw)
    check(list(obj) == FIELDS, "%s: JSON fields (M authenticateHTTP)" % what, list(obj))
    return obj


def expect(obj: dict, what: str, **want) -> None:
    for k, v in want.items():
        check(obj.get(k) == v, "%s: %s" % (what, k), "got %r, want %r (body %s)" % (obj.get(k), v, obj))


def is_uuid(v) -> bool:
    import uuid
    try:
        return isinstance(v, str) and str(uuid.UUID(v)) == v
    except ValueError:
        return False


def run_conf(text: str, env=None, timeout: float = 10) -> tuple:
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(text)
    try:
        e = dict(os.environ)
        e.pop("STANDIN_REQUEST_LOG", None)  # selftest.sh's request log is its own
        e.update(env or {})
        p = subprocess.run([STANDIN, f.name], capture_output=True, text=True, timeout=timeout, env=e)
        return p.returncode, p.stdout + p.stderr
    finally:
        os.unlink(f.name)


def ok(msg: str) -> None:
    print("ok   - %s" % msg, flush=True)


# --------------------------------------------------------------------------- checks

def config_checks(work: str) -> None:
    base = "api: no\nrtsp: no\nhls: no\nwebrtc: no\nrtmp: no\nsrt: no\nmoq: no\n"
    rc, out = run_conf(base + "authMethod: http\n")
    check(rc == 1 and out.strip() == "ERR: 'authHTTPAddress' is empty", "C: http without authHTTPAddress", (rc, out))
    rc, out = run_conf(base + "authMethod: http\nauthHTTPAddress: ftp://127.0.0.1/auth\n")
    check(rc == 1 and out.strip() == "ERR: 'externalAuthenticationURL' must be a HTTP URL",
          "C: http with a non-HTTP authHTTPAddress", (rc, out))
    rc, out = run_conf(base, env={"MTX_AUTHMETHOD": "http"})
    check(rc == 1 and out.strip() == "ERR: 'authHTTPAddress' is empty", "C: MTX_AUTHMETHOD=http without an address", (rc, out))
    ok("C: authMethod http needs authHTTPAddress ('is empty'), http(s):// only; MTX_AUTHMETHOD applies; exit 1")

    import mtx_conf
    schema = mtx_conf.Schema()
    path = os.path.join(work, "env.yml")
    with open(path, "w") as f:
        f.write(base + "authMethod: http\nauthHTTPAddress: http://127.0.0.1:1/a\n"
                "authInternalUsers:\n  - user: ''\n  - user: any\n    pass: x\n")
    old = dict(os.environ)
    try:
        conf = mtx_conf.load(path, schema)
        check(conf.global_["authHTTPExclude"] == [], "C: authHTTPExclude defaults to [] in v1.20.1",
              conf.global_["authHTTPExclude"])
        os.environ.update({"MTX_AUTHHTTPEXCLUDE_0_ACTION": "api", "MTX_AUTHHTTPEXCLUDE_1_ACTION": "read",
                           "MTX_AUTHHTTPEXCLUDE_1_PATH": "~^cam"})
        conf = mtx_conf.load(path, schema)
        check(conf.global_["authHTTPExclude"] == [{"action": "api", "path": ""}, {"action": "read", "path": "~^cam"}],
              "E: MTX_AUTHHTTPEXCLUDE_<i>_ACTION/_PATH", conf.global_["authHTTPExclude"])
        os.environ["MTX_AUTHHTTPEXCLUDE_0_ACTION"] = "nope"
        try:
            mtx_conf.load(path, schema)
            raise Failed("E: an invalid action in MTX_AUTHHTTPEXCLUDE_0_ACTION was accepted")
        except mtx_conf.ConfError:
            pass
        for k in [k for k in os.environ if k.startswith("MTX_AUTHHTTPEXCLUDE")]:
            del os.environ[k]
        with open(path, "a") as f:
            f.write("authHTTPExclude:\n  - action: metrics\n")
        os.environ["MTX_AUTHHTTPEXCLUDE"] = ""
        conf = mtx_conf.load(path, schema)
        check(conf.global_["authHTTPExclude"] == [], "E: MTX_AUTHHTTPEXCLUDE='' empties the list",
              conf.global_["authHTTPExclude"])
    finally:
        os.environ.clear()
        os.environ.update(old)
    ok("C+E: default authHTTPExclude []; MTX_AUTHHTTPEXCLUDE overrides; empty/'any'+pass users allowed with http")


def unit_checks() -> None:
    import mtx_auth_http as m
    b64 = lambda t: base64.b64encode(t.encode()).decode()  # noqa: E731
    C = m.Credentials
    for header, want in (("Bearer a:b:c", C(token="a:b:c")), ("Bearer a:b", C("a", "b")),
                         ("Bearer tok", C(token="tok")), ("bearer tok", C()),
                         ("basic " + b64("u:p:q"), C("u", "p:q")), ("Basic " + b64("nocolon"), C()),
                         ("Basic !!", C()), ("", C())):
        got = m.http_credentials(header)
        check(got == want, "H httpp.Credentials(%r)" % header, got)
    for header, want in (("Basic " + b64("u:p"), C("u", "p")), ("Basic " + b64("u:p:q"), C()),
                         ("basic " + b64("u:p"), C()), ("Bearer tok", C()),
                         ('Digest username="u", realm="r", nonce="n", uri="/x", response="z"', C("u", "")),
                         (None, C())):
        got = m.rtsp_credentials(header)
        check(got == want, "G headers.Authorization.Unmarshal(%r)" % header, got)
    for url, setup, want in (("rtsp://h/cam?token=a", False, ("cam", "token=a")),
                             ("rtsp://h/cam?token=a/", False, ("cam", "token=a")),
                             ("rtsp://h/cam/", False, ("cam", "")),
                             ("rtsp://h/cam?token=a/trackID=1", True, ("cam", "token=a")),
                             ("rtsp://h/cam/trackID=0?token=a", True, ("cam", "token=a"))):
        got = m.rtsp_path_and_query(url, setup)
        check(got == want, "G getPathAndQuery%s(%s)" % ("AndTrackID" if setup else "", url), got)
    R = m.AuthRequest
    for req, want in ((R("read", "1", C(), query="token=a&jwt=b", protocol="rtsp"), "a"),
                      (R("read", "1", C(), query="jwt=b", protocol="rtsp"), "b"),
                      (R("read", "1", C(), query="token=a&token=c&jwt=b", protocol="rtsp"), "b"),
                      (R("read", "1", C(), query="token=a;x", protocol="rtsp"), ""),
                      (R("read", "1", C(), query="token=a", protocol="hls"), ""),
                      (R("api", "1", C(), query="token=a"), ""),
                      (R("read", "1", C("u", "p"), query="token=a", protocol="rtsp"), "p"),
                      (R("api", "1", C(token="t", password="p")), "t")):
        check(m.get_token(req) == want, "M getToken(%s)" % req, m.get_token(req))
    perms = [{"action": "read", "path": "~^cam[0-9]$"}, {"action": "publish", "path": "x"}, {"action": "api", "path": "ignored"}]
    for action, path, want in (("read", "cam1", True), ("read", "cam10", False), ("publish", "x", True),
                               ("publish", "y", False), ("api", "", True), ("metrics", "", False)):
        check(m.matches_permission(perms, action, path) == want, "M matchesPermission(%s, %s)" % (action, path))
    check(m.matches_permission([{"action": "read", "path": "~("}], "read", "x") is False, "M: a bad regex matches nothing")
    body = m.request_body(R("read", "127.0.0.1", C("u<", "p&"), path="c", protocol="rtsp", id=None), "")
    check(body == (b'{"ip":"127.0.0.1","user":"u\\u003c","password":"p\\u0026","token":"","action":"read",'
                   b'"path":"c","protocol":"rtsp","id":null,"query":"","userAgent":""}'), "M: Go's JSON text", body)
    ok("H+G+M: credential parsing, gortsplib path/query split, getToken, matchesPermission, Go JSON text")


def main() -> int:
    work = tempfile.mkdtemp(prefix="standin-authhttp.")
    unit_checks()
    config_checks(work)

    auth = AuthServer()
    rtsp_port, api_port, metrics_port = free_port(), free_port(), free_port()
    conf = os.path.join(work, "mediamtx.yml")
    with open(conf, "w") as f:
        f.write("""logLevel: debug
readTimeout: %ds
api: yes
apiAddress: 127.0.0.1:%d
metrics: yes
metricsAddress: 127.0.0.1:%d
rtspAddress: 127.0.0.1:%d
rtspTransports: [tcp]
hls: no
webrtc: no
rtmp: no
srt: no
moq: no
authMethod: http
authHTTPAddress: http://127.0.0.1:%d/mediamtx/auth
paths:
  cam0:
  cam1:
""" % (READ_TIMEOUT_S, api_port, metrics_port, rtsp_port, auth.port))
    env = dict(os.environ, STANDIN_AUTH_FAIL_DELAY_S="0")
    env.pop("STANDIN_REQUEST_LOG", None)
    log = open(os.path.join(work, "standin.log"), "w")
    proc = subprocess.Popen([STANDIN, conf], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    api = "http://127.0.0.1:%d" % api_port
    rtsp = "rtsp://127.0.0.1:%d" % rtsp_port
    good = basic("station", "good")
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", api_port), timeout=1).close()
                break
            except OSError:
                check(proc.poll() is None, "stand-in exited at startup", open(log.name).read())
                time.sleep(0.1)
        auth.take()

        # ---- control API (A middlewareAuth; H credentials)
        st, hd, body = http("GET", api + "/v3/info")
        check(st == 401 and hd.get("WWW-Authenticate") == 'Basic realm="mediamtx"', "A: no credentials → 401 + challenge", (st, hd))
        check(body == b'{"status":"error","error":"authentication error"}', "A: 401 body", body)
        expect(one_call(auth, "API without credentials"), "API without credentials", ip="127.0.0.1", user="", password="",
               token="", action="api", path="", protocol="", id=None, query="", userAgent="")
        st, hd, body = http("GET", api + "/v3/paths/list?itemsPerPage=5", good)
        check(st == 200, "A: Basic station:good → 200", (st, body))
        expect(one_call(auth, "API Basic"), "API Basic", user="station", password="good", token="good",
               action="api", query="itemsPerPage=5", id=None, protocol="")
        st, hd, body = http("GET", api + "/v3/info", basic("station", "bad"))
        check(st == 401 and "WWW-Authenticate" not in hd, "A: wrong password → 401 without challenge", (st, hd))
        expect(one_call(auth, "API wrong"), "API wrong", user="station", password="bad", token="bad")
        st, _, _ = http("GET", api + "/v3/info", "Bearer good")
        check(st == 200, "H: Bearer good → token good → 200", st)
        expect(one_call(auth, "API Bearer token"), "API Bearer token", user="", password="", token="good")
        st, hd, _ = http("GET", api + "/v3/info", "Bearer a:b")
        check(st == 401 and "WWW-Authenticate" not in hd, "H: Bearer a:b → user a, password b, refused", st)
        expect(one_call(auth, "API Bearer user:pass"), "API Bearer user:pass", user="a", password="b", token="b")
        st, hd, _ = http("GET", "http://127.0.0.1:%d/metrics" % metrics_port)
        check(st == 401 and hd.get("WWW-Authenticate") == 'Basic realm="mediamtx"', "metrics: no credentials", (st, hd))
        expect(one_call(auth, "metrics"), "metrics", action="metrics", token="", path="")
        ok("A+H: API and metrics POST {ip,user,password,token,action,path,protocol,id,query,userAgent}; "
           "Basic, Bearer token, Bearer user:pass; 401 + challenge only without credentials")

        # ---- RTSP publish (R onAnnounce; RECORD has SkipAuth)
        pub = RTSP(rtsp_port)
        st, _, _ = pub.request("ANNOUNCE", rtsp + "/cam0?token=good", {"User-Agent": "authtest-pub",
                               "Content-Type": "application/sdp"}, SDP.encode())
        check(st == 200, "R: ANNOUNCE ?token=good", st)
        o = one_call(auth, "ANNOUNCE")
        expect(o, "ANNOUNCE", action="publish", protocol="rtsp", path="cam0", query="token=good", token="good",
               user="", password="", userAgent="authtest-pub", ip="127.0.0.1")
        check(is_uuid(o["id"]), "R: ANNOUNCE id is a uuid", o["id"])
        st, _, _ = pub.request("SETUP", rtsp + "/cam0?token=good/trackID=0",
                               {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record"})
        check(st == 200, "publisher SETUP", st)
        st, _, _ = pub.request("RECORD", rtsp + "/cam0?token=good")
        check(st == 200, "RECORD", st)
        check(auth.take() == [], "R: SETUP(record)/RECORD send nothing to the auth server")
        ok("R: ANNOUNCE → one POST (publish, rtsp, path cam0, query token=good, token good, uuid id, User-Agent)")

        # ---- RTSP read: DESCRIBE then SETUP, each asked (P doDescribe, doAddReader)
        rd = RTSP(rtsp_port)
        st, hd, sdp = rd.request("DESCRIBE", rtsp + "/cam0?token=good", {"User-Agent": "authtest-read"})
        check(st == 200 and b"m=video" in sdp, "R: DESCRIBE ?token=good allowed", (st, sdp))
        d = one_call(auth, "DESCRIBE")
        expect(d, "DESCRIBE", action="read", protocol="rtsp", path="cam0", query="token=good", token="good",
               userAgent="")
        check(is_uuid(d["id"]), "DESCRIBE id", d["id"])
        st, _, _ = rd.request("SETUP", rtsp + "/cam0?token=good/trackID=0",
                              {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1", "User-Agent": "authtest-read"})
        check(st == 200, "R: SETUP", st)
        s = one_call(auth, "SETUP")
        expect(s, "SETUP (G getPathAndQueryAndTrackID)", action="read", path="cam0", query="token=good",
               token="good", userAgent="authtest-read", id=d["id"])
        rd.close()
        ok("R+G: DESCRIBE and SETUP each POST read/rtsp/cam0/token=good (DESCRIBE without userAgent; "
           "SETUP's '?token=good/trackID=0' → query token=good)")

        rd = RTSP(rtsp_port)
        st, hd, _ = rd.request("DESCRIBE", rtsp + "/cam0?token=bad")
        check(st == 401 and "www-authenticate" not in hd, "R: ?token=bad → 401 without challenge", (st, hd))
        expect(one_call(auth, "DESCRIBE bad"), "DESCRIBE bad", token="bad", query="token=bad")
        check(rd.closed_by_peer(), "G handleAuthError: wrong credentials close the connection")
        rd.close()
        rd = RTSP(rtsp_port)
        st, hd, _ = rd.request("DESCRIBE", rtsp + "/cam0")
        check(st == 401 and hd.get("www-authenticate") == ['Basic realm="ipcam"'],
              "R+G: no credentials → 401 + WWW-Authenticate Basic realm=ipcam", (st, hd))
        expect(one_call(auth, "DESCRIBE none"), "DESCRIBE none", token="", user="", password="", query="")
        st, _, _ = rd.request("DESCRIBE", rtsp + "/cam0", {"Authorization": basic("viewer", "good")})
        check(st == 200, "R: the retry with Basic viewer:good on the same connection", st)
        expect(one_call(auth, "DESCRIBE Basic"), "DESCRIBE Basic", user="viewer", password="good", token="good")
        st, hd, _ = rd.request("DESCRIBE", rtsp + "/cam0?token=good&token=good")
        check(st == 401 and hd.get("www-authenticate") == ['Basic realm="ipcam"'],
              "M getToken: token given twice → no token → asks", (st, hd))
        one_call(auth, "DESCRIBE token twice")
        st, _, _ = rd.request("DESCRIBE", rtsp + "/cam0?jwt=good")
        check(st == 200, "M getToken: legacy ?jwt=", st)
        expect(one_call(auth, "DESCRIBE jwt"), "DESCRIBE jwt", token="good", query="jwt=good")
        st, _, _ = rd.request("DESCRIBE", rtsp + "/nosuchpath")
        check(st != 401 and auth.take() == [], "P: an unconfigured path is never sent to the auth server", st)
        rd.close()
        ok("R+G+M: ?token=bad → 401, no challenge, connection closed; nothing → 401 + Basic realm=\"ipcam\", "
           "connection kept; Basic pass as token; ?jwt=; token twice = none; unknown path not asked")

        # ---- timeout (readTimeout); the loop stays free; the path manager waits (P run)
        result: dict = {}

        def slow_describe():
            c = RTSP(rtsp_port)
            t0 = time.monotonic()
            result["status"], result["headers"], _ = c.request("DESCRIBE", rtsp + "/cam1?token=slow")
            result["elapsed"] = time.monotonic() - t0
            c.close()

        th = threading.Thread(target=slow_describe)
        t0 = time.monotonic()
        th.start()
        time.sleep(0.5)
        st, _, _ = http("GET", api + "/v3/config/global/get", good)
        t_info = time.monotonic() - t0
        st2, _, _ = http("GET", api + "/v3/paths/get/cam0", good)
        t_paths = time.monotonic() - t0
        th.join(20)
        check(st == 200 and t_info < READ_TIMEOUT_S, "the stand-in answers the API during a pending auth call",
              (st, t_info))
        check(st2 == 200 and t_paths >= READ_TIMEOUT_S - 0.2,
              "P: /v3/paths/get waits for the path manager's pending auth call", (st2, t_paths))
        check(result.get("status") == 401 and "www-authenticate" not in result.get("headers", {})
              and READ_TIMEOUT_S - 0.2 <= result.get("elapsed", 0) < READ_TIMEOUT_S + 1.4,
              "M: no answer within readTimeout → refused", result)
        calls = [json.loads(c[0]) for c in auth.take()]
        check([c["action"] for c in calls].count("read") == 1, "slow: one read POST", calls)
        ok("M+P: auth server silent past readTimeout (%gs) → 401; API answered meanwhile; paths/get waited" % READ_TIMEOUT_S)

        # ---- authHTTPExclude, changed through the API
        st, _, body = http("PATCH", api + "/v3/config/global/patch", good,
                           json.dumps({"authHTTPExclude": [{"action": "api"}, {"action": "read", "path": "~^cam1$"}]}).encode())
        check(st == 200, "PATCH authHTTPExclude", (st, body))
        auth.take()
        st, _, body = http("GET", api + "/v3/config/global/get")
        check(st == 200, "M matchesPermission: excluded api → 200 without credentials", (st, body))
        check(json.loads(body)["authHTTPExclude"] == [{"action": "api", "path": ""}, {"action": "read", "path": "~^cam1$"}],
              "authHTTPExclude normalised like authInternalUsers permissions", body)
        rd = RTSP(rtsp_port)
        st, _, _ = rd.request("DESCRIBE", rtsp + "/cam1")
        check(st != 401, "excluded read ~^cam1$ is not refused", st)
        st, hd, _ = rd.request("DESCRIBE", rtsp + "/cam0")
        check(st == 401, "read on cam0 is not excluded", st)
        rd.close()
        calls = [json.loads(c[0]) for c in auth.take()]
        check([(c["action"], c["path"]) for c in calls] == [("read", "cam0")],
              "M: excluded actions are never POSTed", calls)
        ok("M: authHTTPExclude [{api}, {read ~^cam1$}]: API and cam1 reads allowed without a POST")

        # ---- auth server down
        auth.stop()
        rd = RTSP(rtsp_port)
        st, hd, _ = rd.request("DESCRIBE", rtsp + "/cam0?token=good")
        check(st == 401 and "www-authenticate" not in hd, "M: auth server down → refused (token given: no challenge)", (st, hd))
        rd.close()
        rd = RTSP(rtsp_port)
        st, hd, _ = rd.request("DESCRIBE", rtsp + "/cam0")
        check(st == 401 and hd.get("www-authenticate") == ['Basic realm="ipcam"'], "auth server down, no credentials", (st, hd))
        rd.close()
        st, hd, _ = http("GET", "http://127.0.0.1:%d/metrics" % metrics_port, good)
        check(st == 401 and "WWW-Authenticate" not in hd, "metrics with credentials, auth server down", (st, hd))
        ok("M: auth server down → 401 (challenge only without credentials)")

        pub.close()
        proc.terminate()
        check(proc.wait(15) == 0, "SIGTERM exit code")
        text = open(log.name).read()
        check("failed to authenticate: server replied with code 401: token refused" in text,
              "LogAndDelayError's warning in the log", text[-2000:])
        print("test_auth_http: all checks passed")
        return 0
    except Failed as e:
        print("FAIL - %s" % e)
        print("---- stand-in log (last 30 lines) ----")
        try:
            print("".join(open(log.name).readlines()[-30:]))
        except OSError:
            pass
        return 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        try:
            auth.stop()
        except Exception:
            pass
        import shutil
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
