// FileListing writes list_recordings / list_snapshots results as text and
// keeps each entry's text while its file is unchanged. Checked against the
// same result built as a QJsonObject tree and serialised by Qt, entry by
// entry, with real download tokens verified by JwtService.

#include "api/FileListing.h"
#include "api/UrlBuilder.h"
#include "auth/Identity.h"
#include "auth/JwtService.h"
#include "config/Config.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace station;
using media::FileEntry;
using media::FileKind;
using api::FileListing;

namespace {

const QByteArray kSecret = "0123456789abcdef0123456789abcdef-listing-secret";

FileEntry entry(const QString &name, qint64 size, std::optional<qint64> duration, const QString &device = QStringLiteral("camera0"))
{
    FileEntry e;
    e.filename = name;
    e.absolutePath = QStringLiteral("/data/") + name;
    e.size = size;
    e.modified = QDateTime::fromMSecsSinceEpoch(1736951400123, Qt::UTC);
    e.created = QDateTime::fromMSecsSinceEpoch(1736951300000, Qt::UTC);
    e.device = device;
    e.durationSeconds = duration;
    return e;
}

auth::Identity viewer(const QString &user)
{
    auth::Identity id;
    id.userId = user;
    id.role = auth::Role::Viewer;
    id.authMethod = QStringLiteral("jwt");
    id.expiresAt = QDateTime::currentDateTimeUtc().addSecs(3600);
    return id;
}

// The entry as the contract describes it, built as a Qt JSON tree; the URL
// is taken from the text under test and checked separately.
QJsonObject expected(const FileEntry &e, FileKind kind, const QString &url)
{
    QJsonObject o{{"filename", e.filename},
                  {"file_size", e.size},
                  {"modified_time", e.modified.toString(Qt::ISODateWithMs)},
                  {"created_time", e.created.toString(Qt::ISODateWithMs)},
                  {"download_url", url},
                  {"device", e.device.isEmpty() ? QJsonValue() : QJsonValue(e.device)},
                  {"format", api::FileListing::formatOf(e.filename)}};
    if (kind == FileKind::Recording)
        o.insert("duration", e.durationSeconds ? QJsonValue(*e.durationSeconds) : QJsonValue());
    return o;
}

} // namespace

class TestFileListing : public QObject
{
    Q_OBJECT

    config::Config m_config;
    auth::JwtService m_jwt{kSecret};

    void checkPage(FileKind kind, const media::FileCatalog::Page &page, const QByteArray &text, const auth::Identity &who)
    {
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString() + QLatin1Char(' ') + QString::fromUtf8(text.left(300))));
        const QJsonArray files = doc.object().value("files").toArray();
        QCOMPARE(files.size(), page.files.size());
        for (int i = 0; i < files.size(); ++i) {
            const FileEntry &e = page.files[i];
            const QString url = files[i].toObject().value("download_url").toString();
            QVERIFY2(url.startsWith(QStringLiteral("http://192.0.2.7:8002/files/%1/").arg(FileListing::kindName(kind))), qPrintable(url));
            const QUrl u(url);
            QCOMPARE(u.path(QUrl::FullyDecoded), QStringLiteral("/files/%1/%2").arg(FileListing::kindName(kind), e.filename));
            const QByteArray token = QUrlQuery(u).queryItemValue("token").toLatin1();
            const auth::AuthResult r = m_jwt.verifyDownload(token, FileListing::kindName(kind) + QLatin1Char('/') + e.filename);
            QVERIFY2(r.ok, qPrintable(r.reason));
            QCOMPARE(r.identity.userId, who.userId);
            // Byte for byte what Qt writes for the same entry (members sorted).
            QCOMPARE(QJsonDocument(files[i].toObject()).toJson(QJsonDocument::Compact),
                     QJsonDocument(expected(e, kind, url)).toJson(QJsonDocument::Compact));
        }
        QCOMPARE(doc.object().value("total").toInteger(), page.total);
        // The whole text is exactly what Qt would write for the parsed tree.
        QCOMPARE(text, doc.toJson(QJsonDocument::Compact));
    }

private slots:
    void initTestCase()
    {
        m_config.set(QStringLiteral("server.public_port"), 8002, QStringLiteral("test"));
    }

    void recordingsMatchQtsText()
    {
        api::UrlBuilder urls(m_config, &m_jwt);
        api::FileListing listing(urls);
        media::FileCatalog::Page page;
        page.total = 7;
        page.files = {entry("camera0_2025-01-15_14-30-00.mp4", 123456, 61), entry("odd \"name\" 100%.mp4", 1, std::nullopt, QString()),
                      entry("ünïcode ☃.mp4", 42, 0)};
        const auth::Identity alice = viewer("alice");
        checkPage(FileKind::Recording, page, listing.render(FileKind::Recording, page, 50, 4, QStringLiteral("192.0.2.7"), alice), alice);
    }

    void snapshotsHaveNoDuration()
    {
        api::UrlBuilder urls(m_config, &m_jwt);
        api::FileListing listing(urls);
        media::FileCatalog::Page page;
        page.total = 1;
        page.files = {entry("camera1_2025-01-15_14-30-00.jpg", 999, std::nullopt, "camera1")};
        const auth::Identity bob = viewer("bob");
        const QByteArray text = listing.render(FileKind::Snapshot, page, 1, 0, QStringLiteral("192.0.2.7"), bob);
        checkPage(FileKind::Snapshot, page, text, bob);
        QVERIFY(!text.contains("duration"));
    }

    // The kept text follows the file: a grown file, a probed duration and a
    // new camera are listed as they are now, never as first seen.
    void keptTextFollowsTheFile()
    {
        api::UrlBuilder urls(m_config, &m_jwt);
        api::FileListing listing(urls);
        media::FileCatalog::Page page;
        page.total = 1;
        page.files = {entry("camera0_rec.mp4", 100, std::nullopt)};
        const auth::Identity alice = viewer("alice");
        const QByteArray first = listing.render(FileKind::Recording, page, 50, 0, QStringLiteral("192.0.2.7"), alice);
        QCOMPARE(listing.render(FileKind::Recording, page, 50, 0, QStringLiteral("192.0.2.7"), alice), first);  // same grant, same text
        page.files[0].size = 5000;
        page.files[0].durationSeconds = 12;
        page.files[0].modified = page.files[0].modified.addSecs(3);
        page.files[0].device = QStringLiteral("camera3");
        const QByteArray now = listing.render(FileKind::Recording, page, 50, 0, QStringLiteral("192.0.2.7"), alice);
        checkPage(FileKind::Recording, page, now, alice);
        QVERIFY(now.contains("\"file_size\":5000") && now.contains("\"duration\":12") && now.contains("\"device\":\"camera3\""));
    }

    // Each credential gets its own token for the same file.
    void tokensArePerCredential()
    {
        api::UrlBuilder urls(m_config, &m_jwt);
        api::FileListing listing(urls);
        media::FileCatalog::Page page;
        page.total = 1;
        page.files = {entry("camera0_rec.mp4", 100, 3)};
        const auth::Identity alice = viewer("alice"), bob = viewer("bob");
        const QByteArray a = listing.render(FileKind::Recording, page, 50, 0, QStringLiteral("192.0.2.7"), alice);
        const QByteArray b = listing.render(FileKind::Recording, page, 50, 0, QStringLiteral("192.0.2.7"), bob);
        QVERIFY(a != b);
        checkPage(FileKind::Recording, page, a, alice);
        checkPage(FileKind::Recording, page, b, bob);
    }
};

QTEST_GUILESS_MAIN(TestFileListing)
#include "tst_filelisting.moc"
