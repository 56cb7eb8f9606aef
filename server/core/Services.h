#pragma once

namespace station::config { class Config; }
namespace station::auth { class JwtService; class ApiKeyStore; }
namespace station::media { class FileCatalog; class ReaderPool; class SnapshotService; class RecordingService; class StreamingService; class StorageService; class CameraQueue; class CaptureService; }
namespace station::events { class EventBus; }
namespace station::cameras { class CameraRegistry; }
namespace station::mediamtx { class MediaMtxSupervisor; class PathManager; }
namespace station::health { class HealthState; class MetricsRegistry; class SystemStats; class HealthMonitor; }
namespace station::net { class ApiServer; }
namespace station::api { class UrlBuilder; }
namespace station::cameras { class ExternalDiscovery; }
namespace station::rpc { class Dispatcher; class ConnectionStats; }

namespace station::core {

// The services built once by Station and handed to the API handlers and the
// UI controllers: the two front doors share these objects.
struct Services {
    const config::Config *config = nullptr;
    auth::JwtService *jwt = nullptr;
    auth::ApiKeyStore *apiKeys = nullptr;
    media::FileCatalog *recordings = nullptr;
    media::FileCatalog *snapshots = nullptr;
    media::StorageService *storage = nullptr;
    events::EventBus *events = nullptr;
    cameras::CameraRegistry *cameras = nullptr;
    mediamtx::MediaMtxSupervisor *mediamtx = nullptr;
    health::HealthState *healthState = nullptr;
    health::MetricsRegistry *metrics = nullptr;
    health::SystemStats *systemStats = nullptr;
    net::ApiServer *apiServer = nullptr;          // the listener itself: for the composition root and health rules only
    api::UrlBuilder *urls = nullptr;
    rpc::Dispatcher *dispatcher = nullptr;
    health::HealthMonitor *healthMonitor = nullptr;
    mediamtx::PathManager *paths = nullptr;
    media::ReaderPool *readers = nullptr;
    media::SnapshotService *snapshotService = nullptr;
    media::RecordingService *recordingService = nullptr;
    media::StreamingService *streamingService = nullptr;
    media::CaptureService *capture = nullptr;     // the capture verbs both doors call
    media::CameraQueue *cameraQueue = nullptr;    // capture's per-camera order, shared by the streaming handlers
    cameras::ExternalDiscovery *discovery = nullptr;
    rpc::ConnectionStats *connections = nullptr;  // connection figures for handlers and UI (implemented by ApiServer)
};

} // namespace station::core
