#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QObject>
#include <QString>

#include <functional>

class QNetworkAccessManager;

namespace station::mediamtx {

// The REST v3 client: preemptive Basic credentials, a timeout on every
// request, one retry for idempotent reads, and a circuit breaker so a dead
// MediaMTX costs callers nothing while the supervisor restarts it.
class MediaMtxApiClient : public QObject
{
    Q_OBJECT
public:
    struct Response {
        int status = 0;           // HTTP status; 0 when no answer (timeout, refused, breaker open)
        QJsonDocument body;
        QString error;            // a short sentence when !ok()
        bool ok() const { return status >= 200 && status < 300; }
    };
    using Callback = std::function<void(const Response &)>;

    explicit MediaMtxApiClient(QObject *parent = nullptr);

    void setEndpoint(const QString &host, int port);
    void setCredentials(const QString &user, const QString &password);
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    void get(const QString &path, Callback done);
    // One attempt, no retry: a health check must time out after exactly one timeout.
    void getOnce(const QString &path, Callback done);
    void post(const QString &path, const QJsonObject &body, Callback done);
    void patch(const QString &path, const QJsonObject &body, Callback done);
    void del(const QString &path, Callback done);

    bool breakerOpen() const;
    void resetBreaker();  // after a restart

private:
    void send(const QByteArray &verb, const QString &path, const QByteArray &body, int retries, Callback done);
    void noteResult(bool reachable);

    QNetworkAccessManager *m_nam;
    QString m_base;
    QByteArray m_authorization;
    int m_timeoutMs = 2000;
    int m_consecutiveFailures = 0;
    QElapsedTimer m_breakerOpenedAt;
};

} // namespace station::mediamtx
