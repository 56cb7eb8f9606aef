#include "video/CameraFeed.h"

#include "media/LiveReader.h"

#include <QVideoFrameFormat>
#include <QVideoSink>

#include <cstring>

namespace station::app {

namespace {

void copyPlane(QVideoFrame &frame, int plane, const QByteArray &src, int width, int height)
{
    uchar *dst = frame.bits(plane);
    const int dstStride = frame.bytesPerLine(plane);
    const char *from = src.constData();
    for (int row = 0; row < height; ++row)
        std::memcpy(dst + qsizetype(row) * dstStride, from + qsizetype(row) * width, size_t(width));
}

QVideoFrame toVideoFrame(const media::DecodedFrame &f)
{
    QVideoFrameFormat format(QSize(f.width, f.height), QVideoFrameFormat::Format_YUV420P);
    format.setColorRange(f.fullRange ? QVideoFrameFormat::ColorRange_Full : QVideoFrameFormat::ColorRange_Video);
    QVideoFrame frame(format);
    if (!frame.map(QVideoFrame::WriteOnly))
        return {};
    copyPlane(frame, 0, f.y, f.width, f.height);
    copyPlane(frame, 1, f.u, f.chromaWidth(), f.chromaHeight());
    copyPlane(frame, 2, f.v, f.chromaWidth(), f.chromaHeight());
    frame.unmap();
    return frame;
}

} // namespace

CameraFeed::CameraFeed(QString cameraId, QObject *parent) : QObject(parent), m_cameraId(std::move(cameraId))
{
    m_linger.setSingleShot(true);
    m_linger.setInterval(kLingerMs);
    connect(&m_linger, &QTimer::timeout, this, &CameraFeed::updateDecoding);
}

CameraFeed::~CameraFeed()
{
    setReader(nullptr);
}

void CameraFeed::setReader(media::LiveReader *reader)
{
    if (reader == m_reader)
        return;
    disconnect(m_connection);
    if (m_reader)
        m_reader->setDecoding(false);
    m_reader = reader;
    m_decoding = false;
    if (m_reader)
        m_connection = connect(m_reader, &media::LiveReader::frameDecoded, this, &CameraFeed::onFrameDecoded);
    updateDecoding();
}

void CameraFeed::attach(QVideoSink *sink)
{
    if (!sink)
        return;
    for (const QPointer<QVideoSink> &s : std::as_const(m_sinks))
        if (s == sink)
            return;
    m_sinks.append(sink);
    if (m_frame.isValid())
        sink->setVideoFrame(m_frame);
    m_linger.stop();
    updateDecoding();
}

void CameraFeed::detach(QVideoSink *sink)
{
    m_sinks.removeIf([sink](const QPointer<QVideoSink> &s) { return s.isNull() || s == sink; });
    if (m_sinks.isEmpty())
        m_linger.start();
}

void CameraFeed::updateDecoding()
{
    m_sinks.removeIf([](const QPointer<QVideoSink> &s) { return s.isNull(); });
    const bool want = m_reader && (!m_sinks.isEmpty() || m_linger.isActive());
    if (want == m_decoding)
        return;
    m_decoding = want;
    m_decodingSinceMs = media::LiveReader::nowMs();
    if (m_reader)
        m_reader->setDecoding(want);
}

void CameraFeed::onFrameDecoded()
{
    if (m_reader)
        push(m_reader->latestDecoded());
}

void CameraFeed::push(const std::shared_ptr<const media::DecodedFrame> &frame)
{
    if (!frame || frame->width <= 0 || frame->height <= 0)
        return;
    QVideoFrame video = toVideoFrame(*frame);
    if (!video.isValid())
        return;
    m_frame = video;
    m_lastFrameMs = frame->decodedAtMs;
    m_lastFrameTime = QDateTime::currentDateTime();
    ++m_frames;
    for (const QPointer<QVideoSink> &s : std::as_const(m_sinks))
        if (s)
            s->setVideoFrame(m_frame);
    Q_EMIT frameArrived();
}

bool CameraFeed::isLive(qint64 nowMs) const
{
    if (!m_reader)
        return false;
    // Decoding (and not just switched on, when the first picture is still
    // being decoded): live means pictures; otherwise stream packets.
    if (m_decoding && nowMs - m_decodingSinceMs >= kLiveMs)
        return m_lastFrameMs > 0 && nowMs - m_lastFrameMs < kLiveMs;
    const qint64 sincePacket = m_reader->msSinceLastPacket();
    return sincePacket >= 0 && sincePacket < kLiveMs;
}

} // namespace station::app
