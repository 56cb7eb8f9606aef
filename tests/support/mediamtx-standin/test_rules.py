#!/usr/bin/env python3
"""Table-driven self-test of mtx_rules: what MediaMTX v1.20.1 accepts and
refuses for the keys and values the station writes. Every row cites the Go
source it mirrors (tag v1.20.1):
  P  internal/conf/path.go (*Path).validate     V  internal/conf/path.go validateURL
  N  internal/conf/path.go IsValidPathName      C  internal/conf/credential.go Credential.validate
  G  internal/conf/conf.go (*Conf).Validate     U  Go 1.26 src/net/url/url.go (function named)
Run: python3 test_rules.py (selftest.sh runs it first). Exit 1 on any mismatch.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mtx_rules  # noqa: E402
from mtx_rules import RuleError  # noqa: E402

OK = None  # accepted

# (citation, callable, expected refusal substring or OK)
REC = "/r/%path/%path_%Y-%m-%d_%H-%M-%S-%f"


def src(s, **extra):
    return lambda: mtx_rules.check_source(dict({"source": s}, **extra))


def rec(path, playback=True, seg=3600, dele=0):
    return lambda: mtx_rules.check_record({"recordPath": path}, playback, seg, dele)


def glob(**kv):
    base = {"api": True, "apiAddress": "127.0.0.1:9997", "metrics": True, "metricsAddress": "127.0.0.1:9998",
            "playback": True, "playbackAddress": "127.0.0.1:9996", "rtsp": True, "rtspAddress": ":8554",
            "rtspTransports": ["tcp"], "rtspEncryption": "no", "rtpAddress": ":8000", "rtcpAddress": ":8001",
            "hls": True, "hlsAddress": ":8888", "webrtc": True, "webrtcAddress": ":8889",
            "webrtcLocalUDPAddress": ":8189", "writeQueueSize": 512, "readTimeout": "10s", "writeTimeout": "10s",
            "authInternalUsers": [{"user": "any", "pass": ""}, {"user": "camera-station", "pass": "abc123XYZ"}]}
    base.update(kv)
    return lambda: mtx_rules.check_global(base)


CASES = [
    # sources: accepted
    ("P: publisher", src("publisher"), OK),
    ("P+V: rtsp host/path", src("rtsp://cam/s"), OK),
    ("P+V: rtsps host:port", src("rtsps://10.0.0.2:322/live"), OK),
    ("V: user and password", src("rtsp://admin:secret@cam:554/s"), OK),
    ("U validUserinfo: '@' in password, last '@' ends userinfo", src("rtsp://a:p@ss@cam/s"), OK),
    ("U unescape: escaped space in password", src("rtsp://u:a%20b@cam/s"), OK),
    ("V: empty user and password", src("rtsp://:@cam/s"), OK),
    ("U parse: query not validated", src("rtsp://cam/s?x=%zz"), OK),
    ("U parseHost: bracketed IPv6", src("rtsp://[fd00::1]:554/s"), OK),
    ("U setPath: space in path", src("rtsp://cam/a b"), OK),
    ("V: $G placeholder port", src("rtsp://cam:$G1/s"), OK),
    ("P: udp with port", src("udp://238.0.0.1:1234"), OK),
    ("P: sourceOnDemand with a static source", src("rtsp://cam/s", sourceOnDemand=True), OK),
    # sources: refused
    ("P: upper-case scheme", src("RTSP://cam/s"), "invalid source: 'RTSP://cam/s'"),
    ("P: leading blank", src(" rtsp://cam/s"), "invalid source"),
    ("P: unknown scheme", src("ftp://cam/s"), "invalid source"),
    ("V: user without password", src("rtsp://admin@cam/s"), "username and password must be both provided"),
    ("V: user with empty password", src("rtsp://admin:@cam/s"), "username and password must be both provided"),
    ("V: password without user", src("rtsp://:pw@cam/s"), "username and password must be both provided"),
    ("V: no host", src("rtsp:///s"), "is not a valid URL"),
    ("U validUserinfo: space in password", src("rtsp://u:a b@cam/s"), "is not a valid URL"),
    ("U validUserinfo: non-ASCII in password", src("rtsp://u:p\u00e4ss@cam/s"), "is not a valid URL"),
    ("U parseAuthority: '#' in password cuts the URL", src("rtsp://u:a#b@cam/s"), "is not a valid URL"),
    ("U parse: '?' in password cuts the authority", src("rtsp://u:a?b@cam/s"), "is not a valid URL"),
    ("U unescape: bad escape in password", src("rtsp://u:100%@cam/s"), "is not a valid URL"),
    ("U unescape: bad escape in path", src("rtsp://cam/a%zz"), "is not a valid URL"),
    ("U parse: control character", src("rtsp://cam/s\tx"), "is not a valid URL"),
    ("U validOptionalPort: letters in port", src("rtsp://cam:abc/s"), "is not a valid URL"),
    ("U parseHost: two colons (urlstrictcolons)", src("rtsp://cam:1:2/s"), "is not a valid URL"),
    ("U parseHost: IPv4 in brackets", src("rtsp://[10.0.0.1]/s"), "is not a valid URL"),
    ("U unescape(encodeHost): space in host", src("rtsp://my cam/s"), "is not a valid URL"),
    ("U unescape(encodeHost): escaped ASCII in host", src("rtsp://c%61m/s"), "is not a valid URL"),
    ("P: udp without port", src("udp://238.0.0.1"), "is missing the port"),
    ("P: udp+rtp without rtpSDP", src("udp+rtp://238.0.0.1:1234"), "`rtpSDP` was not provided"),
    ("P: sourceOnDemand with publisher", src("publisher", sourceOnDemand=True), "'sourceOnDemand' is useless when source is 'publisher'"),
    ("P: sourceRedirect without redirect", src("publisher", sourceRedirect="rtsp://x/y"), "'sourceRedirect' is useless"),
    ("P: runOnDemand with a static source",
     lambda: mtx_rules.check_hooks({"source": "rtsp://cam/s", "runOnDemand": "ffmpeg"}),
     "'runOnDemand' and 'runOnUnDemand' can be used only when source is 'publisher'"),
    ("P: runOnDemand with publisher", lambda: mtx_rules.check_hooks({"source": "publisher", "runOnDemand": "ffmpeg"}), OK),
    # path names
    ("N: camera0", lambda: mtx_rules.is_valid_path_name("camera0"), OK),
    ("N: nested", lambda: mtx_rules.is_valid_path_name("a/b.c-d_e"), OK),
    ("N: empty", lambda: mtx_rules.is_valid_path_name(""), "cannot be empty"),
    ("N: leading slash", lambda: mtx_rules.is_valid_path_name("/a"), "can't begin with a slash"),
    ("N: trailing slash", lambda: mtx_rules.is_valid_path_name("a/"), "can't end with a slash"),
    ("N: space", lambda: mtx_rules.is_valid_path_name("a b"), "can contain only"),
    ("N: dot segment", lambda: mtx_rules.is_valid_path_name("a/../b"), "can't contain dot path segments"),
    # record
    ("P: the station's recordPath with playback", rec(REC), OK),
    ("P: %s instead of the date parts", rec("/r/%path/%s-%f"), OK),
    ("P: no %path", rec("/r/%Y-%m-%d_%H-%M-%S-%f"), "'recordPath' must contain %path"),
    ("P: date parts incomplete", rec("/r/%path/%Y-%m-%d_%H-%M-%f"), "'recordPath' must contain either %s or %Y %m %d %H %M %S"),
    ("P: no %f with playback", rec("/r/%path/%Y-%m-%d_%H-%M-%S"), "'recordPath' must contain %f"),
    ("P: no %f without playback", rec("/r/%path/%Y-%m-%d_%H-%M-%S", playback=False), OK),
    ("P: segment longer than a day", rec(REC, seg=86401), "maximum segment duration is 1 day"),
    ("P: deleteAfter below the segment", rec(REC, seg=3600, dele=60), "'recordDeleteAfter' cannot be lower than 'recordSegmentDuration'"),
    ("P: deleteAfter 0 = never", rec(REC, seg=3600, dele=0), OK),
    # credentials
    ("C: plain", lambda: mtx_rules.check_credential("camera-station"), OK),
    ("C: base36 password", lambda: mtx_rules.check_credential("k3j2h4g5f6d7s8a9"), OK),
    ("C: sha256 hash", lambda: mtx_rules.check_credential("sha256:rl3rgi4NcZkpAEcacZnQ2VuOfJ0FxAqCRaKB/SwdZoQ="), OK),
    ("C: space", lambda: mtx_rules.check_credential("a b"), "credential contains unsupported characters"),
    ("C: colon", lambda: mtx_rules.check_credential("a:b"), "credential contains unsupported characters"),
    ("C: percent", lambda: mtx_rules.check_credential("a%b"), "credential contains unsupported characters"),
    ("C: bad sha256", lambda: mtx_rules.check_credential("sha256:not base64!"), "sha256 hash must be base64 encoded"),
    # global
    ("G: the station's profile", glob(), OK),
    ("G: writeQueueSize not a power of two", glob(writeQueueSize=500), "'writeQueueSize' must be a power of two"),
    ("G: writeQueueSize zero", glob(writeQueueSize=0), "'writeQueueSize' must be greater than zero"),
    ("G: readTimeout zero", glob(readTimeout="0s"), "'readTimeout' must be greater than zero"),
    ("G: 'any' with a password", glob(authInternalUsers=[{"user": "any", "pass": "x"}]), "using a password with 'any' user is not supported"),
    ("G+C: API password with a space", glob(authInternalUsers=[{"user": "camera-station", "pass": "a b"}]), "credential contains unsupported characters"),
    ("G: API on without an address", glob(apiAddress=""), "'apiAddress' must be set when API is enabled"),
    ("G: playback on without an address", glob(playbackAddress=""), "'playbackAddress' must be set when playback is enabled"),
    ("G: RTSP on without an address", glob(rtspAddress=""), "'rtspAddress' must be set when RTSP is enabled"),
    ("G: UDP transport without rtpAddress", glob(rtspTransports=["udp", "tcp"], rtpAddress=""), "'rtpAddress' must be set when UDP is enabled"),
    ("G: UDP transport without rtcpAddress", glob(rtspTransports=["udp", "tcp"], rtcpAddress=""), "'rtcpAddress' must be set when UDP is enabled"),
    ("G: TCP only needs no RTP address", glob(rtspTransports=["tcp"], rtpAddress="", rtcpAddress=""), OK),
    ("G: default transports include UDP", glob(rtspTransports=None, rtpAddress=""), "'rtpAddress' must be set"),
    ("G: HLS on without an address", glob(hlsAddress=""), "'hlsAddress' must be set when HLS is enabled"),
    ("G: WebRTC on without an address", glob(webrtcAddress=""), "'webrtcAddress' must be set when WebRTC is enabled"),
    ("G: WebRTC without any ICE listener", glob(webrtcLocalUDPAddress="", webrtcLocalTCPAddress=""), "at least one between"),
    # authMethod switch
    ("G: internal: empty username", glob(authInternalUsers=[{"user": "", "pass": ""}]), "empty usernames are not supported"),
    ("G: http with an http:// address", glob(authMethod="http", authHTTPAddress="http://127.0.0.1:8080/auth"), OK),
    ("G: http with an https:// address", glob(authMethod="http", authHTTPAddress="https://auth.example/x"), OK),
    ("G: http without authHTTPAddress", glob(authMethod="http", authHTTPAddress=""), "'authHTTPAddress' is empty"),
    ("G: http with authHTTPAddress absent", glob(authMethod="http"), "'authHTTPAddress' is empty"),
    ("G: http with a non-HTTP address (message names the old key)", glob(authMethod="http", authHTTPAddress="ftp://h/a"),
     "'externalAuthenticationURL' must be a HTTP URL"),
    ("G: http: the prefix check is case-sensitive", glob(authMethod="http", authHTTPAddress="HTTP://h/a"),
     "'externalAuthenticationURL' must be a HTTP URL"),
    ("G: http: no address check on a bare host", glob(authMethod="http", authHTTPAddress="127.0.0.1:8080"),
     "'externalAuthenticationURL' must be a HTTP URL"),
    ("G: http: empty usernames are checked only with internal",
     glob(authMethod="http", authHTTPAddress="http://h/a", authInternalUsers=[{"user": "", "pass": ""}]), OK),
    ("G: http: 'any' with a password is checked only with internal",
     glob(authMethod="http", authHTTPAddress="http://h/a", authInternalUsers=[{"user": "any", "pass": "x"}]), OK),
    ("G+C: http: credential charset still checked (credential.go UnmarshalJSON)",
     glob(authMethod="http", authHTTPAddress="http://h/a", authInternalUsers=[{"user": "a b", "pass": ""}]),
     "credential contains unsupported characters"),
    ("G: internal ignores authHTTPAddress", glob(authMethod="internal", authHTTPAddress="ftp://h/a"), OK),
]


def main() -> int:
    failures = 0
    for name, fn, want in CASES:
        try:
            fn()
            got = OK
        except RuleError as e:
            got = str(e)
        ok = (want is OK and got is OK) or (want is not OK and got is not OK and want in got)
        if not ok:
            failures += 1
            print("FAIL  %s: expected %s, got %s" % (name, "accepted" if want is OK else repr(want),
                                                     "accepted" if got is OK else repr(got)))
    accepted = sum(1 for c in CASES if c[2] is OK)
    print("test_rules: %d cases (%d accepted, %d refused), %d failed"
          % (len(CASES), accepted, len(CASES) - accepted, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
