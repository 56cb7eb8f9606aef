#pragma once

#include <QByteArray>
#include <QList>
#include <QTcpSocket>

namespace station::test {

// A WebSocket client written by hand on a QTcpSocket (loopback only): it sends
// exactly the bytes a test asks for (a partial upgrade request, masked frames
// with any opcode and any payload, including invalid UTF-8) and parses what
// the server sends back. Blocking; needs no event loop.
class RawWebSocket
{
public:
    QTcpSocket socket;

    static QByteArray upgradeRequest(quint16 port, const QByteArray &extraHeaders = {});

    // Connects and sends the upgrade request; returns the response head ("" on failure).
    QByteArray handshake(quint16 port, const QByteArray &extraHeaders = {}, int timeoutMs = 3000);
    static int statusOf(const QByteArray &head);  // 101, 503, …; -1 when not HTTP

    // One masked frame (client frames must be masked).
    void sendFrame(int opcode, const QByteArray &payload, bool fin = true);
    void sendText(const QByteArray &payload) { sendFrame(0x1, payload); }

    struct Frame {
        int opcode = -1;
        QByteArray payload;
        int closeCode() const;  // for a close frame (opcode 8); -1 otherwise
    };
    // Frames that have arrived so far (server frames are unmasked).
    QList<Frame> frames();
    // Waits for the first frame with `opcode`; opcode -1 when none arrived in time.
    Frame waitFrame(int opcode, int timeoutMs = 3000);
    // Waits until the server closed the TCP connection.
    bool waitDisconnected(int timeoutMs = 3000);

protected:
    QByteArray m_buffer;  // received bytes not yet parsed
};

} // namespace station::test
