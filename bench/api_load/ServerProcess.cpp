#include "ServerProcess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QThread>

#include <csignal>

#include <sys/prctl.h>
#include <unistd.h>

namespace bench {

ServerProcess::ServerProcess(QString binary, QStringList args, QString logPath)
    : m_binary(std::move(binary)), m_args(std::move(args)), m_logPath(std::move(logPath))
{
}

ServerProcess::~ServerProcess()
{
    stop();
}

bool ServerProcess::start(QString *error)
{
    m_process.setProgram(m_binary);
    m_process.setArguments(m_args);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setStandardOutputFile(m_logPath);
    m_process.setStandardInputFile(QProcess::nullDevice());
    m_process.setChildProcessModifier([] {
        // If the benchmark dies (even by SIGKILL), the server goes with it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
    m_process.start();
    if (!m_process.waitForStarted(5000)) {
        *error = m_process.errorString();
        return false;
    }
    return true;
}

qint64 ServerProcess::pid() const
{
    return m_process.processId();
}

bool ServerProcess::isRunning() const
{
    return m_process.state() != QProcess::NotRunning;
}

qint64 ServerProcess::rssKb() const
{
    if (!isRunning())
        return -1;
    QFile f(QStringLiteral("/proc/%1/status").arg(pid()));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

bool ServerProcess::sendSigterm()
{
    return isRunning() && ::kill(pid_t(pid()), SIGTERM) == 0;
}

bool ServerProcess::waitExit(int timeoutMs)
{
    if (!isRunning())
        return true;
    return m_process.waitForFinished(timeoutMs);
}

void ServerProcess::stop()
{
    if (!isRunning())
        return;
    sendSigterm();
    if (!m_process.waitForFinished(12000)) {
        m_process.kill();
        m_process.waitForFinished(3000);
    }
}

QString ServerProcess::logTail(int lines) const
{
    QFile f(m_logPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> all = f.readAll().split('\n');
    QStringList tail;
    for (qsizetype i = std::max<qsizetype>(0, all.size() - lines); i < all.size(); ++i)
        tail << QString::fromUtf8(all[i]);
    return tail.join(QLatin1Char('\n'));
}

} // namespace bench
