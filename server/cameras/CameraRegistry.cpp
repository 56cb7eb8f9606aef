#include "cameras/CameraRegistry.h"

#include "config/Config.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcCameras, "station.cameras")

namespace station::cameras {

CameraRegistry::CameraRegistry(const config::Config &config, QObject *parent) : QObject(parent), m_config(config) {}

void CameraRegistry::start()
{
    // Device discovery (V4L2 probing, hot-plug, network and test sources) is
    // not wired in yet: the registry starts empty and says so in health.
    m_lastScan = QDateTime::currentDateTimeUtc();
    m_initialScanComplete = true;
    qCInfo(lcCameras) << "camera discovery not available in this build; no cameras";
    Q_EMIT initialScanFinished();
}

QList<Camera> CameraRegistry::cameras() const
{
    return m_cameras;
}

std::optional<Camera> CameraRegistry::find(const QString &id) const
{
    for (const Camera &c : m_cameras) {
        if (c.id == id)
            return c;
    }
    return std::nullopt;
}

int CameraRegistry::maxCameras() const
{
    return m_config.integer32(QStringLiteral("cameras.max"));
}

} // namespace station::cameras
