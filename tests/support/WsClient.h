#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QWebSocket>

namespace station::test {

// A real WebSocket JSON-RPC client for integration tests: synchronous calls
// that wait for the response with the matching id, and a queue of the
// notifications and other frames that arrived meanwhile.
class WsClient : public QObject
{
    Q_OBJECT
public:
    explicit WsClient(QObject *parent = nullptr);

    bool open(const QString &url, int timeoutMs = 5000, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void close();
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QWebSocket &socket() { return m_socket; }

    // Sends {"jsonrpc":"2.0","method":…,"params":…,"id":N} and waits for id N. Empty object on timeout.
    QJsonObject call(const QString &method, const QJsonObject &params = {}, int timeoutMs = 5000);
    QJsonValue result(const QString &method, const QJsonObject &params = {});  // result or Undefined
    int errorCode(const QString &method, const QJsonObject &params = {});      // 0 when it succeeded
    bool authenticate(const QByteArray &token);

    void sendText(const QString &text);            // raw frame
    QJsonValue nextMessage(int timeoutMs = 3000);  // next frame that is not a known pending response
    QJsonValue nextResponse(int timeoutMs = 3000); // next response or batch answer; notifications stay queued
    QJsonObject waitNotification(const QString &method, int timeoutMs = 5000);
    bool noMessageWithin(int ms);                  // true when nothing arrives within ms
    QList<QJsonValue> drain();

    int closeCode() const { return m_closeCode; }
    bool waitClosed(int timeoutMs = 5000);

private:
    QWebSocket m_socket;
    QList<QJsonValue> m_inbox;
    qint64 m_nextId = 1;
    int m_closeCode = -1;
};

} // namespace station::test
