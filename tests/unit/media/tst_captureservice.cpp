// The capture verbs in-process, with the real services behind them (no
// MediaMTX running, no camera hardware): input checks, typed errors, and the
// per-camera order both doors share.
#include "CaptureFixture.h"

#include "media/FilenameRules.h"

#include <QSignalSpy>
#include <QTest>

using namespace station;
using media::CaptureError;
using media::CaptureService;
using K = media::CaptureError::Kind;

namespace {

using testing::Fixture;

// The outcome of one verb, recorded when its callback runs.
struct Result {
    bool called = false;
    CaptureError error;
};

CaptureService::SnapshotDone recordInto(Result &r, QStringList *log = nullptr, const QString &tag = {})
{
    return [&r, log, tag](const media::Snapshot &, const CaptureError &e) {
        r.called = true;
        r.error = e;
        if (log)
            log->append(tag);
    };
}

CaptureService::RecordingDone recordSessionInto(Result &r, QStringList *log = nullptr, const QString &tag = {})
{
    return [&r, log, tag](const media::RecordingSession &, const CaptureError &e) {
        r.called = true;
        r.error = e;
        if (log)
            log->append(tag);
    };
}

} // namespace

class TestCaptureService : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void snapshotNameRules_data();
    void snapshotNameRules();
    void recordingRequestRules_data();
    void recordingRequestRules();
    void unknownCameraIsNotFound();
    void mediamtxDownIsDependencyError();
    void cameraInErrorIsInvalidState();
    void stopWhenIdleIsInvalidState();
    void sameCameraRunsInOrderReceived();
    void otherCamerasAndBadInputDoNotWait();
};

void TestCaptureService::snapshotNameRules_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("rule");  // "" = accepted
    QTest::addColumn<qint64>("limit");  // -1 = none
    QTest::newRow("default") << QString() << QString() << qint64(-1);
    QTest::newRow("jpg") << QStringLiteral("front.jpg") << QString() << qint64(-1);
    QTest::newRow("JPEG") << QStringLiteral("front.JPEG") << QString() << qint64(-1);
    QTest::newRow("no extension") << QStringLiteral("front") << QString() << qint64(-1);
    QTest::newRow("png") << QStringLiteral("front.png") << QStringLiteral("extension") << qint64(-1);
    QTest::newRow("traversal") << QStringLiteral("../front.jpg") << media::filenameRuleViolation(QStringLiteral("../front.jpg")) << qint64(-1);
    QTest::newRow("too long") << QString(300, QLatin1Char('a')) + QStringLiteral(".jpg") << QStringLiteral("max_bytes") << qint64(media::kMaxFilenameBytes);
}

void TestCaptureService::snapshotNameRules()
{
    QFETCH(QString, name);
    QFETCH(QString, rule);
    QFETCH(qint64, limit);
    const CaptureError e = CaptureService::checkSnapshotName(name);
    if (rule.isEmpty()) {
        QCOMPARE(e.kind, K::None);
        return;
    }
    QVERIFY(!rule.isEmpty());
    QCOMPARE(e.kind, K::InvalidInput);
    QCOMPARE(e.input, QStringLiteral("filename"));
    QCOMPARE(e.rule, rule);
    QCOMPARE(e.detail, media::filenameRuleHint(rule));
    QCOMPARE(e.limit.value_or(-1), limit);

    // The verb refuses it at once, before the camera's turn and before any camera lookup.
    Fixture fx;
    Result r;
    fx.capture->takeSnapshot(QStringLiteral("camera0"), name, recordInto(r));
    QVERIFY(r.called);
    QCOMPARE(r.error.kind, K::InvalidInput);
    QCOMPARE(r.error.rule, rule);
}

void TestCaptureService::recordingRequestRules_data()
{
    QTest::addColumn<qint64>("duration");  // 0 = none given
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("input");  // "" = accepted
    QTest::addColumn<QString>("rule");
    QTest::addColumn<qint64>("limit");
    QTest::newRow("until stopped") << qint64(0) << QStringLiteral("fmp4") << QString() << QString() << qint64(-1);
    QTest::newRow("one second mp4") << qint64(1) << QStringLiteral("mp4") << QString() << QString() << qint64(-1);
    QTest::newRow("one day") << qint64(86400) << QStringLiteral("fmp4") << QString() << QString() << qint64(-1);
    QTest::newRow("mkv is the service's call") << qint64(0) << QStringLiteral("mkv") << QString() << QString() << qint64(-1);
    QTest::newRow("negative") << qint64(-5) << QStringLiteral("fmp4") << QStringLiteral("duration") << QStringLiteral("min") << qint64(1);
    QTest::newRow("over a day") << qint64(86401) << QStringLiteral("fmp4") << QStringLiteral("duration") << QStringLiteral("max") << qint64(86400);
    QTest::newRow("avi") << qint64(10) << QStringLiteral("avi") << QStringLiteral("format") << QStringLiteral("enum") << qint64(-1);
    QTest::newRow("duration before format") << qint64(86401) << QStringLiteral("avi") << QStringLiteral("duration") << QStringLiteral("max") << qint64(86400);
}

void TestCaptureService::recordingRequestRules()
{
    QFETCH(qint64, duration);
    QFETCH(QString, format);
    QFETCH(QString, input);
    QFETCH(QString, rule);
    QFETCH(qint64, limit);
    const std::optional<qint64> d = duration == 0 ? std::nullopt : std::optional<qint64>(duration);
    const CaptureError e = CaptureService::checkRecordingRequest(d, format);
    if (input.isEmpty()) {
        QCOMPARE(e.kind, K::None);
        return;
    }
    QCOMPARE(e.kind, K::InvalidInput);
    QCOMPARE(e.input, input);
    QCOMPARE(e.rule, rule);
    QCOMPARE(e.limit.value_or(-1), limit);
    if (input == QLatin1String("duration"))
        QCOMPARE(e.detail, QStringLiteral("duration must be 1..86400"));

    Fixture fx;
    Result r;
    fx.capture->startRecording(QStringLiteral("camera0"), d, format, recordSessionInto(r));
    QVERIFY(r.called);
    QCOMPARE(r.error.kind, K::InvalidInput);
    QCOMPARE(r.error.input, input);
}

void TestCaptureService::unknownCameraIsNotFound()
{
    Fixture fx;
    Result snap, start, stop, mkv;
    fx.capture->takeSnapshot(QStringLiteral("camera7"), QString(), recordInto(snap));
    fx.capture->startRecording(QStringLiteral("camera7"), std::nullopt, QStringLiteral("fmp4"), recordSessionInto(start));
    fx.capture->stopRecording(QStringLiteral("camera7"), recordSessionInto(stop));
    // An unknown camera is reported before an unsupported format, as before.
    fx.capture->startRecording(QStringLiteral("camera7"), std::nullopt, QStringLiteral("mkv"), recordSessionInto(mkv));
    for (const Result *r : {&snap, &start, &stop, &mkv}) {
        QVERIFY(r->called);
        QCOMPARE(r->error.kind, K::NotFound);
    }
}

void TestCaptureService::mediamtxDownIsDependencyError()
{
    Fixture fx;
    const QString id = fx.addNetworkCamera();
    QCOMPARE(fx.cameras->find(id)->status, QStringLiteral("CONNECTED"));
    QSignalSpy published(&fx.events, &events::EventBus::published);

    Result snap, start, mkv;
    fx.capture->takeSnapshot(id, QStringLiteral("gate.jpg"), recordInto(snap));
    fx.capture->startRecording(id, 30, QStringLiteral("fmp4"), recordSessionInto(start));
    fx.capture->startRecording(id, 30, QStringLiteral("mkv"), recordSessionInto(mkv));
    QVERIFY(snap.called && start.called && mkv.called);
    QCOMPARE(snap.error.kind, K::Dependency);
    QCOMPARE(snap.error.dependency, CaptureError::Dependency::MediaMtx);
    QCOMPARE(start.error.kind, K::Dependency);
    QCOMPARE(start.error.dependency, CaptureError::Dependency::MediaMtx);
    QCOMPARE(mkv.error.kind, K::Unsupported);
    QCOMPARE(mkv.error.feature, QStringLiteral("format:mkv"));
    QVERIFY(!fx.recordingService->isRecording(id));

    // A failed snapshot is announced once, with the dependency as the reason.
    QStringList topics;
    for (const QList<QVariant> &args : std::as_const(published)) {
        const auto ev = args.at(0).value<events::Event>();
        topics << ev.topic;
        if (ev.topic == QLatin1String("snapshot.error"))
            QCOMPARE(ev.params.value(QLatin1String("reason")).toString(), QStringLiteral("mediamtx"));
    }
    QCOMPARE(topics.count(QStringLiteral("snapshot.error")), 1);
}

void TestCaptureService::cameraInErrorIsInvalidState()
{
    Fixture fx;
    const QString id = fx.addNetworkCamera();
    QVERIFY(fx.cameras->setCameraError(id, QStringLiteral("test")));
    Result snap, start;
    fx.capture->takeSnapshot(id, QString(), recordInto(snap));
    fx.capture->startRecording(id, std::nullopt, QStringLiteral("fmp4"), recordSessionInto(start));
    for (const Result *r : {&snap, &start}) {
        QVERIFY(r->called);
        QCOMPARE(r->error.kind, K::InvalidState);
        QCOMPARE(r->error.state, QStringLiteral("ERROR"));
        QCOMPARE(r->error.allowedStates, QStringList{QStringLiteral("CONNECTED")});
    }
}

void TestCaptureService::stopWhenIdleIsInvalidState()
{
    Fixture fx;
    const QString id = fx.addNetworkCamera();
    Result stop;
    fx.capture->stopRecording(id, recordSessionInto(stop));
    QVERIFY(stop.called);
    QCOMPARE(stop.error.kind, K::InvalidState);
    QCOMPARE(stop.error.state, QStringLiteral("IDLE"));
    QCOMPARE(stop.error.allowedStates, QStringList{QStringLiteral("RECORDING")});
}

void TestCaptureService::sameCameraRunsInOrderReceived()
{
    Fixture fx;
    const QString id = fx.addNetworkCamera();
    // Another operation (as a streaming call does) holds the camera's turn.
    media::CameraQueue::Next release;
    fx.capture->queue().run(id, [&release](media::CameraQueue::Next next) { release = std::move(next); });
    QVERIFY(release);

    QStringList log;
    Result stop, snap, start;
    fx.capture->stopRecording(id, recordSessionInto(stop, &log, QStringLiteral("stop")));
    fx.capture->takeSnapshot(id, QString(), recordInto(snap, &log, QStringLiteral("snapshot")));
    fx.capture->startRecording(id, std::nullopt, QStringLiteral("fmp4"), recordSessionInto(start, &log, QStringLiteral("start")));
    QCoreApplication::processEvents();
    QVERIFY(log.isEmpty());  // all three wait for the camera's turn

    release();
    QCOMPARE(log, (QStringList{QStringLiteral("stop"), QStringLiteral("snapshot"), QStringLiteral("start")}));
    QCOMPARE(stop.error.kind, K::InvalidState);
    QCOMPARE(snap.error.kind, K::Dependency);
    QCOMPARE(start.error.kind, K::Dependency);

    // The queue is free again: the next verb runs at once.
    Result again;
    fx.capture->stopRecording(id, recordSessionInto(again));
    QVERIFY(again.called);
}

void TestCaptureService::otherCamerasAndBadInputDoNotWait()
{
    Fixture fx;
    const QString id = fx.addNetworkCamera();
    media::CameraQueue::Next release;
    fx.capture->queue().run(id, [&release](media::CameraQueue::Next next) { release = std::move(next); });

    Result other, badName, badDuration, queued;
    fx.capture->takeSnapshot(QStringLiteral("camera7"), QString(), recordInto(other));
    fx.capture->takeSnapshot(id, QStringLiteral("gate.png"), recordInto(badName));
    fx.capture->startRecording(id, 0, QStringLiteral("fmp4"), recordSessionInto(badDuration));
    fx.capture->stopRecording(id, recordSessionInto(queued));
    QVERIFY(other.called);
    QCOMPARE(other.error.kind, K::NotFound);
    QVERIFY(badName.called);
    QCOMPARE(badName.error.rule, QStringLiteral("extension"));
    QVERIFY(badDuration.called);
    QCOMPARE(badDuration.error.rule, QStringLiteral("min"));
    QVERIFY(!queued.called);
    release();
    QVERIFY(queued.called);
}

QTEST_GUILESS_MAIN(TestCaptureService)
#include "tst_captureservice.moc"
