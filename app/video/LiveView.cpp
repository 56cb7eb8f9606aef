#include "video/LiveView.h"

#include "media/LiveReader.h"
#include "video/CameraFeed.h"
#include "video/LiveFeeds.h"

#include <QVideoSink>

namespace station::app {

LiveView::LiveView(QObject *parent) : QObject(parent)
{
    m_tick.setInterval(200);
    connect(&m_tick, &QTimer::timeout, this, &LiveView::evaluate);
}

LiveView::~LiveView()
{
    if (m_attachedTo && m_sink)
        m_attachedTo->detach(m_sink);
}

void LiveView::setCameraId(const QString &id)
{
    if (id == m_cameraId)
        return;
    m_cameraId = id;
    if (!m_explicitFeed)
        m_feed = LiveFeeds::instance() && !id.isEmpty() ? LiveFeeds::instance()->feed(id) : nullptr;
    Q_EMIT cameraIdChanged();
    rebind();
}

void LiveView::setFeed(CameraFeed *feed)
{
    m_explicitFeed = true;
    m_feed = feed;
    rebind();
}

QObject *LiveView::videoSink() const
{
    return m_sink;
}

void LiveView::setVideoSink(QObject *sink)
{
    auto *videoSink = qobject_cast<QVideoSink *>(sink);
    if (videoSink == m_sink)
        return;
    if (m_attachedTo && m_sink)
        m_attachedTo->detach(m_sink);
    m_attachedTo = nullptr;
    m_sink = videoSink;
    Q_EMIT videoSinkChanged();
    rebind();
}

void LiveView::setActive(bool on)
{
    if (on == m_active)
        return;
    m_active = on;
    Q_EMIT activeChanged();
    rebind();
}

void LiveView::setCameraLive(bool on)
{
    if (on == m_cameraLive)
        return;
    m_cameraLive = on;
    Q_EMIT cameraLiveChanged();
    rebind();
}

QDateTime LiveView::lastFrameTime() const
{
    return m_feed ? m_feed->lastFrameTime() : QDateTime();
}

// Attached to the feed while shown and the camera is connected; the feed
// puts its newest picture into the sink at once.
void LiveView::rebind()
{
    const bool want = m_feed && m_sink && m_active && m_cameraLive;
    if (m_attachedTo && (!want || m_attachedTo != m_feed)) {
        if (m_sink)
            m_attachedTo->detach(m_sink);
        m_attachedTo = nullptr;
        disconnect(m_frameConnection);
    }
    if (want && !m_attachedTo) {
        m_attachedTo = m_feed;
        m_attachedAtMs = media::LiveReader::nowMs();
        m_frameConnection = connect(m_feed, &CameraFeed::frameArrived, this, [this] {
            ++m_frames;
            Q_EMIT framesChanged();
            if (m_state != QLatin1String("live"))
                evaluate();
        });
        m_feed->attach(m_sink);
    }
    if (m_attachedTo)
        m_tick.start();
    else
        m_tick.stop();
    evaluate();
}

void LiveView::evaluate()
{
    QString next;
    int stalled = 0;
    if (!m_cameraLive) {
        next = QStringLiteral("offline");
    } else if (!m_active || !m_attachedTo) {
        next = QStringLiteral("paused");
    } else {
        const qint64 now = media::LiveReader::nowMs();
        const qint64 last = m_attachedTo->lastFrameMs();
        if (last > 0 && now - last < CameraFeed::kLiveMs) {
            next = QStringLiteral("live");
        } else if (last <= 0 || (last < m_attachedAtMs && now - m_attachedAtMs < 2 * CameraFeed::kLiveMs)) {
            // Nothing yet, or only a picture from before the view appeared
            // while the feed primes its decoder: not a stall.
            next = QStringLiteral("connecting");
        } else {
            next = QStringLiteral("stalled");
            stalled = int((now - last) / 1000);
        }
    }
    if (stalled != m_stalledSeconds) {
        m_stalledSeconds = stalled;
        Q_EMIT stalledSecondsChanged();
    }
    if (next != m_state) {
        m_state = next;
        Q_EMIT stateChanged();
    }
}

} // namespace station::app
