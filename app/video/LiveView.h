#pragma once

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QVideoSink;

namespace station::app {

class CameraFeed;

// What a view of one camera shows, decided from pictures, not from a
// player's state. QML gives it the camera and its VideoOutput's sink:
//   offline     the camera is not connected (the registry says why)
//   paused      the view is hidden; nothing is drawn into it
//   connecting  no picture yet since the view appeared
//   live        a picture arrived within the last second
//   stalled     pictures stopped: the last one stays, dimmed, with how long ago
class LiveView : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString cameraId READ cameraId WRITE setCameraId NOTIFY cameraIdChanged)
    Q_PROPERTY(QObject *videoSink READ videoSink WRITE setVideoSink NOTIFY videoSinkChanged)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(bool cameraLive READ cameraLive WRITE setCameraLive NOTIFY cameraLiveChanged)
    Q_PROPERTY(QString state READ state NOTIFY stateChanged)
    Q_PROPERTY(int stalledSeconds READ stalledSeconds NOTIFY stalledSecondsChanged)
    Q_PROPERTY(QDateTime lastFrameTime READ lastFrameTime NOTIFY stalledSecondsChanged)
    Q_PROPERTY(int frames READ frames NOTIFY framesChanged)
public:
    explicit LiveView(QObject *parent = nullptr);
    ~LiveView() override;

    QString cameraId() const { return m_cameraId; }
    void setCameraId(const QString &id);
    QObject *videoSink() const;
    void setVideoSink(QObject *sink);
    bool active() const { return m_active; }
    void setActive(bool on);
    bool cameraLive() const { return m_cameraLive; }
    void setCameraLive(bool on);

    QString state() const { return m_state; }
    int stalledSeconds() const { return m_stalledSeconds; }
    QDateTime lastFrameTime() const;
    int frames() const { return m_frames; }

    // For tests: the feed this view shows (normally LiveFeeds::instance()->feed(cameraId)).
    void setFeed(CameraFeed *feed);

Q_SIGNALS:
    void cameraIdChanged();
    void videoSinkChanged();
    void activeChanged();
    void cameraLiveChanged();
    void stateChanged();
    void stalledSecondsChanged();
    void framesChanged();

private:
    void rebind();
    void evaluate();

    QString m_cameraId;
    QPointer<QVideoSink> m_sink;
    QPointer<CameraFeed> m_feed;
    QPointer<CameraFeed> m_attachedTo;
    bool m_explicitFeed = false;
    bool m_active = true;
    bool m_cameraLive = false;
    QString m_state = QStringLiteral("offline");
    int m_stalledSeconds = 0;
    int m_frames = 0;
    qint64 m_attachedAtMs = 0;
    QTimer m_tick;
    QMetaObject::Connection m_frameConnection;
};

} // namespace station::app
