#include "TestFiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>

#include <sys/stat.h>
#include <utime.h>

namespace station::test::files {

namespace {

bool ffmpeg(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("ffmpeg"), QStringList{QStringLiteral("-hide_banner"), QStringLiteral("-loglevel"), QStringLiteral("error")} + args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return false;
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("ffmpeg failed: %s", p.readAll().constData());
        return false;
    }
    return true;
}

} // namespace

bool makeMp4(const QString &path, int seconds, const QString &size)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    return ffmpeg({QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"), QStringLiteral("testsrc2=size=%1:rate=25").arg(size),
                   QStringLiteral("-t"), QString::number(seconds), QStringLiteral("-c:v"), QStringLiteral("libx264"),
                   QStringLiteral("-preset"), QStringLiteral("veryfast"), QStringLiteral("-pix_fmt"), QStringLiteral("yuv420p"),
                   QStringLiteral("-movflags"), QStringLiteral("+frag_keyframe+empty_moov+default_base_moof"),
                   QStringLiteral("-frag_duration"), QStringLiteral("1000000"), QStringLiteral("-y"), path});
}

bool makeJpeg(const QString &path, int width, int height)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    return ffmpeg({QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                   QStringLiteral("testsrc2=size=%1x%2:rate=1").arg(width).arg(height), QStringLiteral("-frames:v"), QStringLiteral("1"),
                   QStringLiteral("-y"), path});
}

QByteArray writeBytes(const QString &path, qint64 size, quint32 seed)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QRandomGenerator gen(seed);
    QByteArray data(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        data[i] = char(gen.bounded(256));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != size)
        return {};
    return data;
}

bool copy(const QString &src, const QString &dst)
{
    QDir().mkpath(QFileInfo(dst).absolutePath());
    QFile::remove(dst);
    return QFile::copy(src, dst);
}

bool setMtime(const QString &path, const QDateTime &time)
{
    utimbuf t{};
    t.actime = time_t(time.toSecsSinceEpoch());
    t.modtime = time_t(time.toSecsSinceEpoch());
    return ::utime(QFile::encodeName(path).constData(), &t) == 0;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace station::test::files
