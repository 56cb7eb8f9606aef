#include "net/ConnectionLimits.h"

#include "config/Config.h"

#include <netinet/in.h>
#include <linux/tcp.h>  // struct tcp_info with tcpi_bytes_acked (glibc's copy lacks it)
#include <sys/socket.h>

namespace station::net {

ConnectionLimits ConnectionLimits::fromConfig(const config::Config &config)
{
    ConnectionLimits l;
    l.outboundBudgetBytes = config.integer(QStringLiteral("server.max_outbound_queue_bytes"));
    l.minReadBytesPerSecond = config.integer(QStringLiteral("server.min_read_rate_bytes_per_s"));
    l.slowReadTimeoutMs = config.integer(QStringLiteral("server.slow_read_timeout_s")) * 1000;
    l.headTimeoutMs = config.integer(QStringLiteral("server.request_head_timeout_s")) * 1000;
    l.keepAliveIdleMs = config.integer(QStringLiteral("server.http_keepalive_s")) * 1000;
    l.httpMaxConnections = config.integer32(QStringLiteral("http.max_connections"));
    l.maxPerAddress = config.integer32(QStringLiteral("server.max_connections_per_address"));
    l.healthMaxConnections = config.integer32(QStringLiteral("health.max_connections"));
    return l;
}

QString addressKey(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4).toString();
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address.toString();
    Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

qint64 tcpBytesAcked(qintptr socketDescriptor, qint64 *notSent)
{
    if (notSent)
        *notSent = 0;
    if (socketDescriptor < 0)
        return -1;
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(int(socketDescriptor), IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
        return -1;
    if (notSent)
        *notSent = qint64(info.tcpi_notsent_bytes);
    return qint64(info.tcpi_bytes_acked);
}

bool SlowReaderMeter::tick(qintptr socketDescriptor, qint64 bytesQueued, qint64 nowMs, const ConnectionLimits &limits)
{
    if (limits.minReadBytesPerSecond <= 0)
        return false;
    // Bytes wait on the client when our buffer holds some, or the kernel holds some it
    // has not even sent (the client's window is full); bytes merely in flight do not count.
    qint64 notSent = 0;
    const qint64 acked = tcpBytesAcked(socketDescriptor, &notSent);
    if (acked < 0 || bytesQueued + notSent <= 0) {
        m_windowStartMs = -1;  // nothing waits on the client: it cannot be slow
        return false;
    }
    if (m_windowStartMs < 0) {
        m_windowStartMs = nowMs;
        m_ackedAtStart = acked;
        return false;
    }
    const qint64 elapsed = nowMs - m_windowStartMs;
    if (elapsed < limits.slowReadTimeoutMs)
        return false;
    m_lastRate = double(acked - m_ackedAtStart) * 1000.0 / double(std::max<qint64>(1, elapsed));
    if (m_lastRate < double(limits.minReadBytesPerSecond))
        return true;
    m_windowStartMs = nowMs;  // fast enough over this window: judge the next one afresh
    m_ackedAtStart = acked;
    return false;
}

} // namespace station::net

#include <QTcpServer>

#include <cerrno>
#include <dirent.h>

#include <sys/resource.h>

namespace station::net {

int FdBudget::openDescriptors()
{
    DIR *dir = ::opendir("/proc/self/fd");
    if (!dir) {
        // Opening the directory needs a descriptor itself: failing for lack of
        // one means the table is full, not that the count is unknown.
        if (errno == EMFILE || errno == ENFILE) {
            const qint64 limit = softLimit();
            return limit > 0 ? int(limit) : -1;
        }
        return -1;
    }
    int n = 0;
    while (const dirent *e = ::readdir(dir)) {
        if (e->d_name[0] != '.')
            ++n;
    }
    ::closedir(dir);
    return n - 1;  // not the descriptor of the listing itself
}

void FdBudget::pauseListener(QTcpServer *server)
{
    // pauseAccepting() alone is not enough inside newConnection: Qt's accept loop
    // goes on calling accept() until it fails, which at the limit means every
    // descriptor is gone. The loop stops once maxPendingConnections are pending.
    server->pauseAccepting();
    server->setMaxPendingConnections(0);
}

void FdBudget::resumeListener(QTcpServer *server, int maxPending)
{
    server->setMaxPendingConnections(maxPending);
    server->resumeAccepting();
}

qint64 FdBudget::softLimit()
{
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return -1;
    return qint64(rl.rlim_cur);
}

bool FdBudget::nearLimit(int reserve)
{
    const qint64 limit = softLimit();
    if (limit < 0)
        return false;
    const int open = openDescriptors();
    return open >= 0 && open + reserve >= limit;
}

} // namespace station::net
