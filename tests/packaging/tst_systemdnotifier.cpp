// SystemdNotifier against a real notify socket, the way systemd runs a
// Type=notify service with WatchdogSec=: READY=1 once, then WATCHDOG=1 every
// half interval from the event loop, and nothing when not asked.
#include "core/SystemdNotifier.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace station::core;

class TestSystemdNotifier : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_fd = -1;

    QStringList drain()
    {
        QStringList messages;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0)
                break;
            messages << QString::fromUtf8(buf, int(n)).trimmed();
        }
        return messages;
    }

private Q_SLOTS:
    void initTestCase()
    {
#ifndef STATION_HAVE_SYSTEMD
        QSKIP("built without libsystemd: SystemdNotifier is a no-op");
#endif
        QVERIFY(m_dir.isValid());
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        QVERIFY(m_fd >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const QByteArray path = QFile::encodeName(m_dir.filePath(QStringLiteral("notify")));
        QVERIFY(size_t(path.size()) < sizeof addr.sun_path);
        memcpy(addr.sun_path, path.constData(), size_t(path.size()));
        QCOMPARE(::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        qputenv("NOTIFY_SOCKET", path);
    }

    void cleanupTestCase()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        qunsetenv("NOTIFY_SOCKET");
    }

    void readyThenKeepAlives()
    {
        drain();
        qputenv("WATCHDOG_USEC", "100000");  // 100 ms: keep-alive every 50 ms
        qputenv("WATCHDOG_PID", QByteArray::number(qint64(::getpid())));
        QObject owner;
        QCOMPARE(SystemdNotifier::ready(&owner), 50);
        QTest::qWait(400);
        const QStringList got = drain();
        QVERIFY2(!got.isEmpty() && got.first() == QLatin1String("READY=1"), qPrintable(got.join(QLatin1Char('|'))));
        QCOMPARE(got.count(QStringLiteral("READY=1")), 1);
        QVERIFY2(got.count(QStringLiteral("WATCHDOG=1")) >= 5, qPrintable(got.join(QLatin1Char('|'))));
    }

    void stalledLoopSendsNothing()
    {
        drain();
        qputenv("WATCHDOG_USEC", "100000");
        qputenv("WATCHDOG_PID", QByteArray::number(qint64(::getpid())));
        QObject owner;
        SystemdNotifier::ready(&owner);
        drain();  // READY=1 and the first keep-alive
        ::usleep(300 * 1000);  // the event loop does not run: no keep-alives
        QCOMPARE(drain().count(QStringLiteral("WATCHDOG=1")), 0);
        QTest::qWait(120);
        QVERIFY(drain().count(QStringLiteral("WATCHDOG=1")) >= 1);  // resumes with the loop
    }

    void watchdogForAnotherProcess()
    {
        drain();
        qputenv("WATCHDOG_USEC", "100000");
        qputenv("WATCHDOG_PID", QByteArray::number(qint64(::getpid()) + 1));
        QObject owner;
        QCOMPARE(SystemdNotifier::ready(&owner), 0);
        QTest::qWait(150);
        QCOMPARE(drain(), QStringList{QStringLiteral("READY=1")});
    }

    void noWatchdogRequested()
    {
        drain();
        qunsetenv("WATCHDOG_USEC");
        qunsetenv("WATCHDOG_PID");
        QObject owner;
        QCOMPARE(SystemdNotifier::ready(&owner), 0);
        SystemdNotifier::stopping();
        QTest::qWait(100);
        QCOMPARE(drain(), (QStringList{QStringLiteral("READY=1"), QStringLiteral("STOPPING=1")}));
    }

    void notStartedBySystemd()
    {
        const QByteArray saved = qgetenv("NOTIFY_SOCKET");
        qunsetenv("NOTIFY_SOCKET");
        QObject owner;
        QCOMPARE(SystemdNotifier::ready(&owner), 0);
        QVERIFY(!SystemdNotifier::notify("STATUS=x"));
        qputenv("NOTIFY_SOCKET", saved);
    }
};

QTEST_GUILESS_MAIN(TestSystemdNotifier)
#include "tst_systemdnotifier.moc"
