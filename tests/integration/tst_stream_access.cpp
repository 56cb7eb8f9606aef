// Streams follow the API's roles (issue 12 #5, API.md §2.9): MediaMTX runs with
// authMethod: http and asks the station about every read; the URLs the API hands
// out carry a read token for that camera. Real RTSP readers (ffprobe) against the
// real binary and MediaMTX (the stand-in mirrors v1.20.1's HTTP authentication;
// STATION_TEST_MEDIAMTX runs the same test against the real one).
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include "HttpClient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace station::test;

namespace {

struct Probe {
    int exitCode = -1;
    QString output;
    bool played() const { return exitCode == 0 && output.contains(QLatin1String("h264")); }
    bool refused() const { return exitCode != 0 && output.contains(QLatin1String("401")); }
};

// A real RTSP reader: ffprobe over TCP, the codec of the first stream.
Probe probe(const QString &url)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("ffprobe"), {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-rtsp_transport"), QStringLiteral("tcp"),
                                        QStringLiteral("-show_entries"), QStringLiteral("stream=codec_name"), QStringLiteral("-of"),
                                        QStringLiteral("csv=p=0"), url});
    Probe r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        r.output = QStringLiteral("(timeout)");
        return r;
    }
    r.exitCode = p.exitCode();
    r.output = QString::fromUtf8(p.readAll());
    return r;
}

QString tokenOf(const QString &url)
{
    return QUrlQuery(QUrl(url).query()).queryItemValue(QStringLiteral("token"));
}

QString withoutQuery(const QString &url)
{
    return url.section(QLatin1Char('?'), 0, 0);
}

// The claims of a JWT, unverified (the station verifies; the test only reads).
QJsonObject claimsOf(const QString &jwt)
{
    const QByteArray payload = QByteArray::fromBase64(jwt.section(QLatin1Char('.'), 1, 1).toLatin1(),
                                                      QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return QJsonDocument::fromJson(payload).object();
}

} // namespace

class TestStreamAccess : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;

    QJsonObject streamUrl(WsClient &c, const QString &device)
    {
        return rpcResult(c.call(QStringLiteral("get_stream_url"), {{QStringLiteral("device"), device}}));
    }

private Q_SLOTS:
    void initTestCase()
    {
        StationProcess::announceMediaServer();
        m_station = std::make_unique<StationProcess>(QStringList{QStringLiteral("--set"), QStringLiteral("cameras.demo=2")});
        m_station->useMediaMtx();
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
        // MediaMTX's own API calls go through the same endpoint (api action, the station's credential).
        QVERIFY2(waitFor([&] { return m_station->log().contains(QLatin1String("state RUNNING")); }, 15000), qPrintable(m_station->log()));
    }

    void cleanupTestCase() { m_station.reset(); }

    void urlsCarryAReadTokenThatPlays()
    {
        WsClient viewer;
        QVERIFY(viewer.open(m_station->wsUrl()));
        QVERIFY(viewer.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        const QJsonObject r = streamUrl(viewer, QStringLiteral("camera0"));
        const QString rtsp = r.value(QLatin1String("stream_url")).toString();
        QVERIFY2(!tokenOf(rtsp).isEmpty(), qPrintable(rtsp));
        const QJsonObject claims = claimsOf(tokenOf(rtsp));
        QCOMPARE(claims.value(QLatin1String("scope")).toString(), QStringLiteral("stream_read"));
        QCOMPARE(claims.value(QLatin1String("path")).toString(), QStringLiteral("camera0"));
        QVERIFY(claims.value(QLatin1String("exp")).toInteger() - claims.value(QLatin1String("iat")).toInteger() <= 3600);
        for (const QString &key : {QStringLiteral("rtsp"), QStringLiteral("hls"), QStringLiteral("webrtc")})
            QVERIFY2(!tokenOf(r.value(QLatin1String("streams")).toObject().value(key).toString()).isEmpty(), qPrintable(key));
        QVERIFY(!tokenOf(r.value(QLatin1String("whep_url")).toString()).isEmpty());
        const Probe played = probe(rtsp);
        qInfo("RTSP read with the API's URL: exit %d, %s", played.exitCode, qPrintable(played.output.trimmed()));
        QVERIFY2(played.played(), qPrintable(played.output));
    }

    // HLS (v1.20.1 internal/servers/hls): the URL the API hands out plays in a real
    // HLS client; while it reads, MediaMTX lists the client as an `hlsSession` reader
    // of the path (its muxer is a hidden reader), and the station counts it as a
    // consumer in get_stream_url, get_stream_status and the readers metric. MediaMTX
    // closes an HLS session 30 s after its last request; the count drops then.
    void hlsReaderPlaysAndIsCounted()
    {
        WsClient viewer;
        QVERIFY(viewer.open(m_station->wsUrl()));
        QVERIFY(viewer.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        const QString device = QStringLiteral("camera1");
        const QString hls = streamUrl(viewer, device).value(QLatin1String("streams")).toObject().value(QLatin1String("hls")).toString();
        QCOMPARE(withoutQuery(hls), QStringLiteral("http://127.0.0.1:%1/%2/index.m3u8").arg(m_station->mediaMtxPort(QStringLiteral("hls_port"))).arg(device));
        const Probe bad = probe(withoutQuery(hls) + QStringLiteral("?token=bogus"));
        QVERIFY2(bad.refused(), qPrintable(bad.output));

        const auto readers = [&] {
            return rpcResult(viewer.call(QStringLiteral("get_stream_status"), {{QStringLiteral("device"), device}}))
                .value(QLatin1String("mediamtx_path")).toObject().value(QLatin1String("readers")).toInt(-1);
        };
        const auto metric = [&] {
            const QByteArray body = httpGet(m_station->healthPort(), "/metrics").body;
            const QByteArray key = "camera_station_camera_readers{camera=\"" + device.toUtf8() + "\"} ";
            const qsizetype at = body.indexOf(key);
            return at < 0 ? -1 : body.mid(at + key.size(), body.indexOf('\n', at) - at - key.size()).toInt();
        };
        QCOMPARE(readers(), 0);
        QProcess ffmpeg;
        ffmpeg.setProcessChannelMode(QProcess::MergedChannels);
        ffmpeg.start(QStringLiteral("ffmpeg"), {QStringLiteral("-hide_banner"), QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-i"), hls,
                                               QStringLiteral("-t"), QStringLiteral("8"), QStringLiteral("-f"), QStringLiteral("null"), QStringLiteral("-")});
        QVERIFY(ffmpeg.waitForStarted());
        QElapsedTimer t;
        t.start();
        QVERIFY2(waitFor([&] { return readers() == 1; }, 20000, 200), qPrintable(m_station->log().right(3000)));
        qInfo("HLS client listed as a reader %lld ms after it started", t.elapsed());
        QCOMPARE(rpcResult(viewer.call(QStringLiteral("get_stream_url"), {{QStringLiteral("device"), device}})).value(QLatin1String("active_consumers")).toInt(), 1);
        QVERIFY2(waitFor([&] { return metric() == 1; }, 5000, 200), qPrintable(QString::number(metric())));
        QVERIFY(ffmpeg.waitForFinished(40000));
        const QString out = QString::fromUtf8(ffmpeg.readAll());
        QVERIFY2(ffmpeg.exitCode() == 0 && ffmpeg.exitStatus() == QProcess::NormalExit, qPrintable(out));
        // Still listed right after (a client may come back within 30 s), then gone.
        t.restart();
        QVERIFY2(waitFor([&] { return readers() == 0; }, 45000, 500), qPrintable(m_station->log().right(3000)));
        qInfo("HLS session closed %lld ms after the client stopped", t.elapsed());
        QVERIFY2(t.elapsed() > 15000, "the HLS session closed before MediaMTX's 30 s session timeout");
    }

    void withoutAValidTokenForThatCameraNobodyReads()
    {
        WsClient viewer;
        QVERIFY(viewer.open(m_station->wsUrl()));
        QVERIFY(viewer.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        const QString rtsp0 = streamUrl(viewer, QStringLiteral("camera0")).value(QLatin1String("stream_url")).toString();
        const QString rtsp1 = streamUrl(viewer, QStringLiteral("camera1")).value(QLatin1String("stream_url")).toString();
        const Probe anonymous = probe(withoutQuery(rtsp0));
        QVERIFY2(anonymous.refused(), qPrintable(anonymous.output));
        // camera0's token on camera1's path.
        const Probe crossed = probe(withoutQuery(rtsp1) + QStringLiteral("?token=") + tokenOf(rtsp0));
        QVERIFY2(crossed.refused(), qPrintable(crossed.output));
        QString tampered = rtsp0;
        tampered.chop(4);
        const Probe forged = probe(tampered + QStringLiteral("AAAA"));
        QVERIFY2(forged.refused(), qPrintable(forged.output));
        // A session token (not stream-scoped) is no read credential either.
        const Probe session = probe(withoutQuery(rtsp0) + QStringLiteral("?token=") + QString::fromLatin1(StationProcess::token(QStringLiteral("admin"))));
        QVERIFY2(session.refused(), qPrintable(session.output));
        QVERIFY2(waitFor([&] { return m_station->log().contains(QLatin1String("refused read rtsp of camera1")); }, 5000), qPrintable(m_station->log().right(3000)));
        // Tokens never reach the log.
        QVERIFY(!m_station->log().contains(tokenOf(rtsp0)));
    }

    void notificationsCarryEachConnectionsOwnToken()
    {
        WsClient operatorClient;
        QVERIFY(operatorClient.open(m_station->wsUrl()));
        QVERIFY(operatorClient.authenticate(StationProcess::token(QStringLiteral("operator"), 3600, QStringLiteral("olga"))));
        WsClient viewer;
        QVERIFY(viewer.open(m_station->wsUrl()));
        QVERIFY(viewer.authenticate(StationProcess::token(QStringLiteral("viewer"), 3600, QStringLiteral("vera"))));
        // A new network camera: camera_status_update (with its stream URLs) to both.
        const QJsonObject added = operatorClient.call(QStringLiteral("add_external_stream"),
                                                      {{QStringLiteral("stream_url"), QStringLiteral("rtsp://127.0.0.1:9/cam")},
                                                       {QStringLiteral("stream_name"), QStringLiteral("notified")}});
        QVERIFY2(rpcIsSuccess(added), compact(added));
        const QJsonObject n = viewer.waitNotification(QStringLiteral("camera_status_update"), 10000);
        const QByteArray raw = QJsonDocument(n).toJson(QJsonDocument::Compact);
        QVERIFY2(!raw.contains("__STATION"), raw.constData());
        const QJsonObject params = n.value(QLatin1String("params")).toObject();
        const QString device = params.value(QLatin1String("device")).toString();
        const QString rtsp = params.value(QLatin1String("streams")).toObject().value(QLatin1String("rtsp")).toString();
        const QJsonObject claims = claimsOf(tokenOf(rtsp));
        QCOMPARE(claims.value(QLatin1String("path")).toString(), device);
        QCOMPARE(claims.value(QLatin1String("user_id")).toString(), QStringLiteral("vera"));
        QCOMPARE(claims.value(QLatin1String("role")).toString(), QStringLiteral("viewer"));
        const QJsonObject toOperator = operatorClient.waitNotification(QStringLiteral("camera_status_update"), 10000);
        const QString rtspOp = toOperator.value(QLatin1String("params")).toObject().value(QLatin1String("streams")).toObject()
                                   .value(QLatin1String("rtsp")).toString();
        QCOMPARE(claimsOf(tokenOf(rtspOp)).value(QLatin1String("user_id")).toString(), QStringLiteral("olga"));
        QVERIFY(rpcIsSuccess(operatorClient.call(QStringLiteral("remove_external_stream"), {{QStringLiteral("stream_url"), QStringLiteral("rtsp://127.0.0.1:9/cam")}})));
    }

    void aRevokedApiKeysUrlsStopPlaying()
    {
        QString out, err;
        QCOMPARE(m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("create"), QStringLiteral("--role"), QStringLiteral("viewer"),
                                      QStringLiteral("--name"), QStringLiteral("stream-viewer")}, &out, &err), 0);
        const QString key = out.trimmed();
        const QString id = QRegularExpression(QStringLiteral(R"(\b(key_[0-9a-f]{8})\b)")).match(err + out).captured(1);
        QVERIFY2(!key.isEmpty() && !id.isEmpty(), qPrintable(out + err));
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), key}})));
        const QString rtsp = streamUrl(c, QStringLiteral("camera1")).value(QLatin1String("stream_url")).toString();
        QCOMPARE(claimsOf(tokenOf(rtsp)).value(QLatin1String("cid")).toString(), id);
        const Probe before = probe(rtsp);
        QVERIFY2(before.played(), qPrintable(before.output));
        QCOMPARE(m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("revoke"), id}, &out, &err), 0);
        // The key store is re-read on change; give it a moment.
        Probe after;
        QVERIFY2(waitFor([&] { after = probe(rtsp); return after.refused(); }, 15000, 500), qPrintable(after.output));
    }

    // A reader configured by hand (a central recorder): `camera-station token --stream`.
    void adminMintsARecordersStreamToken()
    {
        QString out, err;
        QCOMPARE(m_station->runAdmin({QStringLiteral("token"), QStringLiteral("--role"), QStringLiteral("viewer"), QStringLiteral("--user"),
                                      QStringLiteral("central-recorder"), QStringLiteral("--ttl"), QStringLiteral("7d"),
                                      QStringLiteral("--stream"), QStringLiteral("camera0")}, &out, &err), 0);
        const QString token = out.trimmed();
        QCOMPARE(claimsOf(token).value(QLatin1String("scope")).toString(), QStringLiteral("stream_read"));
        const QString base = QStringLiteral("rtsp://127.0.0.1:%1/").arg(m_station->mediaMtxRtspPort());
        const Probe played = probe(base + QStringLiteral("camera0?token=") + token);
        QVERIFY2(played.played(), qPrintable(played.output));
        const Probe other = probe(base + QStringLiteral("camera1?token=") + token);
        QVERIFY2(other.refused(), qPrintable(other.output));
        // Longer than security.max_token_lifetime_s (30 days): refused by the tool, not minted.
        QCOMPARE(m_station->runAdmin({QStringLiteral("token"), QStringLiteral("--role"), QStringLiteral("viewer"), QStringLiteral("--user"),
                                      QStringLiteral("r"), QStringLiteral("--ttl"), QStringLiteral("60d"), QStringLiteral("--stream"),
                                      QStringLiteral("camera0")}, &out, &err), 2);
    }

    void anonymousReadsWhenConfigured()
    {
        StationProcess open(QStringList{QStringLiteral("--set"), QStringLiteral("cameras.demo=1"),
                                        QStringLiteral("--set"), QStringLiteral("streams.anonymous_read=true")});
        open.useMediaMtx();
        QVERIFY2(open.start(), qPrintable(open.log()));
        QVERIFY2(waitFor([&] { return open.log().contains(QLatin1String("state RUNNING")); }, 15000), qPrintable(open.log()));
        QVERIFY(open.log().contains(QLatin1String("streams.anonymous_read is on")));
        WsClient viewer;
        QVERIFY(viewer.open(open.wsUrl()));
        QVERIFY(viewer.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        const QString rtsp = streamUrl(viewer, QStringLiteral("camera0")).value(QLatin1String("stream_url")).toString();
        QVERIFY2(!rtsp.contains(QLatin1Char('?')), qPrintable(rtsp));
        const Probe played = probe(rtsp);
        QVERIFY2(played.played(), qPrintable(played.output));
        // Publishing stays the station's own: not from another address (the stand-in and
        // MediaMTX ask about publish too). Checked in tst_streamaccess (unit) for the rule.
    }
};

QTEST_GUILESS_MAIN(TestStreamAccess)
#include "tst_stream_access.moc"
