#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <functional>

namespace station::config { class Config; }
namespace station::mediamtx { class PathManager; }

namespace station::media {

class LiveReader;

// One LiveReader per camera, shared by everything that needs the stream:
// recordings and streaming sessions hold it (keeping an on-demand publisher
// alive), snapshots borrow it. A reader nobody holds stays warm for a while
// so the next snapshot is fast, then stops so the publisher can stop too.
class ReaderPool : public QObject
{
    Q_OBJECT
public:
    ReaderPool(const config::Config &config, mediamtx::PathManager *paths, QObject *parent = nullptr);
    ~ReaderPool() override;

    LiveReader *acquire(const QString &device, const QString &holder);
    // keepWarm: the reader stays up for mediamtx.close_after_s after its last
    // holder leaves (snapshots); otherwise it stops at once, so an on-demand
    // publisher stops as the contract says (§2.9, §8.2).
    void release(const QString &device, const QString &holder, bool keepWarm = false);
    LiveReader *reader(const QString &device) const;  // running reader or nullptr
    QStringList holders(const QString &device) const;
    void stopAll();
    // MediaMTX is ready: readers waiting to reconnect try now (LiveReader::retrySoon).
    void retryAll();
    // auth::StreamAccess::internalToken(): put in the readers' RTSP URLs.
    void setReadToken(const QString &token) { m_readToken = token; }

private:
    struct Entry {
        LiveReader *reader = nullptr;
        QSet<QString> holders;
        QTimer *idle = nullptr;
    };
    QString urlFor(const QString &device) const;
    void drop(const QString &device);

    const config::Config &m_config;
    mediamtx::PathManager *m_paths;
    QHash<QString, Entry> m_entries;
    QString m_readToken;
};

} // namespace station::media
