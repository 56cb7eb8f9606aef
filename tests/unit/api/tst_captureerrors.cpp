// The capture verbs' typed errors on the wire (api/CaptureErrors.h): each kind
// gets its contract code, and an input the verb refuses gives the very error
// the handler's parameter reader gave when the rule lived there.
#include "api/CaptureErrors.h"
#include "media/CaptureService.h"
#include "media/FilenameRules.h"
#include "rpc/ParamReader.h"

#include <QTest>

using namespace station;
using media::CaptureError;
using media::CaptureService;

class TestCaptureErrors : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void codes();
    void durationOutOfRangeSameAsParamReader_data();
    void durationOutOfRangeSameAsParamReader();
    void formatAndExtension();
    void filenameRuleSameAsParamReader();
};

void TestCaptureErrors::codes()
{
    const QString cam = QStringLiteral("camera3");
    const rpc::RpcError nf = api::toRpcError(CaptureError::notFound(), cam);
    QCOMPARE(nf.code, -32010);
    QCOMPARE(nf.data.value(QLatin1String("id")).toString(), cam);
    const rpc::RpcError st = api::toRpcError(CaptureError::invalidState(QStringLiteral("IDLE"), {QStringLiteral("RECORDING")}), cam);
    QCOMPARE(st.code, -32020);
    QCOMPARE(st.data.value(QLatin1String("state")).toString(), QStringLiteral("IDLE"));
    QCOMPARE(api::toRpcError(CaptureError::unsupported(QStringLiteral("format:mkv")), cam).code, -32030);
    const rpc::RpcError dep = api::toRpcError(CaptureError::dependencyFailed(CaptureError::Dependency::MediaMtx, QStringLiteral("down")), cam);
    QCOMPARE(dep.code, -32050);
    QCOMPARE(dep.data.value(QLatin1String("dependency")).toString(), QStringLiteral("mediamtx"));
    QCOMPARE(api::toRpcError(CaptureError::invalidInput(QStringLiteral("format"), QStringLiteral("enum"), QString()), cam).code, -32602);
}

void TestCaptureErrors::durationOutOfRangeSameAsParamReader_data()
{
    QTest::addColumn<qint64>("duration");
    QTest::newRow("zero") << qint64(0);
    QTest::newRow("negative") << qint64(-3);
    QTest::newRow("a day and a second") << qint64(86401);
}

void TestCaptureErrors::durationOutOfRangeSameAsParamReader()
{
    QFETCH(qint64, duration);
    rpc::ParamReader p(QJsonObject{{QStringLiteral("duration"), double(duration)}});
    p.maybeInteger(QStringLiteral("duration"), CaptureService::kMinRecordingSeconds, CaptureService::kMaxRecordingSeconds);
    QVERIFY(p.failed());
    const CaptureError e = CaptureService::checkRecordingRequest(duration, QStringLiteral("fmp4"));
    QCOMPARE(api::toRpcError(e, QStringLiteral("camera0")).toJson(), p.error().toJson());
}

void TestCaptureErrors::formatAndExtension()
{
    rpc::ParamReader p({});
    p.fail(QStringLiteral("format"), QStringLiteral("enum"), QStringLiteral("format must be fmp4 or mp4"));
    QCOMPARE(api::toRpcError(CaptureService::checkRecordingRequest(std::nullopt, QStringLiteral("avi")), {}).toJson(), p.error().toJson());

    rpc::ParamReader q({});
    q.fail(QStringLiteral("filename"), QStringLiteral("extension"), media::filenameRuleHint(QStringLiteral("extension")));
    QCOMPARE(api::toRpcError(CaptureService::checkSnapshotName(QStringLiteral("door.png")), {}).toJson(), q.error().toJson());
}

void TestCaptureErrors::filenameRuleSameAsParamReader()
{
    for (const QString &bad : {QString(300, QLatin1Char('x')) + QStringLiteral(".jpg"), QStringLiteral("../door.jpg"), QStringLiteral(".hidden.jpg")}) {
        rpc::ParamReader p(QJsonObject{{QStringLiteral("filename"), bad}});
        p.filename();
        QVERIFY2(p.failed(), qPrintable(bad));
        const CaptureError e = CaptureService::checkSnapshotName(bad);
        QCOMPARE(e.kind, CaptureError::Kind::InvalidInput);
        QCOMPARE(api::toRpcError(e, {}).toJson(), p.error().toJson());
    }
}

QTEST_GUILESS_MAIN(TestCaptureErrors)
#include "tst_captureerrors.moc"
