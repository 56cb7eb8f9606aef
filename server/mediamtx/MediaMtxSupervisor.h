#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>

namespace station::config { class Config; }

namespace station::mediamtx {

// Life of the MediaMTX child process. States of the issue: STARTING,
// RUNNING, ERROR, STOPPED, NOT_INSTALLED.
class MediaMtxSupervisor : public QObject
{
    Q_OBJECT
public:
    enum class State { NotInstalled, Stopped, Starting, Running, Error };
    Q_ENUM(State)

    explicit MediaMtxSupervisor(const config::Config &config, QObject *parent = nullptr);

    void start();
    void stop();

    State state() const { return m_state; }
    static QString stateName(State s);  // NOT_INSTALLED, STOPPED, STARTING, RUNNING, ERROR
    bool available() const { return m_state == State::Running; }
    QString binaryPath() const { return m_binary; }
    QString version() const { return m_version; }
    QString statusMessage() const { return m_message; }  // a sentence; the fix when not installed
    int restarts() const { return m_restarts; }
    int consecutiveFailures() const { return m_consecutiveFailures; }
    QDateTime lastSuccess() const { return m_lastSuccess; }

    // mediamtx.binary, else PATH, /usr/local/bin/mediamtx, /opt/mediamtx/mediamtx.
    static QString locateBinary(const config::Config &config);

Q_SIGNALS:
    void stateChanged(station::mediamtx::MediaMtxSupervisor::State state);

private:
    void setState(State s, const QString &message);
    const config::Config &m_config;
    State m_state = State::Stopped;
    QString m_binary;
    QString m_version;
    QString m_message;
    int m_restarts = 0;
    int m_consecutiveFailures = 0;
    QDateTime m_lastSuccess;
};

} // namespace station::mediamtx
