#include "health/SystemStats.h"

#include <QDir>
#include <QFile>

namespace station::health {

namespace {

QByteArray readProc(const char *path)
{
    QFile f(QString::fromLatin1(path));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

qint64 statusField(const QByteArray &status, const QByteArray &name)
{
    for (const QByteArray &line : status.split('\n')) {
        if (line.startsWith(name)) {
            const QList<QByteArray> parts = line.mid(name.size()).simplified().split(' ');
            return parts.isEmpty() ? 0 : parts.first().toLongLong();
        }
    }
    return 0;
}

} // namespace

SystemStats::SystemStats(QObject *parent) : QObject(parent)
{
    sample();
    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, &SystemStats::sample);
    m_timer.start();
}

void SystemStats::sample()
{
    const QByteArray stat = readProc("/proc/stat");
    const QList<QByteArray> cpu = stat.left(stat.indexOf('\n')).simplified().split(' ');
    if (cpu.size() < 5 || cpu.first() != "cpu")
        return;
    quint64 total = 0;
    for (qsizetype i = 1; i < cpu.size(); ++i)
        total += cpu[i].toULongLong();
    const quint64 idle = cpu[4].toULongLong() + (cpu.size() > 5 ? cpu[5].toULongLong() : 0);  // idle + iowait
    if (m_lastTotal && total > m_lastTotal)
        m_cpuPercent = 100.0 * double((total - m_lastTotal) - (idle - m_lastIdle)) / double(total - m_lastTotal);
    m_lastTotal = total;
    m_lastIdle = idle;
}

double SystemStats::hostMemoryPercent()
{
    const QByteArray info = readProc("/proc/meminfo");
    const qint64 total = statusField(info, "MemTotal:");
    const qint64 available = statusField(info, "MemAvailable:");
    return total > 0 ? 100.0 * double(total - available) / double(total) : 0.0;
}

qint64 SystemStats::processRssBytes()
{
    return statusField(readProc("/proc/self/status"), "VmRSS:") * 1024;
}

int SystemStats::processThreads()
{
    return int(statusField(readProc("/proc/self/status"), "Threads:"));
}

int SystemStats::processOpenFds()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size());
}

} // namespace station::health
