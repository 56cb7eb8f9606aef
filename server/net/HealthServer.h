#pragma once

#include "net/ConnectionLimits.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QElapsedTimer>
#include <QString>

#include <atomic>
#include <memory>

class QObject;
class QTcpServer;
class QTcpSocket;
class QThread;

namespace station::health { class HealthState; class MetricsRegistry; }

namespace station::net {

struct HttpRequest;
using health::HealthState;
using health::MetricsRegistry;

// The 8003 listener of API.md §14 (/health, /health/live, /health/ready,
// /health/detailed, /metrics). Its QTcpServer and sockets live on a thread
// of their own, so probes are answered while the main loop is busy; from the
// main thread it only reads the thread-safe HealthState and MetricsRegistry.
class HealthServer
{
public:
    HealthServer(HealthState *state, MetricsRegistry *metrics, QString version);
    ~HealthServer();
    HealthServer(const HealthServer &) = delete;
    HealthServer &operator=(const HealthServer &) = delete;

    // Blocks until listening (or failed). Returns the bound port (port 0 picks
    // an ephemeral one), or 0 with *error set.
    quint16 start(const QHostAddress &host, quint16 port, QString *error = nullptr);
    void stop();
    bool isRunning() const { return m_server != nullptr; }

    void setLivenessStallMs(qint64 ms) { m_stallMs = ms; }  // health.liveness_stall_s; default 10 s
    void setEnvironment(const QString &environment);          // health.environment; default "production"
    void setLimits(const ConnectionLimits &limits) { m_limits = limits; }  // before start()

private:
    struct Reply;

    void accept();                       // health thread
    void refuse(QTcpSocket *socket);     // health thread: 503 over a connection limit
    void onReadable(QTcpSocket *socket); // health thread
    Reply route(const net::HttpRequest &req) const;
    Reply health(bool detailed) const;
    Reply live() const;
    Reply ready() const;
    Reply metrics() const;
    void write(QTcpSocket *socket, const Reply &reply, bool head, bool keepAlive);
    void tick();                         // health thread: slow readers, accept resume

    struct Peer {
        QString key;
        SlowReaderMeter meter;
    };
    ConnectionLimits m_limits;
    // health thread only
    QHash<QTcpSocket *, Peer> m_peers;
    QHash<QString, int> m_perAddress;
    bool m_acceptPaused = false;
    quint64 m_refused = 0;
    int m_refusing = 0;                  // sockets being answered 503
    static constexpr int kMaxRefusing = 32;
    QElapsedTimer m_clock;

    HealthState *m_state;
    MetricsRegistry *m_metrics;
    const QString m_version;
    std::atomic<qint64> m_stallMs{10000};
    mutable QMutex m_envMutex;
    QString m_environment = QStringLiteral("production");

    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr;        // lives on m_thread; parent of the server
    QTcpServer *m_server = nullptr;
};

} // namespace station::net
