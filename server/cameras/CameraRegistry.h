#pragma once

#include "cameras/Camera.h"
#include "cameras/CameraIdMap.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>

#include <memory>
#include <optional>

class QTimer;

namespace station::config { class Config; }

namespace station::cameras {

class DeviceMonitor;
class DeviceProber;

// The cameras the station knows, by stable ID. Sources: V4L2 nodes (device
// monitor + prober), rtsp/test entries of cameras.sources, cameras.demo test
// patterns, and network cameras added at runtime (external_streams.json).
// API handlers, the MediaMTX side and the UI read it.
class CameraRegistry : public QObject
{
    Q_OBJECT
public:
    // Probes with V4l2Prober.
    explicit CameraRegistry(const config::Config &config, QObject *parent = nullptr);
    // Probes with the given prober (tests describe fake nodes with it).
    CameraRegistry(const config::Config &config, std::unique_ptr<DeviceProber> prober, QObject *parent = nullptr);
    ~CameraRegistry() override;

    // Loads the ID map, starts watching, and runs the initial scan on the next
    // event-loop turn (initialScanFinished when done).
    void start();

    QList<Camera> cameras() const;  // known cameras sorted by ID number
    std::optional<Camera> find(const QString &id) const;  // known cameras only
    int maxCameras() const;

    bool initialScanComplete() const { return m_initialScanComplete; }
    bool scanning() const { return m_scanning; }
    QString eventSource() const { return m_eventSource; }  // udev, inotify, polling, or "" when not watching
    QDateTime lastScan() const { return m_lastScan; }

    // Network cameras added at runtime (API.md §11.2-11.4). Adding a URL that
    // was ever added returns its old ID; adding it again updates the name.
    // nullopt: invalid URL, or cameras.max reached (*error says which).
    std::optional<Camera> addNetworkCamera(const QString &url, const QString &name,
                                           const QString &type = QStringLiteral("generic_rtsp"), QString *error = nullptr);
    // Unregisters it (the ID stays reserved for the URL); the removed camera, or nullopt if not registered.
    std::optional<Camera> removeNetworkCamera(const QString &url);
    QList<NetworkCamera> networkCameras() const;

    // Set by the publishing side when capture or publishing keeps failing.
    bool setCameraError(const QString &id, const QString &reason);
    bool clearCameraError(const QString &id);

Q_SIGNALS:
    void initialScanFinished();
    // A camera became listed: new, returning after being forgotten, or added as a network camera.
    void cameraAdded(const station::cameras::Camera &camera);
    // A network camera left the list (removeNetworkCamera).
    void cameraRemoved(const QString &id);
    // Any change of status, name, resolution or fps (also on first appearance,
    // then previousStatus is DISCONNECTED).
    void cameraChanged(const station::cameras::Camera &camera, const QString &previousStatus);

private:
    void initialScan();
    void onDeviceAdded(const QString &path);
    void onDeviceRemoved(const QString &path);
    void probeDevice(const QString &path);
    void scheduleRetry(const QString &path);
    void adoptIgnoredDevices();
    void addConfiguredSources();
    void loadNetworkCameras();
    void saveNetworkCameras() const;
    // Puts a present camera in place and signals; false when cameras.max is reached.
    bool bringUp(Camera camera);
    void takeDown(int number);  // present → DISCONNECTED
    void publishChange(const Camera &before, const Camera &after);
    bool isListed(const Camera &camera) const;
    int presentCount() const;
    std::optional<QVariantMap> usbOverride(const QString &path, const QString &identity) const;
    void refreshLastSeen();

    const config::Config &m_config;
    std::unique_ptr<DeviceProber> m_prober;
    DeviceMonitor *m_monitor = nullptr;
    CameraIdMap m_ids;
    QMap<int, Camera> m_cameras;           // by number: present ones and absent v4l2 ones
    QHash<QString, int> m_pathToNumber;    // present v4l2 nodes
    QHash<QString, int> m_retries;         // node → failed transient probes so far
    QSet<QString> m_ignored;               // nodes left out because of cameras.max
    QSet<QString> m_configuredNetwork;     // identities of configured rtsp/test cameras
    QMap<QString, NetworkCamera> m_network;  // runtime-added, by identity
    QTimer *m_lastSeenTimer = nullptr;
    bool m_started = false;
    bool m_initialScanComplete = false;
    bool m_scanning = false;
    QString m_eventSource;
    QDateTime m_lastScan;
};

} // namespace station::cameras
