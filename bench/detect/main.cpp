// station_detect_bench: how long the camera registry takes from a video node
// appearing in its device folder to the camera being listed.
//
// The registry watches cameras.device_dir (inotify for a folder other than
// /dev) and probes each new videoN node. The real prober (V4l2Prober) asks the
// node VIDIOC_QUERYCAP, which a regular file cannot answer, so a fake node can
// never become a camera in the real binary. This program links the server
// library and gives the registry a fake DeviceProber (as the unit tests do);
// everything else (DeviceMonitor, inotify, the registry's probing, ID map and
// signals) is the production code. It first shows that the real prober
// rejects the fake node.
//
//   station_detect_bench [--samples N] [--results FILE]

#include "cameras/CameraRegistry.h"
#include "cameras/DeviceProber.h"
#include "cameras/V4l2Prober.h"
#include "config/Config.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <ctime>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using namespace station;
using namespace station::cameras;

namespace {

qint64 monoNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Any node named videoN is a USB capture device with its own bus address.
class FakeProber : public DeviceProber
{
public:
    std::optional<V4l2DeviceInfo> probe(const QString &devicePath) override
    {
        if (!QFileInfo::exists(devicePath))
            return std::nullopt;
        V4l2DeviceInfo info;
        const QString name = QFileInfo(devicePath).fileName();
        info.devicePath = devicePath;
        info.card = QStringLiteral("Bench Cam ") + name;
        info.driver = QStringLiteral("uvcvideo");
        info.busInfo = QStringLiteral("usb-0000:00:14.0-") + name.mid(5);
        info.version = QStringLiteral("6.1.0");
        info.capabilities = {QStringLiteral("Video Capture"), QStringLiteral("Streaming"), QStringLiteral("Device Capabilities")};
        info.deviceCaps = {QStringLiteral("Video Capture"), QStringLiteral("Streaming")};
        info.formats << V4l2Format{QStringLiteral("YUYV"), QStringLiteral("YUYV 4:2:2"), {{640, 480, {30}}}};
        return info;
    }
};

struct Summary {
    double p50 = 0, p99 = 0, max = 0;
    size_t n = 0;
};

Summary summarize(std::vector<double> v)
{
    Summary s;
    s.n = v.size();
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    auto rank = [&](double p) { return v[std::clamp<size_t>(size_t(std::ceil(p * double(v.size()))), 1, v.size()) - 1]; };
    s.p50 = rank(0.5);
    s.p99 = rank(0.99);
    s.max = v.back();
    return s;
}

bool waitFor(const std::function<bool()> &pred, int timeoutMs)
{
    const qint64 end = monoNs() + qint64(timeoutMs) * 1'000'000;
    while (!pred() && monoNs() < end)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    return pred();
}

void touch(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0)
        ::close(fd);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Hot-plug detection latency: video node created -> camera listed (fake prober, in-process)."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("samples"), QStringLiteral("Plug/unplug cycles (default 40)."), QStringLiteral("n"), QStringLiteral("40")});
    parser.addOption({QStringLiteral("results"), QStringLiteral("Append result rows (tab-separated) to FILE."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("verbose"), QStringLiteral("Keep the registry's log lines.")});
    parser.process(app);
    if (!parser.isSet(QStringLiteral("verbose")))
        QLoggingCategory::setFilterRules(QStringLiteral("station.*.info=false\nstation.*.debug=false"));
    const int samples = std::max(1, parser.value(QStringLiteral("samples")).toInt());
    QTextStream out(stdout);

    QTemporaryDir data, devDir;
    if (!data.isValid() || !devDir.isValid()) {
        std::fprintf(stderr, "station_detect_bench: no temporary folder\n");
        return 2;
    }
    // The real prober on a fake node: rejected (not a V4L2 device).
    touch(devDir.filePath(QStringLiteral("video99")));
    V4l2Prober real;
    const bool realAccepts = real.probe(devDir.filePath(QStringLiteral("video99"))).has_value();
    QFile::remove(devDir.filePath(QStringLiteral("video99")));
    out << "real V4l2Prober on a regular file named video99: " << (realAccepts ? "accepted" : "rejected (not a V4L2 node)") << Qt::endl;

    config::ConfigSources src;
    src.dataDir = data.path();
    src.environment = QProcessEnvironment();
    src.sets << QStringLiteral("cameras.device_dir=") + devDir.path() << QStringLiteral("cameras.max=%1").arg(samples + 8);
    const auto loaded = config::Config::load(src);
    if (!loaded.ok()) {
        std::fprintf(stderr, "station_detect_bench: config: %s\n", qPrintable(loaded.errors.join(QStringLiteral("; "))));
        return 2;
    }
    const config::Config config = loaded.config;
    CameraRegistry reg(config, std::make_unique<FakeProber>());
    bool scanned = false;
    QObject::connect(&reg, &CameraRegistry::initialScanFinished, [&] { scanned = true; });
    reg.start();
    waitFor([&] { return scanned || reg.initialScanComplete(); }, 5000);
    out << "registry watching " << devDir.path() << " with " << reg.eventSource() << Qt::endl;

    qint64 plugNs = 0;
    std::vector<double> added, replug, unplug;
    QString lastAdded;
    bool connectedSeen = false, disconnectedSeen = false;
    QObject::connect(&reg, &CameraRegistry::cameraAdded, [&](const Camera &c) {
        added.push_back(double(monoNs() - plugNs) / 1e6);
        lastAdded = c.id;
    });
    QObject::connect(&reg, &CameraRegistry::cameraChanged, [&](const Camera &c, const QString &) {
        if (c.status == QLatin1String("CONNECTED"))
            connectedSeen = true;
        else if (c.status == QLatin1String("DISCONNECTED"))
            disconnectedSeen = true;
    });
    int missed = 0;
    // New cameras: node created -> cameraAdded.
    for (int i = 0; i < samples; ++i) {
        const QString node = devDir.filePath(QStringLiteral("video%1").arg(i));
        const size_t before = added.size();
        waitFor([] { return false; }, 20);  // settle: nothing pending
        plugNs = monoNs();
        touch(node);
        if (!waitFor([&] { return added.size() > before; }, 2000))
            ++missed;
        disconnectedSeen = false;
        const qint64 t0 = monoNs();
        QFile::remove(node);
        if (waitFor([&] { return disconnectedSeen; }, 2000))
            unplug.push_back(double(monoNs() - t0) / 1e6);
    }
    // Replug of a known camera (same node name, same identity): -> CONNECTED.
    for (int i = 0; i < samples; ++i) {
        const QString node = devDir.filePath(QStringLiteral("video%1").arg(i));
        waitFor([] { return false; }, 20);
        connectedSeen = false;
        const qint64 t0 = monoNs();
        touch(node);
        if (waitFor([&] { return connectedSeen; }, 2000))
            replug.push_back(double(monoNs() - t0) / 1e6);
        else
            ++missed;
        disconnectedSeen = false;
        QFile::remove(node);
        waitFor([&] { return disconnectedSeen; }, 2000);
    }
    const Summary a = summarize(added), r = summarize(replug), u = summarize(unplug);
    auto f = [](double v) { return QString::number(v, 'f', 2) + QStringLiteral(" ms"); };
    out << "new camera:  " << a.n << " samples, p50 " << f(a.p50) << ", p99 " << f(a.p99) << ", max " << f(a.max) << Qt::endl;
    out << "replug:      " << r.n << " samples, p50 " << f(r.p50) << ", p99 " << f(r.p99) << ", max " << f(r.max) << Qt::endl;
    out << "unplug:      " << u.n << " samples, p50 " << f(u.p50) << ", p99 " << f(u.p99) << ", max " << f(u.max) << Qt::endl;
    out << "missed: " << missed << Qt::endl;

    const QString results = parser.value(QStringLiteral("results"));
    if (!results.isEmpty()) {
        QFile file(results);
        if (file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text)) {
            const QString how = QStringLiteral("in-process, fake prober (a file is no V4L2 node), %1").arg(reg.eventSource());
            auto row = [&](const QString &metric, const Summary &s, bool target) {
                const bool met = s.n == size_t(samples) && s.p99 <= 100 && missed == 0;
                file.write(QStringList{QStringLiteral("detect"), metric, QString::number(s.n), f(s.p50), f(s.p99), f(s.max), how,
                                       target ? QStringLiteral("p99 <= 100 ms") : QStringLiteral("- (no target)"), QStringLiteral("-"),
                                       target ? (met ? QStringLiteral("yes") : QStringLiteral("NO")) : QStringLiteral("-")}
                               .join(QLatin1Char('\t')).toUtf8() + '\n');
            };
            row(QStringLiteral("camera detection: node created -> cameraAdded"), a, true);
            row(QStringLiteral("camera detection: replug -> CONNECTED"), r, true);
            row(QStringLiteral("camera removal: node deleted -> DISCONNECTED"), u, false);
        }
    }
    reg.disconnect();
    return 0;
}
