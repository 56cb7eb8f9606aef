#pragma once

#include "mediamtx/MediaMtxConfig.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>

#include <functional>

namespace station::config { class Config; }

namespace station::mediamtx {

class MediaMtxApiClient;

// Life of the MediaMTX child process: writes its config, launches it with
// QProcess (absolute config path, writable working directory, TZ=UTC, a
// per-launch API password in its environment), waits for GET /v3/info,
// checks it every health_check_interval_s and restarts it with capped,
// jittered exponential backoff when it exits or its API hangs. Stops it with
// SIGTERM, then SIGKILL. Leftover hook processes are swept (HookReaper).
class MediaMtxSupervisor : public QObject
{
    Q_OBJECT
public:
    enum class State { NotInstalled, Stopped, Starting, Running, Error };
    Q_ENUM(State)

    explicit MediaMtxSupervisor(const config::Config &config, QObject *parent = nullptr);
    ~MediaMtxSupervisor() override;

    // The paths MediaMTX is launched with (the station's cameras).
    std::function<QList<PathSpec>()> pathsProvider;

    void start();
    void stop();                         // graceful; emits stopped()
    void stopAndWait(int timeoutMs);     // for shutdown

    State state() const { return m_state; }
    static QString stateName(State s);   // NOT_INSTALLED, STOPPED, STARTING, RUNNING, ERROR
    bool available() const;              // API answered since launch and < threshold failures
    QString binaryPath() const { return m_binary; }
    QString version() const { return m_version; }
    QString statusMessage() const { return m_message; }
    int restarts() const { return m_restarts; }
    int consecutiveFailures() const { return m_consecutiveFailures; }
    QDateTime lastSuccess() const { return m_lastSuccess; }
    qint64 pid() const;
    MediaMtxApiClient *api() const { return m_api; }
    QString configPath() const;
    QString hookTag() const { return m_hookTag; }
    // MediaMTX's authHTTPAddress (set before start()); empty: authMethod internal.
    void setAuthHttpAddress(const QString &url) { m_authHttpAddress = url; }
    // Whether (user, password) is this launch's API credential (StreamAccess asks).
    bool isApiCredential(const QString &user, const QString &password) const
    {
        return !m_apiPassword.isEmpty() && user == MediaMtxConfig::apiUser() && password == m_apiPassword;
    }  // HookReaper tag of this station's hooks

    static QString locateBinary(const config::Config &config);

Q_SIGNALS:
    void stateChanged(station::mediamtx::MediaMtxSupervisor::State state);
    void ready();                 // the API answers after a (re)launch
    void unavailable(const QString &reason);  // crashed, hung, or stopped answering
    void stopped();
    // MediaMTX logged that a path's runOnDemand command (our publisher) exited:
    // "[path NAME] runOnDemand command exited: ERR" (v1.20.1 internal/hooks/on_demand.go).
    void publisherExited(const QString &path, const QString &detail);
    // MediaMTX could not read a path's static source (a network camera's rtsp://):
    // "ERR [path NAME] [RTSP source] DETAIL", logged at each failed attempt before
    // its 5 s retry (v1.20.1 internal/staticsources/handler.go run, rtsp/source.go Log).
    void sourceFailed(const QString &path, const QString &detail);

private:
    void setState(State s, const QString &message);
    void launch();
    void pollReady();
    void healthCheck();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void scheduleRestart(const QString &reason);
    void forwardLog();

    const config::Config &m_config;
    QProcess *m_process = nullptr;
    MediaMtxApiClient *m_api = nullptr;
    State m_state = State::Stopped;
    QString m_binary;
    QString m_version;
    QString m_message;
    QString m_authHttpAddress;
    QString m_apiPassword;
    QString m_hookTag;
    int m_restarts = 0;
    int m_attempt = 0;
    int m_consecutiveFailures = 0;
    bool m_everReady = false;     // since the current launch
    bool m_stopping = false;
    bool m_checkInFlight = false;
    QDateTime m_lastSuccess;
    QElapsedTimer m_launchClock;
    QElapsedTimer m_runningSince;
    QTimer m_readyPoll;
    QTimer m_healthTimer;
    QTimer m_restartTimer;
    QByteArray m_logBuffer;
};

} // namespace station::mediamtx
