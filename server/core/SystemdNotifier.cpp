#include "core/SystemdNotifier.h"

#include <QLoggingCategory>
#include <QObject>
#include <QTimer>

#include <algorithm>

#ifdef STATION_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

Q_LOGGING_CATEGORY(lcSystemd, "station.systemd")

namespace station::core::SystemdNotifier {

bool notify(const QByteArray &state)
{
#ifdef STATION_HAVE_SYSTEMD
    return sd_notify(0, state.constData()) > 0;
#else
    Q_UNUSED(state);
    return false;
#endif
}

int ready(QObject *owner)
{
    notify("READY=1");
#ifdef STATION_HAVE_SYSTEMD
    uint64_t usec = 0;
    // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) is us.
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return 0;
    const qint64 periodMs = std::clamp<qint64>(qint64(usec / 2000), 1, 3600 * 1000);
    auto *timer = new QTimer(owner);
    timer->setObjectName(QStringLiteral("systemd-watchdog"));
    timer->setInterval(int(periodMs));
    QObject::connect(timer, &QTimer::timeout, timer, [] { notify("WATCHDOG=1"); });
    timer->start();
    notify("WATCHDOG=1");
    qCInfo(lcSystemd) << "systemd watchdog: keep-alive every" << periodMs << "ms";
    return int(periodMs);
#else
    Q_UNUSED(owner);
    return 0;
#endif
}

void stopping()
{
    notify("STOPPING=1");
}

} // namespace station::core::SystemdNotifier
