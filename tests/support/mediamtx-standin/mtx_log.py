"""Logging in MediaMTX's formats, so the app's log parsing sees familiar lines.

Plain: ``YYYY/MM/DD HH:MM:SS INF message`` on stdout (local time).
Structured (``logStructured: yes``): one JSON object per line with
``timestamp`` (RFC 3339, nanoseconds), ``level`` and ``message``.
"""
from __future__ import annotations

import datetime as _dt
import json
import sys
from typing import Optional, TextIO

LEVELS = {"debug": 0, "info": 1, "warn": 2, "error": 3}
_TAGS = {"DEB": 0, "INF": 1, "WAR": 2, "ERR": 3}


def rfc3339nano(t: _dt.datetime) -> str:
    """Go's time.RFC3339Nano: fraction without trailing zeros, 'Z' for UTC."""
    t = t.astimezone()  # local zone, like Go's time.Now()
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        base += ("." + "%06d" % t.microsecond).rstrip("0")
    off = t.utcoffset() or _dt.timedelta(0)
    if off == _dt.timedelta(0):
        return base + "Z"
    secs = int(off.total_seconds())
    sign = "+" if secs >= 0 else "-"
    secs = abs(secs)
    return "%s%s%02d:%02d" % (base, sign, secs // 3600, (secs % 3600) // 60)


class Logger:
    """Process-wide logger; reconfigured when log settings change."""

    def __init__(self) -> None:
        self.level = 1
        self.structured = False
        self.to_stdout = True
        self.file: Optional[TextIO] = None

    def configure(self, conf: dict) -> None:
        self.level = LEVELS.get(str(conf.get("logLevel", "info")), 1)
        self.structured = bool(conf.get("logStructured", False))
        dests = conf.get("logDestinations") or ["stdout"]
        self.to_stdout = "stdout" in dests
        if self.file:
            self.file.close()
            self.file = None
        if "file" in dests:
            try:
                self.file = open(conf.get("logFile") or "mediamtx.log", "a", encoding="utf-8")
            except OSError:
                self.file = None

    def log(self, tag: str, msg: str, force: bool = False) -> None:
        """Write one line; `force` bypasses the level filter (API request traces)."""
        if not force and _TAGS.get(tag, 1) < self.level:
            return
        now = _dt.datetime.now()
        if self.structured:
            line = json.dumps({"timestamp": rfc3339nano(now), "level": tag, "message": msg})
        else:
            line = "%s %s %s" % (now.strftime("%Y/%m/%d %H:%M:%S"), tag, msg)
        for out in ([sys.stdout] if self.to_stdout else []) + ([self.file] if self.file else []):
            try:
                out.write(line + "\n")
                out.flush()
            except (OSError, ValueError):
                pass

    def debug(self, msg: str) -> None:
        self.log("DEB", msg)

    def info(self, msg: str) -> None:
        self.log("INF", msg)

    def warn(self, msg: str) -> None:
        self.log("WAR", msg)

    def error(self, msg: str) -> None:
        self.log("ERR", msg)


log = Logger()
