#include "mediamtx/PublisherCommand.h"

#include <QRegularExpression>
#include <QStringList>

namespace station::mediamtx {

namespace {

// One IDR per second so HLS segments and WebRTC joins start fast, and one
// every 0.25 s for the first 2 s: a publisher starts on demand when its first
// reader arrives, and a reader (MediaMTX keeps no GOP for it) shows nothing
// until the next IDR, so the first picture waits at most 0.25 s, not 1 s.
QStringList h264Encode(int fps)
{
    const QString gop = QString::number(fps > 0 ? fps : 25);
    return {QStringLiteral("-c:v"), QStringLiteral("libx264"), QStringLiteral("-preset"), QStringLiteral("ultrafast"),
            QStringLiteral("-tune"), QStringLiteral("zerolatency"), QStringLiteral("-pix_fmt"), QStringLiteral("yuv420p"),
            QStringLiteral("-force_key_frames"), QStringLiteral("expr:if(lt(t,2),gte(t,n_forced*0.25),0)"),
            QStringLiteral("-g"), gop, QStringLiteral("-b:v"), QStringLiteral("2M"), QStringLiteral("-maxrate"), QStringLiteral("2M"),
            QStringLiteral("-bufsize"), QStringLiteral("4M")};
}

const QStringList kPublish{QStringLiteral("-f"), QStringLiteral("rtsp"), QStringLiteral("-rtsp_transport"), QStringLiteral("tcp"),
                           QStringLiteral("rtsp://127.0.0.1:$RTSP_PORT/$MTX_PATH")};

// MediaMTX v1.20.1 runs a hook without a shell (internal/externalcmd/cmd_os.go
// runOSSpecific): github.com/kballard/go-shellquote Split, then os.Expand of
// $VAR/${VAR} on every part (cmd.go expandEnv), quoted or not. So: quote
// every argument that is not plain, and write each literal '$' as
// ${STATION_LITERAL_DOLLAR}, a variable the supervisor sets to "$" in
// MediaMTX's environment (os.Expand has no escape for '$').
QString quoted(const QString &arg)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    QString a = arg;
    a.replace(QLatin1Char('$'), QStringLiteral("${") + QLatin1String(kLiteralDollarVariable) + QLatin1Char('}'));
    if (!a.isEmpty() && plain.match(a).hasMatch())
        return a;
    // Single quotes keep everything literal for shellquote; a ' is closed, escaped, reopened.
    a.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + a + QLatin1Char('\'');
}

} // namespace

QString publisherCommand(const cameras::Camera &camera)
{
    const QString size = camera.resolution.isEmpty() ? QStringLiteral("640x360") : camera.resolution;
    const int fps = camera.fps > 0 ? camera.fps : 25;
    QStringList args{QStringLiteral("ffmpeg"), QStringLiteral("-hide_banner"), QStringLiteral("-loglevel"), QStringLiteral("error"),
                     QStringLiteral("-nostdin")};
    if (camera.sourceType == QLatin1String("test")) {
        args << QStringLiteral("-re") << QStringLiteral("-f") << QStringLiteral("lavfi") << QStringLiteral("-i")
             << QStringLiteral("testsrc2=size=%1:rate=%2").arg(size).arg(fps);
        args << h264Encode(fps);
    } else if (camera.sourceType == QLatin1String("v4l2")) {
        args << QStringLiteral("-f") << QStringLiteral("v4l2");
        const QString fmt = camera.inputFormat.toUpper();
        if (fmt == QLatin1String("MJPG"))
            args << QStringLiteral("-input_format") << QStringLiteral("mjpeg");
        else if (fmt == QLatin1String("H264"))
            args << QStringLiteral("-input_format") << QStringLiteral("h264");
        else if (fmt == QLatin1String("YUYV"))
            args << QStringLiteral("-input_format") << QStringLiteral("yuyv422");
        args << QStringLiteral("-video_size") << size << QStringLiteral("-framerate") << QString::number(fps)
             << QStringLiteral("-i") << camera.devicePath;
        if (fmt == QLatin1String("H264"))
            args << QStringLiteral("-c:v") << QStringLiteral("copy");
        else
            args << h264Encode(fps);
    } else {
        return {};
    }
    QStringList parts;
    for (const QString &a : std::as_const(args))
        parts << quoted(a);
    // The publish URL's $RTSP_PORT and $MTX_PATH are meant for MediaMTX to expand.
    parts << kPublish;
    return parts.join(QLatin1Char(' '));
}

} // namespace station::mediamtx
