"""MediaMTX v1.20.1's load-time rules for the keys and values the station writes.

Mirrors, without copying, tag v1.20.1 (commit 883194a19b72):
  internal/conf/path.go        (*Path).validate, validateURL, IsValidPathName
  internal/conf/credential.go  Credential.validate (rePlainCredential)
  internal/conf/conf.go        (*Conf).Validate (global checks; the authMethod switch)
and the parts of Go 1.26's net/url.Parse that validateURL relies on
(src/net/url/url.go: parse, getScheme, parseAuthority, parseHost,
validUserinfo, validOptionalPort, unescape, shouldEscape).
Every function raises RuleError with MediaMTX's message.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Dict, Optional, Tuple


class RuleError(Exception):
    pass


# ---------------------------------------------------------------- Go net/url

_HOST_OK = set("!$&'()*+,;=:[]<>\"-_.~")
_USERINFO_OK = set("-._:~!$&'()*+,;=%@")


def _hex(c: str) -> bool:
    return c in "0123456789abcdefABCDEF"


def _alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _check_escapes(s: str, mode: str) -> None:
    """url.go unescape: '%' needs two hex digits; in a host only non-ASCII
    (or %25) may be escaped and only shouldEscape(encodeHost)==false chars appear."""
    i = 0
    while i < len(s):
        c = s[i]
        if c == "%":
            if i + 2 >= len(s) or not _hex(s[i + 1]) or not _hex(s[i + 2]):
                raise RuleError("invalid URL escape")
            if mode == "host" and int(s[i + 1], 16) < 8 and s[i:i + 3] != "%25":
                raise RuleError("invalid URL escape")
            i += 3
            continue
        if mode in ("host", "zone") and ord(c) < 0x80 and not (_alnum(c) or c in _HOST_OK):
            raise RuleError("invalid character in host name")
        i += 1


def _valid_optional_port(p: str) -> bool:
    return p == "" or (p[0] == ":" and all("0" <= c <= "9" for c in p[1:]))


def _check_host(host: str) -> None:
    """url.go parseHost (Go 1.26: bracketed literals must be IPv6 at the
    start of the host; outside brackets the first colon starts the port)."""
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise RuleError("missing ']' in host")
        if not _valid_optional_port(host[close + 1:]):
            raise RuleError("invalid port after host")
        inside = host[1:close]
        zone = inside.find("%25")
        addr = inside if zone < 0 else inside[:zone]
        try:
            ipaddress.IPv6Address(addr)
        except ValueError:
            raise RuleError("invalid IP-literal")
        if zone >= 0:
            _check_escapes(inside[zone + 3:], "zone")
        return
    if "[" in host or "]" in host:
        raise RuleError("invalid IP-literal")
    colon = host.find(":")
    if colon >= 0 and not _valid_optional_port(host[colon:]):
        raise RuleError("invalid port after host")
    _check_escapes(host, "host")


def go_url_parse(raw: str) -> Dict[str, Any]:
    """What validateURL reads of url.Parse: scheme, host, user, password."""
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in raw):
        raise RuleError("invalid control character in URL")
    main, hashmark, frag = raw.partition("#")
    if hashmark:
        _check_escapes(frag, "other")
    scheme, rest = "", main
    for i, c in enumerate(main):
        if c.isascii() and c.isalpha():
            continue
        if _alnum(c) or c in "+-.":
            if i == 0:
                break
            continue
        if c == ":":
            if i == 0:
                raise RuleError("missing protocol scheme")
            scheme, rest = main[:i].lower(), main[i + 1:]
        break
    rest = rest.split("?", 1)[0]
    out: Dict[str, Any] = {"scheme": scheme, "host": "", "user": None}
    if not rest.startswith("/"):
        return out
    if scheme and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        rest = slash + path
        at = authority.rfind("@")
        host = authority[at + 1:] if at >= 0 else authority
        _check_host(host)
        out["host"] = host
        if at >= 0:
            userinfo = authority[:at]
            if not all(_alnum(c) or c in _USERINFO_OK for c in userinfo):
                raise RuleError("net/url: invalid userinfo")
            user, _, pw = userinfo.partition(":")
            _check_escapes(user, "other")
            _check_escapes(pw, "other")
            out["user"] = (user, pw)
    _check_escapes(rest, "other")
    return out


# ---------------------------------------------------------------- path.go

_PLACEHOLDER_PORT = re.compile(r":\$G[0-9]+")
_PLACEHOLDER = re.compile(r"\$G[0-9]+")
_PATH_NAME = re.compile(r"^[0-9a-zA-Z_\-/.]+$")

_URL_PREFIXES = ("rtsp://", "rtsps://", "rtsp+http://", "rtsps+http://", "rtsp+ws://", "rtsps+ws://",
                 "rtmp://", "rtmps://", "http://", "https://", "srt://", "moqt://", "whep://", "wheps://")


def validate_url(source: str) -> Dict[str, Any]:
    """path.go validateURL."""
    s = _PLACEHOLDER_PORT.sub(":1935", source)
    s = _PLACEHOLDER.sub("abc", s)
    try:
        u = go_url_parse(s)
    except RuleError:
        raise RuleError("'%s' is not a valid URL" % source)
    if not u["scheme"] or not u["host"]:
        raise RuleError("'%s' is not a valid URL" % source)
    if u["user"] is not None:
        user, pw = u["user"]
        if (user != "") != (pw != ""):
            raise RuleError("username and password must be both provided")
    return u


def _has_port(u: Dict[str, Any]) -> bool:
    """net.SplitHostPort succeeds."""
    h = u["host"]
    if h.startswith("["):
        return h[h.rfind("]") + 1:].startswith(":")
    return ":" in h


def check_source(c: dict) -> None:
    """path.go (*Path).validate, the `source` switch and what follows it."""
    src = c.get("source", "publisher")
    if c.get("srtPublishPassphrase") and src != "publisher":
        raise RuleError("'srtPublishPassphase' can only be used when source is 'publisher'")
    if src != "redirect" and c.get("sourceRedirect"):
        raise RuleError("'sourceRedirect' is useless when source is not 'redirect'")
    if src == "publisher":
        pass
    elif src.startswith(_URL_PREFIXES):
        validate_url(src)
    elif src.startswith(("udp://", "udp+mpegts://")):
        if not _has_port(validate_url(src)):
            raise RuleError("'%s' is missing the port" % src)
    elif src.startswith("unix+mpegts://"):
        pass
    elif src.startswith("udp+rtp://"):
        if not _has_port(validate_url(src)):
            raise RuleError("'%s' is missing the port" % src)
        if not c.get("rtpSDP"):
            raise RuleError("`rtpSDP` was not provided")
    elif src.startswith("unix+rtp://"):
        if not c.get("rtpSDP"):
            raise RuleError("`rtpSDP` was not provided")
    elif src == "redirect":
        if not c.get("sourceRedirect"):
            raise RuleError("source redirect must be filled")
    elif src == "rpiCamera":
        pass
    else:
        raise RuleError("invalid source: '%s'" % src)
    if c.get("sourceOnDemand") and src == "publisher":
        raise RuleError("'sourceOnDemand' is useless when source is 'publisher'")


def is_valid_path_name(name: str) -> None:
    """path.go IsValidPathName."""
    if name == "":
        raise RuleError("cannot be empty")
    if name[0] == "/":
        raise RuleError("can't begin with a slash")
    if name[-1] == "/":
        raise RuleError("can't end with a slash")
    if not _PATH_NAME.match(name):
        raise RuleError("can contain only alphanumeric characters, underscore, dot, minus, slash")
    if any(seg in (".", "..") for seg in name.split("/")):
        raise RuleError("can't contain dot path segments")


def check_record(c: dict, playback: bool, seg_s: float, delete_s: float) -> None:
    """path.go (*Path).validate, the "Record" block."""
    rp = c.get("recordPath", "")
    if "%path" not in rp:
        raise RuleError("'recordPath' must contain %path")
    if "%s" not in rp and not all(x in rp for x in ("%Y", "%m", "%d", "%H", "%M", "%S")):
        raise RuleError("'recordPath' must contain either %s or %Y %m %d %H %M %S")
    if playback and "%f" not in rp:
        raise RuleError("'recordPath' must contain %f")
    if seg_s > 86400:
        raise RuleError("maximum segment duration is 1 day")
    if delete_s != 0 and delete_s < seg_s:
        raise RuleError("'recordDeleteAfter' cannot be lower than 'recordSegmentDuration'")


def check_hooks(c: dict) -> None:
    """path.go (*Path).validate, the "Hooks" block (normal paths)."""
    if (c.get("runOnDemand") or c.get("runOnUnDemand")) and c.get("source", "publisher") != "publisher":
        raise RuleError("'runOnDemand' and 'runOnUnDemand' can be used only when source is 'publisher'")


# ---------------------------------------------------------------- credential.go

_PLAIN_CREDENTIAL = re.compile(r"^[a-zA-Z0-9!$()*+.;<=>\[\]^_\-{}@#&]+$")
_BASE64 = re.compile(r"^sha256:[a-zA-Z0-9+/=]+$")
_SUPPORTED = "A-Z,0-9,!,$,(,),*,+,.,;,<,=,>,[,],^,_,-,\",\",@,#,&"


def check_credential(value: str) -> None:
    """credential.go Credential.validate (argon2 hashes are accepted unchecked here)."""
    if value == "":
        return
    if value.startswith("sha256:"):
        if not _BASE64.match(value):
            raise RuleError("credential contains unsupported characters, sha256 hash must be base64 encoded")
    elif value.startswith("argon2:"):
        return
    elif not _PLAIN_CREDENTIAL.match(value):
        raise RuleError("credential contains unsupported characters. Supported are: %s" % _SUPPORTED)


# ---------------------------------------------------------------- conf.go

def check_global(g: dict) -> None:
    """conf.go (*Conf).Validate, for the keys the station writes."""
    from mtx_conf import parse_duration  # local: mtx_conf imports this module
    if parse_duration(g.get("readTimeout", "10s")) <= 0:
        raise RuleError("'readTimeout' must be greater than zero")
    if parse_duration(g.get("writeTimeout", "10s")) <= 0:
        raise RuleError("'writeTimeout' must be greater than zero")
    wq = g.get("writeQueueSize", 512)
    if wq <= 0:
        raise RuleError("'writeQueueSize' must be greater than zero")
    if wq & (wq - 1):
        raise RuleError("'writeQueueSize' must be a power of two")
    if g.get("udpMaxPayloadSize", 1472) > 1472:
        raise RuleError("'udpMaxPayloadSize' must be less than 1472")
    for u in g.get("authInternalUsers") or []:
        for field in ("user", "pass"):
            check_credential(u.get(field, "") or "")  # credential.go UnmarshalJSON: any authMethod
    method = g.get("authMethod", "internal")
    if method == "internal":
        for u in g.get("authInternalUsers") or []:
            if u.get("user", "") == "":
                raise RuleError("empty usernames are not supported")
            if u.get("user") == "any" and u.get("pass"):
                raise RuleError("using a password with 'any' user is not supported")
    elif method == "http":
        addr = g.get("authHTTPAddress") or ""
        if addr == "":
            raise RuleError("'authHTTPAddress' is empty")
        if not addr.startswith(("http://", "https://")):
            # sic: v1.20.1 names the deprecated key in this message
            raise RuleError("'externalAuthenticationURL' must be a HTTP URL")
    for flag, key, what in (("api", "apiAddress", "API is enabled"), ("metrics", "metricsAddress", "metrics are enabled"),
                            ("pprof", "pprofAddress", "pprof is enabled"), ("playback", "playbackAddress", "playback is enabled")):
        if g.get(flag) and not g.get(key):
            raise RuleError("'%s' must be set when %s" % (key, what))
    if g.get("rtsp"):
        enc = g.get("rtspEncryption", "no")
        transports = g.get("rtspTransports") or ["udp", "multicast", "tcp"]
        if enc in ("no", "optional"):
            if not g.get("rtspAddress"):
                raise RuleError("'rtspAddress' must be set when RTSP is enabled and RTSP encryption is 'no' or 'optional'")
            if "udp" in transports:
                if not g.get("rtpAddress"):
                    raise RuleError("'rtpAddress' must be set when UDP is enabled and RTSP encryption is 'no' or 'optional'")
                if not g.get("rtcpAddress"):
                    raise RuleError("'rtcpAddress' must be set when UDP is enabled and RTSP encryption is 'no' or 'optional'")
        if enc in ("optional", "strict") and not g.get("rtspsAddress"):
            raise RuleError("'rtspsAddress' must be set when RTSP is enabled and RTSP encryption is 'optional' or 'strict'")
    if g.get("hls") and not g.get("hlsAddress"):
        raise RuleError("'hlsAddress' must be set when HLS is enabled")
    if g.get("webrtc"):
        if not g.get("webrtcAddress"):
            raise RuleError("'webrtcAddress' must be set when WebRTC is enabled")
        if not g.get("webrtcLocalUDPAddress") and not g.get("webrtcLocalTCPAddress") and not g.get("webrtcICEServers2"):
            raise RuleError("at least one between 'webrtcLocalUDPAddress', 'webrtcLocalTCPAddress' or 'webrtcICEServers2' must be filled")


def listeners(g: dict) -> list:
    """(label, address, udp) of every listener MediaMTX opens for the
    protocols the station uses (internal/core/core.go createResources)."""
    out = []
    if g.get("api"):
        out.append(("API", g.get("apiAddress", ""), False))
    if g.get("metrics"):
        out.append(("metrics", g.get("metricsAddress", ""), False))
    if g.get("pprof"):
        out.append(("pprof", g.get("pprofAddress", ""), False))
    if g.get("playback"):
        out.append(("playback", g.get("playbackAddress", ""), False))
    if g.get("rtsp") and g.get("rtspEncryption", "no") in ("no", "optional"):
        out.append(("RTSP", g.get("rtspAddress", ""), False))
        if "udp" in (g.get("rtspTransports") or ["udp", "multicast", "tcp"]):
            out.append(("RTSP", g.get("rtpAddress", ""), True))
            out.append(("RTSP", g.get("rtcpAddress", ""), True))
    if g.get("hls"):
        out.append(("HLS", g.get("hlsAddress", ""), False))
    if g.get("webrtc"):
        out.append(("WebRTC", g.get("webrtcAddress", ""), False))
        if g.get("webrtcLocalUDPAddress"):
            out.append(("WebRTC", g.get("webrtcLocalUDPAddress", ""), True))
        if g.get("webrtcLocalTCPAddress"):
            out.append(("WebRTC", g.get("webrtcLocalTCPAddress", ""), False))
    return out


def split_host_port(addr: str) -> Tuple[Optional[str], int]:
    host, _, port = addr.rpartition(":")
    return host.strip("[]") or None, int(port) if port else 0
