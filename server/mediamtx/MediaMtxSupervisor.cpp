#include "mediamtx/MediaMtxSupervisor.h"

#include "mediamtx/MediaMtxListeners.h"
#include "mediamtx/PublisherCommand.h"

#include "config/Config.h"
#include "mediamtx/HookReaper.h"
#include "mediamtx/MediaMtxApiClient.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>

#include <cmath>
#include <csignal>

Q_LOGGING_CATEGORY(lcMediaMtx, "station.mediamtx")
Q_LOGGING_CATEGORY(lcMediaMtxLog, "station.mediamtx.log")

namespace station::mediamtx {

namespace {

QString randomPassword()
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    QString p;
    for (int i = 0; i < 32; ++i)
        p += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(int(sizeof(alphabet) - 1))]);
    return p;
}

} // namespace

MediaMtxSupervisor::MediaMtxSupervisor(const config::Config &config, QObject *parent)
    : QObject(parent), m_config(config), m_api(new MediaMtxApiClient(this))
{
    HookReaper::becomeSubreaper();
    m_hookTag = HookReaper::tagFor(config.stateDir());
    m_api->setEndpoint(config.string(QStringLiteral("mediamtx.api_host")), config.integer32(QStringLiteral("mediamtx.api_port")));
    m_readyPoll.setInterval(200);
    connect(&m_readyPoll, &QTimer::timeout, this, &MediaMtxSupervisor::pollReady);
    m_healthTimer.setInterval(config.integer32(QStringLiteral("mediamtx.health_check_interval_s")) * 1000);
    connect(&m_healthTimer, &QTimer::timeout, this, &MediaMtxSupervisor::healthCheck);
    m_restartTimer.setSingleShot(true);
    connect(&m_restartTimer, &QTimer::timeout, this, &MediaMtxSupervisor::launch);
}

MediaMtxSupervisor::~MediaMtxSupervisor()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        stopAndWait(5000);
}

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

bool MediaMtxSupervisor::available() const
{
    return m_state == State::Running && m_consecutiveFailures < m_config.integer32(QStringLiteral("mediamtx.failure_threshold"));
}

qint64 MediaMtxSupervisor::pid() const
{
    return m_process ? m_process->processId() : 0;
}

QString MediaMtxSupervisor::configPath() const
{
    return m_config.stateDir() + QStringLiteral("/mediamtx/mediamtx.yml");
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
    const bool changed = m_state != s || m_message != message;
    m_message = message;
    if (!changed)
        return;
    const bool stateChangedNow = m_state != s;
    m_state = s;
    qCInfo(lcMediaMtx).noquote() << "state" << stateName(s) << "-" << message;
    if (stateChangedNow)
        Q_EMIT stateChanged(s);
}

void MediaMtxSupervisor::start()
{
    m_stopping = false;
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
    // Hooks left over from a previous run that died would hold cameras and ports.
    HookReaper::sweep(m_hookTag);
    launch();
}

void MediaMtxSupervisor::launch()
{
    if (m_stopping)
        return;
    const QString dir = QFileInfo(configPath()).absolutePath();
    QDir().mkpath(dir);
    QString error;
    const QByteArray yaml = MediaMtxConfig::render(m_config, pathsProvider ? pathsProvider() : QList<PathSpec>(), m_authHttpAddress);
    if (!MediaMtxConfig::writeAtomically(configPath(), yaml, &error)) {
        setState(State::Error, QStringLiteral("cannot write the MediaMTX configuration: %1").arg(error));
        scheduleRestart(QStringLiteral("config not writable"));
        return;
    }
    // MediaMTX exits when one listener cannot bind: say which of our keys
    // and which port instead, and try again later (the holder may go away).
    if (const QString busy = MediaMtxListeners::checkFree(MediaMtxListeners::of(m_config)); !busy.isEmpty()) {
        qCWarning(lcMediaMtx).noquote() << "not launching MediaMTX:" << busy;
        scheduleRestart(busy);
        return;
    }
    if (const QString tls = MediaMtxConfig::tlsProblem(m_config); !tls.isEmpty()) {
        qCWarning(lcMediaMtx).noquote() << "not launching MediaMTX:" << tls;
        scheduleRestart(tls);
        return;
    }
    const QString password = randomPassword();
    m_apiPassword = password;
    m_api->setCredentials(MediaMtxConfig::apiUser(), password);
    m_api->resetBreaker();

    delete m_process;
    m_process = new QProcess(this);
    m_process->setProgram(m_binary);
    m_process->setArguments({configPath()});
    m_process->setWorkingDirectory(dir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TZ"), QStringLiteral("UTC"));
    env.insert(QString::fromLatin1(kLiteralDollarVariable), QStringLiteral("$"));  // PublisherCommand's literal '$'

    env.insert(QStringLiteral("MTX_AUTHINTERNALUSERS_%1_PASS").arg(MediaMtxConfig::kApiUserIndex), password);
    env.insert(QString::fromLatin1(HookReaper::kTagVariable), m_hookTag);
    m_process->setProcessEnvironment(env);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &MediaMtxSupervisor::forwardLog);
    connect(m_process, &QProcess::finished, this, &MediaMtxSupervisor::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            scheduleRestart(QStringLiteral("failed to start: ") + m_process->errorString());
    });
    m_everReady = false;
    m_consecutiveFailures = 0;
    m_version.clear();
    setState(State::Starting, QStringLiteral("starting %1").arg(m_binary));
    m_launchClock.start();
    m_process->start();
    m_readyPoll.start();
}

void MediaMtxSupervisor::pollReady()
{
    if (m_checkInFlight || !m_process || m_process->state() == QProcess::NotRunning)
        return;
    if (m_launchClock.elapsed() > m_config.integer(QStringLiteral("mediamtx.start_timeout_s")) * 1000) {
        m_readyPoll.stop();
        qCWarning(lcMediaMtx) << "API did not answer within" << m_config.integer(QStringLiteral("mediamtx.start_timeout_s")) << "s; restarting";
        m_process->kill();
        return;
    }
    m_checkInFlight = true;
    m_api->get(QStringLiteral("/v3/info"), [this](const MediaMtxApiClient::Response &r) {
        m_checkInFlight = false;
        if (!r.ok() || m_state != State::Starting)
            return;
        m_readyPoll.stop();
        m_everReady = true;
        m_version = r.body.object().value(QLatin1String("version")).toString();
        m_lastSuccess = QDateTime::currentDateTimeUtc();
        m_runningSince.start();
        setState(State::Running, QStringLiteral("API responding (%1)").arg(m_version));
        m_healthTimer.start();
        Q_EMIT ready();
    });
}

void MediaMtxSupervisor::healthCheck()
{
    if (m_checkInFlight || m_state != State::Running)
        return;
    m_checkInFlight = true;
    m_api->resetBreaker();  // health checks must reach MediaMTX to count
    // One attempt per check: with the GET retry a hung API cost two timeouts
    // per check, so detection took twice as long as interval/threshold promise.
    m_api->getOnce(QStringLiteral("/v3/info"), [this](const MediaMtxApiClient::Response &r) {
        m_checkInFlight = false;
        if (m_state != State::Running)
            return;
        if (r.ok()) {
            m_consecutiveFailures = 0;
            m_lastSuccess = QDateTime::currentDateTimeUtc();
            if (m_runningSince.isValid() && m_runningSince.elapsed() > 60000)
                m_attempt = 0;  // stable again: next failure restarts quickly
            setState(State::Running, QStringLiteral("API responding (%1)").arg(m_version));
            return;
        }
        ++m_consecutiveFailures;
        const int threshold = m_config.integer32(QStringLiteral("mediamtx.failure_threshold"));
        qCWarning(lcMediaMtx).noquote() << "health check failed" << m_consecutiveFailures << "of" << threshold << ":" << r.error;
        if (m_consecutiveFailures >= threshold) {
            m_healthTimer.stop();
            Q_EMIT unavailable(QStringLiteral("API not responding"));
            setState(State::Error, QStringLiteral("API not responding: restarting MediaMTX"));
            if (m_process) {
                // A hung process may ignore SIGTERM: it is killed.
                m_process->kill();
            }
        } else {
            setState(State::Running, QStringLiteral("API check failed (%1 of %2)").arg(m_consecutiveFailures).arg(threshold));
        }
    });
}

void MediaMtxSupervisor::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_readyPoll.stop();
    m_healthTimer.stop();
    m_checkInFlight = false;
    forwardLog();
    if (m_stopping) {
        HookReaper::sweep(m_hookTag);
        setState(State::Stopped, QStringLiteral("stopped"));
        Q_EMIT stopped();
        return;
    }
    const QString how = status == QProcess::CrashExit ? QStringLiteral("was killed or crashed")
                                                       : QStringLiteral("exited with code %1").arg(exitCode);
    qCWarning(lcMediaMtx).noquote() << "MediaMTX" << how;
    Q_EMIT unavailable(QStringLiteral("MediaMTX ") + how);
    // Its hooks survive a crash; they must not keep cameras open.
    HookReaper::sweep(m_hookTag);
    scheduleRestart(QStringLiteral("MediaMTX ") + how);
}

void MediaMtxSupervisor::scheduleRestart(const QString &reason)
{
    if (m_stopping)
        return;
    ++m_attempt;
    const double cap = double(m_config.integer(QStringLiteral("mediamtx.restart_max_backoff_s")));
    const double base = std::min(cap, std::pow(2.0, double(std::min(m_attempt - 1, 16))));
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    const int delayMs = int(base * jitter * 1000.0);
    ++m_restarts;
    setState(State::Error, QStringLiteral("%1; restarting in %2 s").arg(reason).arg(delayMs / 1000.0, 0, 'f', 1));
    m_restartTimer.start(delayMs);
}

void MediaMtxSupervisor::stop()
{
    m_stopping = true;
    m_restartTimer.stop();
    m_readyPoll.stop();
    m_healthTimer.stop();
    if (!m_process || m_process->state() == QProcess::NotRunning) {
        if (m_state != State::NotInstalled)
            setState(State::Stopped, QStringLiteral("stopped"));
        Q_EMIT stopped();
        return;
    }
    // MediaMTX handles SIGTERM gracefully: hooks get SIGINT and are awaited.
    ::kill(pid_t(m_process->processId()), SIGTERM);
    QTimer::singleShot(10000, m_process, [p = m_process] {
        if (p->state() != QProcess::NotRunning)
            p->kill();
    });
}

void MediaMtxSupervisor::stopAndWait(int timeoutMs)
{
    stop();
    if (m_process && m_process->state() != QProcess::NotRunning && !m_process->waitForFinished(timeoutMs)) {
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

void MediaMtxSupervisor::forwardLog()
{
    if (!m_process)
        return;
    m_logBuffer += m_process->readAllStandardOutput();
    qsizetype nl;
    while ((nl = m_logBuffer.indexOf('\n')) >= 0) {
        QByteArray line = m_logBuffer.left(nl).trimmed();
        m_logBuffer.remove(0, nl + 1);
        if (line.isEmpty())
            continue;
        // "2026/08/22 10:00:00 INF message": drop MediaMTX's own timestamp.
        if (line.size() > 20 && line[4] == '/' && line[7] == '/')
            line = line.mid(20);
        static const QRegularExpression exited(QStringLiteral("\\[path ([^\\]]+)\\] runOnDemand command exited:? ?(.*)$"));
        if (const QRegularExpressionMatch m = exited.match(QString::fromUtf8(line)); m.hasMatch())
            Q_EMIT publisherExited(m.captured(1), m.captured(2).trimmed());
        static const QRegularExpression sourceError(QStringLiteral("^ERR \\[path ([^\\]]+)\\] \\[RTSP source\\] (.*)$"));
        if (const QRegularExpressionMatch m = sourceError.match(QString::fromUtf8(line)); m.hasMatch())
            Q_EMIT sourceFailed(m.captured(1), m.captured(2).trimmed());
        if (line.startsWith("DEB"))
            qCDebug(lcMediaMtxLog).noquote() << QString::fromUtf8(line);
        else if (line.startsWith("ERR") || line.startsWith("WAR"))
            qCWarning(lcMediaMtxLog).noquote() << QString::fromUtf8(line);
        else
            qCInfo(lcMediaMtxLog).noquote() << QString::fromUtf8(line);
    }
    if (m_logBuffer.size() > 65536)
        m_logBuffer.clear();
}

} // namespace station::mediamtx
