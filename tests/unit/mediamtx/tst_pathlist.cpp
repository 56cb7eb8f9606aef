#include "mediamtx/PathManager.h"

#include <QJsonDocument>
#include <QTest>

using namespace station::mediamtx;

// PathManager::parsePathList against the v1.20.1 shapes (api/openapi.yaml Path, PathTrack).
class TestPathList : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void availableAndVideoTrackByCodec()
    {
        const QByteArray body = R"({"itemCount":2,"pageCount":1,"items":[
          {"name":"camera0","available":true,"availableTime":"2026-12-04T18:00:00.123Z","ready":false,"readyTime":null,
           "source":{"type":"rtspSource","id":""},"readers":[{"type":"hlsSession","id":"5e1f0c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"},{"type":"rtspSession","id":"x"},{"type":"webRTCSession","id":"y"}],
           "tracks2":[{"codec":"MPEG-4 Audio","codecProps":{"sampleRate":48000,"channelCount":2}},
                      {"codec":"H264","codecProps":{"width":1280,"height":720,"profile":"High","level":"4.0"}}],
           "inboundBytes":10,"outboundBytes":20},
          {"name":"camera1","available":false,"availableTime":null,"tracks2":[],"readers":[]}]})";
        const QList<PathStatus> list = PathManager::parsePathList(QJsonDocument::fromJson(body));
        QCOMPARE(list.size(), 2);
        QVERIFY(list[0].ready);  // from `available`; the deprecated `ready` says false here
        QCOMPARE(list[0].readyTime, QDateTime(QDate(2026, 12, 4), QTime(18, 0, 0, 123), Qt::UTC));
        QCOMPARE(list[0].width, 1280);  // the H264 track, though audio is first
        QCOMPARE(list[0].height, 720);
        // v1.20.1 internal/defs/api_path.go reader types: an HLS client is an hlsSession
        // (its muxer is a hidden reader, never listed: internal/core/path.go), a WHEP
        // client a webRTCSession; every listed reader is a consumer.
        QCOMPARE(list[0].readers, 3);
        QCOMPARE(list[0].sourceType, QStringLiteral("rtspSource"));
        QVERIFY(!list[1].ready);
        QCOMPARE(list[1].width, 0);
    }

    void onlyAudioHasNoSize()
    {
        const QByteArray body = R"({"items":[{"name":"camera0","available":true,
           "tracks2":[{"codec":"Opus","codecProps":{"sampleRate":48000,"channelCount":2}}]}]})";
        const QList<PathStatus> list = PathManager::parsePathList(QJsonDocument::fromJson(body));
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].width, 0);
    }

    void olderServerWithReadyOnly()
    {
        const QByteArray body = R"({"items":[{"name":"camera0","ready":true,"readyTime":"2026-12-04T18:00:00Z",
           "tracks2":[{"codec":"H265","codecProps":{"width":640,"height":360}}]}]})";
        const QList<PathStatus> list = PathManager::parsePathList(QJsonDocument::fromJson(body));
        QVERIFY(list[0].ready);
        QVERIFY(list[0].readyTime.isValid());
        QCOMPARE(list[0].width, 640);
    }

    // Pull errors as v1.20.1 logs them (Go net / gortsplib texts) → the camera's ERROR reason.
    void plainSourceErrors()
    {
        QCOMPARE(PathManager::plainSourceError(QStringLiteral("dial tcp 127.0.0.1:5554: connect: connection refused")),
                 QStringLiteral("nothing accepts connections at 127.0.0.1:5554"));
        QCOMPARE(PathManager::plainSourceError(QStringLiteral("dial tcp 10.0.0.9:554: i/o timeout")), QStringLiteral("no answer from 10.0.0.9:554"));
        QCOMPARE(PathManager::plainSourceError(QStringLiteral("dial tcp: lookup cam.invalid on 127.0.0.53:53: no such host")),
                 QStringLiteral("the camera's host name cannot be resolved"));
        QCOMPARE(PathManager::plainSourceError(QStringLiteral("bad status code: 401 (Unauthorized)")),
                 QStringLiteral("the camera refused the user name or password"));
        QCOMPARE(PathManager::plainSourceError(QStringLiteral("bad status code: 404 (Not Found)")),
                 QStringLiteral("the camera has no stream at this address (404)"));
        QCOMPARE(PathManager::plainSourceError(QStringLiteral("EOF")), QStringLiteral("the camera closed the connection"));
        QCOMPARE(PathManager::plainSourceError(QStringLiteral("something new")), QStringLiteral("something new"));
    }
};

QTEST_GUILESS_MAIN(TestPathList)
#include "tst_pathlist.moc"
