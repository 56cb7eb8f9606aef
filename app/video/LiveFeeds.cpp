#include "video/LiveFeeds.h"

#include "cameras/CameraRegistry.h"
#include "media/LiveReader.h"
#include "media/ReaderPool.h"
#include "video/CameraFeed.h"

namespace station::app {

namespace {
LiveFeeds *g_instance = nullptr;
}

LiveFeeds::LiveFeeds(cameras::CameraRegistry *cameras, media::ReaderPool *readers, QObject *parent)
    : QObject(parent), m_cameras(cameras), m_readers(readers)
{
    g_instance = this;
    if (m_cameras) {
        connect(m_cameras, &cameras::CameraRegistry::cameraAdded, this, &LiveFeeds::update);
        connect(m_cameras, &cameras::CameraRegistry::cameraChanged, this, [this](const cameras::Camera &c) { update(c); });
        connect(m_cameras, &cameras::CameraRegistry::cameraRemoved, this, &LiveFeeds::remove);
        for (const cameras::Camera &c : m_cameras->cameras())
            update(c);
    }
    m_tick.setInterval(250);
    connect(&m_tick, &QTimer::timeout, this, &LiveFeeds::recount);
    m_tick.start();
}

LiveFeeds::~LiveFeeds()
{
    for (auto it = m_feeds.begin(); it != m_feeds.end(); ++it) {
        it.value()->setReader(nullptr);
        if (m_readers)
            m_readers->release(it.key(), QString::fromLatin1(kHolder));
    }
    if (g_instance == this)
        g_instance = nullptr;
}

LiveFeeds *LiveFeeds::instance()
{
    return g_instance;
}

CameraFeed *LiveFeeds::feed(const QString &cameraId)
{
    CameraFeed *&f = m_feeds[cameraId];
    if (!f)
        f = new CameraFeed(cameraId, this);
    return f;
}

// The station reads a camera only while the registry says it is connected:
// an unplugged camera has no MediaMTX path to read.
void LiveFeeds::update(const cameras::Camera &camera)
{
    CameraFeed *f = feed(camera.id);
    if (!m_readers)
        return;
    if (camera.status == QLatin1String("CONNECTED")) {
        f->setReader(m_readers->acquire(camera.id, QString::fromLatin1(kHolder)));
    } else if (f->reader()) {
        f->setReader(nullptr);
        m_readers->release(camera.id, QString::fromLatin1(kHolder));
    }
    recount();
}

void LiveFeeds::remove(const QString &cameraId)
{
    CameraFeed *f = m_feeds.take(cameraId);
    if (!f)
        return;
    if (f->reader() && m_readers)
        m_readers->release(cameraId, QString::fromLatin1(kHolder));
    f->setReader(nullptr);
    f->deleteLater();
    recount();
}

void LiveFeeds::recount()
{
    const qint64 now = media::LiveReader::nowMs();
    int live = 0;
    for (const CameraFeed *f : std::as_const(m_feeds))
        live += f->isLive(now) ? 1 : 0;
    if (live == m_liveCount)
        return;
    m_liveCount = live;
    Q_EMIT liveCountChanged();
}

} // namespace station::app
