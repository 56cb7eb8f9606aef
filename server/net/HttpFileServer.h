#pragma once

#include "net/ConnectionLimits.h"
#include "net/HttpRequest.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

class QTcpSocket;

namespace station::net {

// HTTP/1.1 file downloads of API.md §13 on the shared 8002 listener.
// The listener peeks at each connection and hands every non-WebSocket one
// to adopt(); from then on this object owns the socket, parses requests
// (keep-alive, one request at a time) and streams files from disk with
// backpressure, so neither a big file nor a slow client grows memory.
// Lives on the main thread. (No Q_OBJECT: it has no signals or slots.)
class HttpFileServer : public QObject
{
public:
    struct Settings {
        QStringList allowedOrigins{QStringLiteral("*")};
        int requestsPerMinute = 600;   // per remote address; <= 0: unlimited
        QString wsPath = QStringLiteral("/ws");
        // Outbound budget, slow-reader floor, request-head deadline (from the first byte)
        // and keep-alive idle time (also the longest a response may make no write progress).
        ConnectionLimits limits;
    };
    struct Hooks {
        // 0 when the request's credential grants resourcePath ("recordings/<name>"
        // or "snapshots/<name>"), else 401 or 403. The hook owns the §13.2 credential order.
        std::function<int(const HttpRequest &, const QString &resourcePath)> authorize;
        // Absolute path of the existing file for kind "recordings"/"snapshots" and a
        // validated filename, or empty for 404.
        std::function<QString(const QString &kind, const QString &filename)> resolve;
        // false → 503 unavailable (storage unreadable). Unset: readable.
        std::function<bool()> storageReadable;
    };

    static constexpr qint64 kChunkBytes = 256 * 1024;
    static constexpr qint64 kHighWaterBytes = 512 * 1024;  // next chunk only below this

    HttpFileServer(Settings settings, Hooks hooks, QObject *parent = nullptr);
    ~HttpFileServer() override;

    // Takes ownership; nothing must have been read from the socket yet.
    void adopt(QTcpSocket *socket);

    int connectionCount() const { return int(m_connections.size()); }

private:
    struct Connection;
    struct Response;
    struct Window { qint64 startMs = 0; int count = 0; };

    void onReadable(QTcpSocket *socket);
    void processBuffer(Connection *c);
    void handle(Connection *c, const HttpRequest &req);
    void serveFile(Connection *c, const HttpRequest &req, const QString &kind, const QString &filename);
    void send(Connection *c, const Response &r);
    void sendError(Connection *c, int status, const QString &error, const QString &message,
                   const QString &rule = {}, QList<std::pair<QByteArray, QByteArray>> extra = {});
    void pump(QTcpSocket *socket);
    void finishResponse(Connection *c);
    void shutdownWrite(Connection *c);
    void drop(QTcpSocket *socket);
    bool rateLimited(const QString &address, int *retryAfterS);
    QList<std::pair<QByteArray, QByteArray>> corsHeaders(const HttpRequest &req) const;

    Settings m_settings;
    Hooks m_hooks;
    QHash<QTcpSocket *, std::shared_ptr<Connection>> m_connections;
    QHash<QString, Window> m_windows;  // per remote address, fixed 60 s windows
    QTimer m_tick;                     // slow-reader checks, once a second
    void checkSlowReaders();
};

} // namespace station::net
