"""Control API (/v3/...) with MediaMTX's shapes, errors and auth behaviour.

Also writes a JSONL trace of every request to $STANDIN_REQUEST_LOG so tests
can assert what the app sent.
"""
from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import os
import random
import re
import urllib.parse
from typing import Any, Awaitable, Callable, Dict, List, Tuple

from mtx_auth import parse_authorization
import mtx_auth_http
from mtx_conf import ConfError, check_path_name
from mtx_http import Request, Response
from mtx_log import log, rfc3339nano

VERSION = "v1.20.1-standin"


class APIError(Exception):
    def __init__(self, status: int, msg: str) -> None:
        super().__init__(msg)
        self.status = status


def ok(data: Any = None) -> Response:
    body = {"status": "ok"} if data is None else data
    return Response(200, json.dumps(body, separators=(",", ":")).encode())


def err(status: int, msg: str) -> Response:
    return Response(status, json.dumps({"status": "error", "error": msg}, separators=(",", ":")).encode())


NOT_FOUND = Response(404, b"404 page not found", "text/plain")


def paginate(items: List[Any], query: Dict[str, List[str]]) -> Dict[str, Any]:
    """itemsPerPage (default 100, 0 → 400) and 0-based page, like MediaMTX."""
    try:
        ipp = int(query.get("itemsPerPage", ["100"])[0])
        page = int(query.get("page", ["0"])[0])
    except ValueError as e:
        raise APIError(400, str(e))
    if ipp <= 0:
        raise APIError(400, "invalid items per page")
    if page < 0:
        raise APIError(400, "invalid page")
    count = len(items)
    page_count = (count + ipp - 1) // ipp
    return {"itemCount": count, "pageCount": page_count, "items": items[page * ipp:(page + 1) * ipp]}


def parse_body(req: Request) -> Any:
    if not req.body.strip():
        raise APIError(400, "EOF")
    try:
        return json.loads(req.body)
    except (ValueError, UnicodeDecodeError) as e:
        raise APIError(400, "invalid character in JSON body: %s" % e)


class API:
    """Routes requests to the core; `core` provides conf, paths, rtsp, gate."""

    def __init__(self, core) -> None:
        self.core = core
        self.trace_path = os.environ.get("STANDIN_REQUEST_LOG") or ""
        self.routes: List[Tuple[str, re.Pattern, Callable[..., Awaitable[Response]]]] = []
        r = self._route
        r("GET", r"/v3/info", self.info)
        r("GET", r"/v3/config/global/get", self.global_get)
        r("PATCH", r"/v3/config/global/patch", self.global_patch)
        r("GET", r"/v3/config/pathdefaults/get", self.defaults_get)
        r("PATCH", r"/v3/config/pathdefaults/patch", self.defaults_patch)
        r("GET", r"/v3/config/paths/list", self.conf_paths_list)
        r("GET", r"/v3/config/paths/get/(?P<name>.+)", self.conf_paths_get)
        r("POST", r"/v3/config/paths/add/(?P<name>.+)", self.conf_paths_add)
        r("PATCH", r"/v3/config/paths/patch/(?P<name>.+)", self.conf_paths_patch)
        r("POST", r"/v3/config/paths/replace/(?P<name>.+)", self.conf_paths_replace)
        r("DELETE", r"/v3/config/paths/delete/(?P<name>.+)", self.conf_paths_delete)
        r("GET", r"/v3/paths/list", self.paths_list)
        r("GET", r"/v3/paths/get/(?P<name>.+)", self.paths_get)
        r("GET", r"/v3/recordings/list", self.rec_list)
        r("GET", r"/v3/recordings/get/(?P<name>.+)", self.rec_get)
        r("DELETE", r"/v3/recordings/deletesegment", self.rec_delete)
        r("GET", r"/v3/rtspsessions/list", self.rtsp_list, "rtsp")
        r("GET", r"/v3/rtspsessions/get/(?P<name>.+)", self.rtsp_get, "rtsp")
        r("POST", r"/v3/rtspsessions/kick/(?P<name>.+)", self.rtsp_kick, "rtsp")
        r("GET", r"/v3/rtspconns/list", self.rtsp_conns, "rtsp")
        # v1.20.1 internal/api/api_hls.go (muxers and sessions of the HLS server)
        r("GET", r"/v3/hlsmuxers/list", self.hls_muxers, "hls")
        r("GET", r"/v3/hlsmuxers/get/(?P<name>.+)", self.hls_muxer_get, "hls")
        r("GET", r"/v3/hlssessions/list", self.hls_sessions, "hls")
        r("GET", r"/v3/hlssessions/get/(?P<name>.+)", self.hls_session_get, "hls")

    def _route(self, method: str, pattern: str, fn, needs: str = "") -> None:
        self.routes.append((method, re.compile("^" + pattern + "$"), fn, needs))

    # ------------------------------------------------------------------ entry point
    async def handle(self, req: Request) -> Response:
        await self.core.api_gate.wait()  # SIGUSR1 fault injection: accept, never answer
        try:
            resp = await self._dispatch(req)
        except APIError as e:
            resp = err(e.status, str(e))
        except ConfError as e:
            resp = err(400, str(e))
        except Exception as e:  # never kill the connection on a stand-in bug
            log.error("[API] internal error: %r" % e)
            resp = err(500, str(e))
        self._trace(req, resp)
        return resp

    async def _auth_http(self, req: Request):
        """authMethod http: v1.20.1 internal/api/api.go middlewareAuth (action
        api, the raw query, httpp.Credentials, no path/protocol/id/userAgent).
        None when allowed, else the 401."""
        areq = mtx_auth_http.AuthRequest(
            action="api", ip=req.peer[0], query=urllib.parse.urlsplit(req.target).query,
            creds=mtx_auth_http.http_credentials(req.headers.get("authorization", "")))
        aerr = await self.core.authenticate_http(areq, path_manager=False)
        if aerr is None:
            return None
        if aerr.ask_credentials:
            return Response(401, b'{"status":"error","error":"authentication error"}',
                            headers={"WWW-Authenticate": 'Basic realm="mediamtx"'})
        await self.core.log_and_delay("[API] [conn %s:%d]" % req.peer[:2], aerr)
        return err(401, "authentication error")

    async def _dispatch(self, req: Request) -> Response:
        if self.core.auth_http():
            deny = await self._auth_http(req)
            if deny is not None:
                return deny
            return await self._route_request(req)
        creds = parse_authorization(req.headers.get("authorization", ""))
        if not self.core.auth.allowed("api", req.peer[0], creds):
            if not creds:
                # v1.20.1 internal/api/api.go middlewareAuth: the JSON error body, with the challenge.
                return Response(401, b'{"status":"error","error":"authentication error"}',
                                headers={"WWW-Authenticate": 'Basic realm="mediamtx"'})
            await asyncio.sleep(random.uniform(0, self.core.auth_fail_delay))
            return err(401, "authentication error")
        return await self._route_request(req)

    async def _route_request(self, req: Request) -> Response:
        url = urllib.parse.urlsplit(req.target)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        for method, rx, fn, needs in self.routes:
            m = rx.match(url.path)
            if m and method == req.method and (not needs or self.core.conf.global_.get(needs)):
                kwargs = {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}
                return await fn(req, query, **kwargs)
        return NOT_FOUND

    def _trace(self, req: Request, resp: Response) -> None:
        log.log("DEB", "[API] [conn %s:%d] %s %s %d" % (req.peer[0], req.peer[1], req.method,
                                                          req.target, resp.status), force=True)
        if not self.trace_path:
            return
        try:
            body: Any = json.loads(req.body) if req.body.strip() else None
        except (ValueError, UnicodeDecodeError):
            body = req.body.decode("utf-8", "replace")
        entry = {"time": rfc3339nano(dt.datetime.now()), "remoteAddr": "%s:%d" % req.peer,
                 "method": req.method, "path": req.target, "body": body, "status": resp.status}
        try:
            with open(self.trace_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
        except OSError as e:
            log.warn("[API] cannot write request log: %s" % e)

    # ------------------------------------------------------------------ handlers
    async def info(self, req, q) -> Response:
        return ok({"version": VERSION, "started": rfc3339nano(self.core.started)})

    async def global_get(self, req, q) -> Response:
        return ok(self.core.conf.redacted_global())

    async def global_patch(self, req, q) -> Response:
        body = self.core.conf.check_global(parse_body(req))
        new = copy.deepcopy(self.core.conf)
        new.global_.update({k: v for k, v in body.items() if v is not None})
        new.validate()
        await self.core.apply_conf(new)
        return ok()

    async def defaults_get(self, req, q) -> Response:
        return ok(self.core.conf.path_defaults)

    async def defaults_patch(self, req, q) -> Response:
        body = self.core.conf.check_path(parse_body(req))
        new = copy.deepcopy(self.core.conf)
        new.path_defaults.update(body)
        new.validate()
        await self.core.apply_conf(new)
        return ok()

    async def conf_paths_list(self, req, q) -> Response:
        conf = self.core.conf
        return ok(paginate([conf.effective(n) for n in sorted(conf.paths)], q))

    async def conf_paths_get(self, req, q, name: str) -> Response:
        self._check_name(name)
        if name not in self.core.conf.paths:
            raise APIError(404, "path configuration not found")
        return ok(self.core.conf.effective(name))

    async def conf_paths_add(self, req, q, name: str) -> Response:
        self._check_name(name)
        body = self.core.conf.check_path(parse_body(req))
        if name in self.core.conf.paths:
            raise APIError(400, "path already exists")
        new = copy.deepcopy(self.core.conf)
        new.paths[name] = body
        new.validate()
        await self.core.apply_conf(new)
        return ok()

    async def conf_paths_patch(self, req, q, name: str) -> Response:
        self._check_name(name)
        body = self.core.conf.check_path(parse_body(req))
        if name not in self.core.conf.paths:
            raise APIError(404, "path not found")
        new = copy.deepcopy(self.core.conf)
        new.paths[name].update(body)
        new.validate()
        await self.core.apply_conf(new)
        return ok()

    async def conf_paths_replace(self, req, q, name: str) -> Response:
        self._check_name(name)
        body = self.core.conf.check_path(parse_body(req))
        new = copy.deepcopy(self.core.conf)
        new.paths[name] = body
        new.validate()
        await self.core.apply_conf(new)
        return ok()

    async def conf_paths_delete(self, req, q, name: str) -> Response:
        self._check_name(name)
        if name not in self.core.conf.paths:
            raise APIError(404, "path not found")
        new = copy.deepcopy(self.core.conf)
        del new.paths[name]
        await self.core.apply_conf(new)
        return ok()

    async def paths_list(self, req, q) -> Response:
        # pathManager.APIPathsList waits for the path manager (Core.pm_lock).
        async with self.core.pm_lock:
            pass
        paths = self.core.paths
        return ok(paginate([paths.paths[n].api() for n in sorted(paths.paths)], q))

    async def paths_get(self, req, q, name: str) -> Response:
        self._check_name(name)
        async with self.core.pm_lock:  # pathManager.APIPathsGet, likewise
            pass
        p = self.core.paths.paths.get(name)
        if p is None:
            raise APIError(404, "path not found")
        return ok(p.api())

    async def rec_list(self, req, q) -> Response:
        items = []
        for name in sorted(self.core.conf.paths):
            segs = self.core.paths.segments(name)
            if segs:
                items.append({"name": name, "segments": [{"start": s.start_str} for s in segs]})
        return ok(paginate(items, q))

    async def rec_get(self, req, q, name: str) -> Response:
        self._check_name(name)
        if name not in self.core.conf.paths:
            raise APIError(400, "path not found")
        segs = self.core.paths.segments(name)
        return ok({"name": name, "segments": [{"start": s.start_str} for s in segs]})

    async def rec_delete(self, req, q) -> Response:
        name = q.get("path", [""])[0]
        start = q.get("start", [""])[0]
        if name not in self.core.conf.paths:
            raise APIError(400, "path not found")
        try:
            when = dt.datetime.fromisoformat(_py_iso(start))
        except ValueError:
            raise APIError(400, 'parsing time "%s" as "2006-01-02T15:04:05Z07:00": cannot parse' % start)
        for s in self.core.paths.segments(name):
            if s.start == when:
                try:
                    os.remove(s.file)
                except OSError as e:
                    raise APIError(400, str(e))
                return ok()
        raise APIError(400, "segment not found")

    async def rtsp_list(self, req, q) -> Response:
        return ok(paginate([s.api() for s in self.core.rtsp.sessions_sorted()], q))

    async def rtsp_get(self, req, q, name: str) -> Response:
        s = self.core.rtsp.session_by_id(name)
        if s is None:
            raise APIError(404, "session not found")
        return ok(s.api())

    async def rtsp_kick(self, req, q, name: str) -> Response:
        s = self.core.rtsp.session_by_id(name)
        if s is None:
            raise APIError(404, "session not found")
        s.kick("kicked by API")
        return ok()

    async def hls_muxers(self, req, q) -> Response:
        return ok(paginate([m.api() for _, m in sorted(self.core.hls.muxers.items())], q))

    async def hls_muxer_get(self, req, q, name: str) -> Response:
        m = self.core.hls.muxers.get(name)
        if m is None:
            raise APIError(404, "muxer not found")
        return ok(m.api())

    async def hls_sessions(self, req, q) -> Response:
        return ok(paginate(sorted((s.api() for s in self.core.hls.sessions()), key=lambda a: a["created"]), q))

    async def hls_session_get(self, req, q, name: str) -> Response:
        for s in self.core.hls.sessions():
            if s.id == name:
                return ok(s.api())
        raise APIError(404, "session not found")

    async def rtsp_conns(self, req, q) -> Response:
        return ok(paginate([s.conn_api() for s in self.core.rtsp.sessions_sorted()], q))

    @staticmethod
    def _check_name(name: str) -> None:
        try:
            check_path_name(name)
        except ConfError as e:
            raise APIError(400, "invalid path name: %s (%s)" % (e, name))


def _py_iso(s: str) -> str:
    """RFC 3339 (any fraction length, 'Z') → something datetime.fromisoformat accepts."""
    s = s.strip().replace("z", "Z")
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:\d\d)$", s)
    if not m:
        raise ValueError(s)
    frac = (m.group(2) or "")[1:]
    frac = (frac + "000000")[:6] if frac else ""
    return m.group(1) + ("." + frac if frac else "") + m.group(3)
