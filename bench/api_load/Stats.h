#pragma once

#include <QtGlobal>

#include <algorithm>
#include <cmath>
#include <vector>

namespace bench {

struct Summary {
    qsizetype count = 0;
    double p50Ms = 0, p99Ms = 0, maxMs = 0;
};

// Nearest-rank percentiles of nanosecond samples, reported in milliseconds.
inline Summary summarize(std::vector<qint64> samplesNs)
{
    Summary s;
    s.count = qsizetype(samplesNs.size());
    if (samplesNs.empty())
        return s;
    std::sort(samplesNs.begin(), samplesNs.end());
    auto rank = [&](double p) {
        const auto n = samplesNs.size();
        auto idx = size_t(std::ceil(p * double(n)));
        idx = std::clamp<size_t>(idx, 1, n);
        return double(samplesNs[idx - 1]) / 1e6;
    };
    s.p50Ms = rank(0.50);
    s.p99Ms = rank(0.99);
    s.maxMs = double(samplesNs.back()) / 1e6;
    return s;
}

} // namespace bench
