#include "cameras/DeviceMonitor.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <libudev.h>
#include <sys/inotify.h>
#include <unistd.h>

Q_DECLARE_LOGGING_CATEGORY(lcCameras)

namespace station::cameras {

namespace {
constexpr int kPollIntervalMs = 2000;
}

DeviceMonitor::DeviceMonitor(const QString &deviceDir, QObject *parent)
    : QObject(parent), m_deviceDir(QDir::cleanPath(deviceDir))
{
}

DeviceMonitor::~DeviceMonitor()
{
    stop();
}

bool DeviceMonitor::isVideoNodeName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^video[0-9]+$"));
    return re.match(name).hasMatch();
}

QString DeviceMonitor::pathOf(const QString &name) const
{
    return m_deviceDir + QLatin1Char('/') + name;
}

QStringList DeviceMonitor::devices() const
{
    QStringList list(m_known.begin(), m_known.end());
    std::sort(list.begin(), list.end());
    return list;
}

void DeviceMonitor::start()
{
    stop();
    // udev tells us after its rules ran (permissions set); only meaningful for the real /dev.
    if (m_deviceDir == QLatin1String("/dev") && QFileInfo::exists(QStringLiteral("/run/udev/control")) && startUdev())
        m_eventSource = QStringLiteral("udev");
    else if (startInotify())
        m_eventSource = QStringLiteral("inotify");
    else
        startPolling();
    qCInfo(lcCameras).noquote() << "watching" << m_deviceDir << "for video nodes with" << m_eventSource;
    rescan();
}

void DeviceMonitor::stop()
{
    delete m_notifier;
    m_notifier = nullptr;
    delete m_pollTimer;
    m_pollTimer = nullptr;
    if (m_udevMonitor)
        udev_monitor_unref(m_udevMonitor);
    m_udevMonitor = nullptr;
    if (m_udev)
        udev_unref(m_udev);
    m_udev = nullptr;
    if (m_inotifyFd >= 0)
        ::close(m_inotifyFd);
    m_inotifyFd = -1;
    m_eventSource.clear();
}

bool DeviceMonitor::startUdev()
{
    m_udev = udev_new();
    if (!m_udev)
        return false;
    m_udevMonitor = udev_monitor_new_from_netlink(m_udev, "udev");
    if (!m_udevMonitor || udev_monitor_filter_add_match_subsystem_devtype(m_udevMonitor, "video4linux", nullptr) < 0
        || udev_monitor_enable_receiving(m_udevMonitor) < 0) {
        qCWarning(lcCameras) << "udev monitor unavailable; falling back to inotify";
        if (m_udevMonitor)
            udev_monitor_unref(m_udevMonitor);
        m_udevMonitor = nullptr;
        udev_unref(m_udev);
        m_udev = nullptr;
        return false;
    }
    m_notifier = new QSocketNotifier(udev_monitor_get_fd(m_udevMonitor), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &DeviceMonitor::readUdev);
    return true;
}

void DeviceMonitor::readUdev()
{
    while (udev_device *dev = udev_monitor_receive_device(m_udevMonitor)) {
        const char *action = udev_device_get_action(dev);
        const char *node = udev_device_get_devnode(dev);
        if (action && node) {
            const QString path = QString::fromLocal8Bit(node);
            const QFileInfo fi(path);
            if (isVideoNodeName(fi.fileName()) && QDir::cleanPath(fi.absolutePath()) == m_deviceDir) {
                const QByteArray a(action);
                if (a == "add")
                    nodeAppeared(path);
                else if (a == "remove")
                    nodeVanished(path);
                else if (a == "change" && m_known.contains(path))
                    Q_EMIT deviceChanged(path);
            }
        }
        udev_device_unref(dev);
    }
}

bool DeviceMonitor::startInotify()
{
    m_inotifyFd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_inotifyFd < 0) {
        qCWarning(lcCameras) << "inotify unavailable:" << qt_error_string(errno);
        return false;
    }
    const uint32_t mask = IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;
    if (::inotify_add_watch(m_inotifyFd, QFile::encodeName(m_deviceDir).constData(), mask) < 0) {
        qCWarning(lcCameras) << "cannot watch" << m_deviceDir << ":" << qt_error_string(errno);
        ::close(m_inotifyFd);
        m_inotifyFd = -1;
        return false;
    }
    m_notifier = new QSocketNotifier(m_inotifyFd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &DeviceMonitor::readInotify);
    return true;
}

void DeviceMonitor::readInotify()
{
    alignas(inotify_event) char buffer[16 * 1024];
    bool overflow = false;
    for (;;) {
        const ssize_t n = ::read(m_inotifyFd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (ssize_t off = 0; off < n;) {
            const auto *ev = reinterpret_cast<const inotify_event *>(buffer + off);
            off += ssize_t(sizeof(inotify_event) + ev->len);
            if (ev->mask & IN_Q_OVERFLOW) {
                overflow = true;
                continue;
            }
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                qCWarning(lcCameras) << m_deviceDir << "went away; polling instead";
                overflow = true;
                continue;
            }
            const QString name = ev->len ? QFile::decodeName(ev->name) : QString();
            if (!isVideoNodeName(name))
                continue;
            const QString path = pathOf(name);
            if (ev->mask & (IN_CREATE | IN_MOVED_TO))
                nodeAppeared(path);
            else if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
                nodeVanished(path);
            else if (ev->mask & IN_ATTRIB) {
                if (m_known.contains(path))
                    Q_EMIT deviceChanged(path);
                else
                    nodeAppeared(path);
            }
        }
    }
    if (overflow) {
        // Events were lost or the folder was replaced: resynchronise.
        if (!QFileInfo::exists(m_deviceDir) && m_notifier) {
            m_notifier->setEnabled(false);
            startPolling();
        }
        rescan();
    }
}

void DeviceMonitor::startPolling()
{
    m_eventSource = QStringLiteral("polling");
    if (!m_pollTimer) {
        m_pollTimer = new QTimer(this);
        m_pollTimer->setInterval(kPollIntervalMs);
        connect(m_pollTimer, &QTimer::timeout, this, &DeviceMonitor::rescan);
    }
    m_pollTimer->start();
}

void DeviceMonitor::rescan()
{
    QSet<QString> now;
    const QStringList names = QDir(m_deviceDir).entryList(QDir::System | QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &name : names) {
        if (isVideoNodeName(name))
            now.insert(pathOf(name));
    }
    QStringList gone;
    for (const QString &p : std::as_const(m_known)) {
        if (!now.contains(p))
            gone << p;
    }
    std::sort(gone.begin(), gone.end());
    for (const QString &p : gone)
        nodeVanished(p);
    QStringList added(now.begin(), now.end());
    std::sort(added.begin(), added.end());
    for (const QString &p : added)
        nodeAppeared(p);
}

void DeviceMonitor::nodeAppeared(const QString &path)
{
    if (m_known.contains(path))
        return;
    m_known.insert(path);
    qCDebug(lcCameras) << "video node appeared:" << path;
    Q_EMIT deviceAdded(path);
}

void DeviceMonitor::nodeVanished(const QString &path)
{
    if (!m_known.remove(path))
        return;
    qCDebug(lcCameras) << "video node vanished:" << path;
    Q_EMIT deviceRemoved(path);
}

} // namespace station::cameras
