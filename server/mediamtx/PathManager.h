#pragma once

#include "mediamtx/MediaMtxConfig.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace station::cameras { class CameraRegistry; struct Camera; }
namespace station::events { class EventBus; }

namespace station::mediamtx {

class MediaMtxSupervisor;

// What MediaMTX says about one path (from /v3/paths/list).
struct PathStatus {
    QString name;
    bool exists = false;
    bool ready = false;
    int readers = 0;
    qint64 bytesSent = 0;
    qint64 bytesReceived = 0;
    QDateTime readyTime;
    QString sourceType;  // rtspSession, rtspSource, ...
    int width = 0;
    int height = 0;
};

// Keeps MediaMTX's paths equal to the station's cameras (one path per
// camera, named after its ID), switches recording on and off, and watches
// path readiness and readers for status calls and mediamtx.* events.
class PathManager : public QObject
{
    Q_OBJECT
public:
    // A publisher that exits this often within the window puts its camera in ERROR.
    static constexpr int kPublisherFailures = 3;
    static constexpr qint64 kPublisherWindowMs = 60000;
    // A network camera whose stream MediaMTX fails to pull this often within the
    // window (it retries every 5 s while a reader waits) is put in ERROR too.
    static constexpr int kSourceFailures = 3;

    // A plain reason for a MediaMTX pull error (Go's dial/RTSP error text), e.g.
    // "dial tcp 127.0.0.1:554: connect: connection refused" → "nothing accepts
    // connections at 127.0.0.1:554". Pure: unit-tested.
    static QString plainSourceError(const QString &detail);

    PathManager(MediaMtxSupervisor *supervisor, cameras::CameraRegistry *cameras, events::EventBus *events, QObject *parent = nullptr);

    QList<PathSpec> desiredPaths() const;  // what MediaMTX is launched with
    void setRecording(const QString &device, bool on, std::function<void(bool ok, const QString &error)> done);
    bool recordingWanted(const QString &device) const { return m_recording.contains(device); }

    PathStatus status(const QString &device) const;  // cached, refreshed every second
    QList<PathStatus> statuses() const;
    bool statusFresh() const;                        // a poll succeeded in the last 3 s
    void refreshNow(std::function<void()> done = {});

    // Parses MediaMTX's /v3/paths/list answer (pure: fuzzed and unit-tested).
    static QList<PathStatus> parsePathList(const QJsonDocument &body);

    // Readers the station itself holds (warm decoders), not counted as consumers.
    void setInternalReaders(const QString &device, int count);
    int externalReaders(const QString &device) const;

Q_SIGNALS:
    void pathStatusChanged(const QString &device);

private:
    void syncAll();
    void onPublisherExited(const QString &path, const QString &detail);
    void onSourceFailed(const QString &path, const QString &detail);
    void syncCamera(const cameras::Camera &camera);
    void poll();
    QJsonObject streamJson(const PathStatus &s) const;

    MediaMtxSupervisor *m_supervisor;
    cameras::CameraRegistry *m_cameras;
    events::EventBus *m_events;
    QSet<QString> m_recording;
    QHash<QString, PathSpec> m_applied;      // what MediaMTX has, as far as we know
    QHash<QString, PathStatus> m_status;
    QHash<QString, int> m_internalReaders;
    QHash<QString, QList<qint64>> m_publisherExits;  // path → recent exit times (ms since epoch)
    QHash<QString, QList<qint64>> m_sourceFailures;  // path → recent failed pulls (ms since epoch)
    QSet<QString> m_publisherFailing;                // cameras we set to ERROR for a failing publisher or pull
    QDateTime m_lastPoll;
    QTimer m_pollTimer;
    bool m_pollInFlight = false;
};

} // namespace station::mediamtx
