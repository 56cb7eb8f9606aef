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
           "source":{"type":"rtspSource","id":""},"readers":[{"type":"hlsMuxer","id":""},{"type":"webRTCSession","id":"x"}],
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
        QCOMPARE(list[0].readers, 2);
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
};

QTEST_GUILESS_MAIN(TestPathList)
#include "tst_pathlist.moc"
