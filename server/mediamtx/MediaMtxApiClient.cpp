#include "mediamtx/MediaMtxApiClient.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace station::mediamtx {

namespace {
constexpr int kBreakerThreshold = 3;
constexpr qint64 kBreakerOpenMs = 2000;
} // namespace

MediaMtxApiClient::MediaMtxApiClient(QObject *parent) : QObject(parent), m_nam(new QNetworkAccessManager(this))
{
    m_nam->setProxy(QNetworkProxy::NoProxy);
}

void MediaMtxApiClient::setEndpoint(const QString &host, int port)
{
    m_base = QStringLiteral("http://%1:%2").arg(host).arg(port);
}

void MediaMtxApiClient::setCredentials(const QString &user, const QString &password)
{
    m_authorization = "Basic " + (user + QLatin1Char(':') + password).toUtf8().toBase64();
}

bool MediaMtxApiClient::breakerOpen() const
{
    return m_consecutiveFailures >= kBreakerThreshold && m_breakerOpenedAt.isValid() && m_breakerOpenedAt.elapsed() < kBreakerOpenMs;
}

void MediaMtxApiClient::resetBreaker()
{
    m_consecutiveFailures = 0;
    m_breakerOpenedAt.invalidate();
}

void MediaMtxApiClient::noteResult(bool reachable)
{
    if (reachable) {
        m_consecutiveFailures = 0;
        return;
    }
    if (++m_consecutiveFailures >= kBreakerThreshold)
        m_breakerOpenedAt.start();
}

void MediaMtxApiClient::get(const QString &path, Callback done)
{
    send("GET", path, {}, 1, std::move(done));
}

void MediaMtxApiClient::getOnce(const QString &path, Callback done)
{
    send("GET", path, {}, 0, std::move(done));
}

void MediaMtxApiClient::post(const QString &path, const QJsonObject &body, Callback done)
{
    send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), 0, std::move(done));
}

void MediaMtxApiClient::patch(const QString &path, const QJsonObject &body, Callback done)
{
    send("PATCH", path, QJsonDocument(body).toJson(QJsonDocument::Compact), 0, std::move(done));
}

void MediaMtxApiClient::del(const QString &path, Callback done)
{
    send("DELETE", path, {}, 0, std::move(done));
}

void MediaMtxApiClient::send(const QByteArray &verb, const QString &path, const QByteArray &body, int retries, Callback done)
{
    if (breakerOpen()) {
        Response r;
        r.error = QStringLiteral("MediaMTX API unavailable (circuit open)");
        QTimer::singleShot(0, this, [done, r] { done(r); });
        return;
    }
    QNetworkRequest req{QUrl(m_base + path)};
    req.setRawHeader("Authorization", m_authorization);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setTransferTimeout(m_timeoutMs);
    QNetworkReply *reply = m_nam->sendCustomRequest(req, verb, body);
    connect(reply, &QNetworkReply::finished, this, [this, reply, verb, path, body, retries, done] {
        reply->deleteLater();
        Response r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray data = reply->readAll();
        r.body = QJsonDocument::fromJson(data);
        if (r.status == 0) {
            noteResult(false);
            if (retries > 0) {
                send(verb, path, body, retries - 1, done);
                return;
            }
            r.error = reply->error() == QNetworkReply::OperationCanceledError
                ? QStringLiteral("timeout after %1 s").arg(m_timeoutMs / 1000.0)
                : reply->errorString();
        } else {
            noteResult(true);
            if (!r.ok()) {
                const QString message = r.body.object().value(QLatin1String("error")).toString();
                r.error = QStringLiteral("MediaMTX answered %1%2").arg(r.status).arg(message.isEmpty() ? QString() : QStringLiteral(": ") + message.left(200));
            }
        }
        done(r);
    });
}

} // namespace station::mediamtx
