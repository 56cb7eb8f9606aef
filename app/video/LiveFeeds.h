#pragma once

#include "cameras/Camera.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace station::cameras { class CameraRegistry; }
namespace station::media { class ReaderPool; }

namespace station::app {

class CameraFeed;

// The UI's live pictures: one CameraFeed per connected camera, fed by the
// station's own reader of that camera (ReaderPool holder "ui"), shared by
// every view of the camera. Counts the cameras whose picture is live for the
// navigation rail.
class LiveFeeds : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int liveCount READ liveCount NOTIFY liveCountChanged)
public:
    LiveFeeds(cameras::CameraRegistry *cameras, media::ReaderPool *readers, QObject *parent = nullptr);
    ~LiveFeeds() override;

    // The one instance views find their feeds through (set while it exists).
    static LiveFeeds *instance();

    CameraFeed *feed(const QString &cameraId);  // created on first use
    int liveCount() const { return m_liveCount; }

    static constexpr const char *kHolder = "ui";

Q_SIGNALS:
    void liveCountChanged();

private:
    void update(const cameras::Camera &camera);
    void remove(const QString &cameraId);
    void recount();

    cameras::CameraRegistry *m_cameras;
    media::ReaderPool *m_readers;
    QHash<QString, CameraFeed *> m_feeds;
    QTimer m_tick;
    int m_liveCount = 0;
};

} // namespace station::app
