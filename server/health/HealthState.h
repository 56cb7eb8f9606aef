#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <atomic>

namespace station::health {

// One component check of API.md §14.4.
struct ComponentHealth {
    QString name;          // websocket_server, camera_monitor, mediamtx, storage
    QString status;        // healthy, degraded, unhealthy
    QString message;
    QDateTime lastChecked;
    QJsonObject details;
    QString rpcState;      // get_status form: RUNNING, STARTING, STOPPED, ERROR, STOPPING
};

// What the main thread publishes for the health thread (8003) to serve.
struct HealthSnapshot {
    QList<ComponentHealth> components;  // always the four, in order
    QStringList readyFailures;          // §14.3 order; empty = ready
    QString overallStatus() const;      // worst component status ("healthy" if none)
};

// Shared between the main loop (writer) and the health listener thread
// (reader). The main loop also beats a heartbeat so /health/live can tell a
// stalled loop.
class HealthState
{
public:
    HealthState();

    void publish(const HealthSnapshot &snapshot);
    HealthSnapshot snapshot() const;

    void heartbeat();                   // main loop, about once a second
    qint64 msSinceHeartbeat() const;

    QDateTime startedAt() const { return m_started; }
    qint64 uptimeSeconds() const;

    void setShuttingDown() { m_shuttingDown = true; }
    bool shuttingDown() const { return m_shuttingDown; }

private:
    mutable QMutex m_mutex;
    HealthSnapshot m_snapshot;
    QDateTime m_started;
    QElapsedTimer m_clock;              // monotonic; started once, then only read
    std::atomic<qint64> m_lastBeatMs{0};  // m_clock.elapsed() at the last beat
    std::atomic<bool> m_shuttingDown{false};
};

} // namespace station::health
