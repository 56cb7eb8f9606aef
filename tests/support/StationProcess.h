#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
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
    // Before start(): run WITH MediaMTX instead of the default "/nonexistent"
    // binary. The binary is $STATION_TEST_MEDIAMTX when set (a real MediaMTX),
    // else the Python stand-in (tests/support/mediamtx-standin). Every
    // MediaMTX port gets a free loopback port; the stand-in logs each API
    // request to mediaMtxRequestLog(). Explicit --set arguments given to the
    // constructor still win (they come later on the command line).
    void useMediaMtx();
    bool usesMediaMtx() const { return m_useMediaMtx; }

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

    // With useMediaMtx(): the MediaMTX binary and the ports given to it.
    static QString mediaMtxBinary();        // $STATION_TEST_MEDIAMTX or STATION_STANDIN
    static bool usingRealMediaMtx();        // $STATION_TEST_MEDIAMTX is set
    static void announceMediaServer();      // says in the test output which media server runs
    quint16 mediaMtxPort(const QString &key) const { return m_mtxPorts.value(key); }  // "hls_port", …
    quint16 mediaMtxApiPort() const { return m_mtxPorts.value(QStringLiteral("api_port")); }
    quint16 mediaMtxRtspPort() const { return m_mtxPorts.value(QStringLiteral("rtsp_port")); }
    QString mediaMtxRequestLog() const { return m_dataDir + QStringLiteral("/standin-requests.jsonl"); }
    QString mediaMtxConfigPath() const { return stateDir() + QStringLiteral("/mediamtx/mediamtx.yml"); }
    // The running MediaMTX child of this station (its cmdline names the binary); 0 when none.
    qint64 mediaMtxPid() const;

    // A TCP port that was free on 127.0.0.1 a moment ago (bound to :0 and released).
    static quint16 freePort();
    // Live (non-zombie) processes whose command line contains `needle`.
    static QList<qint64> processesMatching(const QByteArray &needle);
    // Direct children of `pid` (from /proc/*/stat), and all descendants.
    static QList<qint64> childrenOf(qint64 pid);
    static QList<qint64> descendantsOf(qint64 pid);
    // Descendants of this station whose command line contains `needle`.
    QList<qint64> descendantsMatching(const QByteArray &needle) const;
    // The stand-in's request log (STANDIN_REQUEST_LOG), one object per API request.
    QList<QJsonObject> mediaMtxRequests() const;
    // A YAML file as JSON (parsed by python3-yaml, which the stand-in needs anyway).
    static QJsonValue yamlFileAsJson(const QString &path);
    static QByteArray cmdline(qint64 pid);  // NULs replaced by spaces; empty when gone
    static bool processAlive(qint64 pid);   // exists and is not a zombie

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
    bool m_useMediaMtx = false;
    QMap<QString, quint16> m_mtxPorts;
};

} // namespace station::test
