#pragma once

#include <QObject>
#include <QString>

class QTcpServer;
class QTcpSocket;

namespace station::auth { class StreamAccess; }

namespace station::mediamtx {

// The loopback HTTP endpoint MediaMTX calls with authMethod: http
// (authHTTPAddress): one POST of a JSON object per check (internal/auth/manager.go
// authenticateHTTP, v1.20.1; an RTSP reader is checked at DESCRIBE and again at
// SETUP, an HLS viewer once per session), answered 200 (allowed) or 401 (refused)
// from auth::StreamAccess, at once: MediaMTX's path manager waits for the answer,
// so nothing here may wait on MediaMTX. Bound to 127.0.0.1 on a free port; one
// request per connection, which is then closed.
class StreamAuthEndpoint : public QObject
{
    Q_OBJECT
public:
    explicit StreamAuthEndpoint(const auth::StreamAccess *access, QObject *parent = nullptr);

    bool listen(QString *error);
    quint16 port() const;
    QString url() const;  // http://127.0.0.1:PORT/mediamtx/auth

    quint64 allowed() const { return m_allowed; }
    quint64 refused() const { return m_refused; }

private:
    void onReadable(QTcpSocket *socket);
    static void answer(QTcpSocket *socket, int status);

    const auth::StreamAccess *m_access;
    QTcpServer *m_server = nullptr;
    quint64 m_allowed = 0;
    quint64 m_refused = 0;
};

} // namespace station::mediamtx
