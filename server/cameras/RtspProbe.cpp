#include "cameras/RtspProbe.h"

#include <QRegularExpression>

namespace station::cameras {

void RtspProbe::probe(const QString &host, quint16 port, const QString &path, int timeoutMs, QObject *context, Done done)
{
    new RtspProbe(host, port, path, timeoutMs, std::move(done), context);  // deletes itself when done
}

RtspProbe::RtspProbe(QString host, quint16 port, QString path, int timeoutMs, Done done, QObject *parent)
    : QObject(parent), m_host(std::move(host)), m_port(port), m_done(std::move(done))
{
    m_url = QStringLiteral("rtsp://%1:%2%3").arg(m_host).arg(port).arg(path.startsWith(QLatin1Char('/')) ? path : QLatin1Char('/') + path);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        Result r = m_result;
        r.error = r.reachable ? QStringLiteral("no RTSP answer in time") : QStringLiteral("no answer");
        finish(r);
    });
    connect(&m_socket, &QTcpSocket::connected, this, &RtspProbe::onConnected);
    connect(&m_socket, &QTcpSocket::readyRead, this, &RtspProbe::onReadyRead);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        Result r = m_result;
        r.error = m_socket.errorString();
        finish(r);
    });
    m_deadline.start(timeoutMs);
    m_socket.connectToHost(m_host, port);
}

void RtspProbe::sendRequest(const QByteArray &method)
{
    QByteArray req = method + ' ' + m_url.toUtf8() + " RTSP/1.0\r\nCSeq: " + QByteArray::number(++m_cseq)
        + "\r\nUser-Agent: camera-station-discovery\r\n";
    if (method == "DESCRIBE")
        req += "Accept: application/sdp\r\n";
    m_socket.write(req + "\r\n");
}

void RtspProbe::onConnected()
{
    m_result.reachable = true;
    sendRequest("OPTIONS");
}

void RtspProbe::onReadyRead()
{
    m_buffer += m_socket.readAll();
    if (m_buffer.size() > 65536)
        return finish(Result{true, false, 0, {}, QStringLiteral("oversized answer")});
    const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return;
    const QByteArray head = m_buffer.left(headEnd);
    static const QRegularExpression statusRe(QStringLiteral("^RTSP/1\\.0 (\\d{3})"));
    const QRegularExpressionMatch m = statusRe.match(QString::fromLatin1(head));
    if (!m.hasMatch())
        return finish(Result{true, false, 0, {}, QStringLiteral("not an RTSP server")});
    m_result.status = m.captured(1).toInt();
    static const QRegularExpression lengthRe(QStringLiteral("(?im)^content-length:\\s*(\\d+)"));
    const QRegularExpressionMatch lm = lengthRe.match(QString::fromLatin1(head));
    const qsizetype bodyLength = lm.hasMatch() ? lm.captured(1).toLongLong() : 0;
    if (m_buffer.size() < headEnd + 4 + bodyLength)
        return;
    const QByteArray body = m_buffer.mid(headEnd + 4, bodyLength);
    m_buffer.remove(0, headEnd + 4 + bodyLength);
    if (!m_described) {
        if (m_result.status != 200 && m_result.status != 401)
            return finish(Result{true, false, m_result.status, {}, QStringLiteral("OPTIONS answered %1").arg(m_result.status)});
        m_described = true;
        sendRequest("DESCRIBE");
        return;
    }
    Result r = m_result;
    if (r.status != 200) {
        r.error = r.status == 401 ? QStringLiteral("credentials required") : QStringLiteral("DESCRIBE answered %1").arg(r.status);
        return finish(r);
    }
    static const QRegularExpression rtpmap(QStringLiteral("a=rtpmap:\\d+ ([A-Za-z0-9-]+)/"));
    const QRegularExpressionMatch cm = rtpmap.match(QString::fromLatin1(body));
    r.codec = cm.hasMatch() ? cm.captured(1).toLower() : QString();
    r.ok = body.contains("m=video");
    if (!r.ok)
        r.error = QStringLiteral("no video in the stream description");
    finish(r);
}

void RtspProbe::finish(Result r)
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    m_socket.abort();
    const Done done = m_done;
    deleteLater();
    done(r);
}

} // namespace station::cameras
