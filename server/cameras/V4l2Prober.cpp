#include "cameras/V4l2Prober.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <unistd.h>

Q_DECLARE_LOGGING_CATEGORY(lcCameras)

namespace station::cameras {

namespace {

// Drivers that misbehave must not keep us looping forever.
constexpr quint32 kMaxEnum = 256;

int xioctl(int fd, unsigned long request, void *arg)
{
    int r;
    do {
        r = ::ioctl(fd, request, arg);
    } while (r < 0 && errno == EINTR);
    return r;
}

class Fd
{
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

QString fixedText(const __u8 *text, size_t size)
{
    return QString::fromUtf8(reinterpret_cast<const char *>(text), int(qstrnlen(reinterpret_cast<const char *>(text), size))).trimmed();
}

double fpsOf(const v4l2_fract &interval)
{
    return interval.numerator > 0 ? double(interval.denominator) / double(interval.numerator) : 0.0;
}

// Frame rates of one size; stepwise/continuous ranges become the common rates within.
QList<double> frameRates(int fd, quint32 pixelFormat, quint32 width, quint32 height)
{
    QList<double> rates;
    for (quint32 i = 0; i < kMaxEnum; ++i) {
        v4l2_frmivalenum iv{};
        iv.index = i;
        iv.pixel_format = pixelFormat;
        iv.width = width;
        iv.height = height;
        if (xioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &iv) < 0)
            break;
        if (iv.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
            const double fps = fpsOf(iv.discrete);
            if (fps > 0 && !rates.contains(fps))
                rates << fps;
            continue;
        }
        // The shortest interval is the highest rate.
        const double maxFps = fpsOf(iv.stepwise.min);
        const double minFps = fpsOf(iv.stepwise.max);
        if (maxFps > 0)
            rates << maxFps;
        for (double common : {60.0, 50.0, 30.0, 25.0, 20.0, 15.0, 10.0, 5.0}) {
            if (common < maxFps && common >= minFps && !rates.contains(common))
                rates << common;
        }
        break;
    }
    std::sort(rates.begin(), rates.end(), std::greater<double>());
    return rates;
}

QList<V4l2FrameSize> frameSizes(int fd, quint32 pixelFormat)
{
    QList<V4l2FrameSize> sizes;
    for (quint32 i = 0; i < kMaxEnum; ++i) {
        v4l2_frmsizeenum fs{};
        fs.index = i;
        fs.pixel_format = pixelFormat;
        if (xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs) < 0)
            break;
        if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
            sizes << V4l2FrameSize{int(fs.discrete.width), int(fs.discrete.height), frameRates(fd, pixelFormat, fs.discrete.width, fs.discrete.height)};
            continue;
        }
        // Stepwise or continuous: offer the usual sizes that the range allows, plus the maximum.
        const v4l2_frmsize_stepwise &sw = fs.stepwise;
        const auto fits = [&sw](quint32 w, quint32 h) {
            const quint32 stepW = std::max<quint32>(sw.step_width, 1), stepH = std::max<quint32>(sw.step_height, 1);
            return w >= sw.min_width && w <= sw.max_width && h >= sw.min_height && h <= sw.max_height
                && (w - sw.min_width) % stepW == 0 && (h - sw.min_height) % stepH == 0;
        };
        QList<QPair<quint32, quint32>> candidates{{sw.max_width, sw.max_height}};
        for (const auto &[w, h] : {std::pair<quint32, quint32>{3840, 2160}, {2560, 1440}, {1920, 1080}, {1280, 720},
                                   {1024, 768}, {800, 600}, {640, 480}, {640, 360}, {320, 240}}) {
            if (fits(w, h) && !candidates.contains(qMakePair(w, h)))
                candidates << qMakePair(w, h);
        }
        for (const auto &c : candidates)
            sizes << V4l2FrameSize{int(c.first), int(c.second), frameRates(fd, pixelFormat, c.first, c.second)};
        break;
    }
    std::sort(sizes.begin(), sizes.end(), [](const V4l2FrameSize &a, const V4l2FrameSize &b) {
        const qint64 areaA = qint64(a.width) * a.height, areaB = qint64(b.width) * b.height;
        return areaA != areaB ? areaA > areaB : a.width > b.width;
    });
    return sizes;
}

QString readTrimmed(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).trimmed();
}

} // namespace

std::optional<V4l2DeviceInfo> V4l2Prober::probe(const QString &devicePath)
{
    m_lastErrno = 0;
    // Non-blocking: a node held by another process must not stall the event loop.
    Fd fd(::open(QFile::encodeName(devicePath).constData(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) {
        m_lastErrno = errno;
        qCDebug(lcCameras) << "cannot open" << devicePath << ":" << qt_error_string(m_lastErrno);
        return std::nullopt;
    }

    v4l2_capability cap{};
    if (xioctl(fd.get(), VIDIOC_QUERYCAP, &cap) < 0) {
        m_lastErrno = errno;
        qCDebug(lcCameras) << devicePath << "is not a V4L2 node:" << qt_error_string(m_lastErrno);
        return std::nullopt;
    }
    const quint32 deviceCaps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(deviceCaps & V4L2_CAP_VIDEO_CAPTURE)) {
        // UVC cameras expose a second node for metadata: not a camera.
        qCDebug(lcCameras) << devicePath << "has no video-capture capability; ignored";
        return std::nullopt;
    }

    V4l2DeviceInfo info;
    info.devicePath = devicePath;
    info.card = fixedText(cap.card, sizeof cap.card);
    info.driver = fixedText(cap.driver, sizeof cap.driver);
    info.busInfo = fixedText(cap.bus_info, sizeof cap.bus_info);
    info.version = QStringLiteral("%1.%2.%3").arg((cap.version >> 16) & 0xff).arg((cap.version >> 8) & 0xff).arg(cap.version & 0xff);
    info.capabilities = capabilityNames(cap.capabilities);
    info.deviceCaps = capabilityNames(deviceCaps);

    for (quint32 i = 0; i < kMaxEnum; ++i) {
        v4l2_fmtdesc desc{};
        desc.index = i;
        desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(fd.get(), VIDIOC_ENUM_FMT, &desc) < 0)
            break;
        V4l2Format format;
        format.fourcc = fourccText(desc.pixelformat);
        format.description = fixedText(desc.description, sizeof desc.description);
        format.sizes = frameSizes(fd.get(), desc.pixelformat);
        info.formats << format;
    }
    return info;
}

bool V4l2Prober::lastFailureTransient() const
{
    return m_lastErrno == EACCES || m_lastErrno == EPERM || m_lastErrno == EBUSY;
}

QString V4l2Prober::fourccText(quint32 fourcc)
{
    QString s;
    for (int i = 0; i < 4; ++i) {
        const char c = char((fourcc >> (8 * i)) & 0x7f);
        s += QLatin1Char(c >= 0x20 ? c : '?');
    }
    s = s.trimmed();
    if (fourcc & (1u << 31))
        s += QStringLiteral("-BE");
    return s;
}

QStringList V4l2Prober::capabilityNames(quint32 caps)
{
    static const QList<QPair<quint32, const char *>> names{
        {V4L2_CAP_VIDEO_CAPTURE, "Video Capture"},
        {V4L2_CAP_VIDEO_CAPTURE_MPLANE, "Video Capture Multiplanar"},
        {V4L2_CAP_VIDEO_OUTPUT, "Video Output"},
        {V4L2_CAP_VIDEO_OUTPUT_MPLANE, "Video Output Multiplanar"},
        {V4L2_CAP_VIDEO_M2M, "Video Memory-to-Memory"},
        {V4L2_CAP_VIDEO_M2M_MPLANE, "Video Memory-to-Memory Multiplanar"},
        {V4L2_CAP_VIDEO_OVERLAY, "Video Overlay"},
        {V4L2_CAP_VBI_CAPTURE, "VBI Capture"},
        {V4L2_CAP_VBI_OUTPUT, "VBI Output"},
        {V4L2_CAP_SLICED_VBI_CAPTURE, "Sliced VBI Capture"},
        {V4L2_CAP_SLICED_VBI_OUTPUT, "Sliced VBI Output"},
        {V4L2_CAP_RDS_CAPTURE, "RDS Capture"},
        {V4L2_CAP_VIDEO_OUTPUT_OVERLAY, "Video Output Overlay"},
        {V4L2_CAP_HW_FREQ_SEEK, "HW Frequency Seek"},
        {V4L2_CAP_RDS_OUTPUT, "RDS Output"},
        {V4L2_CAP_TUNER, "Tuner"},
        {V4L2_CAP_AUDIO, "Audio"},
        {V4L2_CAP_RADIO, "Radio"},
        {V4L2_CAP_MODULATOR, "Modulator"},
        {V4L2_CAP_SDR_CAPTURE, "SDR Capture"},
        {V4L2_CAP_EXT_PIX_FORMAT, "Extended Pix Format"},
        {V4L2_CAP_SDR_OUTPUT, "SDR Output"},
        {V4L2_CAP_META_CAPTURE, "Metadata Capture"},
        {V4L2_CAP_READWRITE, "Read/Write"},
        {V4L2_CAP_STREAMING, "Streaming"},
        {V4L2_CAP_META_OUTPUT, "Metadata Output"},
        {V4L2_CAP_TOUCH, "Touch Device"},
        {V4L2_CAP_IO_MC, "I/O MC"},
        {V4L2_CAP_DEVICE_CAPS, "Device Capabilities"},
    };
    QStringList out;
    for (const auto &[bit, name] : names) {
        if (caps & bit)
            out << QLatin1String(name);
    }
    return out;
}

QString V4l2Prober::symlinkNameFor(const QString &folder, const QString &devicePath)
{
    const QString target = QFileInfo(devicePath).canonicalFilePath();
    if (target.isEmpty())
        return {};
    QDir dir(folder);
    const QFileInfoList entries = dir.entryInfoList(QDir::System | QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &e : entries) {
        if (e.isSymLink() && e.canonicalFilePath() == target)
            return e.fileName();
    }
    return {};
}

QString V4l2Prober::identityFor(const QString &devicePath, const QString &deviceDir, const QString &busInfo, const QString &sysfsRoot)
{
    // by-id names carry vendor, model and serial: stable across ports and renumbering.
    const QString byId = symlinkNameFor(deviceDir + QStringLiteral("/v4l/by-id"), devicePath);
    if (!byId.isEmpty())
        return byId;

    if (!sysfsRoot.isEmpty()) {
        // The node's parent is the USB interface; its parent is the USB device.
        const QString node = QFileInfo(devicePath).fileName();
        const QString iface = QFileInfo(sysfsRoot + QStringLiteral("/class/video4linux/") + node + QStringLiteral("/device")).canonicalFilePath();
        if (!iface.isEmpty()) {
            const QString usb = QFileInfo(iface + QStringLiteral("/..")).canonicalFilePath();
            const QString vid = readTrimmed(usb + QStringLiteral("/idVendor"));
            const QString pid = readTrimmed(usb + QStringLiteral("/idProduct"));
            const QString serial = readTrimmed(usb + QStringLiteral("/serial"));
            if (!vid.isEmpty() && !pid.isEmpty() && !serial.isEmpty())
                return QStringLiteral("usb:%1:%2:%3").arg(vid, pid, serial);
        }
    }

    // Port-based: two identical cameras without serials are told apart by port.
    const QString byPath = symlinkNameFor(deviceDir + QStringLiteral("/v4l/by-path"), devicePath);
    if (!byPath.isEmpty())
        return byPath;
    if (!busInfo.isEmpty())
        return QStringLiteral("bus:") + busInfo;
    return QStringLiteral("node:") + QFileInfo(devicePath).fileName();
}

} // namespace station::cameras
