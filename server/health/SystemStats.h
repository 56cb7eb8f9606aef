#pragma once

#include <QObject>
#include <QTimer>

namespace station::health {

// Host and process figures from /proc for get_metrics (API.md §9.4).
// Host CPU is sampled every few seconds so a call reports the last interval.
class SystemStats : public QObject
{
    Q_OBJECT
public:
    explicit SystemStats(QObject *parent = nullptr);

    double hostCpuPercent() const { return m_cpuPercent; }
    static double hostMemoryPercent();
    static qint64 processRssBytes();
    static int processThreads();
    static int processOpenFds();

private:
    void sample();
    QTimer m_timer;
    quint64 m_lastTotal = 0;
    quint64 m_lastIdle = 0;
    double m_cpuPercent = 0;
};

} // namespace station::health
