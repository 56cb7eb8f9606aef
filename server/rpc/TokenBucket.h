#pragma once

#include <QtGlobal>

#include <algorithm>

namespace station::rpc {

// A token bucket: `rate` tokens per second up to `burst`.
class TokenBucket
{
public:
    TokenBucket() = default;
    TokenBucket(double rate, double burst) : m_rate(rate), m_burst(burst), m_tokens(burst) {}

    // Takes one token at `nowMs` (monotonic). When empty, returns false and
    // sets *retryAfterMs to the time until the next token.
    bool take(qint64 nowMs, qint64 *retryAfterMs)
    {
        refill(nowMs);
        if (m_tokens >= 1.0) {
            m_tokens -= 1.0;
            return true;
        }
        *retryAfterMs = std::max<qint64>(1, qint64((1.0 - m_tokens) * 1000.0 / m_rate + 0.999));
        return false;
    }

    // True when the bucket has refilled completely by `nowMs` (its initial state).
    bool isFull(qint64 nowMs)
    {
        refill(nowMs);
        return m_tokens >= m_burst;
    }

private:
    void refill(qint64 nowMs)
    {
        if (m_lastMs >= 0 && nowMs > m_lastMs)
            m_tokens = std::min(m_burst, m_tokens + double(nowMs - m_lastMs) * m_rate / 1000.0);
        m_lastMs = nowMs;
    }
    double m_rate = 1;
    double m_burst = 1;
    double m_tokens = 1;
    qint64 m_lastMs = -1;
};

} // namespace station::rpc
