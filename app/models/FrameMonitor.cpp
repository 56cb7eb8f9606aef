#include "models/FrameMonitor.h"

#include <QTimer>
#include <QVideoSink>

namespace station::app {

namespace {
constexpr qint64 kSignalIntervalMs = 250;
}

QObject *FrameMonitor::videoSink() const
{
    return m_sink;
}

void FrameMonitor::setVideoSink(QObject *sink)
{
    auto *videoSink = qobject_cast<QVideoSink *>(sink);
    if (videoSink == m_sink)
        return;
    disconnect(m_connection);
    m_sink = videoSink;
    if (m_sink)
        m_connection = connect(m_sink, &QVideoSink::videoFrameChanged, this, &FrameMonitor::onFrame);
    Q_EMIT videoSinkChanged();
}

void FrameMonitor::onFrame()
{
    ++m_frames;
    if (!m_lastSignal.isValid() || m_lastSignal.elapsed() >= kSignalIntervalMs) {
        m_lastSignal.start();
        Q_EMIT framesArrived();
        return;
    }
    if (m_pending)
        return;
    m_pending = true;
    QTimer::singleShot(kSignalIntervalMs - m_lastSignal.elapsed(), this, [this] {
        m_pending = false;
        m_lastSignal.start();
        Q_EMIT framesArrived();
    });
}

} // namespace station::app
