#include "WsClient.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QTimer>

namespace station::test {

namespace {

// Spins the event loop until pred() holds or the deadline passes.
template <typename Pred>
bool spinUntil(Pred pred, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!pred()) {
        if (deadline.hasExpired())
            return false;
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

} // namespace

WsClient::WsClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
        m_inbox.append(doc.isNull() ? QJsonValue(text) : doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closeCode = int(m_socket.closeCode()); });
}

bool WsClient::open(const QString &url, int timeoutMs, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest req{QUrl(url)};
    for (const auto &h : headers)
        req.setRawHeader(h.first, h.second);
    m_closeCode = -1;
    m_socket.open(req);
    return spinUntil([this] { return m_socket.state() == QAbstractSocket::ConnectedState || m_closeCode >= 0; }, timeoutMs)
        && m_socket.state() == QAbstractSocket::ConnectedState;
}

void WsClient::close()
{
    m_socket.close();
    spinUntil([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, 2000);
}

void WsClient::sendText(const QString &text)
{
    m_socket.sendTextMessage(text);
}

QJsonObject WsClient::call(const QString &method, const QJsonObject &params, int timeoutMs)
{
    const qint64 id = m_nextId++;
    QJsonObject req{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}, {QStringLiteral("method"), method}, {QStringLiteral("id"), id}};
    if (!params.isEmpty())
        req.insert(QStringLiteral("params"), params);
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(req).toJson(QJsonDocument::Compact)));
    QJsonObject found;
    spinUntil([&] {
        for (qsizetype i = 0; i < m_inbox.size(); ++i) {
            const QJsonObject o = m_inbox.at(i).toObject();
            if (o.contains(QLatin1String("id")) && o.value(QLatin1String("id")) == QJsonValue(double(id))) {
                found = o;
                m_inbox.removeAt(i);
                return true;
            }
        }
        return !isConnected();
    }, timeoutMs);
    return found;
}

QJsonValue WsClient::result(const QString &method, const QJsonObject &params)
{
    const QJsonObject r = call(method, params);
    return r.contains(QLatin1String("result")) ? r.value(QLatin1String("result")) : QJsonValue(QJsonValue::Undefined);
}

int WsClient::errorCode(const QString &method, const QJsonObject &params)
{
    const QJsonObject r = call(method, params);
    return r.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(0);
}

bool WsClient::authenticate(const QByteArray &token)
{
    const QJsonObject r = call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString::fromLatin1(token)}});
    return r.value(QLatin1String("result")).toObject().value(QLatin1String("authenticated")).toBool();
}

QJsonValue WsClient::nextMessage(int timeoutMs)
{
    if (!spinUntil([this] { return !m_inbox.isEmpty(); }, timeoutMs))
        return QJsonValue(QJsonValue::Undefined);
    return m_inbox.takeFirst();
}

QJsonValue WsClient::nextResponse(int timeoutMs)
{
    QJsonValue found = QJsonValue(QJsonValue::Undefined);
    spinUntil([&] {
        for (qsizetype i = 0; i < m_inbox.size(); ++i) {
            const QJsonValue v = m_inbox.at(i);
            if (v.isArray() || v.toObject().contains(QLatin1String("id"))) {
                found = v;
                m_inbox.removeAt(i);
                return true;
            }
        }
        return false;
    }, timeoutMs);
    return found;
}

QJsonObject WsClient::waitNotification(const QString &method, int timeoutMs)
{
    QJsonObject found;
    spinUntil([&] {
        for (qsizetype i = 0; i < m_inbox.size(); ++i) {
            const QJsonObject o = m_inbox.at(i).toObject();
            if (!o.contains(QLatin1String("id")) && o.value(QLatin1String("method")).toString() == method) {
                found = o;
                m_inbox.removeAt(i);
                return true;
            }
        }
        return false;
    }, timeoutMs);
    return found;
}

bool WsClient::noMessageWithin(int ms)
{
    return !spinUntil([this] { return !m_inbox.isEmpty(); }, ms);
}

QList<QJsonValue> WsClient::drain()
{
    return std::exchange(m_inbox, {});
}

bool WsClient::waitClosed(int timeoutMs)
{
    return spinUntil([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
}

} // namespace station::test
