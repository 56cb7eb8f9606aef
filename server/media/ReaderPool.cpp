#include "media/ReaderPool.h"

#include "config/Config.h"
#include "media/LiveReader.h"
#include "mediamtx/PathManager.h"

namespace station::media {

ReaderPool::ReaderPool(const config::Config &config, mediamtx::PathManager *paths, QObject *parent)
    : QObject(parent), m_config(config), m_paths(paths)
{
}

ReaderPool::~ReaderPool()
{
    stopAll();
}

QString ReaderPool::urlFor(const QString &device) const
{
    // The station's own readers carry its per-run read token (auth::StreamAccess), so
    // MediaMTX, which asks the station about every read, lets them in.
    const QString query = m_readToken.isEmpty() ? QString() : QStringLiteral("?token=") + m_readToken;
    return QStringLiteral("rtsp://127.0.0.1:%1/%2").arg(m_config.integer(QStringLiteral("mediamtx.rtsp_port"))).arg(device) + query;
}

LiveReader *ReaderPool::acquire(const QString &device, const QString &holder)
{
    Entry &e = m_entries[device];
    if (!e.reader) {
        e.reader = new LiveReader(urlFor(device), this);
        e.reader->start();
        e.idle = new QTimer(this);
        e.idle->setSingleShot(true);
        connect(e.idle, &QTimer::timeout, this, [this, device] {
            auto it = m_entries.find(device);
            if (it != m_entries.end() && it->holders.isEmpty())
                drop(device);
        });
        if (m_paths)
            m_paths->setInternalReaders(device, 1);
    }
    e.idle->stop();
    e.holders.insert(holder);
    return e.reader;
}

void ReaderPool::release(const QString &device, const QString &holder, bool keepWarm)
{
    auto it = m_entries.find(device);
    if (it == m_entries.end())
        return;
    it->holders.remove(holder);
    if (!it->holders.isEmpty())
        return;
    if (keepWarm)
        it->idle->start(m_config.integer32(QStringLiteral("mediamtx.close_after_s")) * 1000);
    else if (!it->idle->isActive())
        drop(device);
}

LiveReader *ReaderPool::reader(const QString &device) const
{
    const auto it = m_entries.constFind(device);
    return it == m_entries.constEnd() ? nullptr : it->reader;
}

QStringList ReaderPool::holders(const QString &device) const
{
    const auto it = m_entries.constFind(device);
    return it == m_entries.constEnd() ? QStringList() : QStringList(it->holders.begin(), it->holders.end());
}

void ReaderPool::drop(const QString &device)
{
    Entry e = m_entries.take(device);
    delete e.idle;
    delete e.reader;  // joins its thread
    if (m_paths)
        m_paths->setInternalReaders(device, 0);
}

void ReaderPool::stopAll()
{
    const QStringList devices = m_entries.keys();
    for (const QString &d : devices)
        drop(d);
}

void ReaderPool::retryAll()
{
    for (const Entry &e : std::as_const(m_entries))
        if (e.reader)
            e.reader->retrySoon();
}

} // namespace station::media
