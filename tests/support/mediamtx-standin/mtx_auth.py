"""authMethod: internal — the authInternalUsers rules of INTEGRATION.md §4."""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
from typing import Callable, Optional, Tuple


def parse_authorization(header: str) -> Optional[Tuple[str, str]]:
    """`Basic base64(user:pass)` or `Bearer user:pass` → (user, pass); None if absent."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            dec = base64.b64decode(value, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return ("", "")
        user, _, pw = dec.partition(":")
        return (user, pw)
    if scheme.lower() == "bearer":
        user, sep, pw = value.partition(":")
        return (user, pw) if sep else ("", value)  # a JWT: never matches internal users
    return ("", "")


def _cred_ok(expected: str, given: str) -> bool:
    if expected.startswith("sha256:"):
        digest = base64.b64encode(hashlib.sha256(given.encode()).digest()).decode()
        return hmac.compare_digest(expected[7:], digest)
    if expected.startswith("argon2:"):
        return False  # not supported by the stand-in
    return hmac.compare_digest(expected, given)


def _ip_ok(ips, ip: str) -> bool:
    if not ips:
        return True
    try:
        addr = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return False
    if addr.version == 6 and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    for net in ips:
        try:
            if addr in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue
    return False


def _path_ok(rule: str, path: str) -> bool:
    if not rule:
        return True
    if rule.startswith("~"):
        return re.search(rule[1:], path) is not None
    return rule == path


class AuthManager:
    """Checks an action against the live authInternalUsers list."""

    def __init__(self, users_getter: Callable[[], list]) -> None:
        self.users = users_getter

    def allowed(self, action: str, ip: str, creds: Optional[Tuple[str, str]], path: str = "") -> bool:
        user, pw = creds if creds else ("", "")
        for u in self.users() or []:
            if u.get("user") != "any":
                if not creds or not _cred_ok(u.get("user", ""), user) or not _cred_ok(u.get("pass", ""), pw):
                    continue
            if not _ip_ok(u.get("ips"), ip):
                continue
            for p in u.get("permissions") or []:
                if p.get("action") != action:
                    continue
                if action in ("publish", "read", "playback") and not _path_ok(p.get("path", ""), path):
                    continue
                return True
        return False
