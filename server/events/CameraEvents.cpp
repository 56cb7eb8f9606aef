#include "events/CameraEvents.h"

#include "api/CameraJson.h"
#include "api/UrlBuilder.h"
#include "cameras/CameraRegistry.h"
#include "events/EventBus.h"

#include <QJsonArray>

namespace station::events {

using api::UrlBuilder;
using api::cameraJson;

CameraEvents::CameraEvents(const core::Services &services, QObject *parent) : QObject(parent), m_s(services)
{
    connect(m_s.cameras, &cameras::CameraRegistry::cameraChanged, this, [this](const cameras::Camera &c, const QString &previous) {
        events::EventBus *bus = m_s.events;
        const QJsonObject camera = cameraJson(c, *m_s.urls, UrlBuilder::hostPlaceholder(), nullptr, false);
        bus->publish(QStringLiteral("camera_status_update"), camera, c.id, true);
        if (previous == c.status)
            return;  // a name, resolution or fps change
        bus->publish(QStringLiteral("camera.status_change"),
                     {{QStringLiteral("device"), c.id}, {QStringLiteral("status"), c.status}, {QStringLiteral("previous_status"), previous}}, c.id);
        if (c.status == QLatin1String("CONNECTED") && previous == QLatin1String("DISCONNECTED")) {
            bus->publish(QStringLiteral("camera.connected"), camera, c.id, true);
            if (c.validationStatus == QLatin1String("CONFIRMED")) {
                QJsonArray fps;
                for (int f : c.fpsOptions)
                    fps.append(f);
                bus->publish(QStringLiteral("camera.capability_detected"),
                             {{QStringLiteral("device"), c.id},
                              {QStringLiteral("formats"), QJsonArray::fromStringList(c.formats)},
                              {QStringLiteral("resolutions"), QJsonArray::fromStringList(c.resolutions)},
                              {QStringLiteral("fps_options"), fps},
                              {QStringLiteral("validation_status"), c.validationStatus}},
                             c.id);
            }
        } else if (c.status == QLatin1String("DISCONNECTED")) {
            bus->publish(QStringLiteral("camera.disconnected"),
                         {{QStringLiteral("device"), c.id}, {QStringLiteral("name"), c.name}, {QStringLiteral("status"), c.status}}, c.id);
        }
    });
}

} // namespace station::events
