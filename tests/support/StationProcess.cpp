#include "StationProcess.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTcpServer>
#include <QSet>
#include <QUdpSocket>
#include <QRandomGenerator>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QThread>

#include <csignal>

namespace station::test {

QString StationProcess::binaryPath()
{
    return QStringLiteral(STATION_BINARY);
}

StationProcess::StationProcess(QStringList extraArgs, QString dataDir) : m_args(std::move(extraArgs))
{
    if (dataDir.isEmpty()) {
        m_ownDir = std::make_unique<QTemporaryDir>();
        m_dataDir = m_ownDir->path();
    } else {
        m_dataDir = dataDir;
    }
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    m_process.setProcessEnvironment(env);
}

StationProcess::~StationProcess()
{
    stop();
}

void StationProcess::setEnv(const QString &name, const QString &value)
{
    QProcessEnvironment env = m_process.processEnvironment();
    env.insert(name, value);
    m_process.setProcessEnvironment(env);
}

bool StationProcess::start(int timeoutMs)
{
    QStringList args{QStringLiteral("--headless"),
                     QStringLiteral("--config"), QStringLiteral("/dev/null"),
                     QStringLiteral("--data-dir"), m_dataDir,
                     QStringLiteral("--set"), QStringLiteral("server.host=127.0.0.1"),
                     QStringLiteral("--set"), QStringLiteral("server.port=0"),
                     QStringLiteral("--set"), QStringLiteral("health.host=127.0.0.1"),
                     QStringLiteral("--set"), QStringLiteral("health.port=0")};
    if (m_useMediaMtx) {
        args << QStringLiteral("--set") << QStringLiteral("mediamtx.binary=") + mediaMtxBinary();
        for (auto it = m_mtxPorts.cbegin(); it != m_mtxPorts.cend(); ++it)
            args << QStringLiteral("--set") << QStringLiteral("mediamtx.%1=%2").arg(it.key()).arg(it.value());
    } else {
        args << QStringLiteral("--set") << QStringLiteral("mediamtx.binary=/nonexistent/mediamtx");
    }
    if (m_useTestSecret)
        args << QStringLiteral("--set") << QStringLiteral("security.jwt_secret=") + QString::fromLatin1(testSecret());
    args += m_args;
    m_output.clear();
    m_process.start(binaryPath(), args);
    if (!m_process.waitForStarted(5000))
        return false;
    static const QRegularExpression re(QStringLiteral("serving: ws://[^:]+:(\\d+)/\\S*, health on port (\\d+)"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process.waitForReadyRead(100))
            m_output += m_process.readAll();
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(m_output));
        if (m.hasMatch()) {
            m_apiPort = quint16(m.captured(1).toUInt());
            m_healthPort = quint16(m.captured(2).toUInt());
            return true;
        }
        if (m_process.state() != QProcess::Running)
            return false;
    }
    return false;
}

void StationProcess::stop(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(m_process.processId()), SIGTERM);
    if (!m_process.waitForFinished(timeoutMs)) {
        // A hung station cannot stop its children (MediaMTX, ffmpeg): they go too.
        const QList<qint64> children = descendantsOf(m_process.processId());
        m_process.kill();
        m_process.waitForFinished(5000);
        for (qint64 child : children)
            ::kill(pid_t(child), SIGKILL);
    }
    m_output += m_process.readAll();
}

void StationProcess::terminate()
{
    if (m_process.state() == QProcess::Running)
        ::kill(pid_t(m_process.processId()), SIGTERM);
}

bool StationProcess::waitForExit(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_process.state() != QProcess::NotRunning) {
        if (deadline.hasExpired())
            return false;
        // Keep the caller's sockets serviced while waiting.
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        m_process.waitForFinished(20);
    }
    m_output += m_process.readAll();
    return true;
}

void StationProcess::useMediaMtx()
{
    m_useMediaMtx = true;
    m_mtxPorts.clear();
    QList<quint16> taken;
    for (const char *key : {"api_port", "rtsp_port", "hls_port", "webrtc_port", "webrtc_udp_port", "metrics_port", "playback_port"}) {
        quint16 p = 0;
        do {
            p = freePort();
        } while (p == 0 || taken.contains(p));
        taken << p;
        m_mtxPorts.insert(QString::fromLatin1(key), p);
    }
    setEnv(QStringLiteral("STANDIN_AUTH_FAIL_DELAY_S"), QStringLiteral("0"));
    setEnv(QStringLiteral("STANDIN_REQUEST_LOG"), mediaMtxRequestLog());
}

QString StationProcess::mediaMtxBinary()
{
    const QString real = qEnvironmentVariable("STATION_TEST_MEDIAMTX");
    return real.isEmpty() ? QStringLiteral(STATION_STANDIN) : real;
}

bool StationProcess::usingRealMediaMtx()
{
    return !qEnvironmentVariable("STATION_TEST_MEDIAMTX").isEmpty();
}

quint16 StationProcess::freePort()
{
    // Below the kernel's ephemeral range: a port the kernel hands out for port 0 can be
    // taken again by any client connection of a test running in parallel before the
    // station binds it (seen in CI: MediaMTX's HLS port "already in use"). Random in
    // 20000..(ephemeral start - 1), free for TCP and UDP on every address, never the
    // same twice in this process.
    static QSet<quint16> given;
    int low = 32768;
    QFile range(QStringLiteral("/proc/sys/net/ipv4/ip_local_port_range"));
    if (range.open(QIODevice::ReadOnly))
        low = range.readAll().simplified().split(' ').value(0).toInt();
    const int first = 20000, last = std::max(first + 1000, low - 1);
    for (int attempt = 0; attempt < 200; ++attempt) {
        const quint16 p = quint16(first + int(QRandomGenerator::global()->bounded(last - first)));
        if (given.contains(p))
            continue;
        QTcpServer tcp;
        QUdpSocket udp;
        if (!tcp.listen(QHostAddress::Any, p) || !udp.bind(QHostAddress::Any, p))
            continue;
        given.insert(p);
        return p;
    }
    QTcpServer s;  // fall back to the kernel's choice
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

QByteArray StationProcess::cmdline(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QByteArray c = f.readAll();
    c.replace('\0', ' ');
    return c.trimmed();
}

static QByteArray procStat(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool StationProcess::processAlive(qint64 pid)
{
    const QByteArray st = procStat(pid);
    const qsizetype close = st.lastIndexOf(')');
    if (close < 0 || close + 2 >= st.size())
        return false;
    const char state = st.at(close + 2);
    return state != 'Z' && state != 'X';
}

QList<qint64> StationProcess::childrenOf(qint64 pid)
{
    QList<qint64> out;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 p = e.toLongLong(&ok);
        if (!ok)
            continue;
        const QByteArray st = procStat(p);
        const qsizetype close = st.lastIndexOf(')');
        if (close < 0)
            continue;
        // "pid (comm) S ppid ..."
        const QList<QByteArray> fields = st.mid(close + 2).split(' ');
        if (fields.size() > 1 && fields.at(1).toLongLong() == pid && processAlive(p))
            out << p;
    }
    return out;
}

QList<qint64> StationProcess::descendantsOf(qint64 pid)
{
    QList<qint64> out;
    QList<qint64> todo{pid};
    while (!todo.isEmpty()) {
        const QList<qint64> kids = childrenOf(todo.takeFirst());
        out += kids;
        todo += kids;
    }
    return out;
}

QList<qint64> StationProcess::descendantsMatching(const QByteArray &needle) const
{
    QList<qint64> out;
    if (!isRunning())
        return out;
    for (qint64 p : descendantsOf(pid())) {
        if (cmdline(p).contains(needle))
            out << p;
    }
    return out;
}

QList<QJsonObject> StationProcess::mediaMtxRequests() const
{
    QList<QJsonObject> out;
    QFile f(mediaMtxRequestLog());
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    }
    return out;
}

QJsonValue StationProcess::yamlFileAsJson(const QString &path)
{
    QProcess p;
    p.start(QStringLiteral("python3"), {QStringLiteral("-c"),
                                        QStringLiteral("import json, sys, yaml; print(json.dumps({'doc': yaml.safe_load(open(sys.argv[1]))}))"),
                                        path});
    if (!p.waitForFinished(10000) || p.exitCode() != 0)
        return QJsonValue(QJsonValue::Undefined);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QLatin1String("doc"));
}

QList<qint64> StationProcess::processesMatching(const QByteArray &needle)
{
    QList<qint64> out;
    const qint64 self = QCoreApplication::applicationPid();
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 p = e.toLongLong(&ok);
        if (!ok || p == self)
            continue;
        if (cmdline(p).contains(needle) && processAlive(p))
            out << p;
    }
    return out;
}

qint64 StationProcess::mediaMtxPid() const
{
    if (!isRunning())
        return 0;
    const QByteArray binary = QFileInfo(mediaMtxBinary()).fileName().toUtf8();
    for (qint64 child : childrenOf(pid())) {
        if (cmdline(child).contains(binary))
            return child;
    }
    return 0;
}

QString StationProcess::log() const
{
    auto *self = const_cast<StationProcess *>(this);
    self->m_output += self->m_process.readAll();
    return QString::fromUtf8(m_output);
}

QString StationProcess::wsUrl() const { return QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_apiPort); }
QString StationProcess::httpBase() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_apiPort); }
QString StationProcess::healthBase() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_healthPort); }

int StationProcess::runTool(const QStringList &args, QString *stdoutText, QString *stderrText, int timeoutMs)
{
    return runToolEnv(args, {}, stdoutText, stderrText, timeoutMs);
}

int StationProcess::runToolEnv(const QStringList &args, const QList<QPair<QString, QString>> &extraEnv, QString *stdoutText,
                               QString *stderrText, int timeoutMs)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    for (const auto &e : extraEnv)
        env.insert(e.first, e.second);
    p.setProcessEnvironment(env);
    p.start(binaryPath(), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (stdoutText)
        *stdoutText = QString::fromUtf8(p.readAllStandardOutput());
    if (stderrText)
        *stderrText = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

int StationProcess::runAdmin(const QStringList &args, QString *stdoutText, QString *stderrText) const
{
    QStringList all{QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--data-dir"), m_dataDir,
                    QStringLiteral("--set"), QStringLiteral("security.jwt_secret=") + QString::fromLatin1(testSecret())};
    all += args;
    return runTool(all, stdoutText, stderrText);
}

QByteArray StationProcess::signJwt(const QJsonObject &header, const QJsonObject &claims, const QByteArray &secret)
{
    const auto b64 = [](const QByteArray &b) { return b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals); };
    const QByteArray signingInput = b64(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return signingInput + '.' + b64(QMessageAuthenticationCode::hash(signingInput, secret, QCryptographicHash::Sha256));
}

QByteArray StationProcess::token(const QString &role, qint64 ttlSeconds, const QString &user)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return signJwt({{QStringLiteral("alg"), QStringLiteral("HS256")}, {QStringLiteral("typ"), QStringLiteral("JWT")}},
                   {{QStringLiteral("user_id"), user}, {QStringLiteral("role"), role},
                    {QStringLiteral("iat"), now}, {QStringLiteral("exp"), now + ttlSeconds}});
}

// Which media server this run uses, in the test output (README: STATION_TEST_MEDIAMTX).
void StationProcess::announceMediaServer()
{
    if (usingRealMediaMtx()) {
        QProcess v;
        v.start(mediaMtxBinary(), {QStringLiteral("--version")});
        v.waitForFinished(5000);
        qInfo("MEDIA SERVER: real MediaMTX %s (%s, from STATION_TEST_MEDIAMTX)", v.readAll().trimmed().constData(),
              qPrintable(mediaMtxBinary()));
    } else {
        qInfo("MEDIA SERVER: the MediaMTX stand-in (%s); set STATION_TEST_MEDIAMTX=/path/to/mediamtx for the real one",
              qPrintable(mediaMtxBinary()));
    }
}

} // namespace station::test
