#include "StationProcess.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
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
                     QStringLiteral("--set"), QStringLiteral("health.port=0"),
                     QStringLiteral("--set"), QStringLiteral("mediamtx.binary=/nonexistent/mediamtx")};
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
        m_process.kill();
        m_process.waitForFinished(5000);
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

} // namespace station::test
