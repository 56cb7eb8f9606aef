#include "health/HealthState.h"

#include <QMutexLocker>

namespace station::health {

namespace {
int severity(const QString &status)
{
    if (status == QLatin1String("unhealthy"))
        return 2;
    if (status == QLatin1String("degraded"))
        return 1;
    return 0;
}
} // namespace

QString HealthSnapshot::overallStatus() const
{
    int worst = 0;
    for (const ComponentHealth &c : components)
        worst = std::max(worst, severity(c.status));
    static const char *const names[] = {"healthy", "degraded", "unhealthy"};
    return QString::fromLatin1(names[worst]);
}

HealthState::HealthState()
    : m_started(QDateTime::currentDateTimeUtc())
{
    m_clock.start();
    m_lastBeatMs = 0;  // the service counts as alive right after start
}

void HealthState::publish(const HealthSnapshot &snapshot)
{
    QMutexLocker lock(&m_mutex);
    m_snapshot = snapshot;
}

HealthSnapshot HealthState::snapshot() const
{
    QMutexLocker lock(&m_mutex);
    return m_snapshot;
}

void HealthState::heartbeat()
{
    m_lastBeatMs = m_clock.elapsed();
}

qint64 HealthState::msSinceHeartbeat() const
{
    // Monotonic: wall-clock jumps (NTP, manual set) never look like a stall.
    return std::max<qint64>(0, m_clock.elapsed() - m_lastBeatMs.load());
}

qint64 HealthState::uptimeSeconds() const
{
    return m_clock.elapsed() / 1000;
}

} // namespace station::health
