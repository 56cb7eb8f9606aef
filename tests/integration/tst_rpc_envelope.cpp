// JSON-RPC envelope, batch and frame handling of the real binary (API.md §2.1–2.4).
#include "StationProcess.h"
#include "WsClient.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>

using namespace station::test;

class TestRpcEnvelope : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;

    QJsonValue send(WsClient &c, const QString &raw)
    {
        c.sendText(raw);
        return c.nextMessage();
    }
    static int code(const QJsonValue &v) { return v.toObject().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(); }

private Q_SLOTS:
    void initTestCase()
    {
        m_station = std::make_unique<StationProcess>();
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
    }
    void cleanupTestCase()
    {
        m_station->stop();
        QCOMPARE(m_station->exitCode(), 0);
    }

    void pingBeforeAndAfterAuth()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QCOMPARE(send(c, QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":1})")).toObject(),
                 QJsonDocument::fromJson(R"({"jsonrpc":"2.0","result":"pong","id":1})").object());
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void idsEchoedExactly()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QCOMPARE(send(c, QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":"abc"})")).toObject().value(QLatin1String("id")), QJsonValue(QStringLiteral("abc")));
        QCOMPARE(send(c, QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":9007199254740991})")).toObject().value(QLatin1String("id")).toDouble(), 9007199254740991.0);
        const QJsonObject nullId = send(c, QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":null})")).toObject();
        QVERIFY(nullId.contains(QLatin1String("id")) && nullId.value(QLatin1String("id")).isNull());
        QCOMPARE(nullId.value(QLatin1String("result")).toString(), QStringLiteral("pong"));
    }

    void invalidIds()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        for (const char *raw : {R"({"jsonrpc":"2.0","method":"ping","id":1.5})", R"({"jsonrpc":"2.0","method":"ping","id":true})",
                                R"({"jsonrpc":"2.0","method":"ping","id":[1]})", R"({"jsonrpc":"2.0","method":"ping","id":{}})"}) {
            const QJsonObject r = send(c, QString::fromLatin1(raw)).toObject();
            QCOMPARE(code(r), -32600);
            QVERIFY(r.value(QLatin1String("id")).isNull());
        }
        const QString longId = QString(129, QLatin1Char('x'));
        QCOMPARE(code(send(c, QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":"%1"})").arg(longId))), -32600);
    }

    void parseErrorHasNullId()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const QJsonObject r = send(c, QStringLiteral("{not json")).toObject();
        QCOMPARE(code(r), -32700);
        QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(), QStringLiteral("Parse error"));
        QVERIFY(r.contains(QLatin1String("id")) && r.value(QLatin1String("id")).isNull());
        QVERIFY(r.value(QLatin1String("error")).toObject().value(QLatin1String("data")).isObject());
        // The connection stays usable.
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void badEnvelopes()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QCOMPARE(code(send(c, QStringLiteral("42"))), -32600);
        QCOMPARE(code(send(c, QStringLiteral(R"("ping")"))), -32600);
        QCOMPARE(code(send(c, QStringLiteral(R"({"jsonrpc":"1.0","method":"ping","id":1})"))), -32600);
        QCOMPARE(code(send(c, QStringLiteral(R"({"method":"ping","id":1})"))), -32600);
        QCOMPARE(code(send(c, QStringLiteral(R"({"jsonrpc":"2.0","method":5,"id":1})"))), -32600);
        QCOMPARE(code(send(c, QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","params":"x","id":1})"))), -32600);
        const QJsonObject arrayParams = send(c, QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","params":[1],"id":1})")).toObject();
        QCOMPARE(code(arrayParams), -32602);
        QCOMPARE(arrayParams.value(QLatin1String("error")).toObject().value(QLatin1String("data")).toObject().value(QLatin1String("rule")).toString(),
                 QStringLiteral("by_name_only"));
    }

    void unknownMethodsAndNotificationNames()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        for (const char *m : {"nope", "", "rpc.discover", "camera_status_update", "recording_status_update", "mediamtx.stream", "system.startup"}) {
            const QJsonObject r = c.call(QString::fromLatin1(m));
            QCOMPARE(code(r), -32601);
            QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(), QStringLiteral("Method not found"));
        }
    }

    void notificationsAreNeverAnswered()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        c.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"ping"})"));
        c.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"nope"})"));
        c.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"get_camera_list"})"));
        QVERIFY(c.noMessageWithin(500));
    }

    void batch()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const QJsonArray r = send(c, QStringLiteral(R"([{"jsonrpc":"2.0","method":"ping","id":1},{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","method":"nope","id":"b"}])")).toArray();
        QCOMPARE(r.size(), 2);
        QCOMPARE(r.at(0).toObject().value(QLatin1String("result")).toString(), QStringLiteral("pong"));
        QCOMPARE(r.at(0).toObject().value(QLatin1String("id")).toInt(), 1);
        QCOMPARE(code(r.at(1)), -32601);
        QCOMPARE(r.at(1).toObject().value(QLatin1String("id")).toString(), QStringLiteral("b"));
        // Entries that are not objects get their own -32600 with id null.
        const QJsonArray junk = send(c, QStringLiteral("[1,2]")).toArray();
        QCOMPARE(junk.size(), 2);
        QCOMPARE(code(junk.at(0)), -32600);
        QVERIFY(junk.at(0).toObject().value(QLatin1String("id")).isNull());
        // Empty batch: one non-array -32600.
        const QJsonValue empty = send(c, QStringLiteral("[]"));
        QVERIFY(empty.isObject());
        QCOMPARE(code(empty), -32600);
        // Only notifications: nothing is sent.
        c.sendText(QStringLiteral(R"([{"jsonrpc":"2.0","method":"ping"}])"));
        QVERIFY(c.noMessageWithin(400));
    }

    void batchAuthenticateAppliesToLaterEntries()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const QString token = QString::fromLatin1(StationProcess::token(QStringLiteral("viewer")));
        const QJsonArray r = send(c, QStringLiteral(R"([{"jsonrpc":"2.0","method":"get_camera_list","id":1},)"
                                                    R"({"jsonrpc":"2.0","method":"authenticate","params":{"auth_token":"%1"},"id":2},)"
                                                    R"({"jsonrpc":"2.0","method":"get_camera_list","id":3}])").arg(token)).toArray();
        QCOMPARE(r.size(), 3);
        QCOMPARE(code(r.at(0)), -32001);
        QVERIFY(r.at(1).toObject().value(QLatin1String("result")).toObject().value(QLatin1String("authenticated")).toBool());
        QVERIFY(r.at(2).toObject().value(QLatin1String("result")).toObject().contains(QLatin1String("cameras")));
    }

    void oversizedBatchRejectedWhole()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QStringList entries;
        for (int i = 0; i < 51; ++i)
            entries << QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":%1})").arg(i);
        const QJsonValue r = send(c, QLatin1Char('[') + entries.join(QLatin1Char(',')) + QLatin1Char(']'));
        QVERIFY(r.isObject());
        QCOMPARE(code(r), -32600);
        QVERIFY(r.toObject().value(QLatin1String("error")).toObject().value(QLatin1String("data")).toObject().value(QLatin1String("hint")).toString().contains(QLatin1String("50")));
    }

    void oversizedMessageClosesWith1009()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        c.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":1,"pad":"%1"})").arg(QString(1100000, QLatin1Char('a'))));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 1009);
    }

    void binaryMessageClosesWith1003()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        c.socket().sendBinaryMessage(QByteArray("\x01\x02", 2));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 1003);
    }

    void plainGetOnWsPathIs426()
    {
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), m_station->apiPort());
        QVERIFY(s.waitForConnected(2000));
        s.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(s.waitForReadyRead(3000));
        QVERIFY(s.readAll().startsWith("HTTP/1.1 426"));
    }

    void serverStillAnswersAfterAbuse()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }
};

QTEST_GUILESS_MAIN(TestRpcEnvelope)
#include "tst_rpc_envelope.moc"
