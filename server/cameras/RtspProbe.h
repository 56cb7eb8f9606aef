#pragma once

#include <QObject>
#include <QString>
#include <QTcpSocket>
#include <QTimer>

#include <functional>

namespace station::cameras {

// Asks one RTSP URL whether it serves a stream: OPTIONS, then DESCRIBE,
// within a deadline. Reads the SDP for the video codec. Never plays media.
class RtspProbe : public QObject
{
    Q_OBJECT
public:
    struct Result {
        bool reachable = false;  // a TCP connection was made
        bool ok = false;         // DESCRIBE answered 200 with an SDP
        int status = 0;          // last RTSP status code
        QString codec;           // h264, h265, ... ("" when unknown)
        QString error;           // why not ok
    };
    using Done = std::function<void(const Result &)>;

    static void probe(const QString &host, quint16 port, const QString &path, int timeoutMs, QObject *context, Done done);

private:
    RtspProbe(QString host, quint16 port, QString path, int timeoutMs, Done done, QObject *parent);
    void onConnected();
    void onReadyRead();
    void finish(Result r);
    void sendRequest(const QByteArray &method);

    QTcpSocket m_socket;
    QTimer m_deadline;
    QString m_url;
    QString m_host;
    quint16 m_port;
    Done m_done;
    QByteArray m_buffer;
    int m_cseq = 0;
    bool m_described = false;
    bool m_finished = false;
    Result m_result;
};

} // namespace station::cameras
