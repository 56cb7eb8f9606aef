#include "HostilePeers.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bench {

namespace {

qint64 nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A client frame (RFC 6455 §5.2): FIN set, masked with a random key as clients must.
QByteArray clientFrame(int opcode, const QByteArray &payload)
{
    QByteArray f;
    f.append(char(0x80 | opcode));
    const qsizetype n = payload.size();
    if (n < 126) {
        f.append(char(0x80 | n));
    } else {
        f.append(char(0x80 | 126));
        f.append(char((n >> 8) & 0xff));
        f.append(char(n & 0xff));
    }
    const quint32 key = QRandomGenerator::global()->generate();
    char mask[4];
    std::memcpy(mask, &key, 4);
    f.append(mask, 4);
    for (qsizetype i = 0; i < n; ++i)
        f.append(char(payload[i] ^ mask[i % 4]));
    return f;
}

QByteArray request(qint64 id, const char *method, const QByteArray &params)
{
    return clientFrame(0x1, "{\"jsonrpc\":\"2.0\",\"method\":\"" + QByteArray(method) + "\",\"params\":" + params + ",\"id\":" + QByteArray::number(id) + "}");
}

bool connectionLost(int err)
{
    return err == EPIPE || err == ECONNRESET || err == ENOTCONN || err == ETIMEDOUT;
}

// A TCP connection from `local` (any 127.0.0.0/8 address works on Linux) to
// 127.0.0.1:port with a small receive buffer, upgraded to WebSocket on /ws;
// non-blocking afterwards. -1 on failure (*error says why).
int openWebSocket(const QByteArray &local, quint16 port, int receiveBuffer, QString *error)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QStringLiteral("socket: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return -1;
    }
    // Before connect(), so the window the station sees is small from the start.
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, local.constData(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&from), sizeof from) != 0
        || ::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0) {
        *error = QStringLiteral("connect from %1: %2").arg(QString::fromLatin1(local), QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    const QByteArray head = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c29hay1ob3N0aWxlLXBlZXI=\r\n"
          "Sec-WebSocket-Version: 13\r\n\r\n";
    if (::send(fd, head.constData(), size_t(head.size()), MSG_NOSIGNAL) != head.size()) {
        *error = QStringLiteral("sending the upgrade: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    // Read the answer's head byte by byte: nothing after it may be consumed here.
    QByteArray answer;
    while (!answer.endsWith("\r\n\r\n") && answer.size() < 4096) {
        char c;
        if (::recv(fd, &c, 1, 0) != 1) {
            *error = QStringLiteral("upgrade answer: %1 (got '%2')").arg(QString::fromLocal8Bit(std::strerror(errno)), QString::fromLatin1(answer.left(40)));
            ::close(fd);
            return -1;
        }
        answer.append(c);
    }
    if (!answer.startsWith("HTTP/1.1 101")) {
        *error = QStringLiteral("upgrade refused: %1").arg(QString::fromLatin1(answer.left(answer.indexOf('\r'))));
        ::close(fd);
        return -1;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

} // namespace

void HostilePeers::start()
{
    m_stop = false;
    if (m_options.slowReader)
        m_slowThread = std::thread([this] { runSlowReader(); });
    if (m_options.flooder)
        m_floodThread = std::thread([this] { runFlooder(); });
}

void HostilePeers::stop()
{
    m_stop = true;
    if (m_slowThread.joinable())
        m_slowThread.join();
    if (m_floodThread.joinable())
        m_floodThread.join();
}

HostilePeers::SlowReader HostilePeers::slowReader() const
{
    std::lock_guard lock(m_mutex);
    return m_slow;
}

HostilePeers::Flooder HostilePeers::flooder() const
{
    std::lock_guard lock(m_mutex);
    return m_flood;
}

void HostilePeers::pause(int ms) const
{
    const qint64 until = nowMs() + ms;
    while (!stopping() && nowMs() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<qint64>(50, until - nowMs())));
}

void HostilePeers::runSlowReader()
{
    const char *methods[] = {"get_camera_list", "get_system_status", "list_recordings"};
    const QByteArray params[] = {"{}", "{}", "{\"limit\":1000}"};
    const qint64 requestEveryMs = std::max(1, 1000 / std::max(1, m_options.requestsPerSecond));
    const int readChunk = std::max(1, m_options.readBytesPerSecond / 10);  // every 100 ms
    QByteArray buffer(readChunk, '\0');
    while (!stopping()) {
        QString error;
        const int fd = openWebSocket(m_options.slowAddress, m_options.port, 4096, &error);
        if (fd < 0) {
            std::lock_guard lock(m_mutex);
            ++m_slow.handshakeFailures;
            m_slow.lastError = error;
            pause(1000);
            continue;
        }
        const qint64 t0 = nowMs();
        {
            std::lock_guard lock(m_mutex);
            ++m_slow.connects;
        }
        QByteArray out = request(1, "authenticate", "{\"auth_token\":\"" + m_options.token + "\"}")
                       + request(2, "subscribe_events", "{\"topics\":[\"system.health\"]}");
        qint64 id = 10;
        qint64 nextRequest = t0, nextRead = t0;
        qint64 sent = 0, read = 0;
        bool dropped = false;
        while (!stopping() && !dropped) {
            const qint64 now = nowMs();
            if (now >= nextRequest) {
                nextRequest += requestEveryMs;
                if (out.size() < 64 * 1024) {  // else the station has stopped reading us: queue no more here
                    const int k = int(id % 3);
                    out += request(id++, methods[k], params[k]);
                    ++sent;
                }
            }
            if (!out.isEmpty()) {
                const ssize_t n = ::send(fd, out.constData(), size_t(out.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n > 0)
                    out.remove(0, n);
                else if (n < 0 && connectionLost(errno))
                    dropped = true;
            }
            if (now >= nextRead) {
                nextRead += 100;
                const ssize_t n = ::recv(fd, buffer.data(), size_t(readChunk), MSG_DONTWAIT);
                if (n > 0)
                    read += n;
                else if (n == 0 || connectionLost(errno))
                    dropped = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(std::max<qint64>(1, std::min(nextRequest, nextRead) - nowMs())));
        }
        ::close(fd);
        {
            std::lock_guard lock(m_mutex);
            m_slow.requestsSent += sent;
            m_slow.bytesRead += read;
            if (dropped) {
                ++m_slow.drops;
                m_slow.dropAfterS << double(nowMs() - t0) / 1000.0;
            }
        }
        pause(1000);
    }
}

void HostilePeers::runFlooder()
{
    constexpr int kPayload = 125;  // the largest control frame
    QByteArray frames;
    for (int i = 0; i < 500; ++i)
        frames += clientFrame(0x9, QByteArray(kPayload, char('a' + i % 26)));
    const qsizetype frameSize = frames.size() / 500;
    while (!stopping()) {
        QString error;
        const int fd = openWebSocket(m_options.floodAddress, m_options.port, 4096, &error);
        if (fd < 0) {
            std::lock_guard lock(m_mutex);
            ++m_flood.handshakeFailures;
            m_flood.lastError = error;
            pause(1000);
            continue;
        }
        const qint64 t0 = nowMs();
        {
            std::lock_guard lock(m_mutex);
            ++m_flood.connects;
        }
        qsizetype offset = 0;
        qint64 bytes = 0, flushed = 0;
        qint64 blockedSince = -1, lastFlush = t0;
        double blockedS = 0, throttledAfterS = -1;
        bool closed = false;
        const auto endBlock = [&](qint64 now) {
            if (blockedSince < 0)
                return;
            blockedS += double(now - blockedSince) / 1000.0;
            if (now - blockedSince >= 1000 && throttledAfterS < 0)
                throttledAfterS = double(blockedSince - t0) / 1000.0;
            blockedSince = -1;
        };
        while (!stopping() && !closed) {
            const ssize_t n = ::send(fd, frames.constData() + offset, size_t(frames.size() - offset), MSG_NOSIGNAL | MSG_DONTWAIT);
            const qint64 now = nowMs();
            if (n > 0) {
                endBlock(now);
                bytes += n;
                offset = (offset + n) % frames.size();
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (blockedSince < 0)
                    blockedSince = now;
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, 100);
            } else {
                closed = true;
            }
            if (now - lastFlush >= 1000 || closed) {
                lastFlush = now;
                std::lock_guard lock(m_mutex);
                m_flood.bytesSent += bytes - flushed;
                m_flood.pings = m_flood.bytesSent / frameSize;
                flushed = bytes;
            }
        }
        const qint64 end = nowMs();
        endBlock(end);
        ::close(fd);
        {
            std::lock_guard lock(m_mutex);
            m_flood.bytesSent += bytes - flushed;
            m_flood.pings = m_flood.bytesSent / frameSize;
            m_flood.blockedS += blockedS;
            if (throttledAfterS >= 0) {
                ++m_flood.throttled;
                m_flood.throttledAfterS << throttledAfterS;
            }
            if (closed) {
                ++m_flood.closes;
                m_flood.closedAfterS << double(end - t0) / 1000.0;
            }
        }
        pause(1000);
    }
}

} // namespace bench
