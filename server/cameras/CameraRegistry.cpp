#include "cameras/CameraRegistry.h"

#include "cameras/DeviceMonitor.h"
#include "cameras/CameraUrlRule.h"
#include "cameras/StreamUrl.h"
#include "cameras/V4l2Prober.h"
#include "config/Config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTimer>
#include <QUrl>

#include <algorithm>

Q_LOGGING_CATEGORY(lcCameras, "station.cameras")

namespace station::cameras {

namespace {

const QString kConnected = QStringLiteral("CONNECTED");
const QString kDisconnected = QStringLiteral("DISCONNECTED");
const QString kError = QStringLiteral("ERROR");

// A node that udev has just created may not be readable yet: retry for ~1 s.
constexpr int kProbeRetries = 5;
constexpr int kProbeRetryMs = 200;
// Present cameras' last-seen times are refreshed now and then, so a crash
// does not make a camera that was present for days look long gone.
constexpr int kLastSeenRefreshMs = 10 * 60 * 1000;

QString cameraId(int number)
{
    return QStringLiteral("camera%1").arg(number);
}

std::optional<int> numberOf(const QString &id)
{
    static const QRegularExpression re(QStringLiteral("^camera(0|[1-9][0-9]{0,8})$"));
    const QRegularExpressionMatch m = re.match(id);
    if (!m.hasMatch())
        return std::nullopt;
    return m.captured(1).toInt();
}

QString sizeText(const QSize &s)
{
    return s.isValid() && !s.isEmpty() ? QStringLiteral("%1x%2").arg(s.width()).arg(s.height()) : QString();
}

QSize configuredSize(const QVariantMap &source)
{
    const int w = source.value(QStringLiteral("width")).toInt();
    const int h = source.value(QStringLiteral("height")).toInt();
    return w > 0 && h > 0 ? QSize(w, h) : QSize();
}

QString urlErrorReason(const UrlVerdict &v)
{
    return QStringLiteral("MediaMTX would refuse the camera URL: %1. %2").arg(v.reason, v.hint);
}

Camera networkCamera(const QString &url, const QString &identity, const QString &name, const QString &type)
{
    Camera c;
    c.status = kConnected;
    c.sourceType = QStringLiteral("rtsp");
    c.identity = identity;
    c.url = url;
    // A URL MediaMTX v1.20.1 refuses at load time (CameraUrlRule) would make
    // it exit on mediamtx.yml: the camera is listed in ERROR with the reason
    // and left out of MediaMTX's paths; the other cameras keep working.
    if (const UrlVerdict v = CameraUrlRule::check(url); v.ok) {
        c.url = v.url;
    } else {
        c.status = kError;
        c.errorReason = urlErrorReason(v);
    }
    c.streamType = type.isEmpty() ? QStringLiteral("generic_rtsp") : type;
    c.name = name.isEmpty() ? QStringLiteral("Network camera %1").arg(QUrl(url).host()) : name;
    // Capabilities come from the stream once MediaMTX has pulled it.
    c.validationStatus = QStringLiteral("NONE");
    c.lastSeen = QDateTime::currentDateTimeUtc();
    return c;
}

} // namespace

CameraRegistry::CameraRegistry(const config::Config &config, QObject *parent)
    : CameraRegistry(config, std::make_unique<V4l2Prober>(), parent)
{
}

CameraRegistry::CameraRegistry(const config::Config &config, std::unique_ptr<DeviceProber> prober, QObject *parent)
    : QObject(parent),
      m_config(config),
      m_prober(std::move(prober)),
      m_ids(config.stateDir() + QStringLiteral("/cameras.json"))
{
}

CameraRegistry::~CameraRegistry()
{
    // Record when the present cameras were last seen: a clean stop is "now".
    if (m_started)
        refreshLastSeen();
}

int CameraRegistry::maxCameras() const
{
    return m_config.integer32(QStringLiteral("cameras.max"));
}

void CameraRegistry::start()
{
    if (m_started)
        return;
    m_started = true;
    m_scanning = true;

    QString error;
    if (!m_ids.load(&error)) {
        // Keep the unreadable file for inspection rather than overwriting it.
        const QString aside = m_ids.filePath() + QStringLiteral(".broken-") + QString::number(QDateTime::currentSecsSinceEpoch());
        QFile::rename(m_ids.filePath(), aside);
        qCWarning(lcCameras).noquote() << "camera ID map unreadable, starting afresh:" << error << "(kept as" << aside << ")";
    }
    // Absent USB cameras stay known (listed as DISCONNECTED) until forgotten.
    for (const CameraRecord &r : m_ids.records()) {
        if (r.sourceType != QLatin1String("v4l2"))
            continue;
        Camera c;
        c.id = r.id();
        c.status = kDisconnected;
        c.name = r.name;
        c.resolution = r.resolution;
        c.fps = r.fps;
        c.sourceType = r.sourceType;
        c.identity = r.identity;
        c.formats = r.formats;
        c.resolutions = r.resolutions;
        c.fpsOptions = r.fpsOptions;
        c.validationStatus = r.formats.isEmpty() ? QStringLiteral("NONE") : kDisconnected;
        c.lastSeen = r.lastSeen;
        m_cameras.insert(r.number, c);
    }

    m_monitor = new DeviceMonitor(m_config.string(QStringLiteral("cameras.device_dir")), this);
    connect(m_monitor, &DeviceMonitor::deviceAdded, this, &CameraRegistry::onDeviceAdded);
    connect(m_monitor, &DeviceMonitor::deviceRemoved, this, &CameraRegistry::onDeviceRemoved);
    connect(m_monitor, &DeviceMonitor::deviceChanged, this, [this](const QString &path) {
        // Permissions may just have been set: try again if it is not a camera yet.
        if (!m_pathToNumber.contains(path) && !m_ignored.contains(path))
            probeDevice(path);
    });

    m_lastSeenTimer = new QTimer(this);
    m_lastSeenTimer->setInterval(kLastSeenRefreshMs);
    connect(m_lastSeenTimer, &QTimer::timeout, this, &CameraRegistry::refreshLastSeen);
    m_lastSeenTimer->start();

    // Probing real devices takes a while: let the caller finish starting first.
    QTimer::singleShot(0, this, &CameraRegistry::initialScan);
}

void CameraRegistry::initialScan()
{
    m_monitor->start();  // reports the nodes present now
    m_eventSource = m_monitor->eventSource();
    addConfiguredSources();
    loadNetworkCameras();
    m_lastScan = QDateTime::currentDateTimeUtc();
    m_scanning = false;
    m_initialScanComplete = true;
    int present = presentCount();
    qCInfo(lcCameras).noquote() << QStringLiteral("initial camera scan done: %1 present, %2 known, events from %3")
                                       .arg(present)
                                       .arg(cameras().size())
                                       .arg(m_eventSource);
    Q_EMIT initialScanFinished();
}

QList<Camera> CameraRegistry::cameras() const
{
    QList<Camera> list;
    for (const Camera &c : m_cameras) {
        if (isListed(c))
            list << c;
    }
    return list;
}

std::optional<Camera> CameraRegistry::find(const QString &id) const
{
    const std::optional<int> n = numberOf(id);
    if (!n)
        return std::nullopt;
    const auto it = m_cameras.constFind(*n);
    if (it == m_cameras.constEnd() || !isListed(*it))
        return std::nullopt;
    return *it;
}

bool CameraRegistry::isListed(const Camera &camera) const
{
    if (camera.isPresent())
        return true;
    const qint64 forgetAfterS = m_config.integer(QStringLiteral("cameras.forget_after_h")) * 3600;
    return camera.lastSeen.isValid() && camera.lastSeen.secsTo(QDateTime::currentDateTimeUtc()) < forgetAfterS;
}

int CameraRegistry::presentCount() const
{
    return int(std::count_if(m_cameras.cbegin(), m_cameras.cend(), [](const Camera &c) { return c.isPresent(); }));
}

// ---------------------------------------------------------------- V4L2

void CameraRegistry::onDeviceAdded(const QString &path)
{
    m_retries.remove(path);
    probeDevice(path);
}

void CameraRegistry::onDeviceRemoved(const QString &path)
{
    m_retries.remove(path);
    m_ignored.remove(path);
    m_lastScan = QDateTime::currentDateTimeUtc();
    if (const auto it = m_pathToNumber.constFind(path); it != m_pathToNumber.constEnd()) {
        const int number = *it;
        m_pathToNumber.erase(it);
        takeDown(number);
        adoptIgnoredDevices();  // a slot under cameras.max may have freed up
    }
}

void CameraRegistry::probeDevice(const QString &path)
{
    if (m_pathToNumber.contains(path))
        return;
    std::optional<V4l2DeviceInfo> info = m_prober->probe(path);
    if (!info) {
        if (m_prober->lastFailureTransient() && QFileInfo::exists(path))
            scheduleRetry(path);
        else
            m_retries.remove(path);
        return;
    }
    m_retries.remove(path);
    m_lastScan = QDateTime::currentDateTimeUtc();

    const QString deviceDir = m_monitor ? m_monitor->deviceDir() : m_config.string(QStringLiteral("cameras.device_dir"));
    // sysfs describes the real /dev only; a test folder must not pick up the host's cameras.
    const QString sysfs = deviceDir == QLatin1String("/dev") ? QStringLiteral("/sys") : QString();
    const QString identity = V4l2Prober::identityFor(path, deviceDir, info->busInfo, sysfs);

    for (auto it = m_pathToNumber.cbegin(); it != m_pathToNumber.cend(); ++it) {
        if (m_cameras.value(*it).identity == identity) {
            qCInfo(lcCameras).noquote() << path << "is another node of" << cameraId(*it) << "; ignored";
            return;
        }
    }

    const std::optional<QVariantMap> override = usbOverride(path, identity);
    Camera c;
    c.status = kConnected;
    c.sourceType = QStringLiteral("v4l2");
    c.identity = identity;
    c.devicePath = path;
    const QString configuredName = override ? override->value(QStringLiteral("name")).toString() : QString();
    c.name = !configuredName.isEmpty() ? configuredName : !info->card.isEmpty() ? info->card : QStringLiteral("USB camera");
    c.formats = info->formatNames();
    c.resolutions = info->resolutions();
    c.fpsOptions = info->fpsOptions();
    c.validationStatus = QStringLiteral("CONFIRMED");
    const V4l2CaptureChoice choice = info->chooseCapture(override ? configuredSize(*override) : QSize(),
                                                         override ? override->value(QStringLiteral("fps")).toInt() : 0);
    c.inputFormat = choice.format;
    c.captureSize = choice.size;
    c.resolution = sizeText(choice.size);
    c.fps = choice.fps;
    c.lastSeen = QDateTime::currentDateTimeUtc();
    c.v4l2 = std::move(info);

    if (!bringUp(c)) {
        m_ignored.insert(path);
        return;
    }
    m_pathToNumber.insert(path, *m_ids.existingNumber(identity));
}

void CameraRegistry::scheduleRetry(const QString &path)
{
    int &attempts = m_retries[path];
    if (++attempts > kProbeRetries) {
        m_retries.remove(path);
        qCWarning(lcCameras).noquote() << "cannot open" << path << "(permissions or busy); not a camera for now";
        return;
    }
    QTimer::singleShot(kProbeRetryMs, this, [this, path] {
        if (m_retries.contains(path))
            probeDevice(path);
    });
}

void CameraRegistry::adoptIgnoredDevices()
{
    QStringList waiting(m_ignored.begin(), m_ignored.end());
    std::sort(waiting.begin(), waiting.end());
    for (const QString &path : waiting) {
        if (presentCount() >= maxCameras())
            break;
        m_ignored.remove(path);
        probeDevice(path);
    }
}

std::optional<QVariantMap> CameraRegistry::usbOverride(const QString &path, const QString &identity) const
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    for (const QVariantMap &s : m_config.objectList(QStringLiteral("cameras.sources"))) {
        if (s.value(QStringLiteral("type")).toString() != QLatin1String("usb"))
            continue;
        const QString device = s.value(QStringLiteral("device")).toString();
        if (device.isEmpty())
            continue;
        // A path (/dev/video0, /dev/v4l/by-id/...) or just the by-id name.
        const bool isPath = device.contains(QLatin1Char('/'));
        if (device == path || device == identity || (isPath && QFileInfo(device).fileName() == identity)
            || (isPath && !canonical.isEmpty() && QFileInfo(device).canonicalFilePath() == canonical))
            return s;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- state changes

bool CameraRegistry::bringUp(Camera camera)
{
    const std::optional<int> known = m_ids.existingNumber(camera.identity);
    const bool alreadyPresent = known && m_cameras.contains(*known) && m_cameras.value(*known).isPresent();
    if (!alreadyPresent && presentCount() >= maxCameras()) {
        qCWarning(lcCameras).noquote() << QStringLiteral("cameras.max (%1) reached; ignoring %2 camera \"%3\"")
                                              .arg(maxCameras())
                                              .arg(camera.sourceType, camera.name);
        return false;
    }
    const int number = m_ids.numberFor(camera.identity, camera.sourceType);
    camera.id = cameraId(number);
    const bool existed = m_cameras.contains(number);
    const Camera before = existed ? m_cameras.value(number) : Camera{};
    const bool wasListed = existed && isListed(before);
    m_cameras.insert(number, camera);
    m_ids.remember(camera);
    if (!wasListed) {
        qCInfo(lcCameras).noquote() << camera.id << "appeared:" << camera.name << camera.sourceType << camera.resolution << camera.fps;
        Q_EMIT cameraAdded(camera);
        Q_EMIT cameraChanged(camera, kDisconnected);
    } else {
        if (!before.isPresent())
            qCInfo(lcCameras).noquote() << camera.id << "is back:" << camera.name;
        publishChange(before, camera);
    }
    return true;
}

void CameraRegistry::takeDown(int number)
{
    auto it = m_cameras.find(number);
    if (it == m_cameras.end() || !it->isPresent())
        return;
    const Camera before = *it;
    it->status = kDisconnected;
    it->errorReason.clear();
    it->validationStatus = it->formats.isEmpty() ? QStringLiteral("NONE") : kDisconnected;
    it->lastSeen = QDateTime::currentDateTimeUtc();
    m_ids.touch({it->identity}, it->lastSeen);
    qCInfo(lcCameras).noquote() << it->id << "disconnected:" << it->name;
    Q_EMIT cameraChanged(*it, before.status);
}

void CameraRegistry::publishChange(const Camera &before, const Camera &after)
{
    if (before.status != after.status || before.name != after.name || before.resolution != after.resolution || before.fps != after.fps)
        Q_EMIT cameraChanged(after, before.status);
}

bool CameraRegistry::setCameraError(const QString &id, const QString &reason)
{
    const std::optional<int> n = numberOf(id);
    if (!n || !m_cameras.contains(*n) || !m_cameras.value(*n).isPresent())
        return false;
    Camera &c = m_cameras[*n];
    const Camera before = c;
    c.status = kError;
    c.errorReason = reason;
    if (before.status != kError)
        qCWarning(lcCameras).noquote() << id << "in error:" << reason;
    publishChange(before, c);
    return true;
}

bool CameraRegistry::clearCameraError(const QString &id)
{
    const std::optional<int> n = numberOf(id);
    if (!n || !m_cameras.contains(*n) || m_cameras.value(*n).status != kError)
        return false;
    if (m_cameras.value(*n).sourceType == QLatin1String("rtsp") && !CameraUrlRule::check(m_cameras.value(*n).url).ok)
        return false;  // only a new URL clears this (addNetworkCamera)
    Camera &c = m_cameras[*n];
    const Camera before = c;
    c.status = kConnected;
    c.errorReason.clear();
    qCInfo(lcCameras).noquote() << id << "recovered";
    publishChange(before, c);
    return true;
}

void CameraRegistry::refreshLastSeen()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList identities;
    for (Camera &c : m_cameras) {
        if (c.isPresent()) {
            c.lastSeen = now;
            identities << c.identity;
        }
    }
    m_ids.touch(identities, now);
}

// ---------------------------------------------------------------- configured sources

void CameraRegistry::addConfiguredSources()
{
    int testIndex = 0;  // unnamed test cameras and demo cameras share one numbering
    const auto addTest = [this, &testIndex](const QString &configuredName, QSize size, int fps) {
        ++testIndex;
        Camera c;
        c.status = kConnected;
        c.sourceType = QStringLiteral("test");
        c.identity = QStringLiteral("test:") + (configuredName.isEmpty() ? QString::number(testIndex) : configuredName);
        c.name = configuredName.isEmpty() ? QStringLiteral("Test pattern %1").arg(testIndex) : configuredName;
        c.captureSize = size.isValid() && !size.isEmpty() ? size : QSize(640, 360);
        c.fps = fps > 0 ? fps : 25;
        c.resolution = sizeText(c.captureSize);
        c.formats = {QStringLiteral("H264")};
        c.resolutions = {c.resolution};
        c.fpsOptions = {c.fps};
        c.validationStatus = QStringLiteral("CONFIRMED");  // synthetic: we know exactly what it produces
        c.lastSeen = QDateTime::currentDateTimeUtc();
        if (m_configuredNetwork.contains(c.identity)) {
            qCWarning(lcCameras).noquote() << "duplicate test camera" << c.identity << "in cameras.sources; ignored";
            return;
        }
        if (bringUp(c))
            m_configuredNetwork.insert(c.identity);
    };

    for (const QVariantMap &s : m_config.objectList(QStringLiteral("cameras.sources"))) {
        const QString type = s.value(QStringLiteral("type")).toString();
        const QString name = s.value(QStringLiteral("name")).toString();
        if (type == QLatin1String("rtsp")) {
            const QString url = s.value(QStringLiteral("url")).toString();
            const QString identity = StreamUrl::normalise(url);
            if (identity.isEmpty()) {
                qCWarning(lcCameras).noquote() << "cameras.sources: not an rtsp:// URL:" << StreamUrl::redact(url) << "; ignored";
                continue;
            }
            if (m_configuredNetwork.contains(identity)) {
                qCWarning(lcCameras).noquote() << "cameras.sources: duplicate URL" << identity << "; ignored";
                continue;
            }
            Camera c = networkCamera(url, identity, name, QString());
            if (c.status == kError)
                qCWarning(lcCameras).noquote() << "cameras.sources:" << c.errorReason << "; the camera is listed in ERROR and not given to MediaMTX";
            c.captureSize = configuredSize(s);
            c.resolution = sizeText(c.captureSize);
            c.fps = s.value(QStringLiteral("fps")).toInt();
            if (bringUp(c))
                m_configuredNetwork.insert(identity);
        } else if (type == QLatin1String("test")) {
            addTest(name, configuredSize(s), s.value(QStringLiteral("fps")).toInt());
        }
        // usb entries only tune devices found by the monitor (usbOverride).
    }
    const int demo = m_config.integer32(QStringLiteral("cameras.demo"));
    for (int i = 0; i < demo; ++i)
        addTest(QString(), QSize(), 0);
}

// ---------------------------------------------------------------- network cameras

void CameraRegistry::loadNetworkCameras()
{
    QFile f(m_config.stateDir() + QStringLiteral("/external_streams.json"));
    if (!f.exists())
        return;
    if (!f.open(QIODevice::ReadOnly)) {
        qCWarning(lcCameras).noquote() << "cannot read" << f.fileName() << ":" << f.errorString();
        return;
    }
    const QJsonArray list = QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("streams")).toArray();
    for (const QJsonValue &v : list) {
        const QJsonObject o = v.toObject();
        NetworkCamera nc;
        nc.url = o.value(QLatin1String("url")).toString();
        nc.identity = StreamUrl::normalise(nc.url);
        nc.name = o.value(QLatin1String("name")).toString();
        nc.type = o.value(QLatin1String("type")).toString();
        nc.addedAt = QDateTime::fromString(o.value(QLatin1String("added_at")).toString(), Qt::ISODateWithMs);
        if (nc.identity.isEmpty() || m_network.contains(nc.identity))
            continue;
        if (const UrlVerdict v = CameraUrlRule::check(nc.url); v.ok)
            nc.url = v.url;  // e.g. an upper-case scheme saved by an older version
        else
            qCWarning(lcCameras).noquote() << "external_streams.json:" << urlErrorReason(v) << "; the camera is listed in ERROR and not given to MediaMTX";
        const std::optional<int> known = m_ids.existingNumber(nc.identity);
        const bool up = known && m_cameras.contains(*known) && m_cameras.value(*known).isPresent();
        if (!up && !bringUp(networkCamera(nc.url, nc.identity, nc.name, nc.type)))
            continue;  // cameras.max: logged; stays in the file for a later start
        nc.id = cameraId(*m_ids.existingNumber(nc.identity));
        m_network.insert(nc.identity, nc);
    }
}

void CameraRegistry::saveNetworkCameras() const
{
    const QString path = m_config.stateDir() + QStringLiteral("/external_streams.json");
    QDir().mkpath(QFileInfo(path).absolutePath());
    QJsonArray list;
    for (const NetworkCamera &nc : m_network) {
        list.append(QJsonObject{{QStringLiteral("url"), nc.url},
                                {QStringLiteral("name"), nc.name},
                                {QStringLiteral("type"), nc.type},
                                {QStringLiteral("device"), nc.id},
                                {QStringLiteral("added_at"), nc.addedAt.toUTC().toString(Qt::ISODateWithMs)}});
    }
    QSaveFile f(path);
    if (f.open(QIODevice::WriteOnly)) {
        // The URLs may carry credentials: owner-only.
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("streams"), list}}).toJson(QJsonDocument::Indented));
        if (f.commit())
            return;
    }
    qCWarning(lcCameras).noquote() << "cannot save" << path << ":" << f.errorString();
}

std::optional<Camera> CameraRegistry::addNetworkCamera(const QString &url, const QString &name, const QString &type, QString *error)
{
    const UrlVerdict verdict = CameraUrlRule::check(url);
    const QString identity = verdict.ok ? StreamUrl::normalise(verdict.url) : QString();
    if (identity.isEmpty()) {
        if (error)
            *error = QStringLiteral("INVALID_URL");
        return std::nullopt;
    }
    const QString streamType = type.isEmpty() ? QStringLiteral("generic_rtsp") : type;
    const std::optional<int> known = m_ids.existingNumber(identity);
    int number = -1;
    if (known && m_cameras.contains(*known) && m_cameras.value(*known).isPresent()) {
        // Already registered (at runtime or in the config): update it in place.
        number = *known;
        Camera &c = m_cameras[number];
        const Camera before = c;
        c.name = name.isEmpty() ? before.name : name;
        if (c.status == kError && c.sourceType == QLatin1String("rtsp") && !CameraUrlRule::check(c.url).ok) {
            c.status = kConnected;  // the refused URL is replaced by one MediaMTX accepts
            c.errorReason.clear();
        }
        c.url = verdict.url;
        c.streamType = streamType;
        m_ids.remember(c);
        publishChange(before, c);
    } else {
        if (!bringUp(networkCamera(verdict.url, identity, name, streamType))) {
            if (error)
                *error = QStringLiteral("MAX_CAMERAS_REACHED");
            return std::nullopt;
        }
        number = *m_ids.existingNumber(identity);
    }
    NetworkCamera nc = m_network.value(identity);
    if (!nc.addedAt.isValid())
        nc.addedAt = QDateTime::currentDateTimeUtc();
    nc.url = verdict.url;
    nc.identity = identity;
    nc.name = m_cameras.value(number).name;
    nc.type = streamType;
    nc.id = cameraId(number);
    m_network.insert(identity, nc);
    saveNetworkCameras();
    return m_cameras.value(number);
}

std::optional<Camera> CameraRegistry::removeNetworkCamera(const QString &url)
{
    const QString identity = StreamUrl::normalise(url);
    if (identity.isEmpty() || !m_network.contains(identity))
        return std::nullopt;
    m_network.remove(identity);
    saveNetworkCameras();
    const int number = *m_ids.existingNumber(identity);
    if (m_configuredNetwork.contains(identity))
        return m_cameras.value(number);  // still configured: stays
    Camera after = m_cameras.take(number);
    const QString previous = after.status;
    after.status = kDisconnected;
    after.errorReason.clear();
    after.lastSeen = QDateTime::currentDateTimeUtc();
    m_ids.touch({identity}, after.lastSeen);
    qCInfo(lcCameras).noquote() << after.id << "removed (network camera" << StreamUrl::redact(url) << ")";
    Q_EMIT cameraChanged(after, previous);  // the last update clients see
    Q_EMIT cameraRemoved(after.id);
    adoptIgnoredDevices();  // its slot under cameras.max is free now
    return after;
}

QList<NetworkCamera> CameraRegistry::networkCameras() const
{
    QList<NetworkCamera> list = m_network.values();
    std::sort(list.begin(), list.end(), [](const NetworkCamera &a, const NetworkCamera &b) { return a.id.mid(6).toInt() < b.id.mid(6).toInt(); });
    return list;
}

} // namespace station::cameras
