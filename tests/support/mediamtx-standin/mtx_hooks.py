"""External commands run the way MediaMTX runs them (INTEGRATION.md §3).

No shell: POSIX-quoted split, then $VAR/${VAR} substitution (hook variables
first, then the environment, unknown → empty). Each command gets its own
process group; stopping sends SIGINT to the group and waits without a
timeout and without SIGKILL — the real behaviour the app has to live with.
"""
from __future__ import annotations

import asyncio
import os
import shlex
import signal
from typing import Dict, Optional, Set

from mtx_log import log

RESTART_PAUSE = 5.0

# Every hook that may still have a process, for the graceful-shutdown wait.
ALL_HOOKS: Set["Hook"] = set()


_SPECIAL = set("*#$@!?-0123456789")


def go_expand(s: str, lookup) -> str:
    """Go's os.Expand, as MediaMTX applies it to every part
    (v1.20.1 internal/externalcmd/cmd.go expandEnv): $NAME, ${NAME}, the
    one-character special names ($1, $$, ...), bad syntax eaten, a '$'
    before anything else kept."""
    out = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        rest = s[i + 1:]
        name, w = "", 0
        if rest[0] == "{":
            if len(rest) > 2 and rest[1] in _SPECIAL and rest[2] == "}":
                name, w = rest[1], 3
            else:
                close = rest.find("}")
                if close < 0:
                    w = 1
                elif close == 1:
                    w = 2
                else:
                    name, w = rest[1:close], close + 1
        elif rest[0] in _SPECIAL:
            name, w = rest[0], 1
        else:
            while w < len(rest) and (rest[w] == "_" or (rest[w].isascii() and rest[w].isalnum())):
                w += 1
            name = rest[:w]
        if name:
            out.append(lookup(name))
        elif w == 0:
            out.append("$")
        i += 1 + w
    return "".join(out)


def expand(cmd: str, env: Dict[str, str]) -> list:
    """go-shellquote Split (POSIX rules), then os.Expand on every part."""
    def lookup(key: str) -> str:
        if key in env:
            return env[key]
        return os.environ.get(key, "")
    return [go_expand(arg, lookup) for arg in shlex.split(cmd, posix=True)]


class Hook:
    """One configured command: long-running (optionally restarting) or one-shot."""

    def __init__(self, label: str, prefix: str, cmd: str, env: Dict[str, str],
                 restart: bool = False, one_shot: bool = False) -> None:
        self.label, self.prefix, self.cmd = label, prefix, cmd
        self.env, self.restart, self.one_shot = env, restart, one_shot
        self.proc: Optional[asyncio.subprocess.Process] = None
        self.task: Optional[asyncio.Task] = None
        self.stopping = False
        self.finished = asyncio.Event()

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self) -> "Hook":
        ALL_HOOKS.add(self)
        self.task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def _spawn(self) -> Optional[asyncio.subprocess.Process]:
        env = dict(os.environ)
        env.update(self.env)
        try:
            argv = expand(self.cmd, self.env)
            return await asyncio.create_subprocess_exec(*argv, env=env, start_new_session=True,
                                                        stdin=asyncio.subprocess.DEVNULL)
        except (OSError, ValueError) as e:
            log.error("%s %s command: %s" % (self.prefix, self.label, e))
            return None

    async def _run(self) -> None:
        try:
            for _ in range(10**9):
                if self.stopping:
                    break
                if not self.one_shot:
                    log.info("%s %s command started" % (self.prefix, self.label))
                self.proc = await self._spawn()
                if self.proc is not None and self.stopping:  # stop() raced with the spawn
                    try:
                        os.killpg(self.proc.pid, signal.SIGINT)
                    except ProcessLookupError:
                        pass
                if self.proc is not None:
                    code = await self.proc.wait()
                    if self.stopping:
                        break
                    if not self.one_shot:
                        # v1.20.1 internal/hooks/on_demand.go logs "runOnDemand command exited: %v"
                        # with externalcmd's error; cmd_os.go runOSSpecific drops the real exit
                        # code, so MediaMTX always says "code 0" here.
                        log.info("%s %s command exited: command exited with code 0" % (self.prefix, self.label))
                if self.one_shot or not self.restart:
                    break
                try:
                    await asyncio.sleep(RESTART_PAUSE)
                except asyncio.CancelledError:
                    break
        finally:
            self.finished.set()
            ALL_HOOKS.discard(self)

    async def stop(self, reason: str = "") -> None:
        """SIGINT the process group and wait for the command to exit (no SIGKILL)."""
        if self.stopping:
            await self.finished.wait()
            return
        self.stopping = True
        proc = self.proc
        if proc is not None and proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
            await proc.wait()
        if self.task is not None and not self.task.done():
            self.task.cancel()  # wakes a restart pause
            try:
                await self.task
            except asyncio.CancelledError:
                pass
        if not self.one_shot:
            log.info("%s %s command stopped%s" % (self.prefix, self.label, ": " + reason if reason else ""))


async def stop_all() -> None:
    """Graceful shutdown: SIGINT every hook group, then wait for all."""
    hooks = list(ALL_HOOKS)
    for h in hooks:
        h.stopping = True
        if h.proc is not None and h.proc.returncode is None:
            try:
                os.killpg(h.proc.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
    if hooks:
        log.info("waiting for running hooks")
    for h in hooks:
        if h.proc is not None:
            await h.proc.wait()
        if h.task is not None and not h.task.done():
            h.task.cancel()
            try:
                await h.task
            except asyncio.CancelledError:
                pass
