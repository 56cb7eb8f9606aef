#pragma once

#include <QString>

namespace station::mediamtx {

// MediaMTX runs each hook (ffmpeg) in its own process group; when MediaMTX
// is SIGKILLed or crashes, those children survive as orphans holding
// /dev/video*. The station becomes a child subreaper so orphans are
// reparented to it, tags MediaMTX's environment, and sweeps every process
// carrying its tag before each launch and after each unexpected exit.
namespace HookReaper {

inline constexpr char kTagVariable[] = "STATION_HOOK_TAG";

void becomeSubreaper();                 // prctl(PR_SET_CHILD_SUBREAPER)
QString tagFor(const QString &stateDir); // stable per station instance
// Terminates (SIGTERM, then SIGKILL after graceMs) every process whose
// environment carries the tag, except `exceptPid`. Returns how many it found.
int sweep(const QString &tag, qint64 exceptPid = 0, int graceMs = 1500);
// The running hook (the publisher of runOnDemand) of MediaMTX path `pathName`:
// a process with the tag and MTX_PATH=<pathName> in its environment; 0 when none.
qint64 hookPid(const QString &tag, const QString &pathName);
// Reaps any exited children reparented to us (never ones QProcess owns: only listed pids).
void reap(const QList<qint64> &pids);

} // namespace HookReaper
} // namespace station::mediamtx
