// HTTP file downloads of the real binary (API.md §13), over raw TCP so the
// request targets reach the server exactly as written.
#include "HttpClient.h"
#include "StationProcess.h"
#include "TestFiles.h"
#include "WsClient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QThread>
#include <QRegularExpression>
#include <QUrl>

using namespace station::test;

namespace {

QByteArray bearer(const QByteArray &token)
{
    return "Bearer " + token;
}

} // namespace

class TestDownloads : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;
    const QString recName = QStringLiteral("camera0_2025-01-15_14-30-00-123456.mp4");
    const QString otherRecName = QStringLiteral("camera1_2025-01-16_10-00-00-000000.mp4");
    const QString snapName = QStringLiteral("camera0_2025-01-15_14-31-00-000000.jpg");
    const QString bigName = QStringLiteral("big.mp4");
    const qint64 bigSize = 200LL * 1024 * 1024;
    QByteArray m_rec;   // bytes of recName (3 MiB + 123)
    QByteArray m_snap;  // bytes of snapName
    QHash<QString, QByteArray> m_urls;  // filename → download_url target (path?query)

    QByteArray viewerBearer() const { return bearer(StationProcess::token(QStringLiteral("viewer"))); }

    static void expectJsonError(const HttpResponse &r, int status, const QString &error)
    {
        QCOMPARE(r.status, status);
        QVERIFY2(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QLatin1String("error")).toString(), error);
        QCOMPARE(o.value(QLatin1String("status")).toInt(), status);
        QVERIFY(!o.value(QLatin1String("message")).toString().isEmpty());
        QVERIFY(o.value(QLatin1String("timestamp")).toString().endsWith(QLatin1Char('Z')));
    }

    HttpResponse get(const QByteArray &target, const HttpHeaders &headers = {}) const
    {
        return httpGet(m_station->apiPort(), target, headers);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_station = std::make_unique<StationProcess>();
        m_rec = files::writeBytes(m_station->recordingsDir() + QLatin1Char('/') + recName, 3 * 1024 * 1024 + 123, 7);
        QVERIFY(!m_rec.isEmpty());
        QVERIFY(!files::writeBytes(m_station->recordingsDir() + QStringLiteral("/camera1/") + otherRecName, 5000, 8).isEmpty());
        QVERIFY(files::makeJpeg(m_station->snapshotsDir() + QLatin1Char('/') + snapName, 160, 120));
        m_snap = files::readAll(m_station->snapshotsDir() + QLatin1Char('/') + snapName);
        QVERIFY(!m_snap.isEmpty());
        {
            QFile big(m_station->recordingsDir() + QLatin1Char('/') + bigName);  // sparse: bytes without disk
            QVERIFY(big.open(QIODevice::WriteOnly));
            QVERIFY(big.resize(bigSize));
        }
        QFile secret(m_station->stateDir() + QStringLiteral("/marker_secret"));
        QVERIFY(QDir().mkpath(m_station->stateDir()));
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write("TOP-SECRET-MARKER");
        secret.close();
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));

        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        for (const QString &method : {QStringLiteral("list_recordings"), QStringLiteral("list_snapshots")}) {
            const QJsonObject r = c.call(method).value(QLatin1String("result")).toObject();
            for (const QJsonValue &v : r.value(QLatin1String("files")).toArray()) {
                const QUrl url(v.toObject().value(QLatin1String("download_url")).toString());
                QCOMPARE(url.scheme(), QStringLiteral("http"));
                QCOMPARE(url.port(), int(m_station->apiPort()));
                m_urls.insert(v.toObject().value(QLatin1String("filename")).toString(), url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
            }
        }
        QCOMPARE(m_urls.size(), 4);
    }

    void cleanupTestCase()
    {
        if (m_station) {
            m_station->stop();
            QCOMPARE(m_station->exitCode(), 0);
        }
    }

    void downloadUrlWorksAlone()
    {
        const HttpResponse r = get(m_urls.value(recName));
        QCOMPARE(r.status, 200);
        QVERIFY(r.complete);
        QCOMPARE(r.body.size(), m_rec.size());
        QVERIFY(r.body == m_rec);
        QCOMPARE(r.header("Content-Type"), QByteArray("video/mp4"));
        QCOMPARE(r.header("Content-Length"), QByteArray::number(m_rec.size()));
        QCOMPARE(r.header("Accept-Ranges"), QByteArray("bytes"));
        QVERIFY2(r.header("ETag").startsWith('"') && r.header("ETag").endsWith('"') && r.header("ETag").size() > 2, r.header("ETag"));
        QVERIFY(!r.header("Last-Modified").isEmpty());
        QCOMPARE(r.header("Content-Disposition"),
                 "attachment; filename=\"" + recName.toLatin1() + "\"; filename*=UTF-8''" + recName.toLatin1());
        QCOMPARE(r.header("Cache-Control"), QByteArray("private, no-cache"));
        QCOMPARE(r.header("X-Content-Type-Options"), QByteArray("nosniff"));
        QVERIFY(!r.hasHeader("Content-Range"));

        const HttpResponse s = get(m_urls.value(snapName));
        QCOMPARE(s.status, 200);
        QCOMPARE(s.header("Content-Type"), QByteArray("image/jpeg"));
        QVERIFY(s.body == m_snap);
        // A file in a per-camera folder downloads by its flat name.
        const HttpResponse o = get(m_urls.value(otherRecName));
        QCOMPARE(o.status, 200);
        QCOMPARE(o.bodyBytes, qint64(5000));
        // The same ETag for the same file twice.
        QCOMPARE(get(m_urls.value(recName)).header("ETag"), r.header("ETag"));
    }

    void downloadTokenIsFileScoped()
    {
        const QByteArray tokenForRec = m_urls.value(recName).mid(m_urls.value(recName).indexOf("?token="));
        // Same kind, other file.
        HttpResponse r = get("/files/recordings/" + otherRecName.toLatin1() + tokenForRec);
        expectJsonError(r, 403, QStringLiteral("forbidden"));
        // Other kind.
        r = get("/files/snapshots/" + snapName.toLatin1() + tokenForRec);
        expectJsonError(r, 403, QStringLiteral("forbidden"));
        // Extra query parameters are ignored.
        QCOMPARE(get(m_urls.value(recName) + "&x=1").status, 200);
    }

    void badTokens()
    {
        const QByteArray url = m_urls.value(recName);
        const qsizetype at = url.indexOf("?token=") + 7;
        const QByteArray token = url.mid(at);
        const QList<QByteArray> parts = token.split('.');
        QCOMPARE(parts.size(), 3);
        const QByteArray path = url.left(at - 7);
        const QList<QByteArray> bad{parts[0] + '.' + parts[1] + ".AAAAbadsignatureAAAA",
                                    parts[0] + '.' + parts[1] + '.' + QByteArray(parts[2]).replace(0, 2, parts[2].startsWith("AA") ? "BB" : "AA"),
                                    "garbage", ""};
        for (const QByteArray &t : bad) {
            const HttpResponse r = get(path + "?token=" + t);
            expectJsonError(r, 401, QStringLiteral("unauthorized"));
            QCOMPARE(r.header("WWW-Authenticate"), QByteArray("Bearer realm=\"camera-station\""));
        }
        // A well-signed session token is not a download token.
        expectJsonError(get(path + "?token=" + StationProcess::token(QStringLiteral("admin"))), 401, QStringLiteral("unauthorized"));
        // A download-shaped token signed with another secret.
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const QByteArray forged = StationProcess::signJwt(
            {{QStringLiteral("alg"), QStringLiteral("HS256")}, {QStringLiteral("typ"), QStringLiteral("JWT")}},
            {{QStringLiteral("user_id"), QStringLiteral("x")}, {QStringLiteral("role"), QStringLiteral("admin")}, {QStringLiteral("iat"), now},
             {QStringLiteral("exp"), now + 600}, {QStringLiteral("scope"), QStringLiteral("file_download")},
             {QStringLiteral("path"), QStringLiteral("recordings/") + recName}},
            QByteArrayLiteral("another-secret-another-secret-0123456789"));
        expectJsonError(get(path + "?token=" + forged), 401, QStringLiteral("unauthorized"));
    }

    void bearerAndApiKey()
    {
        const QByteArray path = "/files/recordings/" + recName.toLatin1();
        HttpResponse r = get(path, {{"Authorization", viewerBearer()}});
        QCOMPARE(r.status, 200);
        QVERIFY(r.body == m_rec);
        // A download token is not a session credential.
        const QByteArray downloadToken = m_urls.value(recName).mid(m_urls.value(recName).indexOf("?token=") + 7);
        r = get(path, {{"Authorization", bearer(downloadToken)}});
        expectJsonError(r, 401, QStringLiteral("unauthorized"));
        QCOMPARE(r.header("WWW-Authenticate"), QByteArray("Bearer realm=\"camera-station\""));
        // The first credential present decides: an invalid Bearer does not fall back to a valid ?token=.
        r = get(m_urls.value(recName), {{"Authorization", "Bearer not.a.jwt"}});
        expectJsonError(r, 401, QStringLiteral("unauthorized"));
        // An expired session token.
        r = get(path, {{"Authorization", bearer(StationProcess::token(QStringLiteral("viewer"), -10))}});
        expectJsonError(r, 401, QStringLiteral("unauthorized"));

        QString out, err;
        QCOMPARE(m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("create"), QStringLiteral("--role"), QStringLiteral("viewer")}, &out, &err), 0);
        const QByteArray key = out.trimmed().toLatin1();
        QVERIFY2(key.startsWith("csk_"), qPrintable(out + err));
        r = get(path, {{"X-API-Key", key}});
        QCOMPARE(r.status, 200);
        QVERIFY(r.body == m_rec);
        r = get(path, {{"X-API-Key", "csk_" + QByteArray(43, 'A')}});
        expectJsonError(r, 401, QStringLiteral("unauthorized"));
        // A revoked key stops working at once.
        const QString keyId = QRegularExpression(QStringLiteral(R"(key (\S+) \()")).match(err).captured(1);
        QVERIFY2(!keyId.isEmpty(), qPrintable(err));
        QCOMPARE(m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("revoke"), keyId}, &out, &err), 0);
        expectJsonError(get(path, {{"X-API-Key", key}}), 401, QStringLiteral("unauthorized"));

        // The authentication scheme name is case-insensitive (RFC 9110 §11.1).
        for (const QByteArray scheme : {"bearer ", "BEARER "}) {
            r = get(path, {{"Authorization", scheme + StationProcess::token(QStringLiteral("viewer"))}});
            QVERIFY2(r.status == 200, scheme + QByteArray::number(r.status));
        }
        expectJsonError(get(path, {{"Authorization", "Basic dXNlcjpwYXNz"}}), 401, QStringLiteral("unauthorized"));
    }

    void existenceIsHiddenFromStrangers()
    {
        // No credential: 401 for an existing and for a missing file alike.
        for (const QByteArray &path : {"/files/recordings/" + recName.toLatin1(), QByteArray("/files/recordings/missing.mp4"),
                                       QByteArray("/files/snapshots/missing.jpg")}) {
            const HttpResponse r = get(path);
            expectJsonError(r, 401, QStringLiteral("unauthorized"));
            QCOMPARE(r.header("WWW-Authenticate"), QByteArray("Bearer realm=\"camera-station\""));
        }
        // Authenticated: a missing file is 404.
        expectJsonError(get("/files/recordings/missing.mp4", {{"Authorization", viewerBearer()}}), 404, QStringLiteral("not_found"));
        expectJsonError(get("/files/snapshots/missing.jpg", {{"Authorization", viewerBearer()}}), 404, QStringLiteral("not_found"));
        // The extension-less recording name resolves (§2.10).
        const HttpResponse r = get("/files/recordings/" + recName.chopped(4).toLatin1(), {{"Authorization", viewerBearer()}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.bodyBytes, qint64(m_rec.size()));
    }

    void ranges()
    {
        const QByteArray path = "/files/recordings/" + recName.toLatin1();
        const QByteArray size = QByteArray::number(m_rec.size());
        const auto ranged = [&](const QByteArray &range, const HttpHeaders &more = {}) {
            return get(path, HttpHeaders{{"Authorization", viewerBearer()}, {"Range", range}} + more);
        };
        HttpResponse r = ranged("bytes=0-1048575");
        QCOMPARE(r.status, 206);
        QCOMPARE(r.header("Content-Range"), "bytes 0-1048575/" + size);
        QCOMPARE(r.header("Content-Length"), QByteArray("1048576"));
        QCOMPARE(r.body.size(), 1048576);
        QVERIFY(r.body == m_rec.left(1048576));
        QCOMPARE(r.header("Content-Type"), QByteArray("video/mp4"));

        r = ranged("bytes=-100");
        QCOMPARE(r.status, 206);
        QCOMPARE(r.header("Content-Range"), "bytes " + QByteArray::number(m_rec.size() - 100) + '-' + QByteArray::number(m_rec.size() - 1) + '/' + size);
        QVERIFY(r.body == m_rec.right(100));

        r = ranged("bytes=1000-");
        QCOMPARE(r.status, 206);
        QCOMPARE(r.header("Content-Range"), "bytes 1000-" + QByteArray::number(m_rec.size() - 1) + '/' + size);
        QCOMPARE(r.header("Content-Length"), QByteArray::number(m_rec.size() - 1000));
        QVERIFY(r.body == m_rec.mid(1000));

        // A last byte past the end is clamped.
        r = ranged("bytes=3145700-99999999");
        QCOMPARE(r.status, 206);
        QVERIFY(r.body == m_rec.mid(3145700));

        for (const QByteArray &bad : {"bytes=" + size + '-', "bytes=" + QByteArray::number(m_rec.size() + 10) + "-" + QByteArray::number(m_rec.size() + 20),
                                      QByteArray("bytes=-0")}) {
            r = ranged(bad);
            expectJsonError(r, 416, QStringLiteral("range_not_satisfiable"));
            QCOMPARE(r.header("Content-Range"), "bytes */" + size);
        }
        // Several ranges: the whole file.
        r = ranged("bytes=0-9,20-29");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body.size(), m_rec.size());
        // If-Range: a matching ETag honours the range, a stale one gives the whole file.
        const QByteArray etag = get(path, {{"Authorization", viewerBearer()}}).header("ETag");
        r = ranged("bytes=0-9", {{"If-Range", etag}});
        QCOMPARE(r.status, 206);
        QVERIFY(r.body == m_rec.left(10));
        const QByteArray lastModified = get(path, {{"Authorization", viewerBearer()}}).header("Last-Modified");
        r = ranged("bytes=0-9", {{"If-Range", lastModified}});
        QCOMPARE(r.status, 206);
        r = ranged("bytes=0-9", {{"If-Range", "Mon, 01 Jan 2001 00:00:00 GMT"}});
        QCOMPARE(r.status, 200);
        r = ranged("bytes=0-9", {{"If-Range", "\"stale-etag\""}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body.size(), m_rec.size());
    }

    void head()
    {
        const QByteArray path = "/files/recordings/" + recName.toLatin1();
        const HttpResponse get200 = get(path, {{"Authorization", viewerBearer()}});
        const HttpResponse r = httpRequest(m_station->apiPort(), "HEAD", path, {{"Authorization", viewerBearer()}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.bodyBytes, qint64(0));
        QCOMPARE(r.header("Content-Length"), QByteArray::number(m_rec.size()));
        for (const QByteArray h : {"Content-Type", "Accept-Ranges", "ETag", "Last-Modified", "Content-Disposition", "Cache-Control"})
            QCOMPARE(r.header(h), get200.header(h));
        const HttpResponse ranged = httpRequest(m_station->apiPort(), "HEAD", path, {{"Authorization", viewerBearer()}, {"Range", "bytes=0-99"}});
        QCOMPARE(ranged.status, 206);
        QCOMPARE(ranged.header("Content-Length"), QByteArray("100"));
        QCOMPARE(ranged.bodyBytes, qint64(0));
        // Errors to HEAD carry no body either.
        const HttpResponse missing = httpRequest(m_station->apiPort(), "HEAD", "/files/recordings/missing.mp4");
        QCOMPARE(missing.status, 401);
        QCOMPARE(missing.bodyBytes, qint64(0));
    }

    void traversalNeverEscapes()
    {
        const QList<QByteArray> targets{
            "/files/recordings/..%2F..%2Fetc%2Fpasswd", "/files/recordings/%2e%2e", "/files/recordings/%2E%2E/state/marker_secret",
            "/files/../state/marker_secret", "/files/recordings/../../state/marker_secret", "/files/recordings/../state/marker_secret",
            "/files/recordings/..%2Fstate%2Fmarker_secret", "/files/snapshots/..%5C..%5Cstate%5Cmarker_secret",
            "/files/recordings/%2e%2e%2fstate%2fmarker_secret", "/files/recordings/%252e%252e%252fstate%252fmarker_secret",
            "/files/recordings/.%2e/.%2e/state/marker_secret", "/files/recordings//etc/passwd", "/files/recordings/%2Fetc%2Fpasswd",
            "/files/recordings/camera1%2F" + otherRecName.toLatin1(), "/files/recordings/camera1/" + otherRecName.toLatin1(),
            "/files/recordings/..", "/files/recordings/.", "/files/recordings/", "/files/state/marker_secret",
            "/state/marker_secret", "/files/recordings/%00" + recName.toLatin1()};
        for (const QByteArray &target : targets) {
            for (const bool authed : {false, true}) {
                const HttpHeaders h = authed ? HttpHeaders{{"Authorization", viewerBearer()}} : HttpHeaders{};
                const HttpResponse r = get(target, h);
                QVERIFY2(r.status == 400 || r.status == 404 || (!authed && r.status == 401),
                         target + " → " + QByteArray::number(r.status));
                QVERIFY2(!r.body.contains("TOP-SECRET-MARKER") && !r.body.contains("root:"), target.constData());
            }
        }
        // Filename rules are reported as 400 with the rule (before authentication, §13.2).
        HttpResponse r = get("/files/recordings/..%2F..%2Fetc%2Fpasswd");
        expectJsonError(r, 400, QStringLiteral("bad_request"));
        QCOMPARE(r.json().value(QLatin1String("rule")).toString(), QStringLiteral("path_separator"));
        r = get("/files/recordings/%2e%2e", {{"Authorization", viewerBearer()}});
        expectJsonError(r, 400, QStringLiteral("bad_request"));
        QCOMPARE(r.json().value(QLatin1String("rule")).toString(), QStringLiteral("dot_dot"));
        r = get("/files/recordings/camera1%2F" + otherRecName.toLatin1(), {{"Authorization", viewerBearer()}});
        QCOMPARE(r.json().value(QLatin1String("rule")).toString(), QStringLiteral("path_separator"));
        r = get("/files/recordings/%2Ehidden.mp4", {{"Authorization", viewerBearer()}});
        QCOMPARE(r.json().value(QLatin1String("rule")).toString(), QStringLiteral("leading_dot"));
    }

    void unknownPathsAndMethods()
    {
        for (const QByteArray &target : {QByteArray("/"), QByteArray("/nope"), QByteArray("/files"), QByteArray("/files/videos/x.mp4"),
                                         QByteArray("/health"), QByteArray("/files/recordingsx/a.mp4")}) {
            const HttpResponse r = get(target, {{"Authorization", viewerBearer()}});
            expectJsonError(r, 404, QStringLiteral("not_found"));
        }
        for (const QByteArray &method : {QByteArray("POST"), QByteArray("PUT"), QByteArray("DELETE"), QByteArray("PATCH")}) {
            const HttpResponse r = httpRequest(m_station->apiPort(), method, "/files/recordings/" + recName.toLatin1(),
                                               {{"Authorization", viewerBearer()}, {"Content-Length", "0"}});
            expectJsonError(r, 405, QStringLiteral("method_not_allowed"));
            QCOMPARE(r.header("Allow"), QByteArray("GET, HEAD, OPTIONS"));
        }
        QVERIFY(QFile::exists(m_station->recordingsDir() + QLatin1Char('/') + recName));  // DELETE did nothing
    }

    void oversizedHeaders()
    {
        const HttpResponse r = get("/files/recordings/" + recName.toLatin1(), {{"Authorization", viewerBearer()}, {"X-Padding", QByteArray(17 * 1024, 'x')}});
        QCOMPARE(r.status, 431);
        QCOMPARE(r.bodyBytes > 0, true);
        // The listener is fine afterwards.
        QCOMPARE(get("/files/recordings/" + recName.toLatin1(), {{"Authorization", viewerBearer()}}).status, 200);
    }

    void cors()
    {
        const QByteArray path = "/files/recordings/" + recName.toLatin1();
        HttpResponse r = httpRequest(m_station->apiPort(), "OPTIONS", path,
                                     {{"Origin", "http://ui.example"}, {"Access-Control-Request-Method", "GET"}});
        QCOMPARE(r.status, 204);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), QByteArray("*"));
        QCOMPARE(r.header("Access-Control-Allow-Methods"), QByteArray("GET, HEAD, OPTIONS"));
        QCOMPARE(r.header("Access-Control-Allow-Headers"), QByteArray("Authorization, X-API-Key, Range, If-Range"));
        QCOMPARE(r.header("Access-Control-Max-Age"), QByteArray("600"));
        r = get(path, {{"Authorization", viewerBearer()}, {"Origin", "http://ui.example"}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), QByteArray("*"));
        QCOMPARE(r.header("Access-Control-Expose-Headers"), QByteArray("Content-Length, Content-Range, Content-Disposition, Accept-Ranges, ETag"));
    }

    void downloadTokenClaimsAndExpiry()
    {
        const auto claimsOf = [](const QString &downloadUrl) {
            const QByteArray token = QUrl(downloadUrl).query(QUrl::FullyEncoded).toLatin1().mid(6);  // token=...
            return QJsonDocument::fromJson(QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding)).object();
        };
        // A session that ends in 3 s: its download URLs must not outlive it (§13.2).
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"), 3)));
        const QJsonObject info = c.call(QStringLiteral("get_recording_info"), {{QStringLiteral("filename"), recName}})
                                     .value(QLatin1String("result")).toObject();
        const QString url = info.value(QLatin1String("download_url")).toString();
        QVERIFY(!url.isEmpty());
        const QJsonObject claims = claimsOf(url);
        QCOMPARE(claims.value(QLatin1String("scope")).toString(), QStringLiteral("file_download"));
        QCOMPARE(claims.value(QLatin1String("path")).toString(), QStringLiteral("recordings/") + recName);
        QCOMPARE(claims.value(QLatin1String("role")).toString(), QStringLiteral("viewer"));
        QVERIFY(claims.value(QLatin1String("exp")).toInteger() <= QDateTime::currentSecsSinceEpoch() + 3);
        const QByteArray target = QUrl(url).toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
        QCOMPARE(get(target).status, 200);
        QTest::qWait(4500);
        const HttpResponse r = get(target);
        expectJsonError(r, 401, QStringLiteral("unauthorized"));
        // A normal session gets the configured lifetime (default 3600 s).
        const QJsonObject normal = claimsOf(m_urls.value(recName).prepend("http://h"));
        QVERIFY(normal.value(QLatin1String("exp")).toInteger() - normal.value(QLatin1String("iat")).toInteger() <= 3600);
        QVERIFY(normal.value(QLatin1String("exp")).toInteger() - normal.value(QLatin1String("iat")).toInteger() > 3000);
    }

    void nonAsciiAndPercentNames()
    {
        const QString name = QStringLiteral("café 100% ☕.jpg");
        const QString path = m_station->snapshotsDir() + QLatin1Char('/') + name;
        QVERIFY(files::copy(m_station->snapshotsDir() + QLatin1Char('/') + snapName, path));
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        QString url;
        QTRY_VERIFY_WITH_TIMEOUT((url = c.call(QStringLiteral("get_snapshot_info"), {{QStringLiteral("filename"), name}})
                                            .value(QLatin1String("result")).toObject().value(QLatin1String("download_url")).toString(),
                                  !url.isEmpty()),
                                 5000);
        QVERIFY2(!url.contains(QLatin1Char(' ')), qPrintable(url));  // a valid URL
        const QUrl parsed(url, QUrl::StrictMode);
        QVERIFY2(parsed.isValid(), qPrintable(url));
        QCOMPARE(parsed.path(), QStringLiteral("/files/snapshots/") + name);
        const HttpResponse r = get(parsed.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
        QCOMPARE(r.status, 200);
        QVERIFY(r.body == m_snap);
        QCOMPARE(r.header("Content-Disposition"),
                 QByteArray("attachment; filename=\"caf_ 100% _.jpg\"; filename*=UTF-8''caf%C3%A9%20100%25%20%E2%98%95.jpg"));
        // Decoded exactly once: the double-encoded form names another (missing) file.
        const HttpResponse twice = get("/files/snapshots/caf%25C3%25A9%2520100%2525%2520%25E2%2598%2595.jpg", {{"Authorization", viewerBearer()}});
        QCOMPARE(twice.status, 404);
    }

    void bigDownloadIsStreamed()
    {
        const qint64 pid = m_station->pid();
        const qint64 before = processRssBytes(pid);
        QVERIFY(before > 0);
        qint64 peak = before;
        qint64 nextSample = 0;
        QElapsedTimer paused;
        HttpOptions o;
        o.keepBody = false;
        o.timeoutMs = 60000;
        o.onProgress = [&](qint64 received) {
            if (received >= nextSample) {
                peak = std::max(peak, processRssBytes(pid));
                nextSample = received + 4 * 1024 * 1024;
            }
            // A slow reader at first: the server must not queue the file in memory meanwhile.
            if (!paused.isValid() && received > 0) {
                paused.start();
                QThread::msleep(1500);
                peak = std::max(peak, processRssBytes(pid));
            }
            return true;
        };
        const HttpResponse r = httpRequest(m_station->apiPort(), "GET", "/files/recordings/" + bigName.toLatin1(),
                                           {{"Authorization", viewerBearer()}}, o);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Length"), QByteArray::number(bigSize));
        QCOMPARE(r.bodyBytes, bigSize);
        QVERIFY(r.complete);
        qInfo("station RSS before %lld MB, peak while streaming %lld MB", before >> 20, peak >> 20);
        // The file is 200 MB: a whole-file load could not stay under this.
        QVERIFY2(peak < 100LL * 1024 * 1024 + StationProcess::instrumentationAllowanceBytes(), qPrintable(QStringLiteral("peak RSS %1 MB").arg(peak >> 20)));
        QVERIFY2(peak - before < 48LL * 1024 * 1024, qPrintable(QStringLiteral("RSS grew by %1 MB").arg((peak - before) >> 20)));
    }
};

QTEST_GUILESS_MAIN(TestDownloads)
#include "tst_downloads.moc"
