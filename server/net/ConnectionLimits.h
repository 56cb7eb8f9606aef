#pragma once

#include <QHostAddress>
#include <QString>
#include <QtGlobal>

class QTcpServer;

namespace station::config { class Config; }

namespace station::net {

// The per-connection and per-listener limits of every listener (8002 WebSocket
// and HTTP, 8003 health), read from config in one place (README "Limits").
struct ConnectionLimits {
    qint64 outboundBudgetBytes = 8 * 1024 * 1024;  // server.max_outbound_queue_bytes
    qint64 minReadBytesPerSecond = 4096;            // server.min_read_rate_bytes_per_s; 0: off
    qint64 slowReadTimeoutMs = 20000;               // server.slow_read_timeout_s
    qint64 headTimeoutMs = 10000;                   // server.request_head_timeout_s (from the first byte)
    qint64 keepAliveIdleMs = 30000;                 // server.http_keepalive_s
    int httpMaxConnections = 64;                    // http.max_connections (8002 downloads)
    int maxPerAddress = 32;                         // server.max_connections_per_address (8002 all kinds; 8003 separately)
    int healthMaxConnections = 64;                  // health.max_connections

    static ConnectionLimits fromConfig(const config::Config &config);
};

// The key per-address limits use: the IPv4 address (also for v4-mapped IPv6),
// or the /64 prefix of an IPv6 address, since one host may rotate freely within its /64.
QString addressKey(const QHostAddress &address);

// Bytes of this TCP socket the peer has acknowledged (TCP_INFO tcpi_bytes_acked):
// how far the client has really read, independent of our buffers. -1 when unknown.
// *notSent: bytes the kernel holds that it has not sent yet (tcpi_notsent_bytes).
qint64 tcpBytesAcked(qintptr socketDescriptor, qint64 *notSent = nullptr);

// The slow-reader rule: while a connection has unsent bytes queued (in our buffer or
// not yet sent by the kernel), the peer must
// acknowledge at least minReadBytesPerSecond on average over each window of
// slowReadTimeoutMs. tick() once a second or so; true: drop the connection.
class SlowReaderMeter
{
public:
    bool tick(qintptr socketDescriptor, qint64 bytesQueued, qint64 nowMs, const ConnectionLimits &limits);
    double lastRate() const { return m_lastRate; }  // bytes/s of the window that failed

private:
    qint64 m_windowStartMs = -1;
    qint64 m_ackedAtStart = 0;
    double m_lastRate = 0;
};

} // namespace station::net

namespace station::net {

// Open file descriptors of this process against its RLIMIT_NOFILE soft limit.
// Listeners stop accepting while fewer than `reserve` descriptors are left, so
// an accept() never fails with EMFILE (which otherwise leaves the listening socket
// readable and the event loop spinning) and files can still be opened.
struct FdBudget {
    static int openDescriptors();   // entries of /proc/self/fd; -1 when unknown
    static qint64 softLimit();      // RLIMIT_NOFILE soft limit
    static bool nearLimit(int reserve);
    // Stop a listener from accepting now, also from inside its newConnection handler.
    static void pauseListener(QTcpServer *server);
    static void resumeListener(QTcpServer *server, int maxPending);
};

} // namespace station::net
