#include "media/MediaProbe.h"

#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <mutex>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
}

Q_LOGGING_CATEGORY(lcProbe, "station.files.probe")

namespace station::media {

namespace {

// RAII for an opened demuxer. Only the header is read: for fragmented MP4
// the mov demuxer walks every moof while reading the header (no sidx/mfra
// needed), so the duration is known without decoding, and a truncated last
// fragment still gives the duration so far.
struct Demuxer {
    AVFormatContext *ctx = nullptr;
    explicit Demuxer(const QString &path)
    {
        // Partial and foreign files are normal in the media folders; the
        // result says so, libav's own stderr lines would only be noise.
        static std::once_flag quiet;
        std::call_once(quiet, [] { av_log_set_level(AV_LOG_FATAL); });
        const QByteArray p = QFile::encodeName(path);
        AVDictionary *opts = nullptr;
        if (avformat_open_input(&ctx, p.constData(), av_find_input_format("mp4"), &opts) < 0)
            ctx = nullptr;
        av_dict_free(&opts);
    }
    ~Demuxer() { avformat_close_input(&ctx); }
    Demuxer(const Demuxer &) = delete;
    Demuxer &operator=(const Demuxer &) = delete;
};

std::optional<double> durationOf(AVFormatContext *ctx)
{
    if (ctx->duration != AV_NOPTS_VALUE && ctx->duration > 0)
        return double(ctx->duration) / AV_TIME_BASE;
    double best = -1;
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        const AVStream *s = ctx->streams[i];
        if (s->duration != AV_NOPTS_VALUE && s->duration > 0)
            best = std::max(best, double(s->duration) * av_q2d(s->time_base));
    }
    if (best >= 0)
        return best;
    return std::nullopt;
}

quint16 be16(const uchar *p) { return quint16(p[0] << 8 | p[1]); }

} // namespace

namespace MediaProbe {

std::optional<double> mp4Duration(const QString &path)
{
    Demuxer dm(path);
    if (!dm.ctx)
        return std::nullopt;
    if (auto d = durationOf(dm.ctx))
        return d;
    // A file with a moov but no complete fragment yet: zero so far.
    if (dm.ctx->nb_streams > 0)
        return 0.0;
    return std::nullopt;
}

std::optional<QDateTime> mp4CreationTime(const QString &path)
{
    Demuxer dm(path);
    if (!dm.ctx)
        return std::nullopt;
    const AVDictionaryEntry *e = av_dict_get(dm.ctx->metadata, "creation_time", nullptr, 0);
    if (!e || !e->value)
        return std::nullopt;
    // libavformat renders it as 2025-01-15T14:30:00.000000Z.
    static const QRegularExpression re(QStringLiteral(
        R"(^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z?$)"));
    const auto m = re.match(QString::fromUtf8(e->value));
    if (!m.hasMatch())
        return std::nullopt;
    const QDate date = QDate::fromString(m.captured(1), Qt::ISODate);
    QTime time = QTime::fromString(m.captured(2), Qt::ISODate);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    time = time.addMSecs(m.captured(3).left(3).leftJustified(3, QLatin1Char('0')).toInt());
    QDateTime t(date, time, Qt::UTC);
    // Writers that do not know the time leave the 1904 (MP4) or 1970 epoch.
    if (t.toSecsSinceEpoch() <= 86400)
        return std::nullopt;
    return t;
}

QSize imageSize(const QString &path)
{
    // Walk the JPEG markers up to the first SOFn; no image plugin needed.
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray head = f.read(2);
    if (head.size() != 2 || uchar(head[0]) != 0xFF || uchar(head[1]) != 0xD8)
        return {};
    for (int guard = 0; guard < 1000; ++guard) {
        uchar marker = 0;
        char c = 0;
        do {  // skip fill bytes
            if (!f.getChar(&c))
                return {};
        } while (uchar(c) != 0xFF);
        do {
            if (!f.getChar(&c))
                return {};
        } while (uchar(c) == 0xFF);
        marker = uchar(c);
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue;  // markers without a length
        if (marker == 0xD9 || marker == 0xDA)
            return {};  // end of image / start of scan before any frame header
        const QByteArray lenBytes = f.read(2);
        if (lenBytes.size() != 2)
            return {};
        const int len = be16(reinterpret_cast<const uchar *>(lenBytes.constData()));
        if (len < 2)
            return {};
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            const QByteArray sofData = f.read(5);  // precision, height, width
            if (sofData.size() != 5)
                return {};
            const auto *p = reinterpret_cast<const uchar *>(sofData.constData());
            const QSize s(be16(p + 3), be16(p + 1));
            return s.isEmpty() ? QSize() : s;
        }
        if (!f.seek(f.pos() + len - 2))
            return {};
    }
    return {};
}

} // namespace MediaProbe

ParsedName parseCaptureName(const QString &filename)
{
    // The contract's name, or MediaMTX's bare default name (time only, the
    // camera given by the per-camera folder).
    static const QRegularExpression re(QStringLiteral(
        R"(^(?:(camera(?:0|[1-9][0-9]{0,5}))_)?(\d{4}-\d{2}-\d{2})_(\d{2})-(\d{2})-(\d{2})-(\d{6})(?:_\d+)?\.(?:mp4|jpg|jpeg)$)"));
    ParsedName out;
    const auto m = re.match(filename);
    if (!m.hasMatch())
        return out;
    const QDate date = QDate::fromString(m.captured(2), QStringLiteral("yyyy-MM-dd"));
    const QTime time(m.captured(3).toInt(), m.captured(4).toInt(), m.captured(5).toInt(),
                     m.captured(6).toInt() / 1000);  // µs truncated to ms
    if (!date.isValid() || !time.isValid())
        return out;
    out.device = m.captured(1);
    out.created = QDateTime(date, time, Qt::UTC);
    return out;
}

QString captureName(const QString &device, qint64 usecSinceEpoch, const QString &extension)
{
    // Floor division so times before 1970 still give 0..999999 µs.
    const qint64 secs = usecSinceEpoch / 1000000 - (usecSinceEpoch % 1000000 < 0 ? 1 : 0);
    const qint64 usec = usecSinceEpoch - secs * 1000000;
    const QDateTime t = QDateTime::fromSecsSinceEpoch(secs, Qt::UTC);
    QString ext = extension;
    if (ext.startsWith(QLatin1Char('.')))
        ext.remove(0, 1);
    return QStringLiteral("%1_%2-%3.%4")
        .arg(device, t.toString(QStringLiteral("yyyy-MM-dd_HH-mm-ss")))
        .arg(usec, 6, 10, QLatin1Char('0'))
        .arg(ext);
}

QString captureName(const QString &device, const QDateTime &utc, const QString &extension)
{
    return captureName(device, utc.toMSecsSinceEpoch() * 1000, extension);
}

} // namespace station::media
