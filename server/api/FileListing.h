#pragma once

#include "media/FileCatalog.h"
#include "media/FileEntry.h"

#include <QByteArray>
#include <QHash>
#include <QString>

namespace station::auth { struct Identity; }

namespace station::api {

class UrlBuilder;

// The text of list_recordings / list_snapshots results (API.md §7), written
// as JSON directly. Each entry's text, all but its download URL's host and
// token, is kept while the file is unchanged (size, times, duration, camera),
// so a listing costs a lookup and a copy per entry instead of formatting it
// again; the token comes from UrlBuilder's per-credential grants.
class FileListing
{
public:
    explicit FileListing(const UrlBuilder &urls) : m_urls(urls) {}

    QByteArray render(media::FileKind kind, const media::FileCatalog::Page &page, qint64 limit, qint64 offset,
                      const QString &host, const auth::Identity &identity);

    static QString kindName(media::FileKind kind);  // "recordings" or "snapshots"
    static QString formatOf(const QString &filename);

private:
    struct Text {
        qint64 size = 0, modifiedMs = 0, createdMs = 0, duration = -1;
        QString device;
        QByteArray head;  // {"created_time":…,"device":…,"download_url":
        QByteArray name;  // the percent-encoded file name
        QByteArray tail;  // ,"duration":…,…,"modified_time":"…"}
    };
    const Text &textOf(media::FileKind kind, const media::FileEntry &e);

    const UrlBuilder &m_urls;
    QHash<QString, Text> m_texts[2];  // by kind, then file name
};

} // namespace station::api
