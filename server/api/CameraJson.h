#pragma once

#include "cameras/Camera.h"

#include "core/Services.h"
#include "rpc/Dispatcher.h"

#include <QJsonObject>

#include <functional>

namespace station::api {

class UrlBuilder;

// The Camera object of API.md §2.11; `debug` only for admins who asked.
// viewer: whose stream tokens the URLs carry; nullptr: placeholders (UrlBuilder::personalize).
QJsonObject cameraJson(const cameras::Camera &camera, const UrlBuilder &urls, const QString &host, const auth::Identity *viewer, bool withDebug);

// For the methods that take a camera: validates `device` (and the optional
// `debug`), answers -32010 for an unknown camera, else calls `then` with the
// camera and whether the debug object applies (admins who asked).
rpc::Outcome withCamera(const core::Services &s, const rpc::CallContext &ctx, const QJsonObject &params,
                        const std::function<rpc::Outcome(const cameras::Camera &, bool debug)> &then);

} // namespace station::api
