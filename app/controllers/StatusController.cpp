#include "StatusController.h"

#include "cameras/CameraRegistry.h"
#include "core/HealthMonitor.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "net/ApiServer.h"
#include "storage/StorageService.h"

namespace station::app {

StatusController::StatusController(const core::Services &services, quint16 apiPort, QObject *parent)
    : QObject(parent), m_s(services), m_apiUrl(QStringLiteral("ws://%1:%2/ws").arg(QStringLiteral("localhost")).arg(apiPort))
{
    connect(m_s.healthMonitor, &core::HealthMonitor::healthChanged, this, &StatusController::changed);
    connect(m_s.apiServer, &net::ApiServer::connectionCountChanged, this, &StatusController::changed);
}

QString StatusController::overallStatus() const { return m_s.healthMonitor->evaluate().overallStatus(); }
QString StatusController::mediamtxState() const { return mediamtx::MediaMtxSupervisor::stateName(m_s.mediamtx->state()); }
QString StatusController::mediamtxMessage() const { return m_s.mediamtx->statusMessage(); }
int StatusController::cameraCount() const { return int(m_s.cameras->cameras().size()); }
int StatusController::clientCount() const { return m_s.apiServer->connectionCount(); }
QString StatusController::version() const { return QStringLiteral(STATION_VERSION); }

QString StatusController::storageText() const
{
    const storage::StorageInfo i = m_s.storage->info();
    return tr("%1% used, %2 GB free%3")
        .arg(qRound(i.usagePercent))
        .arg(double(i.availableSpace) / 1e9, 0, 'f', 1)
        .arg(i.lowSpaceWarning ? tr(" (low on space)") : QString());
}

} // namespace station::app
