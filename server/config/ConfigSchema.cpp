#include "config/ConfigSchema.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

#include <cmath>
#include <limits>

namespace station::config {
namespace {

KeyDef str(const char *k, const char *def, const char *help, QStringList allowed = {})
{
    KeyDef d;
    d.key = QString::fromLatin1(k);
    d.type = KeyType::String;
    d.defaultValue = QString::fromUtf8(def);
    d.allowed = std::move(allowed);
    d.help = QString::fromUtf8(help);
    return d;
}

KeyDef integer(const char *k, qint64 def, qint64 min, qint64 max, const char *help)
{
    KeyDef d;
    d.key = QString::fromLatin1(k);
    d.type = KeyType::Int;
    d.defaultValue = QVariant::fromValue<qint64>(def);
    d.min = double(min);
    d.max = double(max);
    d.hasRange = true;
    d.help = QString::fromUtf8(help);
    return d;
}

KeyDef real(const char *k, double def, double min, double max, const char *help)
{
    KeyDef d;
    d.key = QString::fromLatin1(k);
    d.type = KeyType::Double;
    d.defaultValue = def;
    d.min = min;
    d.max = max;
    d.hasRange = true;
    d.help = QString::fromUtf8(help);
    return d;
}

KeyDef boolean(const char *k, bool def, const char *help)
{
    KeyDef d;
    d.key = QString::fromLatin1(k);
    d.type = KeyType::Bool;
    d.defaultValue = def;
    d.help = QString::fromUtf8(help);
    return d;
}

KeyDef list(const char *k, QStringList def, const char *help)
{
    KeyDef d;
    d.key = QString::fromLatin1(k);
    d.type = KeyType::StringList;
    d.defaultValue = def;
    d.help = QString::fromUtf8(help);
    return d;
}

KeyDef objects(const char *k, std::vector<KeyDef> fields, QStringList required, const char *help)
{
    KeyDef d;
    d.key = QString::fromLatin1(k);
    d.type = KeyType::ObjectList;
    d.defaultValue = QVariantList();
    d.fields = std::move(fields);
    d.requiredFields = std::move(required);
    d.help = QString::fromUtf8(help);
    return d;
}

constexpr qint64 kPortMax = 65535;

std::vector<KeyDef> buildSchema()
{
    return {
        // server: the WebSocket/HTTP listener on 8002
        str("server.host", "0.0.0.0", "address the API listener binds"),
        integer("server.port", 8002, 0, kPortMax, "API port (WebSocket /ws and /files); 0 picks a free port"),
        str("server.ws_path", "/ws", "WebSocket path"),
        str("server.public_host", "", "host name or IP put into URLs handed to clients; empty: the client's Host header"),
        str("server.public_scheme", "http", "scheme of download URLs", {"http", "https"}),
        integer("server.public_port", 0, 0, kPortMax, "port of download URLs; 0: the bound port"),
        list("server.allowed_origins", {"*"}, "browser origins allowed to open the WebSocket"),
        integer("server.max_message_bytes", 1048576, 1024, 64 * 1048576, "largest inbound WebSocket message"),
        integer("server.max_batch_size", 50, 1, 10000, "largest JSON-RPC batch"),
        integer("server.max_connections", 100, 1, 100000, "concurrent WebSocket connections"),
        integer("server.max_connections_per_address", 32, 0, 100000, "connections per remote address (IPv6: per /64) on each listener: 8002 WebSocket and HTTP together, 8003 separately; 0: no limit"),
        integer("server.max_in_flight", 64, 1, 100000, "requests in flight per connection"),
        integer("server.max_outbound_queue_bytes", 8388608, 65536, 1LL << 31, "unsent bytes per connection (every listener) past which the server stops reading from it"),
        integer("server.write_timeout_s", 10, 1, 3600, "seconds a blocked write may last"),
        integer("server.request_timeout_s", 30, 1, 3600, "generic handler deadline"),
        integer("server.ping_interval_s", 30, 1, 3600, "WebSocket ping interval"),
        integer("server.pong_timeout_s", 60, 2, 7200, "silence after which a connection is closed"),
        // limits against hostile clients (README "Limits")
        integer("server.min_read_rate_bytes_per_s", 4096, 0, 1LL << 30, "a client with unsent bytes waiting must read at least this fast; 0: off"),
        integer("server.slow_read_timeout_s", 20, 1, 3600, "window over which the read rate is judged"),
        integer("server.auth_deadline_s", 60, 1, 86400, "a WebSocket connection that has not authenticated by then is closed (1008)"),
        integer("server.request_head_timeout_s", 10, 1, 3600, "an HTTP request head must be complete this long after its first byte (8002 and 8003)"),
        integer("server.http_keepalive_s", 30, 1, 3600, "an idle keep-alive HTTP connection is closed after this (8002 and 8003)"),
        integer("server.max_batch_response_bytes", 1048576, 4096, 1LL << 30, "response bytes one JSON-RPC batch may produce; later entries are refused"),

        // health: the 8003 listener
        str("health.host", "0.0.0.0", "address the health listener binds"),
        integer("health.port", 8003, 0, kPortMax, "health and metrics port; 0 picks a free port"),
        integer("health.liveness_stall_s", 10, 1, 3600, "main-loop stall that makes /health/live fail"),
        str("health.environment", "production", "label reported by /health/detailed"),
        // limits against hostile clients (README "Limits")
        integer("health.max_connections", 64, 1, 100000, "concurrent connections to the health listener"),

        // security
        str("security.jwt_secret", "", "HS256 secret, at least 32 bytes; empty: read from jwt_secret_file"),
        str("security.jwt_secret_file", "state/jwt_secret", "secret file, created with 32 random bytes when missing"),
        str("security.api_keys_file", "state/api_keys.json", "hashed API keys"),
        integer("security.rate_limit.per_second", 30, 1, 10000000, "requests per second per connection"),
        integer("security.rate_limit.burst", 60, 1, 10000000, "burst per connection"),
        integer("security.rate_limit.per_address_per_second", 300, 1, 10000000, "requests per second per remote address"),
        integer("security.rate_limit.per_address_burst", 600, 1, 10000000, "burst per remote address"),
        integer("security.auth_failures_per_minute", 10, 1, 1000000, "failed authenticate calls per address per minute"),
        integer("security.download_token_ttl_s", 3600, 10, 86400 * 7, "lifetime of download_url tokens"),
        // limits against hostile clients (README "Limits")
        integer("security.max_token_lifetime_s", 2592000, 60, 86400LL * 3650, "tokens expiring further in the future than this are refused"),

        // http downloads
        integer("http.requests_per_minute", 600, 1, 10000000, "download requests per minute per address"),
        // limits against hostile clients (README "Limits")
        integer("http.max_connections", 64, 1, 100000, "concurrent HTTP (download) connections on the API port"),

        // storage
        str("storage.data_dir", "/var/lib/camera-station", "root of recordings, snapshots and state"),
        str("storage.recordings_dir", "recordings", "recordings folder (relative: under data_dir)"),
        str("storage.snapshots_dir", "snapshots", "snapshots folder (relative: under data_dir)"),
        str("storage.state_dir", "state", "the service's own files (relative: under data_dir)"),
        integer("storage.warn_threshold_percent", 70, 1, 100, "disk use that raises low_space_warning"),
        integer("storage.block_threshold_percent", 85, 1, 100, "disk use at which new captures are refused"),
        integer("storage.cleanup_interval_s", 3600, 10, 86400 * 30, "period of automatic retention cleanup"),
        integer("storage.min_free_mb", 1024, 0, 1024 * 1024 * 1024, "free space below which `camera-station validate` fails (MiB)"),

        // retention defaults (set_retention_policy persists overrides in the state folder)
        str("retention.policy_type", "manual", "age, size or manual", {"age", "size", "manual"}),
        boolean("retention.enabled", false, "run the retention policy periodically"),
        integer("retention.max_age_days", 30, 1, 3650, "age policy limit"),
        real("retention.max_size_gb", 100, 0.000001, 1000000, "size policy limit in GB (10^9 bytes)"),

        // cameras
        integer("cameras.max", 16, 1, 999999, "cameras managed at once"),
        integer("cameras.forget_after_h", 24, 0, 87600, "hours an absent camera stays known"),
        str("cameras.device_dir", "/dev", "folder scanned for video4linux nodes"),
        integer("cameras.demo", 0, 0, 64, "synthetic test-pattern cameras added at start"),
        objects("cameras.sources",
                {str("type", "", "usb, rtsp or test", {"usb", "rtsp", "test"}),
                 str("name", "", "display name"),
                 str("url", "", "rtsp:// URL of a network camera"),
                 str("device", "", "V4L2 device (e.g. /dev/v4l/by-id/...) to name or tune a USB camera"),
                 integer("width", 0, 0, 16384, "capture width; 0: automatic"),
                 integer("height", 0, 0, 16384, "capture height; 0: automatic"),
                 integer("fps", 0, 0, 240, "frame rate; 0: automatic")},
                {"type"}, "configured cameras: network (rtsp), test patterns (test), tuned USB cameras (usb)"),

        // mediamtx
        str("mediamtx.binary", "", "MediaMTX executable; empty: PATH, /usr/local/bin, /opt/mediamtx"),
        boolean("mediamtx.supervise", true, "start and supervise MediaMTX as a child process"),
        str("mediamtx.api_host", "127.0.0.1", "MediaMTX API address (loopback)"),
        integer("mediamtx.api_port", 9997, 1, kPortMax, "MediaMTX API port"),
        integer("mediamtx.metrics_port", 9998, 1, kPortMax, "MediaMTX metrics port (loopback)"),
        integer("mediamtx.playback_port", 9996, 1, kPortMax, "MediaMTX playback server port (loopback)"),
        integer("mediamtx.rtsp_port", 8554, 1, kPortMax, "public RTSP port"),
        integer("mediamtx.hls_port", 8888, 1, kPortMax, "public HLS port"),
        integer("mediamtx.webrtc_port", 8889, 1, kPortMax, "public WebRTC port"),
        integer("mediamtx.webrtc_udp_port", 8189, 1, kPortMax, "WebRTC ICE/UDP port"),
        integer("mediamtx.start_timeout_s", 30, 1, 600, "wait for MediaMTX's API after launch"),
        integer("mediamtx.restart_max_backoff_s", 30, 1, 3600, "longest wait between restarts"),
        boolean("mediamtx.hls_tls", false, "MediaMTX serves HLS over TLS"),
        boolean("mediamtx.webrtc_tls", false, "MediaMTX serves WebRTC over TLS"),
        integer("mediamtx.failure_threshold", 3, 1, 100, "consecutive failed checks that make MediaMTX unavailable"),
        integer("mediamtx.health_check_interval_s", 5, 1, 3600, "seconds between MediaMTX checks"),
        integer("mediamtx.close_after_s", 10, 0, 3600, "on-demand publisher stop delay"),
        // mediamtx listeners and TLS: every port MediaMTX binds is set here and checked free before launch
        boolean("mediamtx.rtsp_udp", false, "RTSP over UDP too (binds rtp_port and rtcp_port on all interfaces); false: RTSP over TCP only"),
        integer("mediamtx.rtp_port", 8000, 1, kPortMax, "RTSP RTP/UDP port (bound only with rtsp_udp)"),
        integer("mediamtx.rtcp_port", 8001, 1, kPortMax, "RTSP RTCP/UDP port (bound only with rtsp_udp)"),
        str("mediamtx.tls_cert", "", "PEM certificate file for hls_tls and webrtc_tls"),
        str("mediamtx.tls_key", "", "PEM private key file for hls_tls and webrtc_tls"),

        // recording
        integer("recording.segment_duration_s", 3600, 1, 86400, "length of one recording file"),
        integer("recording.start_timeout_s", 10, 1, 300, "wait for the first recording file"),
        integer("recording.max_duration_s", 86400, 1, 86400 * 7, "longest recording session"),
        integer("recording.progress_interval_s", 10, 1, 3600, "recording.progress event period"),

        // snapshots
        integer("snapshots.max_width", 1920, 16, 16384, "largest snapshot width"),
        integer("snapshots.max_height", 1080, 16, 16384, "largest snapshot height"),
        integer("snapshots.quality", 85, 1, 100, "JPEG quality"),
        integer("snapshots.timeout_s", 10, 1, 300, "snapshot deadline"),

        // streaming
        integer("streaming.auto_close_after_s", 300, 0, 86400 * 30, "close an unwatched streaming session; 0: never"),

        // streams: who may watch (API.md §2.9)
        boolean("streams.anonymous_read", false, "anyone who reaches MediaMTX may watch, without a token (closed networks only)"),
        integer("streams.url_token_ttl_s", 3600, 60, 86400 * 7, "how long a stream URL handed out may start a viewing session"),

        // external streams
        boolean("external_discovery.enabled", false, "allow discover_external_streams"),
        integer("external_discovery.max_hosts", 256, 1, 65536, "hosts probed per scan"),
        integer("external_discovery.scan_timeout_s", 30, 1, 3600, "scan deadline"),
        integer("external_discovery.scan_interval_s", 0, 0, 86400, "periodic scan; 0: only on request"),
        str("external_discovery.skydio_subnet", "192.168.42.0/24", "subnet probed for Skydio streams"),
        list("external_discovery.generic_targets", {}, "host:port/path entries probed by generic discovery"),

        // ui (kiosk/desktop front end)
        str("ui.admin_pin", "", "4-12 digit PIN for exit, settings and deletion in kiosk mode; empty: those stay locked in kiosk mode (desktop needs no PIN)"),
        boolean("ui.demo_notice", false, "say in the window title, on the Status page and in the log that this is a demo (MediaMTX stand-in, test-pattern cameras); set by packaging/dev/station.sh run when MediaMTX is missing"),

        // logging
        str("logging.level", "info", "debug, info, warning or error", {"debug", "info", "warning", "error"}),
    };
}

} // namespace

QString KeyDef::envName() const
{
    QString name = key.toUpper();
    name.replace(QLatin1Char('.'), QLatin1Char('_'));
    return QStringLiteral("CAMERA_STATION_") + name;
}

const std::vector<KeyDef> &schema()
{
    static const std::vector<KeyDef> s = buildSchema();
    return s;
}

const KeyDef *findKey(const QString &dottedKey)
{
    static const QHash<QString, const KeyDef *> byKey = [] {
        QHash<QString, const KeyDef *> h;
        for (const KeyDef &d : schema())
            h.insert(d.key, &d);
        return h;
    }();
    return byKey.value(dottedKey, nullptr);
}

const KeyDef *findKeyByEnv(const QString &envName)
{
    static const QHash<QString, const KeyDef *> byEnv = [] {
        QHash<QString, const KeyDef *> h;
        for (const KeyDef &d : schema())
            h.insert(d.envName(), &d);
        return h;
    }();
    return byEnv.value(envName, nullptr);
}

static QString describe(const KeyDef &def)
{
    switch (def.type) {
    case KeyType::Int:
        return QStringLiteral("an integer from %1 to %2").arg(qint64(def.min)).arg(qint64(def.max));
    case KeyType::Double:
        return QStringLiteral("a number from %1 to %2").arg(def.min).arg(def.max);
    case KeyType::Bool:
        return QStringLiteral("true or false");
    case KeyType::StringList:
        return QStringLiteral("a list of strings");
    case KeyType::ObjectList:
        return QStringLiteral("a list of mappings");
    case KeyType::String:
        if (!def.allowed.isEmpty())
            return QStringLiteral("one of ") + def.allowed.join(QStringLiteral(", "));
        return QStringLiteral("a string");
    }
    return {};
}

QString checkValue(const KeyDef &def, const QVariant &value)
{
    switch (def.type) {
    case KeyType::Int: {
        const qint64 v = value.toLongLong();
        if (def.hasRange && (double(v) < def.min || double(v) > def.max))
            return QStringLiteral("expected ") + describe(def);
        return {};
    }
    case KeyType::Double: {
        const double v = value.toDouble();
        if (!std::isfinite(v) || (def.hasRange && (v < def.min || v > def.max)))
            return QStringLiteral("expected ") + describe(def);
        return {};
    }
    case KeyType::String:
        if (!def.allowed.isEmpty() && !def.allowed.contains(value.toString()))
            return QStringLiteral("expected ") + describe(def);
        return {};
    default:
        return {};
    }
}

QString convertText(const KeyDef &def, const QString &text, QVariant *out)
{
    const QString t = text.trimmed();
    bool ok = false;
    switch (def.type) {
    case KeyType::Int: {
        qint64 v = t.toLongLong(&ok);
        if (!ok) {
            // 6e1 and 60.0 are integers too; fractions are not.
            const double d = t.toDouble(&ok);
            ok = ok && std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15;
            if (ok)
                v = qint64(d);  // only in range: converting 1e300 to an integer is undefined (fuzz_config, UBSan)
        }
        if (!ok)
            return QStringLiteral("expected ") + describe(def) + QStringLiteral(", got \"%1\"").arg(t.left(64));
        *out = QVariant::fromValue<qint64>(v);
        break;
    }
    case KeyType::Double: {
        const double v = t.toDouble(&ok);
        if (!ok)
            return QStringLiteral("expected ") + describe(def) + QStringLiteral(", got \"%1\"").arg(t.left(64));
        *out = v;
        break;
    }
    case KeyType::Bool: {
        const QString l = t.toLower();
        if (l == QLatin1String("true") || l == QLatin1String("yes") || l == QLatin1String("on") || l == QLatin1String("1"))
            *out = true;
        else if (l == QLatin1String("false") || l == QLatin1String("no") || l == QLatin1String("off") || l == QLatin1String("0"))
            *out = false;
        else
            return QStringLiteral("expected true or false, got \"%1\"").arg(t.left(64));
        break;
    }
    case KeyType::StringList: {
        QStringList items;
        if (!t.isEmpty()) {
            for (const QString &part : t.split(QLatin1Char(',')))
                items << part.trimmed();
        }
        *out = items;
        break;
    }
    case KeyType::String:
        *out = text;
        break;
    case KeyType::ObjectList: {
        // Environment and --set give a JSON array of objects.
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &err);
        if (!doc.isArray())
            return QStringLiteral("expected a JSON array of objects");
        QVariantList entries;
        const QJsonArray array = doc.array();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array.at(i).isObject())
                return QStringLiteral("entry %1: expected an object").arg(i);
            QMap<QString, QString> raw;
            const QJsonObject o = array.at(i).toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                raw.insert(it.key(), it->isString() ? it->toString() : it->isBool() ? (it->toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                                                                     : QString::number(it->toDouble(), 'g', 16));
            QVariantMap entry;
            const QString problem = convertObject(def, raw, &entry);
            if (!problem.isEmpty())
                return QStringLiteral("entry %1: %2").arg(i).arg(problem);
            entries << entry;
        }
        *out = entries;
        return {};
    }
    }
    return checkValue(def, *out);
}

QString convertObject(const KeyDef &listDef, const QMap<QString, QString> &raw, QVariantMap *out)
{
    for (auto it = raw.cbegin(); it != raw.cend(); ++it) {
        const auto field = std::find_if(listDef.fields.begin(), listDef.fields.end(), [&](const KeyDef &f) { return f.key == it.key(); });
        if (field == listDef.fields.end())
            return QStringLiteral("%1: unknown field").arg(it.key());
        QVariant v;
        const QString problem = convertText(*field, it.value(), &v);
        if (!problem.isEmpty())
            return QStringLiteral("%1: %2").arg(it.key(), problem);
        out->insert(it.key(), v);
    }
    for (const QString &required : listDef.requiredFields) {
        if (!out->contains(required))
            return QStringLiteral("%1: required").arg(required);
    }
    for (const KeyDef &f : listDef.fields) {
        if (!out->contains(f.key))
            out->insert(f.key, f.defaultValue);
    }
    return {};
}

} // namespace station::config
