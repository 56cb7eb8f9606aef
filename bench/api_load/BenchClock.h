#pragma once

#include <QtGlobal>

#include <ctime>

namespace bench {

// One monotonic clock for every thread (CLOCK_MONOTONIC), and the wall clock
// the server uses for notification timestamps (CLOCK_REALTIME).
inline qint64 monoNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline qint64 wallNs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace bench
