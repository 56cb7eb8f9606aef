#pragma once

// The capture verbs over the real services, in-process: no MediaMTX running
// (so it is never available), no camera hardware; a network camera can be
// added (CONNECTED). Shared by the media and the app unit tests.
#include "cameras/CameraRegistry.h"
#include "config/Config.h"
#include "events/EventBus.h"
#include "health/MetricsRegistry.h"
#include "media/CaptureService.h"
#include "media/FileCatalog.h"
#include "media/ReaderPool.h"
#include "media/RecordingService.h"
#include "media/SnapshotService.h"
#include "media/StorageService.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "mediamtx/PathManager.h"

#include <QTemporaryDir>

#include <memory>

namespace station::testing {

struct Fixture {
    QTemporaryDir dir;
    config::Config config;
    health::MetricsRegistry metrics;
    events::EventBus events;
    std::unique_ptr<media::FileCatalog> recordings, snapshots;
    std::unique_ptr<media::StorageService> storage;
    std::unique_ptr<cameras::CameraRegistry> cameras;
    std::unique_ptr<mediamtx::MediaMtxSupervisor> mediamtx;  // never started: not available
    std::unique_ptr<mediamtx::PathManager> paths;
    std::unique_ptr<media::ReaderPool> readers;
    std::unique_ptr<media::SnapshotService> snapshotService;
    std::unique_ptr<media::RecordingService> recordingService;
    std::unique_ptr<media::CaptureService> capture;

    Fixture()
    {
        config::ConfigSources src;
        src.dataDir = dir.path();
        src.environment = QProcessEnvironment();
        const auto loaded = config::Config::load(src);
        if (!loaded.ok())
            qFatal("config: %s", qPrintable(loaded.errors.join(QStringLiteral("; "))));
        config = loaded.config;
        recordings = std::make_unique<media::FileCatalog>(media::FileKind::Recording, config.recordingsDir());
        snapshots = std::make_unique<media::FileCatalog>(media::FileKind::Snapshot, config.snapshotsDir());
        storage = std::make_unique<media::StorageService>(config, recordings.get(), snapshots.get());
        QString error;
        if (!storage->ensureFolders(&error))
            qFatal("%s", qPrintable(error));
        cameras = std::make_unique<cameras::CameraRegistry>(config);
        mediamtx = std::make_unique<mediamtx::MediaMtxSupervisor>(config);
        paths = std::make_unique<mediamtx::PathManager>(mediamtx.get(), cameras.get(), &events);
        readers = std::make_unique<media::ReaderPool>(config, paths.get());
        snapshotService = std::make_unique<media::SnapshotService>(config, cameras.get(), mediamtx.get(), readers.get(), snapshots.get(),
                                                                   storage.get(), &events, &metrics);
        recordingService = std::make_unique<media::RecordingService>(config, cameras.get(), mediamtx.get(), paths.get(), readers.get(),
                                                                     recordings.get(), storage.get(), &events, &metrics);
        capture = std::make_unique<media::CaptureService>(snapshotService.get(), recordingService.get());
    }

    QString addNetworkCamera()
    {
        QString error;
        const auto cam = cameras->addNetworkCamera(QStringLiteral("rtsp://127.0.0.1:1/live"), QStringLiteral("Gate"), QString(), &error);
        if (!cam)
            qFatal("addNetworkCamera: %s", qPrintable(error));
        return cam->id;
    }
};

} // namespace station::testing
