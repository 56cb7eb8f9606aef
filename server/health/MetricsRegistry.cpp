#include "health/MetricsRegistry.h"

#include <QDir>
#include <QFile>
#include <QLocale>
#include <QMutexLocker>

#include <algorithm>
#include <cmath>
#include <sys/resource.h>
#include <unistd.h>

namespace station::health {

namespace {

// Prometheus float syntax: shortest round-trip form, +Inf/-Inf/NaN spelled out.
QByteArray num(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    return QByteArray::number(v, 'g', QLocale::FloatingPointShortest);
}

QByteArray escapeHelp(const QString &help)
{
    QByteArray out = help.toUtf8();
    out.replace("\\", "\\\\").replace("\n", "\\n");
    return out;
}

const char *typeName(MetricsRegistry::Type t)
{
    switch (t) {
    case MetricsRegistry::Type::Counter: return "counter";
    case MetricsRegistry::Type::Gauge: return "gauge";
    case MetricsRegistry::Type::Histogram: return "histogram";
    }
    return "untyped";
}

QByteArray sample(const QByteArray &name, const QString &labels, double value)
{
    QByteArray line = name;
    if (!labels.isEmpty())
        line += '{' + labels.toUtf8() + '}';
    return line + ' ' + num(value) + '\n';
}

QByteArray family(const char *name, const char *type, const char *help)
{
    return QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

QByteArray readProc(const char *path)
{
    QFile f(QString::fromLatin1(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// process_* metrics as the Prometheus client libraries name them.
QByteArray processMetrics()
{
    QByteArray out;
    const QList<QByteArray> statm = readProc("/proc/self/statm").split(' ');
    if (statm.size() > 1) {
        const double rss = statm[1].toDouble() * double(sysconf(_SC_PAGESIZE));
        out += family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        out += sample("process_resident_memory_bytes", {}, rss);
    }
    // Fields after the last ')' of /proc/self/stat start at field 3 (state);
    // utime and stime are fields 14 and 15, in clock ticks.
    const QByteArray stat = readProc("/proc/self/stat");
    const qsizetype paren = stat.lastIndexOf(')');
    if (paren > 0) {
        const QList<QByteArray> f = stat.mid(paren + 2).split(' ');
        const double ticks = double(sysconf(_SC_CLK_TCK));
        if (f.size() > 12) {
            out += family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
            out += sample("process_cpu_seconds_total", {}, (f[11].toDouble() + f[12].toDouble()) / ticks);
        }
        // starttime (field 22, clock ticks after boot) + boot time (btime in
        // /proc/stat): a restart shows as a change of this value.
        if (f.size() > 19) {
            double bootTime = -1;
            for (const QByteArray &line : readProc("/proc/stat").split('\n')) {
                if (line.startsWith("btime "))
                    bootTime = line.mid(6).trimmed().toDouble();
            }
            if (bootTime > 0) {
                out += family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
                out += sample("process_start_time_seconds", {}, bootTime + f[19].toDouble() / ticks);
            }
        }
    }
    const QDir fds(QStringLiteral("/proc/self/fd"));
    if (fds.exists()) {
        out += family("process_open_fds", "gauge", "Number of open file descriptors.");
        out += sample("process_open_fds", {}, double(fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size()));
    }
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
        out += family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
        out += sample("process_max_fds", {}, double(files.rlim_cur));
    }
    for (const QByteArray &line : readProc("/proc/self/status").split('\n')) {
        if (line.startsWith("Threads:")) {
            out += family("process_threads", "gauge", "Number of OS threads in the process.");
            out += sample("process_threads", {}, line.mid(8).trimmed().toDouble());
        }
    }
    return out;
}

} // namespace

void MetricsRegistry::declare(const QString &name, Type type, const QString &help, std::vector<double> buckets)
{
    QMutexLocker lock(&m_mutex);
    Family &f = m_families[name];  // re-declaring keeps the values
    f.type = type;
    f.help = help;
    if (type == Type::Histogram) {
        if (buckets.empty())
            buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
        std::sort(buckets.begin(), buckets.end());
        f.buckets = std::move(buckets);
    }
}

void MetricsRegistry::add(const QString &name, const QString &labels, double delta)
{
    QMutexLocker lock(&m_mutex);
    m_families[name].values[labels] += delta;  // undeclared: a counter without help
}

void MetricsRegistry::set(const QString &name, const QString &labels, double value)
{
    QMutexLocker lock(&m_mutex);
    auto [it, inserted] = m_families.try_emplace(name);
    if (inserted)
        it->second.type = Type::Gauge;
    it->second.values[labels] = value;
}

void MetricsRegistry::observe(const QString &name, const QString &labels, double value)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_families.find(name);
    if (it == m_families.end() || it->second.type != Type::Histogram) {
        lock.unlock();
        declare(name, Type::Histogram, it == m_families.end() ? QString() : it->second.help);
        lock.relock();
        it = m_families.find(name);
    }
    Family &f = it->second;
    Histogram &h = f.histograms[labels];
    if (h.buckets.empty()) {
        h.buckets = f.buckets;
        h.counts.assign(f.buckets.size(), 0);
    }
    for (size_t i = 0; i < h.buckets.size(); ++i) {
        if (value <= h.buckets[i])
            ++h.counts[i];  // stored cumulative
    }
    h.sum += value;
    ++h.count;
}

void MetricsRegistry::clearGauge(const QString &name)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_families.find(name);
    if (it != m_families.end())
        it->second.values.clear();
}

double MetricsRegistry::value(const QString &name, const QString &labels) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_families.find(name);
    if (it == m_families.end())
        return 0;
    auto v = it->second.values.find(labels);
    return v == it->second.values.end() ? 0 : v->second;
}

QByteArray MetricsRegistry::render() const
{
    QByteArray out;
    {
        QMutexLocker lock(&m_mutex);
        for (const auto &[name, f] : m_families) {
            const QByteArray n = name.toUtf8();
            if (!f.help.isEmpty())
                out += "# HELP " + n + ' ' + escapeHelp(f.help) + '\n';
            out += "# TYPE " + n + ' ' + typeName(f.type) + '\n';
            if (f.type != Type::Histogram) {
                for (const auto &[labels, v] : f.values)
                    out += sample(n, labels, v);
                continue;
            }
            for (const auto &[labels, h] : f.histograms) {
                // Histogram label sets are the family's labels plus le.
                const QString prefix = labels.isEmpty() ? QString() : labels + QLatin1Char(',');
                for (size_t i = 0; i < h.buckets.size(); ++i) {
                    out += sample(n + "_bucket", prefix + QStringLiteral("le=\"%1\"").arg(QString::fromLatin1(num(h.buckets[i]))),
                                  double(h.counts[i]));
                }
                out += sample(n + "_bucket", prefix + QStringLiteral("le=\"+Inf\""), double(h.count));
                out += sample(n + "_sum", labels, h.sum);
                out += sample(n + "_count", labels, double(h.count));
            }
        }
    }
    return out + processMetrics();
}

QString MetricsRegistry::label(const QString &key, const QString &value)
{
    QString v = value;
    v.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('"'), QLatin1String("\\\""))
        .replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return key + QLatin1String("=\"") + v + QLatin1Char('"');
}

} // namespace station::health
