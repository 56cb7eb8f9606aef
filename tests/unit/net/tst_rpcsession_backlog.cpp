// Issue 12 #15: notifications held while a call is in flight are bounded.
#include "rpc/RpcSession.h"

#include <QTest>

using station::rpc::RpcSession;

class TestRpcSessionBacklog : public QObject
{
    Q_OBJECT

private slots:
    void heldNotificationsAreBounded()
    {
        RpcSession s(QStringLiteral("conn-1"), QHostAddress::LocalHost, QStringLiteral("h"));
        qint64 sentBytes = 0;
        QList<std::pair<int, QString>> closes;
        s.sendHook = [&](const QByteArray &json) { sentBytes += json.size(); };
        s.closeHook = [&](int code, const QString &reason) { closes.append({code, reason}); };
        s.beginCall();  // a call that does not answer
        const QByteArray notification(1024, 'n');
        for (int i = 0; i < 10000; ++i)  // 10 MiB offered
            s.sendNotification(notification);
        QCOMPARE(sentBytes, 0);  // nothing overtakes the call's answer
        QCOMPARE(closes.size(), 1);
        QCOMPARE(closes.first().first, 1008);
        QCOMPARE(closes.first().second, QStringLiteral("notification backlog over limit"));
        s.endCall();
        QVERIFY(sentBytes <= RpcSession::kMaxHeldNotificationBytes);
        QVERIFY(sentBytes >= RpcSession::kMaxHeldNotificationBytes - 1024);
    }

    void smallBacklogIsDeliveredInOrder()
    {
        RpcSession s(QStringLiteral("conn-2"), QHostAddress::LocalHost, QStringLiteral("h"));
        QList<QByteArray> sent;
        int closes = 0;
        s.sendHook = [&](const QByteArray &json) { sent << json; };
        s.closeHook = [&](int, const QString &) { ++closes; };
        s.beginCall();
        s.sendNotification("a");
        s.sendNotification("b");
        s.sendResponse("r");
        s.endCall();
        QCOMPARE(sent, (QList<QByteArray>{"r", "a", "b"}));
        QCOMPARE(closes, 0);
    }
};

QTEST_GUILESS_MAIN(TestRpcSessionBacklog)
#include "tst_rpcsession_backlog.moc"
