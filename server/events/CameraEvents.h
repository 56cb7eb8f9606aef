#pragma once

#include "core/Services.h"

#include <QObject>

namespace station::events {

// Turns the camera registry's signals into the contract's notifications
// once (camera_status_update, camera.connected, camera.disconnected,
// camera.status_change, camera.capability_detected). URLs in them are
// rendered per connection (UrlBuilder's host placeholder).
class CameraEvents : public QObject
{
    Q_OBJECT
public:
    explicit CameraEvents(const core::Services &services, QObject *parent = nullptr);

private:
    core::Services m_s;
};

} // namespace station::events
