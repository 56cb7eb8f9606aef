#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <map>
#include <vector>

namespace station::health {

// Thread-safe Prometheus metrics (API.md §14.5): the main loop updates,
// the health thread renders the text exposition format 0.0.4.
// Label values must come from fixed sets (method names, camera IDs, enums).
class MetricsRegistry
{
public:
    enum class Type { Counter, Gauge, Histogram };

    // Declares a family once (help text, type, histogram buckets in seconds).
    void declare(const QString &name, Type type, const QString &help, std::vector<double> buckets = {});

    // labels: "method=\"ping\",code=\"ok\"" style rendered label string, or "" for none.
    void add(const QString &name, const QString &labels = {}, double delta = 1);
    void set(const QString &name, const QString &labels, double value);
    void observe(const QString &name, const QString &labels, double value);
    void clearGauge(const QString &name);  // drops every label set of a gauge

    double value(const QString &name, const QString &labels = {}) const;  // counters/gauges, for tests

    // Renders every family, plus process_* metrics read from /proc/self.
    QByteArray render() const;

    static QString label(const QString &key, const QString &value);  // key="escaped value"

private:
    struct Histogram {
        std::vector<double> buckets;
        std::vector<quint64> counts;
        double sum = 0;
        quint64 count = 0;
    };
    struct Family {
        Type type = Type::Counter;
        QString help;
        std::vector<double> buckets;
        std::map<QString, double> values;        // labels -> value
        std::map<QString, Histogram> histograms; // labels -> histogram
    };
    mutable QMutex m_mutex;
    std::map<QString, Family> m_families;
};

} // namespace station::health
