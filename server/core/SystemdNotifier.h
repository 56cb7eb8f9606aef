#pragma once

#include <QByteArray>

class QObject;

namespace station::core {

// The service's side of systemd's notify protocol (Type=notify, WatchdogSec=).
// Without libsystemd, or when not started by systemd (no NOTIFY_SOCKET), every
// call is a no-op.
namespace SystemdNotifier {

// READY=1, then, when the service manager asked for a watchdog
// (WATCHDOG_USEC, and WATCHDOG_PID naming this process if set), a timer owned
// by `owner` sends WATCHDOG=1 every half interval from the event loop that
// runs `owner`: a stalled loop stops the keep-alives and systemd restarts us.
// Returns the keep-alive period in ms (0: no watchdog requested).
int ready(QObject *owner);

// STOPPING=1: the graceful shutdown of API.md §15 has begun.
void stopping();

// Sends one raw state line (e.g. "STATUS=..."); false when not delivered.
bool notify(const QByteArray &state);

} // namespace SystemdNotifier

} // namespace station::core
