// Event subscriptions (API.md §10) and notification delivery (§12.1, §12.4, §15 shutdown) of the real binary.
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace station::test;

namespace {

const QRegularExpression kIsoMs(QStringLiteral(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)"));

QStringList strings(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue &v : array.toArray())
        out << v.toString();
    return out;
}

QString dump(const QJsonValue &v)
{
    return v.isObject() ? QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact))
         : v.isArray() ? QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact))
                       : v.toString();
}

QJsonObject subscribe(WsClient &c, const QStringList &topics, const QJsonObject &filters = {})
{
    QJsonObject p{{QStringLiteral("topics"), QJsonArray::fromStringList(topics)}};
    if (!filters.isEmpty())
        p.insert(QStringLiteral("filters"), filters);
    return c.call(QStringLiteral("subscribe_events"), p);
}

QStringList clientTopics(WsClient &c)
{
    return strings(rpcResult(c.call(QStringLiteral("get_subscription_stats"))).value(QLatin1String("client_topics")));
}

bool connectAs(WsClient &c, const StationProcess &station, const QString &role)
{
    return c.open(station.wsUrl()) && c.authenticate(StationProcess::token(role));
}

// Every notification (message without id) in what the client received.
QList<QJsonObject> notifications(const QList<QJsonValue> &messages, const QString &method = {})
{
    QList<QJsonObject> out;
    for (const QJsonValue &m : messages) {
        const QJsonObject o = m.toObject();
        if (!o.contains(QLatin1String("id")) && (method.isEmpty() || o.value(QLatin1String("method")).toString() == method))
            out << o;
    }
    return out;
}

} // namespace

class TestEvents : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;

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

    void defaultsAfterFirstAuthenticate()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QCOMPARE(rpcCode(c.call(QStringLiteral("get_subscription_stats"))), -32001);
        QCOMPARE(rpcCode(subscribe(c, {QStringLiteral("camera.connected")})), -32001);
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        QCOMPARE(clientTopics(c), (QStringList{QStringLiteral("camera_status_update"), QStringLiteral("recording_status_update")}));

        // unsubscribe_events without topics removes everything, defaults included, and re-authentication
        // does not bring the defaults back (only the first authenticate sets them).
        const QJsonObject all = c.call(QStringLiteral("unsubscribe_events"));
        QCOMPARE(rpcResult(all).value(QLatin1String("unsubscribed")), QJsonValue(true));
        QCOMPARE(strings(rpcResult(all).value(QLatin1String("topics"))), (QStringList{QStringLiteral("camera_status_update"), QStringLiteral("recording_status_update")}));
        QVERIFY(clientTopics(c).isEmpty());
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("operator"))));
        QVERIFY(clientTopics(c).isEmpty());

        // Subscriptions survive re-authentication.
        QVERIFY(rpcIsSuccess(subscribe(c, {QStringLiteral("snapshot.taken")})));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        QCOMPARE(clientTopics(c), QStringList{QStringLiteral("snapshot.taken")});
    }

    void subscribeAndAliases()
    {
        WsClient c;
        QVERIFY(connectAs(c, *m_station, QStringLiteral("viewer")));
        const QJsonObject r = subscribe(c, {QStringLiteral("recording.started"), QStringLiteral("recording.stopped"), QStringLiteral("camera.connected"),
                                            QStringLiteral("recording.start")});
        QVERIFY2(rpcIsSuccess(r), qPrintable(dump(r)));
        const QJsonObject res = rpcResult(r);
        QCOMPARE(res.value(QLatin1String("subscribed")), QJsonValue(true));
        // Canonical names, each once.
        QCOMPARE(strings(res.value(QLatin1String("topics"))), (QStringList{QStringLiteral("recording.start"), QStringLiteral("recording.stop"), QStringLiteral("camera.connected")}));
        QCOMPARE(res.value(QLatin1String("filters")).toObject(), QJsonObject());
        QCOMPARE(strings(res.value(QLatin1String("denied_topics"))), QStringList());
        const QStringList topics = clientTopics(c);
        QCOMPARE(topics, (QStringList{QStringLiteral("camera.connected"), QStringLiteral("camera_status_update"), QStringLiteral("recording.start"),
                                      QStringLiteral("recording.stop"), QStringLiteral("recording_status_update")}));
        QVERIFY(!topics.contains(QStringLiteral("recording.started")));

        // Unsubscribing by alias removes the canonical topic.
        const QJsonObject u = c.call(QStringLiteral("unsubscribe_events"), {{QStringLiteral("topics"), QJsonArray{QStringLiteral("recording.started")}}});
        QCOMPARE(strings(rpcResult(u).value(QLatin1String("topics"))), QStringList{QStringLiteral("recording.start")});
        QVERIFY(!clientTopics(c).contains(QStringLiteral("recording.start")));
        // Unsubscribing something not subscribed is not an error.
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("unsubscribe_events"), {{QStringLiteral("topics"), QJsonArray{QStringLiteral("mediamtx.path")}}})));
    }

    void topicValidation()
    {
        WsClient c;
        QVERIFY(connectAs(c, *m_station, QStringLiteral("admin")));
        const QStringList before = clientTopics(c);

        const QJsonObject unknown = subscribe(c, {QStringLiteral("camera.connected"), QStringLiteral("camera.exploded")});
        QCOMPARE(rpcCode(unknown), -32602);
        QCOMPARE(rpcDataString(unknown, "rule"), QStringLiteral("unknown_topic"));
        QCOMPARE(rpcDataString(unknown, "param"), QStringLiteral("topics[1]"));
        // A method name or a near miss is not a topic either.
        for (const char *t : {"ping", "Camera_Status_Update", "recording.*", ""}) {
            const QJsonObject r = subscribe(c, {QString::fromLatin1(t)});
            QCOMPARE(rpcCode(r), -32602);
            QCOMPARE(rpcDataString(r, "rule"), QStringLiteral("unknown_topic"));
            QCOMPARE(rpcDataString(r, "param"), QStringLiteral("topics[0]"));
        }
        // The failed calls subscribed nothing (not even the valid entries before the bad one).
        QCOMPARE(clientTopics(c), before);

        QStringList many;
        for (int i = 0; i < 65; ++i)
            many << QStringLiteral("camera.connected");
        const QJsonObject tooMany = subscribe(c, many);
        QCOMPARE(rpcCode(tooMany), -32602);
        QCOMPARE(rpcDataString(tooMany, "param"), QStringLiteral("topics"));
        QCOMPARE(rpcDataString(tooMany, "rule"), QStringLiteral("max_length"));
        QCOMPARE(rpcErrorData(tooMany).value(QLatin1String("limit")).toInt(), 64);
        many.removeLast();
        QVERIFY2(rpcIsSuccess(subscribe(c, many)), "64 entries are allowed");

        const QJsonObject empty = c.call(QStringLiteral("subscribe_events"), {{QStringLiteral("topics"), QJsonArray()}});
        QCOMPARE(rpcCode(empty), -32602);
        QCOMPARE(rpcDataString(empty, "rule"), QStringLiteral("non_empty"));
        QCOMPARE(rpcDataString(empty, "param"), QStringLiteral("topics"));
        const QJsonObject missing = c.call(QStringLiteral("subscribe_events"));
        QCOMPARE(rpcCode(missing), -32602);
        QCOMPARE(rpcDataString(missing, "rule"), QStringLiteral("required"));
        const QJsonObject notArray = c.call(QStringLiteral("subscribe_events"), {{QStringLiteral("topics"), QStringLiteral("camera.connected")}});
        QCOMPARE(rpcDataString(notArray, "rule"), QStringLiteral("type"));
        const QJsonObject notString = c.call(QStringLiteral("subscribe_events"), {{QStringLiteral("topics"), QJsonArray{QStringLiteral("camera.connected"), 5}}});
        QCOMPARE(rpcDataString(notString, "rule"), QStringLiteral("type"));
        QCOMPARE(rpcDataString(notString, "param"), QStringLiteral("topics[1]"));

        // unsubscribe_events validates the same way.
        const QJsonObject badUnsub = c.call(QStringLiteral("unsubscribe_events"), {{QStringLiteral("topics"), QJsonArray{QStringLiteral("nope")}}});
        QCOMPARE(rpcCode(badUnsub), -32602);
        QCOMPARE(rpcDataString(badUnsub, "rule"), QStringLiteral("unknown_topic"));
        QCOMPARE(rpcDataString(badUnsub, "param"), QStringLiteral("topics[0]"));
    }

    void filters()
    {
        WsClient c;
        QVERIFY(connectAs(c, *m_station, QStringLiteral("viewer")));
        const QJsonObject unknownKey = subscribe(c, {QStringLiteral("camera.disconnected")}, {{QStringLiteral("path"), QStringLiteral("/dev/video0")}});
        QCOMPARE(rpcCode(unknownKey), -32602);
        QCOMPARE(rpcDataString(unknownKey, "rule"), QStringLiteral("unknown_filter"));
        QVERIFY2(rpcDataString(unknownKey, "param").startsWith(QLatin1String("filters")), qPrintable(dump(unknownKey)));
        QVERIFY(!rpcError(unknownKey).value(QLatin1String("message")).toString().contains(QLatin1String("/dev/")));

        for (const QJsonValue &bad : {QJsonValue(QStringLiteral("video0")), QJsonValue(QStringLiteral("camera01")), QJsonValue(QStringLiteral("/dev/video0")),
                                      QJsonValue(QStringLiteral("camera1234567"))}) {
            const QJsonObject r = subscribe(c, {QStringLiteral("camera.disconnected")}, {{QStringLiteral("device"), bad}});
            QCOMPARE(rpcCode(r), -32602);
            QCOMPARE(rpcDataString(r, "param"), QStringLiteral("filters.device"));
            QCOMPARE(rpcDataString(r, "rule"), QStringLiteral("pattern"));
        }
        const QJsonObject numeric = subscribe(c, {QStringLiteral("camera.disconnected")}, {{QStringLiteral("device"), 3}});
        QCOMPARE(rpcCode(numeric), -32602);
        QCOMPARE(rpcDataString(numeric, "param"), QStringLiteral("filters.device"));
        QCOMPARE(rpcDataString(numeric, "rule"), QStringLiteral("type"));
        QVERIFY(!clientTopics(c).contains(QStringLiteral("camera.disconnected")));

        const QJsonObject ok = subscribe(c, {QStringLiteral("camera.disconnected")}, {{QStringLiteral("device"), QStringLiteral("camera7")}});
        QVERIFY2(rpcIsSuccess(ok), qPrintable(dump(ok)));
        QCOMPARE(rpcResult(ok).value(QLatin1String("filters")).toObject(), (QJsonObject{{QStringLiteral("device"), QStringLiteral("camera7")}}));
        QVERIFY(clientTopics(c).contains(QStringLiteral("camera.disconnected")));
    }

    void deniedTopicsByRole()
    {
        const QStringList asked{QStringLiteral("camera_status_update"), QStringLiteral("recording_status_update"), QStringLiteral("system_health_update"),
                                QStringLiteral("system.health"), QStringLiteral("system.error"), QStringLiteral("mediamtx.error"), QStringLiteral("system.shutdown")};
        const QStringList adminOnly{QStringLiteral("system_health_update"), QStringLiteral("system.health"), QStringLiteral("system.error"), QStringLiteral("mediamtx.error")};
        for (const char *role : {"viewer", "operator"}) {
            WsClient c;
            QVERIFY(connectAs(c, *m_station, QString::fromLatin1(role)));
            const QJsonObject res = rpcResult(subscribe(c, asked));
            QCOMPARE(res.value(QLatin1String("subscribed")), QJsonValue(true));
            QCOMPARE(strings(res.value(QLatin1String("denied_topics"))), adminOnly);
            QCOMPARE(strings(res.value(QLatin1String("topics"))), (QStringList{QStringLiteral("camera_status_update"), QStringLiteral("recording_status_update"), QStringLiteral("system.shutdown")}));
            for (const QString &t : adminOnly)
                QVERIFY(!clientTopics(c).contains(t));
        }
        WsClient admin;
        QVERIFY(connectAs(admin, *m_station, QStringLiteral("admin")));
        const QJsonObject res = rpcResult(subscribe(admin, asked));
        QCOMPARE(strings(res.value(QLatin1String("topics"))), asked);
        QCOMPARE(strings(res.value(QLatin1String("denied_topics"))), QStringList());
        QVERIFY(clientTopics(admin).contains(QStringLiteral("system_health_update")));
    }

    void statsAcrossConnections()
    {
        // Own station, so that no other connection is counted.
        StationProcess station;
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient a, b, idle;
        QVERIFY(connectAs(a, station, QStringLiteral("viewer")));
        QVERIFY(connectAs(b, station, QStringLiteral("admin")));
        QVERIFY(idle.open(station.wsUrl()));  // unauthenticated: never counted
        QVERIFY(rpcIsSuccess(subscribe(a, {QStringLiteral("camera.connected")})));
        QVERIFY(rpcIsSuccess(subscribe(b, {QStringLiteral("camera.connected"), QStringLiteral("system_health_update")})));

        const QJsonObject sa = rpcResult(a.call(QStringLiteral("get_subscription_stats")));
        const QJsonObject global = sa.value(QLatin1String("global_stats")).toObject();
        QCOMPARE(global.value(QLatin1String("active_clients")).toInt(), 2);
        QCOMPARE(global.value(QLatin1String("total_subscriptions")).toInt(), 3 + 4);
        QCOMPARE(global.value(QLatin1String("topic_counts")).toObject(),
                 (QJsonObject{{QStringLiteral("camera_status_update"), 2}, {QStringLiteral("recording_status_update"), 2},
                              {QStringLiteral("camera.connected"), 2}, {QStringLiteral("system_health_update"), 1}}));
        QCOMPARE(strings(sa.value(QLatin1String("client_topics"))),
                 (QStringList{QStringLiteral("camera.connected"), QStringLiteral("camera_status_update"), QStringLiteral("recording_status_update")}));

        // client_id: stable for the connection's life, distinct between connections.
        const QString idA = sa.value(QLatin1String("client_id")).toString();
        QVERIFY(!idA.isEmpty());
        QVERIFY(a.authenticate(StationProcess::token(QStringLiteral("operator"))));
        QCOMPARE(rpcResult(a.call(QStringLiteral("get_subscription_stats"))).value(QLatin1String("client_id")).toString(), idA);
        const QJsonObject sb = rpcResult(b.call(QStringLiteral("get_subscription_stats")));
        QVERIFY(sb.value(QLatin1String("client_id")).toString() != idA);
        QCOMPARE(sb.value(QLatin1String("global_stats")).toObject(), global);

        // A connection with no topics is not active; a closed one is gone.
        QVERIFY(rpcIsSuccess(a.call(QStringLiteral("unsubscribe_events"))));
        const QJsonObject afterUnsub = rpcResult(b.call(QStringLiteral("get_subscription_stats"))).value(QLatin1String("global_stats")).toObject();
        QCOMPARE(afterUnsub.value(QLatin1String("active_clients")).toInt(), 1);
        QCOMPARE(afterUnsub.value(QLatin1String("total_subscriptions")).toInt(), 4);
        QVERIFY(rpcIsSuccess(subscribe(a, {QStringLiteral("snapshot.taken")})));
        a.close();
        QTRY_COMPARE_WITH_TIMEOUT(rpcResult(b.call(QStringLiteral("get_subscription_stats"))).value(QLatin1String("global_stats")).toObject()
                                      .value(QLatin1String("active_clients")).toInt(), 1, 3000);
        station.stop();
    }

    void healthNotificationsReachAdminsOnly()
    {
        StationProcess station;
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient admin, adminFiltered, adminAlias, viewer, anon;
        QVERIFY(connectAs(admin, station, QStringLiteral("admin")));
        QVERIFY(connectAs(adminFiltered, station, QStringLiteral("admin")));
        QVERIFY(connectAs(adminAlias, station, QStringLiteral("admin")));
        QVERIFY(connectAs(viewer, station, QStringLiteral("viewer")));
        QVERIFY(anon.open(station.wsUrl()));
        QVERIFY(rpcIsSuccess(subscribe(admin, {QStringLiteral("system_health_update"), QStringLiteral("system.error")})));
        // A device filter does not hold back events that carry no camera.
        QVERIFY(rpcIsSuccess(subscribe(adminFiltered, {QStringLiteral("system_health_update")}, {{QStringLiteral("device"), QStringLiteral("camera3")}})));
        QVERIFY(rpcIsSuccess(subscribe(adminAlias, {QStringLiteral("system.health")})));
        QVERIFY(rpcIsSuccess(subscribe(viewer, {QStringLiteral("system_health_update"), QStringLiteral("system.health"), QStringLiteral("system.shutdown")})));
        const QString before = rpcResult(admin.call(QStringLiteral("get_status"))).value(QLatin1String("components")).toObject().value(QLatin1String("storage")).toString();
        QCOMPARE(before, QStringLiteral("RUNNING"));
        admin.drain();

        // The storage component fails when the recordings folder disappears (root ignores chmod, a rename works).
        QVERIFY(QDir().rename(station.recordingsDir(), station.recordingsDir() + QStringLiteral(".away")));
        const QJsonObject n = admin.waitNotification(QStringLiteral("system_health_update"), 5000);
        QDir().rename(station.recordingsDir() + QStringLiteral(".away"), station.recordingsDir());
        QVERIFY2(!n.isEmpty(), "no system_health_update within 5 s of the storage failure");
        QCOMPARE(n.value(QLatin1String("jsonrpc")).toString(), QStringLiteral("2.0"));
        QVERIFY(!n.contains(QLatin1String("id")));
        const QJsonObject params = n.value(QLatin1String("params")).toObject();
        QVERIFY2(kIsoMs.match(params.value(QLatin1String("timestamp")).toString()).hasMatch(), qPrintable(dump(n)));
        QCOMPARE(params.value(QLatin1String("components")).toObject().value(QLatin1String("storage")).toString(), QStringLiteral("ERROR"));
        QVERIFY(params.value(QLatin1String("status")).isString());
        QVERIFY(params.value(QLatin1String("version")).isString());
        QVERIFY(params.value(QLatin1String("uptime")).isDouble());
        const QJsonObject err = admin.waitNotification(QStringLiteral("system.error"), 3000);
        QCOMPARE(err.value(QLatin1String("params")).toObject().value(QLatin1String("component")).toString(), QStringLiteral("storage"));
        QVERIFY(!dump(err).contains(station.dataDir()));  // no file-system paths on the wire

        QVERIFY2(!adminFiltered.waitNotification(QStringLiteral("system_health_update"), 3000).isEmpty(), "filtered admin missed the event");
        const QJsonObject alias = adminAlias.waitNotification(QStringLiteral("system.health"), 3000);
        QVERIFY2(!alias.isEmpty(), "system.health subscriber missed the event");
        QCOMPARE(alias.value(QLatin1String("params")).toObject().value(QLatin1String("components")).toObject(),
                 params.value(QLatin1String("components")).toObject());

        // Recovery is announced too.
        const QJsonObject recovered = admin.waitNotification(QStringLiteral("system_health_update"), 5000);
        QCOMPARE(recovered.value(QLatin1String("params")).toObject().value(QLatin1String("components")).toObject().value(QLatin1String("storage")).toString(),
                 QStringLiteral("RUNNING"));

        // A viewer (who could not subscribe to them) and an unauthenticated client got nothing.
        QVERIFY(viewer.noMessageWithin(300));
        QVERIFY(notifications(viewer.drain()).isEmpty());
        QVERIFY(anon.noMessageWithin(100));
        station.stop();
    }

    void shutdownNotification()
    {
        StationProcess station(QStringList{QStringLiteral("--set"), QStringLiteral("security.auth_failures_per_minute=1000")});
        QVERIFY2(station.start(), qPrintable(station.log()));
        QString keyOut, keyErr;
        QCOMPARE(station.runAdmin({QStringLiteral("apikey"), QStringLiteral("create"), QStringLiteral("--role"), QStringLiteral("viewer")}, &keyOut, &keyErr), 0);
        const QString key = keyOut.trimmed();
        const QString keyId = QRegularExpression(QStringLiteral(R"((key_[0-9a-f]{8}))")).match(keyErr).captured(1);
        QVERIFY(!keyId.isEmpty());

        WsClient viewer, admin, defaultsOnly, anon, revoked, expired, unsubscribed;
        QVERIFY(connectAs(viewer, station, QStringLiteral("viewer")));
        QVERIFY(connectAs(admin, station, QStringLiteral("admin")));
        QVERIFY(connectAs(defaultsOnly, station, QStringLiteral("viewer")));
        QVERIFY(anon.open(station.wsUrl()));
        QVERIFY(revoked.open(station.wsUrl()));
        QVERIFY(rpcIsSuccess(revoked.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), key}})));
        QVERIFY(expired.open(station.wsUrl()));
        const qint64 expiredAfter = QDateTime::currentSecsSinceEpoch() + 2;
        QVERIFY(expired.authenticate(StationProcess::signJwt({{QStringLiteral("alg"), QStringLiteral("HS256")}},
            {{QStringLiteral("user_id"), QStringLiteral("shortlived")}, {QStringLiteral("role"), QStringLiteral("viewer")},
             {QStringLiteral("iat"), expiredAfter - 2}, {QStringLiteral("exp"), expiredAfter}})));
        QVERIFY(connectAs(unsubscribed, station, QStringLiteral("viewer")));
        for (WsClient *c : {&viewer, &admin, &revoked, &expired, &unsubscribed})
            QVERIFY(rpcIsSuccess(subscribe(*c, {QStringLiteral("system.shutdown")}, c == &admin ? QJsonObject{{QStringLiteral("device"), QStringLiteral("camera0")}} : QJsonObject())));
        QVERIFY(rpcIsSuccess(unsubscribed.call(QStringLiteral("unsubscribe_events"), {{QStringLiteral("topics"), QJsonArray{QStringLiteral("system.shutdown")}}})));
        // The API key is revoked and the token expires without either client calling again:
        // notifications must still stop for them (§12.1: authenticated at that moment).
        QCOMPARE(station.runAdmin({QStringLiteral("apikey"), QStringLiteral("revoke"), keyId}), 0);
        while (QDateTime::currentMSecsSinceEpoch() < expiredAfter * 1000 + 300)
            QTest::qWait(50);
        for (WsClient *c : {&viewer, &admin, &defaultsOnly, &anon, &revoked, &expired, &unsubscribed})
            c->drain();

        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        station.terminate();
        for (WsClient *c : {&viewer, &admin, &defaultsOnly, &anon, &revoked, &expired, &unsubscribed})
            QVERIFY(c->waitClosed(12000));
        QVERIFY(station.waitForExit(15000));
        QCOMPARE(station.exitCode(), 0);

        for (WsClient *c : {&viewer, &admin}) {
            const QList<QJsonValue> got = c->drain();
            const QList<QJsonObject> shutdown = notifications(got, QStringLiteral("system.shutdown"));
            QVERIFY2(shutdown.size() == 1, qPrintable(QStringLiteral("%1 system.shutdown messages").arg(shutdown.size())));
            const QJsonObject p = shutdown.first().value(QLatin1String("params")).toObject();
            QVERIFY2(!p.value(QLatin1String("reason")).toString().isEmpty(), qPrintable(dump(shutdown.first())));
            const QString ts = p.value(QLatin1String("timestamp")).toString();
            QVERIFY2(kIsoMs.match(ts).hasMatch(), qPrintable(ts));
            const qint64 at = QDateTime::fromString(ts, Qt::ISODateWithMs).toMSecsSinceEpoch();
            QVERIFY2(at >= before - 1000 && at <= QDateTime::currentMSecsSinceEpoch() + 1000, qPrintable(ts));
            QCOMPARE(c->closeCode(), 1001);
        }
        const struct {
            WsClient *client;
            const char *name;
        } silent[] = {{&defaultsOnly, "not subscribed"}, {&anon, "unauthenticated"}, {&revoked, "revoked API key"},
                      {&expired, "expired token"}, {&unsubscribed, "unsubscribed"}};
        for (const auto &s : silent) {
            const QList<QJsonObject> got = notifications(s.client->drain());
            QVERIFY2(got.isEmpty(), qPrintable(QStringLiteral("%1 client received %2").arg(QLatin1String(s.name), dump(got.value(0)))));
            QCOMPARE(s.client->closeCode(), 1001);
        }
    }
};

QTEST_GUILESS_MAIN(TestEvents)
#include "tst_events.moc"
