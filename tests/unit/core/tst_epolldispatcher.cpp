// The headless service's event dispatcher (core::EpollEventDispatcher) runs
// the whole main loop: timers, sockets, posted events from other threads,
// nested loops, deferred deletes. Each behaviour Qt's own dispatcher gives
// is checked here with the dispatcher installed before the application.

#include "core/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

using station::core::EpollEventDispatcher;

class TestEpollDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void isInstalled()
    {
        QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
    }

    void timersFireInOrderAndOnTime()
    {
        QList<int> order;
        QElapsedTimer clock;
        clock.start();
        qint64 at30 = -1;
        QTimer::singleShot(60, [&] { order << 60; });
        QTimer::singleShot(30, Qt::PreciseTimer, [&] { order << 30; at30 = clock.elapsed(); });
        QTimer::singleShot(0, [&] { order << 0; });
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 3, 2000);
        QCOMPARE(order, (QList<int>{0, 30, 60}));
        QVERIFY2(at30 >= 30 && at30 < 200, qPrintable(QString::number(at30)));  // never early
    }

    void repeatingTimerKeepsItsPeriod()
    {
        QTimer t;
        t.setTimerType(Qt::PreciseTimer);
        t.setInterval(20);
        int ticks = 0;
        connect(&t, &QTimer::timeout, this, [&] { ++ticks; });
        QElapsedTimer clock;
        clock.start();
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(ticks >= 10, 3000);
        const qint64 took = clock.elapsed();
        QVERIFY2(took >= 200 && took < 1500, qPrintable(QString::number(took)));
        QVERIFY(t.remainingTime() >= 0 && t.remainingTime() <= 20);
        QCOMPARE(QAbstractEventDispatcher::instance()->registeredTimers(&t).size(), 1);
        t.stop();
        QCOMPARE(QAbstractEventDispatcher::instance()->registeredTimers(&t).size(), 0);
        const int after = ticks;
        QTest::qWait(60);
        QCOMPARE(ticks, after);
    }

    void timerStoppedByAnotherHandlerDoesNotFire()
    {
        QTimer a, b;
        bool bFired = false;
        a.setSingleShot(true);
        b.setSingleShot(true);
        connect(&a, &QTimer::timeout, this, [&] { b.stop(); });
        connect(&b, &QTimer::timeout, this, [&] { bFired = true; });
        a.start(10);
        b.start(10);
        QTest::qWait(80);
        // a is due first (started first, same interval) and stops b, which was
        // due in the same wake-up: b must not fire.
        QVERIFY(!bFired);
        QVERIFY(!b.isActive());
    }

    void zeroTimerDoesNotStarveTheLoop()
    {
        QTimer zero;
        int spins = 0;
        connect(&zero, &QTimer::timeout, this, [&] { ++spins; });
        zero.start(0);
        bool other = false;
        QTimer::singleShot(20, [&] { other = true; });
        QTRY_VERIFY_WITH_TIMEOUT(other, 2000);
        zero.stop();
        QVERIFY(spins > 1);
    }

    void postedEventsFromAnotherThreadWakeTheLoop()
    {
        QElapsedTimer clock;
        bool got = false;
        qint64 latency = -1;
        QThread *th = QThread::create([&] {
            QThread::msleep(50);
            clock.start();
            QMetaObject::invokeMethod(this, [&] { got = true; latency = clock.elapsed(); }, Qt::QueuedConnection);
        });
        th->start();
        QEventLoop loop;
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);  // only a safety net
        QTimer poll;
        connect(&poll, &QTimer::timeout, &loop, [&] { if (got) loop.quit(); });
        poll.start(1);
        loop.exec();
        th->wait();
        delete th;
        QVERIFY(got);
        QVERIFY2(latency >= 0 && latency < 100, qPrintable(QString::number(latency)));
    }

    void tcpEchoAndWriteNotifications()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket *accepted = nullptr;
        connect(&server, &QTcpServer::newConnection, this, [&] {
            accepted = server.nextPendingConnection();
            connect(accepted, &QTcpSocket::readyRead, accepted, [accepted] { accepted->write(accepted->readAll()); });
        });
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        QByteArray big(4 * 1024 * 1024, 'x');  // more than the kernel buffers: needs write readiness
        big[0] = 'a';
        big[big.size() - 1] = 'z';
        client.write(big);
        QByteArray back;
        connect(&client, &QTcpSocket::readyRead, this, [&] { back += client.readAll(); });
        QTRY_COMPARE_WITH_TIMEOUT(back.size(), big.size(), 10000);
        QCOMPARE(back, big);
        client.disconnectFromHost();
        QTRY_VERIFY(accepted->state() == QAbstractSocket::UnconnectedState);  // hang-up reaches the reader
    }

    void notifierDisabledInsideItsHandlerStaysQuiet()
    {
        int fds[2];
        QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        QSocketNotifier n(fds[0], QSocketNotifier::Read);
        int calls = 0;
        connect(&n, &QSocketNotifier::activated, this, [&] { ++calls; n.setEnabled(false); });
        QVERIFY(::write(fds[1], "x", 1) == 1);
        QTRY_COMPARE(calls, 1);
        QTest::qWait(50);  // level-triggered and still readable, but disabled
        QCOMPARE(calls, 1);
        n.setEnabled(true);
        QTRY_COMPARE(calls, 2);
        n.setEnabled(false);
        ::close(fds[0]);
        ::close(fds[1]);
    }

    void nestedLoopRunsTimersButNotTheBusyOne()
    {
        QTimer outer;
        outer.setSingleShot(false);
        int outerCalls = 0, innerCalls = 0;
        connect(&outer, &QTimer::timeout, this, [&] {
            ++outerCalls;
            if (outerCalls > 1)
                return;
            QEventLoop inner;
            QTimer::singleShot(30, &inner, [&] { ++innerCalls; inner.quit(); });
            inner.exec();  // outer's own timer must not re-enter while it runs
        });
        outer.start(5);
        QTRY_VERIFY_WITH_TIMEOUT(outerCalls >= 3, 2000);
        outer.stop();
        QCOMPARE(innerCalls, 1);
    }

    void deleteLaterHappens()
    {
        QPointer<QObject> o = new QObject;
        o->deleteLater();
        QTRY_VERIFY(o.isNull());
    }
};

int main(int argc, char *argv[])
{
    auto *dispatcher = new EpollEventDispatcher;
    if (!dispatcher->isValid())
        return 1;
    QCoreApplication::setEventDispatcher(dispatcher);
    QCoreApplication app(argc, argv);
    TestEpollDispatcher t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_epolldispatcher.moc"
