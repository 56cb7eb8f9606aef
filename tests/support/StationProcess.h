#pragma once

#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace station::test {

// Starts the real `camera-station --headless` binary as a separate process
// with its own data folder and ephemeral ports, and tells the test where it
// listens. The JWT secret is fixed so tests can sign their own tokens.
class StationProcess
{
public:
    static QString binaryPath();  // build/bin/camera-station
    // True in the sanitizer build: AddressSanitizer's shadow memory and
    // allocator add tens of MB to a process's RSS, so memory budgets allow for it.
    static constexpr bool instrumented()
    {
#if defined(__SANITIZE_ADDRESS__)
        return true;
#else
        return false;
#endif
    }
    static constexpr qint64 instrumentationAllowanceBytes() { return instrumented() ? 96LL * 1024 * 1024 : 0; }
    static QByteArray testSecret() { return QByteArrayLiteral("integration-test-secret-0123456789abcdef"); }

    explicit StationProcess(QStringList extraArgs = {}, QString dataDir = {});
    ~StationProcess();

    // Before start(): extra environment for the station process; whether the
    // fixed test secret is passed with --set (off: the station resolves its own).
    void setEnv(const QString &name, const QString &value);
    void setUseTestSecret(bool use) { m_useTestSecret = use; }

    bool start(int timeoutMs = 10000);   // waits for "serving:" in the log
    void stop(int timeoutMs = 15000);    // SIGTERM, wait, SIGKILL
    void terminate();                    // SIGTERM only; the caller keeps its event loop running
    bool waitForExit(int timeoutMs = 15000);  // after terminate(); true when it exited in time
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    bool isRunning() const { return m_process.state() == QProcess::Running; }
    qint64 pid() const { return m_process.processId(); }

    quint16 apiPort() const { return m_apiPort; }
    quint16 healthPort() const { return m_healthPort; }
    QString wsUrl() const;
    QString httpBase() const;    // http://127.0.0.1:PORT
    QString healthBase() const;  // http://127.0.0.1:PORT
    QString dataDir() const { return m_dataDir; }
    QString recordingsDir() const { return m_dataDir + QStringLiteral("/recordings"); }
    QString snapshotsDir() const { return m_dataDir + QStringLiteral("/snapshots"); }
    QString stateDir() const { return m_dataDir + QStringLiteral("/state"); }
    QString log() const;  // everything the process printed so far

    // Runs the binary with `args` (e.g. {"apikey","create","--role","admin"}) against the same data folder.
    static int runTool(const QStringList &args, QString *stdoutText = nullptr, QString *stderrText = nullptr, int timeoutMs = 10000);
    // Same, with extra environment variables for the child.
    static int runToolEnv(const QStringList &args, const QList<QPair<QString, QString>> &env, QString *stdoutText = nullptr,
                          QString *stderrText = nullptr, int timeoutMs = 10000);
    int runAdmin(const QStringList &args, QString *stdoutText = nullptr, QString *stderrText = nullptr) const;

    // An HS256 session token signed with testSecret() (built here, not by the code under test).
    static QByteArray token(const QString &role, qint64 ttlSeconds = 3600, const QString &user = QStringLiteral("tester"));
    static QByteArray signJwt(const QJsonObject &header, const QJsonObject &claims, const QByteArray &secret = testSecret());

private:
    QProcess m_process;
    std::unique_ptr<QTemporaryDir> m_ownDir;
    QString m_dataDir;
    QStringList m_args;
    QByteArray m_output;
    quint16 m_apiPort = 0;
    quint16 m_healthPort = 0;
    bool m_useTestSecret = true;
};

} // namespace station::test
