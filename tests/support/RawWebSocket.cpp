#include "RawWebSocket.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>

#include <algorithm>

namespace station::test {

QByteArray RawWebSocket::upgradeRequest(quint16 port, const QByteArray &extraHeaders)
{
    return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n"
           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
}

QByteArray RawWebSocket::handshake(quint16 port, const QByteArray &extraHeaders, int timeoutMs)
{
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(upgradeRequest(port, extraHeaders));
    QDeadlineTimer deadline(timeoutMs);
    while (!m_buffer.contains("\r\n\r\n") && !deadline.hasExpired()) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
            break;
        m_buffer += socket.readAll();
    }
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return {};
    const QByteArray head = m_buffer.left(end + 4);
    m_buffer.remove(0, end + 4);
    return head;
}

int RawWebSocket::statusOf(const QByteArray &head)
{
    return head.startsWith("HTTP/1.1 ") ? head.mid(9, 3).toInt() : -1;
}

void RawWebSocket::sendFrame(int opcode, const QByteArray &payload, bool fin)
{
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0x00) | (opcode & 0x0F)));
    const quint64 n = quint64(payload.size());
    if (n <= 125) {
        frame.append(char(0x80 | n));
    } else if (n <= 0xFFFF) {
        frame.append(char(0x80 | 126));
        frame.append(char((n >> 8) & 0xFF));
        frame.append(char(n & 0xFF));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((n >> shift) & 0xFF));
    }
    const quint32 key = QRandomGenerator::global()->generate();
    const char mask[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
    frame.append(mask, 4);
    const qsizetype start = frame.size();
    frame.append(payload);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame[start + i] = char(frame[start + i] ^ mask[i % 4]);
    socket.write(frame);
}

int RawWebSocket::Frame::closeCode() const
{
    if (opcode != 8 || payload.size() < 2)
        return -1;
    return (int(quint8(payload[0])) << 8) | int(quint8(payload[1]));
}

QList<RawWebSocket::Frame> RawWebSocket::frames()
{
    m_buffer += socket.readAll();
    QList<Frame> out;
    while (m_buffer.size() >= 2) {
        const auto b0 = quint8(m_buffer[0]);
        const auto b1 = quint8(m_buffer[1]);
        quint64 len = b1 & 0x7F;
        qsizetype pos = 2;
        if (len == 126) {
            if (m_buffer.size() < 4)
                break;
            len = (quint64(quint8(m_buffer[2])) << 8) | quint8(m_buffer[3]);
            pos = 4;
        } else if (len == 127) {
            if (m_buffer.size() < 10)
                break;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | quint8(m_buffer[2 + i]);
            pos = 10;
        }
        if (quint64(m_buffer.size() - pos) < len)
            break;
        out << Frame{b0 & 0x0F, m_buffer.mid(pos, qsizetype(len))};
        m_buffer.remove(0, pos + qsizetype(len));
    }
    return out;
}

RawWebSocket::Frame RawWebSocket::waitFrame(int opcode, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    do {
        for (const Frame &f : frames()) {
            if (f.opcode == opcode)
                return f;
        }
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            break;
        socket.waitForReadyRead(20);
    } while (!deadline.hasExpired());
    for (const Frame &f : frames()) {
        if (f.opcode == opcode)
            return f;
    }
    return {};
}

bool RawWebSocket::waitDisconnected(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (socket.state() != QAbstractSocket::UnconnectedState) {
        if (deadline.hasExpired())
            return false;
        if (socket.waitForReadyRead(20))
            m_buffer += socket.readAll();
    }
    return true;
}

} // namespace station::test
