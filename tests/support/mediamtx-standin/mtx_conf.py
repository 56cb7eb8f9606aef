"""Configuration: YAML loading, schema checks, MTX_* overrides, defaults.

The allowed keys and their JSON types come from MediaMTX's own OpenAPI spec
(a copy next to this file), so the stand-in rejects exactly the keys the real
binary rejects and the app cannot drift towards keys MediaMTX lacks.
"""
from __future__ import annotations

import copy
import ipaddress
import os
import re
from typing import Any, Dict, List, Optional, Tuple

import yaml

import mtx_rules

HERE = os.path.dirname(os.path.realpath(__file__))


class ConfError(Exception):
    """A configuration or request-body error; str() is MediaMTX's message."""


# --------------------------------------------------------------------------- schema

class Schema:
    """The components.schemas of openapi.yaml with $ref resolution."""

    def __init__(self, path: Optional[str] = None) -> None:
        path = path or os.environ.get("STANDIN_OPENAPI") or os.path.join(HERE, "openapi.yaml")
        with open(path, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        self.schemas: Dict[str, dict] = spec["components"]["schemas"]

    def resolve(self, s: dict) -> dict:
        """Follow $ref and single-element allOf; the outer node's keys win."""
        s = dict(s)
        for _ in range(10):
            if "$ref" in s:
                merged = dict(self.schemas[s.pop("$ref").rsplit("/", 1)[1]])
                merged.update({k: v for k, v in s.items() if k != "description"})
                s = merged
            elif "allOf" in s and len(s["allOf"]) == 1:
                merged = self.resolve(s.pop("allOf")[0])
                merged.update(s)
                s = merged
            else:
                break
        return s

    def props(self, name: str) -> Dict[str, dict]:
        return self.schemas[name]["properties"]


_JSON_TYPE = {bool: "bool", int: "number", float: "number", str: "string", list: "array",
              dict: "object", type(None): "null"}
_GO_TYPE = {"boolean": "bool", "integer": "int", "number": "float64", "string": "string",
            "array": "[]interface {}", "object": "struct"}


def _type_ok(value: Any, typ: str) -> bool:
    if typ == "boolean":
        return isinstance(value, bool)
    if typ == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if typ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ == "string":
        return isinstance(value, str)
    if typ == "array":
        return isinstance(value, list)
    if typ == "object":
        return isinstance(value, dict)
    return True


def check_value(schema: Schema, value: Any, s: dict, where: str, owner: str) -> Any:
    """Validate (and lightly coerce) one value; returns the value to store."""
    s = schema.resolve(s)
    if value is None:
        return None
    if s.get("oneOf"):
        return value
    typ = s.get("type")
    # MediaMTX's Encryption type accepts YAML/JSON booleans ("no" is a YAML bool).
    if s.get("enum") and set(s["enum"]) >= {"no", "strict"} and isinstance(value, bool):
        value = "strict" if value else "no"
        typ = "string"
    if typ and not _type_ok(value, typ):
        raise ConfError("json: cannot unmarshal %s into Go struct field %s.%s of type %s"
                        % (_JSON_TYPE.get(type(value), "value"), owner, where, _GO_TYPE.get(typ, typ)))
    if "enum" in s and value not in s["enum"]:
        raise ConfError("invalid value '%s' for %s" % (value, where))
    if typ == "array":
        item_s = s.get("items", {})
        return [check_value(schema, v, item_s, "%s[%d]" % (where, i), owner) for i, v in enumerate(value)]
    if typ == "object" and "properties" in s:
        return check_object(schema, value, s["properties"], where + ".", owner)
    return value


def check_object(schema: Schema, obj: dict, props: Dict[str, dict], prefix: str, owner: str) -> dict:
    """Reject unknown keys (json: unknown field "prefix.key") and check types."""
    out = {}
    for k, v in obj.items():
        if not isinstance(k, str) or k not in props:
            raise ConfError('json: unknown field "%s%s"' % (prefix, k))
        out[k] = check_value(schema, v, props[k], prefix + k, owner)
    return out


# --------------------------------------------------------------------------- durations

_DUR_RE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)")
_DUR_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0,
              "d": 86400.0}

DURATION_KEYS = {
    "readTimeout", "writeTimeout", "hlsSegmentDuration", "hlsPartDuration", "hlsMuxerCloseAfter",
    "webrtcHandshakeTimeout", "webrtcTrackGatherTimeout", "webrtcSTUNGatherTimeout",
    "sourceOnDemandStartTimeout", "sourceOnDemandCloseAfter", "recordPartDuration",
    "recordSegmentDuration", "recordDeleteAfter", "runOnDemandStartTimeout",
    "runOnDemandCloseAfter", "whepHandshakeTimeout", "whepSTUNGatherTimeout",
    "whepTrackGatherTimeout",
}


def parse_duration(s: Any) -> float:
    """Go duration (plus MediaMTX's 'd' unit) → seconds."""
    if not isinstance(s, str):
        raise ConfError("invalid duration: %r" % (s,))
    txt = s.strip()
    if txt in ("0", ""):
        if txt == "":
            raise ConfError('time: invalid duration ""')
        return 0.0
    neg = txt.startswith("-")
    body = txt.lstrip("+-")
    pos, total = 0, 0.0
    while pos < len(body):
        m = _DUR_RE.match(body, pos)
        if not m:
            raise ConfError('time: invalid duration "%s"' % s)
        total += float(m.group(1)) * _DUR_UNITS[m.group(2)]
        pos = m.end()
    return -total if neg else total


def format_duration(sec: float) -> str:
    """Go's Duration.String(), with MediaMTX's whole-day form ('1d')."""
    ns = int(round(sec * 1e9))
    if ns == 0:
        return "0s"
    day = 86400 * 10**9
    if ns % day == 0:
        return "%dd" % (ns // day)
    neg, ns = ns < 0, abs(ns)
    if ns < 10**9:
        if ns < 1000:
            out = "%dns" % ns
        elif ns < 10**6:
            out = _frac(ns, 1000) + "µs"
        else:
            out = _frac(ns, 10**6) + "ms"
    else:
        h, rem = divmod(ns, 3600 * 10**9)
        m, rem = divmod(rem, 60 * 10**9)
        out = _frac(rem, 10**9) + "s"
        if h or m:
            out = "%dm" % m + out
        if h:
            out = "%dh" % h + out
    return ("-" if neg else "") + out


def _frac(v: int, unit: int) -> str:
    whole, frac = divmod(v, unit)
    if not frac:
        return str(whole)
    digits = len(str(unit)) - 1
    return ("%d.%0*d" % (whole, digits, frac)).rstrip("0")


# --------------------------------------------------------------------------- defaults

DEFAULT_USERS = [
    {"user": "any", "pass": "", "ips": [],
     "permissions": [{"action": "publish", "path": ""}, {"action": "read", "path": ""},
                     {"action": "playback", "path": ""}]},
    {"user": "any", "pass": "", "ips": ["127.0.0.1", "::1"],
     "permissions": [{"action": "api", "path": ""}, {"action": "metrics", "path": ""},
                     {"action": "pprof", "path": ""}]},
]

GLOBAL_DEFAULTS: Dict[str, Any] = {
    "logLevel": "info", "logDestinations": ["stdout"], "logStructured": False,
    "logFile": "mediamtx.log", "sysLogPrefix": "mediamtx", "readTimeout": "10s",
    "writeTimeout": "10s", "writeQueueSize": 512, "udpMaxPayloadSize": 1452,
    "udpReadBufferSize": 0, "dumpPackets": False, "runOnConnect": "",
    "runOnConnectRestart": False, "runOnDisconnect": "", "authMethod": "internal",
    "authInternalUsers": DEFAULT_USERS, "authHTTPAddress": "",
    # Empty since v1.20.1 (commit cca0f5a0 "change default value of
    # authHTTPExclude": internal/conf/conf.go setDefaults no longer sets it;
    # mediamtx.yml has `authHTTPExclude: []`). Before: api, metrics, pprof.
    "authHTTPExclude": [],
    "authJWTClaimKey": "mediamtx_permissions",
    "api": False, "apiAddress": ":9997", "apiServerKey": "server.key", "apiServerCert": "server.crt",
    "apiAllowOrigins": ["*"],
    "metrics": False, "metricsAddress": ":9998", "metricsServerKey": "server.key",
    "metricsServerCert": "server.crt", "metricsAllowOrigins": ["*"],
    "pprof": False, "pprofAddress": ":9999", "pprofServerKey": "server.key",
    "pprofServerCert": "server.crt", "pprofAllowOrigins": ["*"],
    "playback": False, "playbackAddress": ":9996", "playbackServerKey": "server.key",
    "playbackServerCert": "server.crt", "playbackAllowOrigins": ["*"],
    "rtsp": True, "rtspTransports": ["udp", "multicast", "tcp"], "rtspEncryption": "no",
    "rtspAddress": ":8554", "rtspsAddress": ":8322", "rtpAddress": ":8000", "rtcpAddress": ":8001",
    "multicastIPRange": "224.1.0.0/16", "multicastRTPPort": 8002, "multicastRTCPPort": 8003,
    "srtpAddress": ":8004", "srtcpAddress": ":8005", "multicastSRTPPort": 8006,
    "multicastSRTCPPort": 8007, "rtspServerKey": "server.key", "rtspServerCert": "server.crt",
    "rtspAuthMethods": ["basic"],
    "rtmp": True, "rtmpAddress": ":1935", "rtmpEncryption": "no", "rtmpsAddress": ":1936",
    "rtmpServerKey": "server.key", "rtmpServerCert": "server.crt",
    "hls": True, "hlsAddress": ":8888", "hlsServerKey": "server.key", "hlsServerCert": "server.crt",
    "hlsAllowOrigins": ["*"], "hlsVariant": "lowLatency", "hlsSegmentCount": 7,
    "hlsSegmentDuration": "1s", "hlsPartDuration": "200ms", "hlsSegmentMaxSize": "50M",
    "hlsMuxerCloseAfter": "1m0s",
    "webrtc": True, "webrtcAddress": ":8889", "webrtcServerKey": "server.key",
    "webrtcServerCert": "server.crt", "webrtcAllowOrigins": ["*"],
    "webrtcLocalUDPAddress": ":8189", "webrtcIPsFromInterfaces": True,
    "webrtcHandshakeTimeout": "10s", "webrtcTrackGatherTimeout": "2s",
    "webrtcSTUNGatherTimeout": "5s",
    "srt": True, "srtAddress": ":8890",
    "moq": True, "moqHTTP2Address": ":8892", "moqHTTP3Address": ":8892", "moqQUICAddress": ":8893",
    "moqServerKey": "server.key", "moqServerCert": "server.crt", "moqAllowOrigins": ["*"],
}

PATH_DEFAULTS: Dict[str, Any] = {
    "source": "publisher", "sourceOnDemand": False, "sourceOnDemandStartTimeout": "10s",
    "sourceOnDemandCloseAfter": "10s", "maxReaders": 0, "overridePublisher": True,
    "record": False, "recordPath": "./recordings/%path/%Y-%m-%d_%H-%M-%S-%f",
    "recordFormat": "fmp4", "recordPartDuration": "1s", "recordMaxPartSize": "50M",
    "recordSegmentDuration": "1h0m0s", "recordDeleteAfter": "1d",
    "rtspTransport": "automatic", "rtspRangeType": "", "rtspUDPSourcePortRange": [10000, 65535],
    "rpiCameraWidth": 1920, "rpiCameraHeight": 1080, "rpiCameraFPS": 30,
    "runOnDemandStartTimeout": "10s", "runOnDemandCloseAfter": "10s",
    "whepHandshakeTimeout": "10s", "whepTrackGatherTimeout": "2s", "whepSTUNGatherTimeout": "5s",
}

_ZERO = {"boolean": False, "integer": 0, "number": 0, "string": "", "array": []}

# Keys whose change is applied to a running path without recreating it (§2).
LIVE_PATH_KEYS = {"record", "recordPath", "recordFormat", "recordPartDuration",
                  "recordMaxPartSize", "recordSegmentDuration", "recordDeleteAfter", "forward"}

PATH_NAME_RE = re.compile(r"^[A-Za-z0-9_./-]+$")


def check_path_name(name: str) -> None:
    """path.go IsValidPathName (regex names starting with '~' are not supported here)."""
    try:
        mtx_rules.is_valid_path_name(name)
    except mtx_rules.RuleError as e:
        raise ConfError("invalid path name '%s': %s" % (name, e))


# --------------------------------------------------------------------------- the configuration

class Conf:
    """Global keys, path defaults and per-path overrides (what the API edits)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.gprops = schema.props("GlobalConf")
        self.pprops = schema.props("PathConf")
        self.global_: Dict[str, Any] = self._full(GLOBAL_DEFAULTS, self.gprops)
        self.path_defaults: Dict[str, Any] = self._full(PATH_DEFAULTS, self.pprops, skip={"name"})
        self.paths: Dict[str, Dict[str, Any]] = {}

    def _full(self, defaults: dict, props: dict, skip: set = frozenset()) -> dict:
        """Every non-deprecated key with its default (or its type's zero value)."""
        out: Dict[str, Any] = {}
        for k in sorted(props):
            if k in skip or props[k].get("deprecated"):
                continue
            if k in defaults:
                out[k] = copy.deepcopy(defaults[k])
            else:
                typ = self.schema.resolve(props[k]).get("type", "string")
                out[k] = copy.deepcopy(_ZERO.get(typ, None))
        return out

    # ---- body / file checks
    def check_global(self, body: Any, prefix: str = "") -> dict:
        if not isinstance(body, dict):
            raise ConfError("json: cannot unmarshal %s into Go value of type conf.OptionalGlobal"
                            % _JSON_TYPE.get(type(body), "value"))
        return normalise(check_object(self.schema, body, self.gprops, prefix, "Conf"))

    def check_path(self, body: Any, prefix: str = "") -> dict:
        if not isinstance(body, dict):
            raise ConfError("json: cannot unmarshal %s into Go value of type conf.OptionalPath"
                            % _JSON_TYPE.get(type(body), "value"))
        out = normalise(check_object(self.schema, body, self.pprops, prefix, "Path"))
        out.pop("name", None)
        # deprecated aliases
        for old, new in (("runOnReady", "runOnAvailable"), ("runOnReadyRestart", "runOnAvailableRestart"),
                         ("runOnNotReady", "runOnUnavailable")):
            if old in out:
                v = out.pop(old)
                if v is not None:
                    out[new] = v
        return {k: v for k, v in out.items() if v is not None}

    def effective(self, name: str) -> Dict[str, Any]:
        conf = copy.deepcopy(self.path_defaults)
        conf.update(copy.deepcopy(self.paths[name]))
        conf["name"] = name
        return conf

    def validate(self) -> None:
        """Whole-configuration checks, run after every load or API change."""
        # conf.go Validate, "Authentication (deprecated params)": the old key
        # selects authMethod http with its URL.
        if self.global_.get("externalAuthenticationURL") is not None:
            self.global_["authMethod"] = "http"
            self.global_["authHTTPAddress"] = self.global_["externalAuthenticationURL"]
        for u in self.global_.get("authInternalUsers") or []:
            # conf.go checks this only with authMethod internal.
            if self.global_.get("authMethod", "internal") == "internal" and u.get("user") == "any" and u.get("pass"):
                raise ConfError("using a password with 'any' user is not supported")
            for ip in u.get("ips") or []:
                try:
                    ipaddress.ip_network(ip, strict=False)
                except ValueError:
                    raise ConfError("unable to parse IP/CIDR '%s'" % ip)
        for k in DURATION_KEYS & set(self.global_):
            parse_duration(self.global_[k])
        try:
            mtx_rules.check_global(self.global_)  # conf.go (*Conf).Validate
        except mtx_rules.RuleError as e:
            raise ConfError(str(e))
        playback = bool(self.global_.get("playback"))
        for name in self.paths:
            check_path_name(name)
            validate_path(self.effective(name), playback=playback)
        validate_path(dict(self.path_defaults, name="pathDefaults"), is_defaults=True, playback=playback)

    def redacted_global(self) -> dict:
        g = copy.deepcopy(self.global_)
        for u in g.get("authInternalUsers") or []:
            if u.get("pass"):
                u["pass"] = "<redacted>"
        return g


def normalise(d: dict) -> dict:
    """Durations to Go's canonical strings; missing user fields to zero values."""
    for k, v in list(d.items()):
        if k in DURATION_KEYS and v is not None:
            d[k] = format_duration(parse_duration(v))
    # Permission lists (AuthInternalUserPermission: action, path) get both
    # fields, as MediaMTX's JSON shows them; a null list is an empty one
    # (conf.go setAllNilSlicesToEmptyRecursive).
    for key in ("authHTTPExclude", "authJWTExclude"):
        if key in d and d[key] is None:
            d[key] = []
        if isinstance(d.get(key), list):
            d[key] = [{"action": p.get("action", ""), "path": p.get("path", "")} for p in d[key]]
    if isinstance(d.get("authInternalUsers"), list):
        d["authInternalUsers"] = [
            {"user": u.get("user", ""), "pass": u.get("pass", ""), "ips": u.get("ips") or [],
             "permissions": [{"action": p.get("action", ""), "path": p.get("path", "")}
                             for p in (u.get("permissions") or [])]}
            for u in d["authInternalUsers"]]
    return d


def validate_path(c: dict, is_defaults: bool = False, playback: bool = False) -> None:
    """MediaMTX v1.20.1 internal/conf/path.go (*Path).validate (mtx_rules)."""
    for k in DURATION_KEYS & set(c):
        parse_duration(c[k])
    try:
        if not is_defaults:
            mtx_rules.check_source(c)
        mtx_rules.check_record(c, playback, parse_duration(c.get("recordSegmentDuration", "1h")),
                               parse_duration(c.get("recordDeleteAfter", "1d")))
        if not is_defaults:
            mtx_rules.check_hooks(c)
    except mtx_rules.RuleError as e:
        raise ConfError(str(e))


# --------------------------------------------------------------------------- loading

def _env_value(raw: str, s: dict, schema: Schema) -> Any:
    """Convert an MTX_* string to the key's JSON type."""
    s = schema.resolve(s)
    typ = s.get("type", "string")
    if typ == "boolean":
        low = raw.lower()
        if low in ("yes", "true", "on", "1"):
            return True
        if low in ("no", "false", "off", "0", ""):
            return False
        raise ConfError("invalid boolean value in environment: %s" % raw)
    if typ == "integer":
        try:
            return int(raw)
        except ValueError:
            raise ConfError("invalid integer value in environment: %s" % raw)
    if typ == "number":
        return float(raw)
    if typ == "array":
        items = [x for x in raw.split(",") if x != ""]
        it = schema.resolve(s.get("items", {})).get("type", "string")
        return [int(x) if it == "integer" else x for x in items]
    return raw


def apply_env(raw: dict, schema: Schema, environ: Optional[Dict[str, str]] = None) -> dict:
    """MediaMTX's MTX_<KEY> overrides, including list entries (MTX_AUTHINTERNALUSERS_0_PASS)."""
    env = dict(os.environ if environ is None else environ)
    gprops = schema.props("GlobalConf")
    pprops = schema.props("PathConf")
    for k, s in gprops.items():
        rs = schema.resolve(s)
        if rs.get("type") == "array" and schema.resolve(rs.get("items", {})).get("type") == "object":
            continue
        ev = "MTX_" + k.upper()
        if ev in env:
            raw[k] = _env_value(env[ev], s, schema)
    # authInternalUsers entries
    users_re = re.compile(r"^MTX_AUTHINTERNALUSERS_(\d+)_(USER|PASS|IPS)$")
    perm_re = re.compile(r"^MTX_AUTHINTERNALUSERS_(\d+)_PERMISSIONS_(\d+)_(ACTION|PATH)$")
    hits = sorted((k for k in env if k.startswith("MTX_AUTHINTERNALUSERS_")),
                  key=lambda k: [int(p) if p.isdigit() else p for p in k.split("_")])
    if hits:
        users = raw.get("authInternalUsers")
        if users is None:
            users = copy.deepcopy(DEFAULT_USERS)
        for k in hits:
            m, pm = users_re.match(k), perm_re.match(k)
            idx = int((m or pm).group(1)) if (m or pm) else -1
            if idx < 0 or idx > len(users):
                continue
            if idx == len(users):
                users.append({})
            if m:
                field = m.group(2).lower()
                users[idx][field] = [x for x in env[k].split(",") if x] if field == "ips" else env[k]
            else:
                perms = users[idx].setdefault("permissions", [])
                j = int(pm.group(2))
                if j > len(perms):
                    continue
                if j == len(perms):
                    perms.append({})
                perms[j][pm.group(3).lower()] = env[k]
        raw["authInternalUsers"] = users
    # authHTTPExclude entries (internal/conf/env/env.go, slices of structs):
    # MTX_AUTHHTTPEXCLUDE="" empties the list; MTX_AUTHHTTPEXCLUDE_<i>_ACTION
    # and _PATH set or append entry i (entries follow one another from 0).
    for key in ("authHTTPExclude",):
        ev = "MTX_" + key.upper()
        if env.get(ev) == "":
            raw[key] = []
            continue
        perms = raw.get(key)
        perms = copy.deepcopy(GLOBAL_DEFAULTS[key]) if perms is None else perms
        i = 0
        while True:
            item = "%s_%d_" % (ev, i)
            if not any(k.startswith(item) for k in env) and i >= len(perms):
                break
            if i == len(perms):
                perms.append({})
            for fld in ("action", "path"):
                if item + fld.upper() in env:
                    perms[i][fld] = env[item + fld.upper()]
            i += 1
        raw[key] = perms
    # pathDefaults and paths
    upper_pkeys = {k.upper(): k for k in pprops}
    for k, v in env.items():
        if k.startswith("MTX_PATHDEFAULTS_") and k[17:] in upper_pkeys:
            key = upper_pkeys[k[17:]]
            raw.setdefault("pathDefaults", {})
            raw["pathDefaults"] = raw["pathDefaults"] or {}
            raw["pathDefaults"][key] = _env_value(v, pprops[key], schema)
        elif k.startswith("MTX_PATHS_"):
            rest = k[10:]
            for up, key in upper_pkeys.items():
                if rest.endswith("_" + up) and len(rest) > len(up) + 1:
                    pname_up = rest[: -len(up) - 1]
                    paths = raw.get("paths") or {}
                    raw["paths"] = paths
                    pname = next((p for p in paths if str(p).upper() == pname_up), pname_up.lower())
                    paths[pname] = paths.get(pname) or {}
                    paths[pname][key] = _env_value(v, pprops[key], schema)
                    break
    return raw


def load(path: str, schema: Schema) -> Conf:
    """Read, override, check and validate; raises ConfError with MediaMTX's message."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfError("open %s: %s" % (path, e.strerror.lower() if e.strerror else e))
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfError("yaml: %s" % str(e).replace("\n", " "))
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfError("json: cannot unmarshal %s into Go value of type conf.Conf"
                        % _JSON_TYPE.get(type(raw), "value"))
    raw = apply_env(raw, schema)
    conf = Conf(schema)
    glob = {k: v for k, v in raw.items() if k not in ("pathDefaults", "paths")}
    conf.global_.update(conf.check_global(glob))
    if raw.get("pathDefaults") is not None:
        conf.path_defaults.update(conf.check_path(raw["pathDefaults"], "pathDefaults."))
    paths = raw.get("paths") or {}
    if not isinstance(paths, dict):
        raise ConfError("json: cannot unmarshal %s into Go struct field Conf.paths of type map"
                        % _JSON_TYPE.get(type(paths), "value"))
    for name, body in paths.items():
        name = str(name)
        if name == "all_others" or name == "all" or name.startswith("~"):
            raise ConfError("path '%s': regular-expression and catch-all paths are not supported "
                            "by the stand-in" % name)
        conf.paths[name] = conf.check_path(body or {}, "paths.%s." % name)
    conf.validate()
    return conf


def split_address(addr: str, default_port: int) -> Tuple[List[str], int]:
    """':8554' → loopback hosts (the stand-in never listens beyond loopback), port."""
    host, _, port = addr.rpartition(":")
    host = host.strip("[]")
    p = int(port) if port else default_port
    if host in ("", "0.0.0.0", "::"):
        return ["127.0.0.1"], p
    if host == "localhost":
        return ["127.0.0.1"], p
    return [host], p
