#include "api/FileListing.h"

#include "api/UrlBuilder.h"
#include "common/JsonText.h"

#include <QFileInfo>
#include <QUrl>

namespace station::api {

using media::FileEntry;
using media::FileKind;

namespace {

// Entries kept per kind; past it the cache starts again (a listing of up
// to 1000 entries fits many times over; about 0.5 KB each).
constexpr qsizetype kMaxTexts = 4096;

qint64 msOrZero(const QDateTime &t)
{
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

} // namespace

QString FileListing::kindName(FileKind kind)
{
    return kind == FileKind::Recording ? QStringLiteral("recordings") : QStringLiteral("snapshots");
}

QString FileListing::formatOf(const QString &filename)
{
    const QString ext = QFileInfo(filename).suffix().toLower();
    if (ext == QLatin1String("mp4") || ext == QLatin1String("fmp4") || ext == QLatin1String("m4s"))
        return QStringLiteral("fmp4");
    if (ext == QLatin1String("jpg") || ext == QLatin1String("jpeg"))
        return QStringLiteral("jpg");
    return ext;
}

const FileListing::Text &FileListing::textOf(FileKind kind, const FileEntry &e)
{
    QHash<QString, Text> &texts = m_texts[kind == FileKind::Recording ? 0 : 1];
    const qint64 duration = e.durationSeconds.value_or(-1);
    const qint64 modifiedMs = msOrZero(e.modified), createdMs = msOrZero(e.created);
    if (const auto it = texts.constFind(e.filename); it != texts.constEnd() && it->size == e.size && it->modifiedMs == modifiedMs
        && it->createdMs == createdMs && it->duration == duration && it->device == e.device)
        return *it;
    if (texts.size() >= kMaxTexts)
        texts.clear();
    // Members in sorted order, as QJsonDocument would write them.
    Text t{e.size, modifiedMs, createdMs, duration, e.device, {}, {}, {}};
    common::JsonText head;
    head.beginObject().key(QLatin1StringView("created_time")).isoTime(e.created).key(QLatin1StringView("device"));
    e.device.isEmpty() ? head.null() : head.string(e.device);
    head.key(QLatin1StringView("download_url"));
    t.head = head.take();
    t.name = QUrl::toPercentEncoding(e.filename);
    common::JsonText tail;
    tail.beginObject();
    if (kind == FileKind::Recording) {
        tail.key(QLatin1StringView("duration"));
        e.durationSeconds ? tail.integer(*e.durationSeconds) : tail.null();
    }
    tail.key(QLatin1StringView("file_size")).integer(e.size);
    tail.key(QLatin1StringView("filename")).string(e.filename);
    tail.key(QLatin1StringView("format")).string(formatOf(e.filename));
    tail.key(QLatin1StringView("modified_time")).isoTime(e.modified);
    tail.endObject();
    t.tail = tail.take();
    t.tail[0] = ',';  // continues the entry after download_url
    return *texts.insert(e.filename, std::move(t));
}

QByteArray FileListing::render(FileKind kind, const media::FileCatalog::Page &page, qint64 limit, qint64 offset,
                               const QString &host, const auth::Identity &identity)
{
    const QString kindPath = kindName(kind);
    // The URL's start as a JSON string without its closing quote: "http://host:port/files/recordings/
    QByteArray prefix = common::JsonText().utf8String(m_urls.downloadUrlPrefix(kindPath, host)).take();
    prefix.chop(1);
    UrlBuilder::DownloadGrants grants = m_urls.downloadGrants(kindPath, identity);
    common::JsonText out(128 + page.files.size() * (prefix.size() + 480));
    out.beginObject().key(QLatin1StringView("files")).beginArray();
    for (const FileEntry &e : page.files) {
        const Text &t = textOf(kind, e);
        out.raw({t.head, prefix, t.name, "?token=", grants.token(e.filename), "\"", t.tail});
    }
    out.endArray();
    out.key(QLatin1StringView("limit")).integer(limit);
    out.key(QLatin1StringView("offset")).integer(offset);
    out.key(QLatin1StringView("total")).integer(page.total);
    out.endObject();
    return out.take();
}

} // namespace station::api
