#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace bench {

// The camera-station child process. It dies with the benchmark (PR_SET_PDEATHSIG),
// its output goes to a log file, and stop() always leaves no process behind.
class ServerProcess
{
public:
    ServerProcess(QString binary, QStringList args, QString logPath);
    ~ServerProcess();

    void setEnvironment(const QProcessEnvironment &env) { m_process.setProcessEnvironment(env); }
    bool start(QString *error);
    qint64 pid() const;
    bool isRunning() const;
    qint64 rssKb() const;       // VmRSS from /proc/<pid>/status; -1 if unavailable
    bool sendSigterm();
    bool waitExit(int timeoutMs);  // true: exited within the timeout
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    void stop();               // SIGTERM, then SIGKILL after 12 s
    QString logTail(int lines) const;

private:
    QString m_binary;
    QStringList m_args;
    QString m_logPath;
    QProcess m_process;
};

} // namespace bench
