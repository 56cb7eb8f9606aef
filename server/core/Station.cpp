#include "core/Station.h"

#include "api/ApiMethods.h"
#include "api/UrlBuilder.h"
#include "auth/ApiKeyStore.h"
#include "auth/JwtService.h"
#include "auth/SecretProvider.h"
#include "auth/StreamAccess.h"
#include "cameras/CameraRegistry.h"
#include "health/HealthMonitor.h"
#include "core/SystemdNotifier.h"
#include "events/EventBus.h"
#include "net/HealthServer.h"
#include "health/HealthState.h"
#include "health/MetricsRegistry.h"
#include "media/FileCatalog.h"
#include "events/CameraEvents.h"
#include "media/CaptureService.h"
#include "cameras/ExternalDiscovery.h"
#include "media/ReaderPool.h"
#include "media/RecordingService.h"
#include "media/SnapshotService.h"
#include "media/StreamingService.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "mediamtx/PathManager.h"
#include "mediamtx/StreamAuthEndpoint.h"
#include "net/ApiServer.h"
#include "net/HttpFileServer.h"
#include "rpc/Dispatcher.h"
#include "media/StorageService.h"
#include "health/SystemStats.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QTimer>
#include <QWebSocketProtocol>


Q_LOGGING_CATEGORY(lcStation, "station.core")

namespace station::core {

struct Station::Parts {
    health::HealthState healthState;
    health::MetricsRegistry metrics;
    std::unique_ptr<net::HealthServer> healthServer;
    std::unique_ptr<auth::JwtService> jwt;
    std::unique_ptr<auth::ApiKeyStore> apiKeys;
    std::unique_ptr<events::EventBus> events;
    std::unique_ptr<media::FileCatalog> recordings;
    std::unique_ptr<media::FileCatalog> snapshots;
    std::unique_ptr<media::StorageService> storage;
    std::unique_ptr<cameras::CameraRegistry> cameras;
    std::unique_ptr<mediamtx::MediaMtxSupervisor> mediamtx;
    std::unique_ptr<mediamtx::PathManager> paths;
    std::unique_ptr<media::ReaderPool> readers;
    std::unique_ptr<media::SnapshotService> snapshotService;
    std::unique_ptr<media::RecordingService> recordingService;
    std::unique_ptr<media::StreamingService> streamingService;
    std::unique_ptr<media::CaptureService> capture;
    std::unique_ptr<cameras::ExternalDiscovery> discovery;
    std::unique_ptr<events::CameraEvents> cameraEvents;
    std::unique_ptr<health::SystemStats> systemStats;
    std::unique_ptr<rpc::Dispatcher> dispatcher;
    std::unique_ptr<net::ApiServer> apiServer;
    std::unique_ptr<net::HttpFileServer> fileServer;
    std::unique_ptr<api::UrlBuilder> urls;
    std::unique_ptr<auth::StreamAccess> streamAccess;
    std::unique_ptr<mediamtx::StreamAuthEndpoint> streamAuth;
    std::unique_ptr<health::HealthMonitor> healthMonitor;
};

Station::Station(config::Config config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_parts(std::make_unique<Parts>())
{
}

Station::~Station()
{
    if (m_parts->healthServer)
        m_parts->healthServer->stop();
}

quint16 Station::apiPort() const
{
    return m_parts->apiServer ? m_parts->apiServer->port() : 0;
}

namespace {

QHostAddress parseHost(const QString &host)
{
    if (host == QLatin1String("0.0.0.0"))
        return QHostAddress(QHostAddress::AnyIPv4);
    if (host == QLatin1String("::"))
        return QHostAddress(QHostAddress::Any);
    return QHostAddress(host);
}

} // namespace

bool Station::start(QString *error)
{
    Parts &p = *m_parts;
    const config::Config &cfg = m_config;

    // Health first (§14: it is up before the WebSocket server) on its own thread.
    p.healthServer = std::make_unique<net::HealthServer>(&p.healthState, &p.metrics, QStringLiteral(STATION_VERSION));
    p.healthServer->setLivenessStallMs(cfg.integer(QStringLiteral("health.liveness_stall_s")) * 1000);
    p.healthServer->setEnvironment(cfg.string(QStringLiteral("health.environment")));
    p.healthServer->setLimits(net::ConnectionLimits::fromConfig(cfg));
    QString healthError;
    m_healthPort = p.healthServer->start(parseHost(cfg.string(QStringLiteral("health.host"))),
                                         quint16(cfg.integer(QStringLiteral("health.port"))), &healthError);
    if (m_healthPort == 0) {
        *error = QStringLiteral("health listener: ") + healthError;
        return false;
    }

    const auth::SecretResult secret = auth::resolveJwtSecret(cfg);
    if (!secret.ok()) {
        *error = secret.error;
        return false;
    }
    if (!secret.createdPath.isEmpty())
        qCInfo(lcStation) << "created a new JWT secret in" << secret.createdPath;
    else if (!secret.sourcePath.isEmpty())
        qCInfo(lcStation) << "JWT secret read from" << secret.sourcePath;
    p.jwt = std::make_unique<auth::JwtService>(secret.secret);
    p.jwt->setMaxLifetimeSeconds(cfg.integer(QStringLiteral("security.max_token_lifetime_s")));
    p.apiKeys = std::make_unique<auth::ApiKeyStore>(cfg.resolvePath(cfg.string(QStringLiteral("security.api_keys_file"))));
    QString keyError;
    if (!p.apiKeys->load(&keyError))
        qCWarning(lcStation) << "API keys:" << keyError;

    p.events = std::make_unique<events::EventBus>();
    p.recordings = std::make_unique<media::FileCatalog>(media::FileKind::Recording, cfg.recordingsDir());
    p.snapshots = std::make_unique<media::FileCatalog>(media::FileKind::Snapshot, cfg.snapshotsDir());
    p.storage = std::make_unique<media::StorageService>(cfg, p.recordings.get(), p.snapshots.get());
    QString folderError;
    if (!p.storage->ensureFolders(&folderError)) {
        *error = folderError;
        return false;
    }
    p.cameras = std::make_unique<cameras::CameraRegistry>(cfg);
    p.mediamtx = std::make_unique<mediamtx::MediaMtxSupervisor>(cfg);
    // Who may read which stream: MediaMTX asks the station (authMethod: http).
    p.streamAccess = std::make_unique<auth::StreamAccess>(p.jwt.get());
    p.streamAccess->setAnonymousRead(cfg.boolean(QStringLiteral("streams.anonymous_read")));
    mediamtx::MediaMtxSupervisor *supervisor = p.mediamtx.get();
    p.streamAccess->isApiCredential = [supervisor](const QString &user, const QString &password) {
        return supervisor->isApiCredential(user, password);
    };
    auth::ApiKeyStore *keyStore = p.apiKeys.get();
    p.streamAccess->apiKeyValid = [keyStore](const QString &id) { return keyStore->recheck(id).ok; };
    p.streamAuth = std::make_unique<mediamtx::StreamAuthEndpoint>(p.streamAccess.get());
    QString streamAuthError;
    if (!p.streamAuth->listen(&streamAuthError)) {
        *error = streamAuthError;
        return false;
    }
    p.mediamtx->setAuthHttpAddress(p.streamAuth->url());
    if (p.streamAccess->anonymousRead())
        qCWarning(lcStation) << "streams.anonymous_read is on: anyone who reaches MediaMTX's ports may watch every camera";
    p.paths = std::make_unique<mediamtx::PathManager>(p.mediamtx.get(), p.cameras.get(), p.events.get());
    mediamtx::PathManager *paths = p.paths.get();
    p.mediamtx->pathsProvider = [paths] { return paths->desiredPaths(); };
    p.readers = std::make_unique<media::ReaderPool>(cfg, p.paths.get());
    p.readers->setReadToken(p.streamAccess->internalToken());
    p.snapshotService = std::make_unique<media::SnapshotService>(cfg, p.cameras.get(), p.mediamtx.get(), p.readers.get(), p.snapshots.get(),
                                                                 p.storage.get(), p.events.get(), &p.metrics);
    p.recordingService = std::make_unique<media::RecordingService>(cfg, p.cameras.get(), p.mediamtx.get(), p.paths.get(), p.readers.get(),
                                                                   p.recordings.get(), p.storage.get(), p.events.get(), &p.metrics);
    p.streamingService = std::make_unique<media::StreamingService>(cfg, p.cameras.get(), p.mediamtx.get(), p.paths.get(), p.readers.get(),
                                                                   p.recordingService.get());
    p.capture = std::make_unique<media::CaptureService>(p.snapshotService.get(), p.recordingService.get());
    p.discovery = std::make_unique<cameras::ExternalDiscovery>(cfg);
    p.systemStats = std::make_unique<health::SystemStats>();
    p.dispatcher = std::make_unique<rpc::Dispatcher>(cfg, &p.metrics);
    p.apiServer = std::make_unique<net::ApiServer>(cfg, p.dispatcher.get(), p.events.get(), &p.metrics);
    p.urls = std::make_unique<api::UrlBuilder>(cfg, p.jwt.get());

    auth::ApiKeyStore *keys = p.apiKeys.get();
    p.dispatcher->recheckCredential = [keys](const auth::Identity &id) { return keys->recheck(id.apiKeyId); };
    api::UrlBuilder *urls = p.urls.get();
    p.apiServer->hostFor = [urls](const rpc::RpcSession *s) { return urls->hostFor(s); };
    p.apiServer->personalize = [urls](const QByteArray &rendered, const rpc::RpcSession *s) { return urls->personalize(rendered, s); };

    // Downloads on the same port (§13): credential order Bearer, X-API-Key, ?token=.
    net::HttpFileServer::Settings httpSettings;
    httpSettings.allowedOrigins = cfg.stringList(QStringLiteral("server.allowed_origins"));
    httpSettings.requestsPerMinute = cfg.integer32(QStringLiteral("http.requests_per_minute"));
    httpSettings.wsPath = cfg.string(QStringLiteral("server.ws_path"));
    httpSettings.limits = net::ConnectionLimits::fromConfig(cfg);
    net::HttpFileServer::Hooks hooks;
    auth::JwtService *jwt = p.jwt.get();
    hooks.authorize = [jwt, keys](const net::HttpRequest &req, const QString &resourcePath) -> int {
        const QByteArray authorization = req.header("authorization");
        if (!authorization.isEmpty()) {
            // The scheme name is case-insensitive (RFC 9110 §11.1): "bearer" is Bearer.
            if (authorization.size() < 7 || authorization.left(7).toLower() != "bearer ")
                return 401;
            return jwt->verifySession(authorization.mid(7).trimmed()).ok ? 0 : 401;
        }
        const QByteArray apiKey = req.header("x-api-key");
        if (!apiKey.isEmpty())
            return keys->authenticate(QString::fromUtf8(apiKey)).ok ? 0 : 401;
        const QString token = req.query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
        if (token.isEmpty())
            return 401;
        const auth::AuthResult r = jwt->verifyDownload(token.toUtf8(), resourcePath);
        if (r.ok && !r.identity.apiKeyId.isEmpty() && !keys->recheck(r.identity.apiKeyId).ok)
            return 401;  // minted for an API key that has been revoked or has expired since
        return r.ok ? 0 : r.reason == QLatin1String("forbidden") ? 403 : 401;
    };
    media::FileCatalog *recordings = p.recordings.get();
    media::FileCatalog *snapshots = p.snapshots.get();
    hooks.resolve = [recordings, snapshots](const QString &kind, const QString &filename) -> QString {
        media::FileCatalog *catalog = kind == QLatin1String("recordings") ? recordings : snapshots;
        const std::optional<media::FileEntry> e = catalog->find(filename);
        return e ? e->absolutePath : QString();
    };
    media::StorageService *storage = p.storage.get();
    hooks.storageReadable = [storage] { return storage->filesystemInfo().readable; };
    p.fileServer = std::make_unique<net::HttpFileServer>(httpSettings, hooks);
    net::HttpFileServer *fileServer = p.fileServer.get();
    p.apiServer->adoptHttp = [fileServer](QTcpSocket *socket) { fileServer->adopt(socket); };

    m_services = Services{&m_config, p.jwt.get(), p.apiKeys.get(), p.recordings.get(), p.snapshots.get(), p.storage.get(),
                          p.events.get(), p.cameras.get(), p.mediamtx.get(), &p.healthState, &p.metrics, p.systemStats.get(),
                          p.apiServer.get(), p.urls.get(), p.dispatcher.get(), nullptr};
    m_services.paths = p.paths.get();
    m_services.readers = p.readers.get();
    m_services.snapshotService = p.snapshotService.get();
    m_services.recordingService = p.recordingService.get();
    m_services.streamingService = p.streamingService.get();
    m_services.capture = p.capture.get();
    m_services.cameraQueue = &p.capture->queue();
    m_services.discovery = p.discovery.get();
    m_services.connections = p.apiServer.get();
    p.healthMonitor = std::make_unique<health::HealthMonitor>(m_services);
    m_services.healthMonitor = p.healthMonitor.get();
    api::registerAllMethods(*p.dispatcher, m_services);
    p.cameraEvents = std::make_unique<events::CameraEvents>(m_services);

    QString listenError;
    if (!p.apiServer->listen(&listenError)) {
        *error = listenError;
        return false;
    }
    p.urls->setBoundPort(p.apiServer->port());

    // The index and discovery run in the background; the API serves meanwhile.
    p.recordings->start();
    p.snapshots->start();
    p.storage->start();
    p.cameras->start();
    p.mediamtx->start();
    p.healthMonitor->start();
    connect(p.mediamtx.get(), &mediamtx::MediaMtxSupervisor::stateChanged, p.healthMonitor.get(), &health::HealthMonitor::refresh);
    // Readers that waited for MediaMTX (start-up, a restart) connect as soon as it answers.
    connect(p.mediamtx.get(), &mediamtx::MediaMtxSupervisor::stateChanged, p.readers.get(), [readers = p.readers.get()](mediamtx::MediaMtxSupervisor::State st) {
        if (st == mediamtx::MediaMtxSupervisor::State::Running)
            readers->retryAll();
    });
    connect(p.cameras.get(), &cameras::CameraRegistry::initialScanFinished, p.healthMonitor.get(), &health::HealthMonitor::refresh);

    // Ready for systemd once both ports are bound; MediaMTX is /health/ready's business.
    // Also starts the watchdog keep-alives when the unit sets WatchdogSec=.
    SystemdNotifier::ready(this);
    qCInfo(lcStation).noquote() << QStringLiteral("serving: ws://%1:%2%3, health on port %4")
                                       .arg(cfg.string(QStringLiteral("server.host")))
                                       .arg(p.apiServer->port())
                                       .arg(cfg.string(QStringLiteral("server.ws_path")))
                                       .arg(m_healthPort);
    return true;
}

void Station::shutdown(const QString &reason)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    Parts &p = *m_parts;
    qCInfo(lcStation) << "shutting down:" << reason;
    SystemdNotifier::stopping();
    p.healthState.setShuttingDown();
    if (!p.apiServer) {
        Q_EMIT finished();
        return;
    }
    p.healthMonitor->refresh();
    p.events->publish(QStringLiteral("system.shutdown"), {{QStringLiteral("reason"), reason}});
    p.apiServer->stopListening();
    // Recordings end with reason "shutdown" and final files before anything else stops.
    p.recordingService->stopAll(QStringLiteral("shutdown"), [this] {
        Parts &parts = *m_parts;
        parts.readers->stopAll();
        parts.mediamtx->stop();
        parts.apiServer->closeAll(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
        // Give clients and MediaMTX up to 10 s to finish.
        auto *poll = new QTimer(this);
        auto *deadline = new QElapsedTimer;
        deadline->start();
        connect(poll, &QTimer::timeout, this, [this, poll, deadline] {
            Parts &q = *m_parts;
            const bool mediamtxDone = q.mediamtx->state() == mediamtx::MediaMtxSupervisor::State::Stopped
                                   || q.mediamtx->state() == mediamtx::MediaMtxSupervisor::State::NotInstalled;
            if ((q.apiServer->connectionCount() == 0 && mediamtxDone) || deadline->elapsed() > 10000) {
                poll->stop();
                delete deadline;
                q.mediamtx->stopAndWait(2000);
                Q_EMIT finished();
            }
        });
        poll->start(50);
    });
}

} // namespace station::core
