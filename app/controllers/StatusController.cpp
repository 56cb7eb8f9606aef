#include "controllers/StatusController.h"

#include "controllers/CaptureController.h"

#include "cameras/CameraRegistry.h"
#include "config/Config.h"
#include "health/HealthMonitor.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "rpc/ConnectionStats.h"
#include "media/StorageService.h"
#include "health/SystemStats.h"

#include <QFileInfo>
#include <QLocale>

#include <algorithm>

namespace station::app {

StatusController::StatusController(const core::Services &services, quint16 apiPort, QObject *parent)
    : QObject(parent), m_health(services.healthMonitor), m_connections(services.connections), m_mediamtx(services.mediamtx),
      m_cameras(services.cameras), m_storage(services.storage), m_systemStats(services.systemStats),
      // The address other devices use, as the camera view's stream addresses say.
      m_apiUrl(QStringLiteral("ws://%1:%2/ws")
                   .arg(CaptureController::lanHost(services.config ? services.config->string(QStringLiteral("server.public_host")) : QString()))
                   .arg(apiPort)),
      m_demoNotice(services.config && services.config->boolean(QStringLiteral("ui.demo_notice")))
{
    connect(m_health, &health::HealthMonitor::healthChanged, this, &StatusController::changed);
    m_connections->onConnectionCountChanged(this, [this] { Q_EMIT changed(); });
    connect(m_mediamtx, &mediamtx::MediaMtxSupervisor::stateChanged, this, &StatusController::changed);
    connect(m_cameras, &cameras::CameraRegistry::cameraChanged, this, &StatusController::changed);
    connect(m_cameras, &cameras::CameraRegistry::cameraRemoved, this, &StatusController::changed);
    m_sample.setInterval(2000);
    connect(&m_sample, &QTimer::timeout, this, &StatusController::sampled);
    m_sample.start();
}

QString StatusController::overallStatus() const { return m_health->evaluate().overallStatus(); }
QString StatusController::mediamtxState() const { return mediamtx::MediaMtxSupervisor::stateName(m_mediamtx->state()).toLower(); }

QString StatusController::mediamtxMessage() const
{
    using S = mediamtx::MediaMtxSupervisor::State;
    switch (m_mediamtx->state()) {
    case S::Running:
        return tr("Running%1.").arg(m_mediamtx->version().isEmpty() ? QString() : QStringLiteral(" (") + m_mediamtx->version() + QLatin1Char(')'));
    case S::Starting:
        return tr("Starting…");
    case S::NotInstalled:
        return tr("MediaMTX is not installed, so live video, snapshots and recording are unavailable.");
    case S::Stopped:
        return tr("Stopped.");
    case S::Error:
        break;
    }
    const QString m = m_mediamtx->statusMessage();
    return m.isEmpty() ? tr("It stopped unexpectedly and is being restarted.") : m.at(0).toUpper() + m.mid(1) + (m.endsWith(QLatin1Char('.')) ? QString() : QStringLiteral("."));
}

QString StatusController::mediamtxFix() const
{
    if (m_mediamtx->state() != mediamtx::MediaMtxSupervisor::State::NotInstalled)
        return {};
    // No Debian package ships MediaMTX: the pinned upstream release, verified
    // against its published checksums by the installer the package ships
    // (from a source tree: packaging/mediamtx/).
    const QString installed = QStringLiteral("/usr/share/camera-station/mediamtx/install-mediamtx.sh");
    if (QFileInfo::exists(installed))
        return QStringLiteral("sudo %1 --pinned && sudo systemctl restart camera-station").arg(installed);
    return QStringLiteral("sudo packaging/mediamtx/install-mediamtx.sh --pinned   (in the source folder; then start the app again)");
}

int StatusController::cameraCount() const { return int(m_cameras->cameras().size()); }

int StatusController::camerasOnline() const
{
    const QList<cameras::Camera> all = m_cameras->cameras();
    return int(std::count_if(all.cbegin(), all.cend(), [](const cameras::Camera &c) { return c.status == QLatin1String("CONNECTED"); }));
}

int StatusController::clientCount() const { return m_connections->connectionCount(); }
QString StatusController::demoNoticeText()
{
    return tr("demo: MediaMTX stand-in, test-pattern cameras — install MediaMTX for real cameras");
}

QString StatusController::demoFixText()
{
    return QStringLiteral("sudo packaging/mediamtx/install-mediamtx.sh --pinned && packaging/dev/station.sh run");
}

QString StatusController::demoNotice() const
{
    return m_demoNotice ? demoNoticeText() : QString();
}

QString StatusController::demoFix() const { return demoNotice().isEmpty() ? QString() : demoFixText(); }

QString StatusController::version() const { return QStringLiteral(STATION_VERSION); }
QString StatusController::qtVersion() const { return QString::fromLatin1(qVersion()); }
double StatusController::diskPercent() const { return m_storage->info().usagePercent; }
double StatusController::cpuPercent() const { return m_systemStats ? m_systemStats->hostCpuPercent() : 0.0; }
double StatusController::memoryPercent() const { return health::SystemStats::hostMemoryPercent(); }

QString StatusController::processMemoryText() const
{
    return QLocale().formattedDataSize(health::SystemStats::processRssBytes(), 0, QLocale::DataSizeSIFormat);
}

QString StatusController::storageText() const
{
    const media::StorageInfo i = m_storage->info();
    return tr("%1% used, %2 free%3")
        .arg(qRound(i.usagePercent))
        .arg(QLocale().formattedDataSize(i.availableSpace, 1, QLocale::DataSizeSIFormat))
        .arg(i.lowSpaceWarning ? tr(" (low on space)") : QString());
}

} // namespace station::app
