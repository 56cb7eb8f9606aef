#pragma once

#include "cameras/Camera.h"

#include <QJsonObject>

namespace station::api {

class UrlBuilder;

// The Camera object of API.md §2.11; `debug` only for admins who asked.
QJsonObject cameraJson(const cameras::Camera &camera, const UrlBuilder &urls, const QString &host, bool withDebug);

} // namespace station::api
