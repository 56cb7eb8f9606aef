// The permission matrix of API.md §3 against the real binary, plus the pipeline
// order around it (§2.4: authentication → role → params) and §2.8's debug rule.
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace station::test;

namespace {

enum Level { Unauth = 0, Viewer = 1, Operator = 2, Admin = 3 };

const char *const kRoleNames[] = {"", "viewer", "operator", "admin"};

struct MatrixRow {
    const char *method;
    Level minimum;  // lowest level marked ✓ in §3 (Unauth: everyone)
    QJsonObject params;
};

QJsonObject obj(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

// §3, row by row. Params are valid so that, for an allowed role, the call gets past
// the params step (the station has no cameras, so handlers answer -32010/-32030/-32050…).
QList<MatrixRow> matrix()
{
    return {
        {"ping", Unauth, {}},
        {"authenticate", Unauth, {}},  // special-cased: see the test
        {"get_camera_list", Viewer, {}},
        {"get_camera_status", Viewer, obj(R"({"device":"camera0"})")},
        {"get_camera_capabilities", Viewer, obj(R"({"device":"camera0"})")},
        {"take_snapshot", Operator, obj(R"({"device":"camera0"})")},
        {"start_recording", Operator, obj(R"({"device":"camera0"})")},
        {"stop_recording", Operator, obj(R"({"device":"camera0"})")},
        {"list_recordings", Viewer, obj(R"({"limit":10,"offset":0})")},
        {"list_snapshots", Viewer, obj(R"({"limit":10,"offset":0})")},
        {"get_recording_info", Viewer, obj(R"({"filename":"camera0_2025-01-15_14-30-00-123456.mp4"})")},
        {"get_snapshot_info", Viewer, obj(R"({"filename":"camera0_2025-01-15_14-30-00-123456.jpg"})")},
        {"delete_recording", Admin, obj(R"({"filename":"camera0_2025-01-15_14-30-00-123456.mp4"})")},
        {"delete_snapshot", Admin, obj(R"({"filename":"camera0_2025-01-15_14-30-00-123456.jpg"})")},
        {"start_streaming", Operator, obj(R"({"device":"camera0"})")},
        {"stop_streaming", Operator, obj(R"({"device":"camera0"})")},
        {"get_stream_url", Viewer, obj(R"({"device":"camera0"})")},
        {"get_stream_status", Viewer, obj(R"({"device":"camera0"})")},
        {"get_streams", Viewer, {}},
        {"get_status", Admin, {}},
        {"get_system_status", Viewer, {}},
        {"get_server_info", Viewer, {}},
        {"get_metrics", Admin, {}},
        {"get_storage_info", Admin, {}},
        {"set_retention_policy", Admin, obj(R"({"policy_type":"manual","enabled":false})")},
        {"cleanup_old_files", Admin, {}},
        {"subscribe_events", Viewer, obj(R"({"topics":["camera_status_update"]})")},
        {"unsubscribe_events", Viewer, obj(R"({"topics":["camera.connected"]})")},
        {"get_subscription_stats", Viewer, {}},
        {"discover_external_streams", Operator, obj(R"({"skydio_enabled":true})")},
        {"add_external_stream", Operator, obj(R"({"stream_url":"rtsp://127.0.0.1:1/none","stream_name":"itest"})")},
        {"remove_external_stream", Operator, obj(R"({"stream_url":"rtsp://127.0.0.1:1/none"})")},
        {"get_external_streams", Viewer, {}},
        {"set_discovery_interval", Admin, obj(R"({"scan_interval":300})")},
    };
}

QString dump(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

class TestRoles : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;
    std::unique_ptr<WsClient> m_clients[4];  // indexed by Level

private Q_SLOTS:
    void initTestCase()
    {
        m_station = std::make_unique<StationProcess>(QStringList{QStringLiteral("--set"), QStringLiteral("security.rate_limit.per_second=10000"),
                                                                 QStringLiteral("--set"), QStringLiteral("security.rate_limit.burst=10000")});
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
        for (int level = Unauth; level <= Admin; ++level) {
            m_clients[level] = std::make_unique<WsClient>();
            QVERIFY(m_clients[level]->open(m_station->wsUrl()));
            if (level != Unauth) {
                const QJsonObject r = m_clients[level]->call(QStringLiteral("authenticate"),
                    {{QStringLiteral("auth_token"), QString::fromLatin1(StationProcess::token(QString::fromLatin1(kRoleNames[level])))}});
                QCOMPARE(rpcResult(r).value(QLatin1String("role")).toString(), QString::fromLatin1(kRoleNames[level]));
            }
        }
    }
    void cleanupTestCase()
    {
        for (auto &c : m_clients)
            c.reset();
        m_station->stop();
        QCOMPARE(m_station->exitCode(), 0);
    }

    void matrix_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("minimum");
        QTest::addColumn<QJsonObject>("params");
        for (const MatrixRow &row : ::matrix())
            QTest::newRow(row.method) << QString::fromLatin1(row.method) << int(row.minimum) << row.params;
    }
    void matrix()
    {
        QFETCH(QString, method);
        QFETCH(int, minimum);
        QFETCH(QJsonObject, params);
        for (int level = Unauth; level <= Admin; ++level) {
            QJsonObject p = params;
            // authenticate is allowed for all: unauthenticated it must reach the params step (and must
            // not authenticate that connection); authenticated, a fresh token of the same role.
            if (method == QLatin1String("authenticate") && level != Unauth)
                p = {{QStringLiteral("auth_token"), QString::fromLatin1(StationProcess::token(QString::fromLatin1(kRoleNames[level])))}};
            const QJsonObject r = m_clients[level]->call(method, p);
            const QString where = QStringLiteral("%1 as %2: %3").arg(method, level == Unauth ? QStringLiteral("unauthenticated") : QString::fromLatin1(kRoleNames[level]), dump(r));
            QVERIFY2(!r.isEmpty(), qPrintable(where + QStringLiteral(" (no answer)")));
            const int code = rpcCode(r);
            if (level < minimum) {
                if (level == Unauth) {
                    QVERIFY2(code == -32001, qPrintable(where));
                    QVERIFY2(rpcDataString(r, "reason") == QLatin1String("not_authenticated"), qPrintable(where));
                } else {
                    QVERIFY2(code == -32002, qPrintable(where));
                    QVERIFY2(rpcError(r).value(QLatin1String("message")).toString() == QLatin1String("Permission denied"), qPrintable(where));
                    const QJsonObject data = rpcErrorData(r);
                    QVERIFY2(data.value(QLatin1String("required_role")).toString() == QLatin1String(kRoleNames[minimum]), qPrintable(where));
                    QVERIFY2(data.value(QLatin1String("have_role")).toString() == QLatin1String(kRoleNames[level]), qPrintable(where));
                }
            } else {
                // Past the role boundary: anything but an auth/role refusal, and the method must exist.
                QVERIFY2(code != -32001 && code != -32002 && code != -32601 && code != -32600 && code != -32040, qPrintable(where));
                // Valid params were given, so the params step must not object either.
                if (method != QLatin1String("authenticate") || level != Unauth)
                    QVERIFY2(code != -32602, qPrintable(where));
            }
        }
        // Unauthenticated calls did not authenticate that connection by accident.
        QCOMPARE(rpcDataString(m_clients[Unauth]->call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
    }

    void roleIsCheckedBeforeParams()
    {
        // Invalid params: an unauthenticated caller still gets -32001, a low role -32002, an allowed role -32602.
        const QJsonObject bad = obj(R"({"device":"not a camera","filename":"../etc/passwd","scan_interval":"x","policy_type":"bogus"})");
        for (const char *m : {"delete_recording", "set_discovery_interval", "set_retention_policy", "take_snapshot", "get_camera_status"}) {
            const QString method = QString::fromLatin1(m);
            QCOMPARE(rpcCode(m_clients[Unauth]->call(method, bad)), -32001);
            const int minimum = [&] {
                for (const MatrixRow &row : ::matrix())
                    if (method == QLatin1String(row.method))
                        return int(row.minimum);
                return -1;
            }();
            QVERIFY(minimum >= Viewer);
            for (int level = Viewer; level <= Admin; ++level) {
                const QJsonObject r = m_clients[level]->call(method, bad);
                QVERIFY2(rpcCode(r) == (level < minimum ? -32002 : -32602), qPrintable(method + QLatin1Char(' ') + dump(r)));
            }
        }
        // Array params are a params error (-32602 by_name_only), so they too come after the role check.
        QJsonObject req{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}, {QStringLiteral("method"), QStringLiteral("get_metrics")},
                        {QStringLiteral("params"), QJsonArray{1}}, {QStringLiteral("id"), 77}};
        m_clients[Viewer]->sendText(QString::fromUtf8(QJsonDocument(req).toJson(QJsonDocument::Compact)));
        const QJsonValue viewerAnswer = m_clients[Viewer]->nextResponse();
        QVERIFY2(rpcCode(viewerAnswer) == -32002, qPrintable(dump(viewerAnswer.toObject())));
        m_clients[Admin]->sendText(QString::fromUtf8(QJsonDocument(req).toJson(QJsonDocument::Compact)));
        const QJsonValue adminAnswer = m_clients[Admin]->nextResponse();
        QCOMPARE(rpcCode(adminAnswer), -32602);
        QCOMPARE(rpcDataString(adminAnswer, "rule"), QStringLiteral("by_name_only"));
    }

    void unknownMethodBeatsAuthentication()
    {
        // Step 4 (method exists) precedes step 5: unknown names are -32601 even unauthenticated.
        for (int level = Unauth; level <= Admin; ++level) {
            QCOMPARE(rpcCode(m_clients[level]->call(QStringLiteral("get_everything"))), -32601);
            QCOMPARE(rpcCode(m_clients[level]->call(QStringLiteral("system_health_update"))), -32601);
        }
    }

    void debugIsIgnoredForNonAdmins()
    {
        const QJsonObject debugList{{QStringLiteral("debug"), true}};
        const QJsonObject debugCamera{{QStringLiteral("device"), QStringLiteral("camera0")}, {QStringLiteral("debug"), true}};
        for (int level = Viewer; level <= Admin; ++level) {
            const QJsonObject list = m_clients[level]->call(QStringLiteral("get_camera_list"), debugList);
            QVERIFY2(rpcIsSuccess(list), qPrintable(dump(list)));
            const QJsonObject res = rpcResult(list);
            QVERIFY(res.value(QLatin1String("cameras")).isArray());
            QCOMPARE(res.value(QLatin1String("total")).toInt(-1), int(res.value(QLatin1String("cameras")).toArray().size()));
            for (const QJsonValue &cam : res.value(QLatin1String("cameras")).toArray())
                QVERIFY2(level == Admin || !cam.toObject().contains(QLatin1String("debug")), qPrintable(dump(list)));
            // Unknown camera: the not-found answer, never a permission error for asking debug.
            for (const char *m : {"get_camera_status", "get_camera_capabilities", "get_stream_status"}) {
                const QJsonObject r = m_clients[level]->call(QString::fromLatin1(m), debugCamera);
                QVERIFY2(rpcCode(r) == -32010, qPrintable(QString::fromLatin1(m) + QLatin1Char(' ') + dump(r)));
                QCOMPARE(rpcDataString(r, "resource"), QStringLiteral("camera"));
                QCOMPARE(rpcDataString(r, "id"), QStringLiteral("camera0"));
            }
        }
    }

    void roleClaimIsCaseSensitive()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        for (const char *role : {"Admin", "ADMIN", "root", "none", ""}) {
            const QJsonObject r = c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString::fromLatin1(StationProcess::token(QString::fromLatin1(role)))}});
            QCOMPARE(rpcCode(r), -32001);
            QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("invalid_token"));
        }
        QCOMPARE(rpcCode(c.call(QStringLiteral("get_metrics"))), -32001);
    }
};

QTEST_GUILESS_MAIN(TestRoles)
#include "tst_roles.moc"
