#include "mediamtx/StreamAuthEndpoint.h"

#include "auth/StreamAccess.h"
#include "net/HttpRequest.h"

#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

Q_LOGGING_CATEGORY(lcStreamAuth, "station.streamauth")

namespace station::mediamtx {

namespace {
constexpr qint64 kMaxBodyBytes = 64 * 1024;  // MediaMTX's request is a few hundred bytes
constexpr int kRequestTimeoutMs = 5000;
const char kPath[] = "/mediamtx/auth";
} // namespace

StreamAuthEndpoint::StreamAuthEndpoint(const auth::StreamAccess *access, QObject *parent)
    : QObject(parent), m_access(access), m_server(new QTcpServer(this))
{
    m_server->setListenBacklogSize(256);
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadable(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            QTimer::singleShot(kRequestTimeoutMs, socket, [socket] { socket->abort(); socket->deleteLater(); });
        }
    });
}

bool StreamAuthEndpoint::listen(QString *error)
{
    if (m_server->listen(QHostAddress::LocalHost, 0))
        return true;
    if (error)
        *error = QStringLiteral("stream authorisation endpoint: ") + m_server->errorString();
    return false;
}

quint16 StreamAuthEndpoint::port() const
{
    return m_server->serverPort();
}

QString StreamAuthEndpoint::url() const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(QLatin1String(kPath));
}

void StreamAuthEndpoint::onReadable(QTcpSocket *socket)
{
    if (socket->property("answered").toBool()) {
        socket->readAll();
        return;
    }
    const QByteArray buffer = socket->peek(net::HttpRequestParser::kMaxHeaderBytes + kMaxBodyBytes + 1);
    net::HttpRequest req;
    int status = 0;
    const auto parsed = net::HttpRequestParser::parse(buffer, &req, &status);
    if (parsed == net::HttpRequestParser::Status::Incomplete)
        return;
    if (parsed == net::HttpRequestParser::Status::Error)
        return answer(socket, status);
    if (req.method != "POST" || req.path != QLatin1String(kPath))
        return answer(socket, req.method != "POST" ? 405 : 404);
    bool numeric = false;
    const qint64 length = req.header("content-length").toLongLong(&numeric);
    if (!numeric || length < 0 || length > kMaxBodyBytes)
        return answer(socket, 400);
    if (buffer.size() < req.headerBytes + length)
        return;  // the rest of the body is still coming
    bool ok = false;
    const auth::StreamAuthRequest request = auth::StreamAuthRequest::fromJson(buffer.mid(req.headerBytes, length), &ok);
    if (!ok)
        return answer(socket, 400);
    const QString refusal = m_access->check(request);
    if (refusal.isEmpty()) {
        ++m_allowed;
        return answer(socket, 200);
    }
    ++m_refused;
    // Paths are camera IDs; never log the token or the password.
    qCInfo(lcStreamAuth).noquote() << "refused" << request.action << request.protocol << "of" << (request.path.isEmpty() ? QStringLiteral("-") : request.path)
                                   << "from" << request.ip << ":" << refusal;
    answer(socket, 401);
}

void StreamAuthEndpoint::answer(QTcpSocket *socket, int status)
{
    static const QHash<int, QByteArray> texts{{200, "OK"}, {400, "Bad Request"}, {401, "Unauthorized"}, {404, "Not Found"},
                                              {405, "Method Not Allowed"}, {431, "Request Header Fields Too Large"}};
    socket->setProperty("answered", true);
    socket->readAll();
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + texts.value(status, "Error") + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    socket->disconnectFromHost();
}

} // namespace station::mediamtx
