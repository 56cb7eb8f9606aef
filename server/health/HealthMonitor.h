#pragma once

#include "core/Services.h"
#include "health/HealthState.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <deque>
#include <utility>

namespace station::health {

// Evaluates the four components of API.md §14.4 once a second on the main
// loop, publishes them for the health thread, beats the liveness heartbeat,
// keeps the gauges of /metrics current, and announces changes
// (system_health_update, system.health, system.error, system.startup).
class HealthMonitor : public QObject
{
    Q_OBJECT
public:
    explicit HealthMonitor(const core::Services &services, QObject *parent = nullptr);

    void start();
    health::HealthSnapshot evaluate() const;
    QJsonObject statusResult() const;                 // the get_status result
    QJsonObject statusResult(const health::HealthSnapshot &snapshot) const;
    bool isReady() const { return evaluate().readyFailures.isEmpty(); }
    bool mediamtxEverAvailable() const { return m_mediamtxEverAvailable; }
    void refresh();  // evaluate + publish now

Q_SIGNALS:
    void healthChanged();

private:
    void sampleLoopLatency();

    core::Services m_s;
    QTimer m_timer;
    // Main-loop stalls: a short timer's lateness, the longest of the last
    // minute exported as camera_station_event_loop_stall_seconds.
    QTimer m_stallTimer;
    QElapsedTimer m_stallClock;
    qint64 m_lastTickMs = 0;
    std::deque<std::pair<qint64, qint64>> m_stalls;  // (at ms, stall ms), the last 60 s
    // Per camera: MediaMTX's inbound byte count and when it last grew (ms on m_stallClock).
    QHash<QString, std::pair<qint64, qint64>> m_lastData;
    QJsonObject m_lastStatus;
    QHash<QString, QString> m_lastComponentStatus;
    bool m_mediamtxEverAvailable = false;
    bool m_announcedStartup = false;
};

} // namespace station::health
