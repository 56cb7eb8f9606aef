#include "FaultTools.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace station::test {

namespace {

int run(const QString &program, const QStringList &args, QString *output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(15000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

} // namespace

TmpfsMount::TmpfsMount(int sizeMiB)
{
    QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/station-tmpfs-XXXXXX"));
    if (!dir.isValid()) {
        m_error = dir.errorString();
        return;
    }
    dir.setAutoRemove(false);
    m_path = dir.path();
    QString out;
    const int rc = run(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                                 QStringLiteral("size=%1m,mode=0755").arg(sizeMiB), QStringLiteral("tmpfs"), m_path},
                       &out);
    m_mounted = rc == 0;
    if (!m_mounted)
        m_error = QStringLiteral("mount exited %1: %2").arg(rc).arg(out.trimmed());
}

TmpfsMount::~TmpfsMount()
{
    if (m_mounted && run(QStringLiteral("umount"), {m_path}) != 0) {
        // Something (a leftover child of the station) still holds it: detach now,
        // the kernel frees it when the last user goes.
        run(QStringLiteral("umount"), {QStringLiteral("-l"), m_path});
    }
    if (!m_path.isEmpty())
        QDir(m_path).removeRecursively();
}

qint64 TmpfsMount::totalBytes() const
{
    struct statvfs v {};
    return ::statvfs(QFile::encodeName(m_path).constData(), &v) == 0 ? qint64(v.f_blocks) * qint64(v.f_frsize) : -1;
}

qint64 TmpfsMount::freeBytes() const
{
    struct statvfs v {};
    return ::statvfs(QFile::encodeName(m_path).constData(), &v) == 0 ? qint64(v.f_bfree) * qint64(v.f_frsize) : -1;
}

double TmpfsMount::usagePercent() const
{
    const qint64 total = totalBytes();
    return total > 0 ? double(total - freeBytes()) * 100.0 / double(total) : -1;
}

static qint64 writeZeros(const QString &path, qint64 bytes, int *err)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (err)
            *err = errno;
        return 0;
    }
    static const QByteArray chunk(64 * 1024, '\0');
    qint64 written = 0;
    int e = 0;
    while (bytes < 0 || written < bytes) {
        const size_t n = size_t(bytes < 0 ? chunk.size() : std::min<qint64>(chunk.size(), bytes - written));
        const ssize_t w = ::write(fd, chunk.constData(), n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            break;
        }
        written += w;
    }
    ::close(fd);
    if (err)
        *err = e;
    return written;
}

qint64 writeFiller(const QString &path, qint64 bytes, int *err)
{
    return writeZeros(path, std::max<qint64>(0, bytes), err);
}

qint64 fillUntilEnospc(const QString &path, int *err)
{
    return writeZeros(path, -1, err);
}

int openFdCount(qint64 pid)
{
    QDir d(QStringLiteral("/proc/%1/fd").arg(pid));
    if (!d.exists())
        return -1;
    return int(d.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size());
}

qint64 fdLimit()
{
    struct rlimit r {};
    return ::getrlimit(RLIMIT_NOFILE, &r) == 0 ? qint64(r.rlim_cur) : -1;
}

double probeDuration(const QString &path)
{
    QProcess p;
    p.start(QStringLiteral("ffprobe"), {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-show_entries"),
                                        QStringLiteral("format=duration"), QStringLiteral("-of"), QStringLiteral("csv=p=0"), path});
    if (!p.waitForFinished(20000) || p.exitCode() != 0)
        return -1;
    bool ok = false;
    const double d = p.readAllStandardOutput().trimmed().toDouble(&ok);
    return ok ? d : -1;
}

} // namespace station::test
