#pragma once

#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

class QSocketNotifier;
class QTimer;
struct udev;
struct udev_monitor;

namespace station::cameras {

// Watches a device folder for video nodes (videoN) and reports them as they
// come and go. Backends, best first: udev (real /dev with udevd running),
// inotify on the folder, polling every 2 s.
class DeviceMonitor : public QObject
{
    Q_OBJECT
public:
    explicit DeviceMonitor(const QString &deviceDir, QObject *parent = nullptr);
    ~DeviceMonitor() override;

    // Picks the backend, then reports every node present now with deviceAdded.
    void start();
    void stop();

    QString deviceDir() const { return m_deviceDir; }
    QString eventSource() const { return m_eventSource; }  // udev, inotify, polling; "" before start
    QStringList devices() const;                           // paths present now, sorted

    static bool isVideoNodeName(const QString &name);

Q_SIGNALS:
    void deviceAdded(const QString &path);
    void deviceRemoved(const QString &path);
    void deviceChanged(const QString &path);  // attributes changed (e.g. permissions set by udev)

private:
    bool startUdev();
    bool startInotify();
    void startPolling();
    void readUdev();
    void readInotify();
    void rescan();  // diff the folder against what we know
    void nodeAppeared(const QString &path);
    void nodeVanished(const QString &path);
    QString pathOf(const QString &name) const;

    QString m_deviceDir;
    QString m_eventSource;
    QSet<QString> m_known;  // paths
    udev *m_udev = nullptr;
    udev_monitor *m_udevMonitor = nullptr;
    int m_inotifyFd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_pollTimer = nullptr;
};

} // namespace station::cameras
