#include "UiContext.h"

#include "controllers/AdminGate.h"
#include "controllers/CaptureController.h"
#include "controllers/LibraryController.h"
#include "controllers/SettingsController.h"
#include "controllers/StatusController.h"
#include "core/Station.h"
#include "models/CameraListModel.h"
#include "models/MediaListModel.h"
#include "models/ThumbnailCache.h"
#include "video/LiveFeeds.h"
#include "video/LiveView.h"

#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QtQml/qqml.h>
#include <QQuickStyle>

namespace station::app {

void installUi(QQmlApplicationEngine &engine, core::Station &station, bool kiosk)
{
    QQuickStyle::setStyle(QStringLiteral("Material"));
    qmlRegisterType<LiveView>("CameraStation.Native", 1, 0, "LiveView");
    // The static module's qmldir lives at qrc:/CameraStation/qmldir.
    engine.addImportPath(QStringLiteral("qrc:/"));
    const core::Services &services = station.services();
    QObject *owner = &engine;
    auto *gate = new AdminGate(kiosk, station.config().string(QStringLiteral("ui.admin_pin")), owner);
    auto *thumbs = new ThumbnailCache(station.config().stateDir() + QStringLiteral("/thumbnails"), owner);
    QQmlContext *ctx = engine.rootContext();
    ctx->setContextProperty(QStringLiteral("stationStatus"), new StatusController(services, station.apiPort(), owner));
    ctx->setContextProperty(QStringLiteral("cameraModel"), new CameraListModel(services, owner));
    ctx->setContextProperty(QStringLiteral("captureController"), new CaptureController(services, owner));
    ctx->setContextProperty(QStringLiteral("libraryModel"), new MediaListModel(services, thumbs, owner));
    ctx->setContextProperty(QStringLiteral("libraryController"), new LibraryController(services, gate, owner));
    ctx->setContextProperty(QStringLiteral("stationSettings"), new SettingsController(services, gate, owner));
    ctx->setContextProperty(QStringLiteral("adminGate"), gate);
    ctx->setContextProperty(QStringLiteral("liveFeeds"), new LiveFeeds(services.cameras, services.readers, owner));
    ctx->setContextProperty(QStringLiteral("kioskMode"), kiosk);
    // Opt-in per-tile frame statistics on the log (bench/ui): STATION_UI_STATS=1.
    ctx->setContextProperty(QStringLiteral("uiStatsEnabled"), qEnvironmentVariable("STATION_UI_STATS") == QLatin1String("1"));
}

} // namespace station::app
