#pragma once

#include "cameras/Camera.h"

#include <QDateTime>
#include <QList>
#include <QObject>

#include <optional>

namespace station::config { class Config; }

namespace station::cameras {

// The cameras the station knows, by stable ID. Discovery (V4L2, hot-plug,
// network and test sources) feeds it; API handlers and the UI read it.
class CameraRegistry : public QObject
{
    Q_OBJECT
public:
    explicit CameraRegistry(const config::Config &config, QObject *parent = nullptr);

    void start();  // initial scan

    QList<Camera> cameras() const;  // known cameras sorted by ID number
    std::optional<Camera> find(const QString &id) const;
    int maxCameras() const;

    bool initialScanComplete() const { return m_initialScanComplete; }
    bool scanning() const { return m_scanning; }
    QString eventSource() const { return m_eventSource; }  // udev, inotify, polling, or "" when not watching
    QDateTime lastScan() const { return m_lastScan; }

Q_SIGNALS:
    void initialScanFinished();
    void cameraChanged(const station::cameras::Camera &camera, const QString &previousStatus);

private:
    const config::Config &m_config;
    QList<Camera> m_cameras;
    bool m_initialScanComplete = false;
    bool m_scanning = false;
    QString m_eventSource;
    QDateTime m_lastScan;
};

} // namespace station::cameras
