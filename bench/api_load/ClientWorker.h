#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <atomic>
#include <vector>

class QWebSocket;

namespace bench {

// What one worker measured in one load phase.
struct PhaseResult {
    std::vector<qint64> latenciesNs;  // send -> matching successful response
    qint64 sent = 0;
    qint64 ok = 0;
    qint64 errors = 0;          // JSON-RPC error responses
    qint64 timeouts = 0;        // no response before the drain deadline
    qint64 skipped = 0;         // not sent: the connection already had maxOutstanding requests pending
    qint64 inWindow = 0;        // responses received before the phase's end (throughput)
    qint64 maxSendLagNs = 0;    // how late the client sent behind its schedule (client saturation)
    qint64 lateSends = 0;       // sends more than 5 ms behind schedule
    QMap<int, qint64> errorCodes;
    void merge(const PhaseResult &o);
};

// A notification as received: parsed later so parsing never delays the
// receipt time of the next socket.
struct Received {
    int conn = -1;
    qint64 recvMonoNs = 0;
    qint64 recvWallNs = 0;
    QString text;
};

// Owns a share of the benchmark's WebSocket connections and lives in its own
// QThread (one Qt event loop cannot drive 10,000 requests/s on a loaded
// machine and still timestamp replies precisely). Every public method except
// the constructor runs in the worker's thread (invoke it queued).
class ClientWorker : public QObject
{
    Q_OBJECT
public:
    ClientWorker(int workerId, QUrl url, QByteArray token, QObject *parent = nullptr);
    ~ClientWorker() override;

    // Opens `count` more connections (at most `maxConcurrent` handshakes at a
    // time); each authenticates and subscribes to `topics`. Progress in
    // ready/failed.
    void openConnections(int count, QStringList topics, int maxConcurrent);
    // Sends `method` with `paramsJson` on every ready connection at `ratePerConn`
    // requests/s, evenly spaced with a random phase per connection, from
    // startMonoNs for durationNs.
    void startPhase(int phase, const QString &method, const QByteArray &paramsJson, qint64 startMonoNs,
                    qint64 durationNs, double ratePerConn, int maxOutstanding);
    qint64 pendingOf(int phase) const;
    PhaseResult takePhaseResult(int phase);  // pending requests of the phase count as timeouts
    QList<Received> takeNotifications();
    void closeAll();

    std::atomic<int> ready{0};
    std::atomic<int> failed{0};
    std::atomic<int> disconnected{0};
    std::atomic<int> healthSeen{0};    // system.health notifications received
    std::atomic<int> shutdownSeen{0};  // system.shutdown notifications received
    QString lastFailure;  // read only after the worker has stopped

private:
    struct Pending {
        qint64 sentNs;
        int phase;
    };
    struct Conn {
        QWebSocket *ws = nullptr;
        int index = 0;
        enum State { Connecting, Authenticating, Subscribing, Ready, Failed, Closed } state = Connecting;
        qint64 nextId = 100;
        qint64 nextDueNs = 0;
        QHash<qint64, Pending> pending;
    };

    void openNext();
    void onConnected(Conn *c);
    void onText(Conn *c, const QString &text);
    void onResponse(Conn *c, qint64 id, qint64 nowNs, int errorCode);
    void fail(Conn *c, const QString &why);
    void tick();
    void sendRequest(Conn *c, qint64 nowNs, qint64 dueNs);

    int m_workerId;
    QUrl m_url;
    QByteArray m_token;
    QStringList m_topics;
    QList<Conn *> m_conns;
    int m_toOpen = 0;
    int m_inHandshake = 0;
    int m_maxConcurrent = 32;

    // current phase
    QTimer m_tick;
    int m_phase = -1;
    QString m_method;
    QByteArray m_params;
    qint64 m_phaseStartNs = 0, m_phaseEndNs = 0, m_periodNs = 0;
    int m_maxOutstanding = 0;
    QHash<int, PhaseResult> m_results;

    QList<Received> m_notes;
};

} // namespace bench
