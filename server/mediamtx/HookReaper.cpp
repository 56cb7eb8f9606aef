#include "mediamtx/HookReaper.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QList>
#include <QLoggingCategory>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

Q_DECLARE_LOGGING_CATEGORY(lcMediaMtx)

namespace station::mediamtx::HookReaper {

void becomeSubreaper()
{
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

QString tagFor(const QString &stateDir)
{
    return QString::fromLatin1(QCryptographicHash::hash(QDir(stateDir).absolutePath().toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
}

static QList<qint64> tagged(const QString &tag, qint64 exceptPid, const QByteArray &alsoNeeded = {})
{
    const QByteArray needle = QByteArray(kTagVariable) + '=' + tag.toLatin1();
    QList<qint64> pids;
    const qint64 self = ::getpid();
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (!ok || pid == self || pid == exceptPid)
            continue;
        QFile f(QStringLiteral("/proc/%1/environ").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> vars = f.readAll().split('\0');
        if (vars.contains(needle) && (alsoNeeded.isEmpty() || vars.contains(alsoNeeded)))
            pids << pid;
    }
    return pids;
}

int sweep(const QString &tag, qint64 exceptPid, int graceMs)
{
    const QList<qint64> found = tagged(tag, exceptPid);
    if (found.isEmpty())
        return 0;
    qCWarning(lcMediaMtx) << "terminating" << found.size() << "leftover MediaMTX hook process(es):" << found;
    for (qint64 pid : found)
        ::kill(pid_t(pid), SIGTERM);
    QDeadlineTimer deadline(graceMs);
    QList<qint64> alive = found;
    while (!alive.isEmpty() && !deadline.hasExpired()) {
        reap(alive);
        alive.removeIf([](qint64 pid) { return ::kill(pid_t(pid), 0) != 0; });
        if (!alive.isEmpty())
            QThread::msleep(50);
    }
    for (qint64 pid : alive)
        ::kill(pid_t(pid), SIGKILL);
    QThread::msleep(20);
    reap(found);
    return int(found.size());
}

qint64 hookPid(const QString &tag, const QString &pathName)
{
    const QList<qint64> found = tagged(tag, 0, QByteArrayLiteral("MTX_PATH=") + pathName.toUtf8());
    for (qint64 pid : found) {
        // Skip zombies: "pid (comm) Z ..."
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray st = stat.readAll();
        const qsizetype close = st.lastIndexOf(')');
        if (close >= 0 && close + 2 < st.size() && st.at(close + 2) != 'Z')
            return pid;
    }
    return 0;
}

void reap(const QList<qint64> &pids)
{
    for (qint64 pid : pids)
        ::waitpid(pid_t(pid), nullptr, WNOHANG);
}

} // namespace station::mediamtx::HookReaper
