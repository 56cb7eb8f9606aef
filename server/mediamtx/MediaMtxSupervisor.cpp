#include "mediamtx/MediaMtxSupervisor.h"

#include "config/Config.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>

Q_LOGGING_CATEGORY(lcMediaMtx, "station.mediamtx")

namespace station::mediamtx {

MediaMtxSupervisor::MediaMtxSupervisor(const config::Config &config, QObject *parent) : QObject(parent), m_config(config) {}

QString MediaMtxSupervisor::stateName(State s)
{
    switch (s) {
    case State::NotInstalled: return QStringLiteral("NOT_INSTALLED");
    case State::Stopped: return QStringLiteral("STOPPED");
    case State::Starting: return QStringLiteral("STARTING");
    case State::Running: return QStringLiteral("RUNNING");
    case State::Error: return QStringLiteral("ERROR");
    }
    return {};
}

QString MediaMtxSupervisor::locateBinary(const config::Config &config)
{
    const QString configured = config.string(QStringLiteral("mediamtx.binary"));
    if (!configured.isEmpty()) {
        const QFileInfo fi(configured);
        return fi.isFile() && fi.isExecutable() ? fi.absoluteFilePath() : QString();
    }
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("mediamtx"));
    if (!onPath.isEmpty())
        return onPath;
    for (const QString &candidate : {QStringLiteral("/usr/local/bin/mediamtx"), QStringLiteral("/opt/mediamtx/mediamtx")}) {
        const QFileInfo fi(candidate);
        if (fi.isFile() && fi.isExecutable())
            return candidate;
    }
    return {};
}

void MediaMtxSupervisor::setState(State s, const QString &message)
{
    m_message = message;
    if (m_state == s)
        return;
    m_state = s;
    qCInfo(lcMediaMtx).noquote() << "state" << stateName(s) << "-" << message;
    Q_EMIT stateChanged(s);
}

void MediaMtxSupervisor::start()
{
    m_binary = locateBinary(m_config);
    if (m_binary.isEmpty()) {
        // The message reaches /health/detailed, get_status and get_system_status,
        // which must not show file-system paths (API.md §14); the log names them.
        const QString configured = m_config.string(QStringLiteral("mediamtx.binary"));
        if (configured.isEmpty())
            qCWarning(lcMediaMtx) << "no mediamtx executable on PATH, in /usr/local/bin or in /opt/mediamtx";
        else
            qCWarning(lcMediaMtx) << "no executable at mediamtx.binary" << configured;
        setState(State::NotInstalled,
                 configured.isEmpty()
                     ? QStringLiteral("not installed: install the mediamtx binary (or set mediamtx.binary) and restart")
                     : QStringLiteral("not installed: no executable at the path set in mediamtx.binary; install MediaMTX there or fix the setting"));
        return;
    }
    // Process supervision arrives with the cameras issue; until then MediaMTX
    // is found but not started, and readiness says so.
    setState(State::Stopped, QStringLiteral("MediaMTX found but not started by this build"));
}

void MediaMtxSupervisor::stop()
{
    if (m_state != State::NotInstalled)
        setState(State::Stopped, QStringLiteral("stopped"));
}

} // namespace station::mediamtx
