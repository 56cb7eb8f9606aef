// Stop means stop: the real binary in kiosk mode (fullscreen, its window
// refuses closes that are not the PIN-guarded exit) ends on SIGTERM and on
// SIGINT with exit code 0 within 5 s, recordings finalised first as in
// headless mode. Under xvfb-run.

#include "StationProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class KioskStop : public QObject
{
    Q_OBJECT

    void stopWith(int sig)
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral(STATION_BINARY),
                {QStringLiteral("--kiosk"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--config"), QStringLiteral("/dev/null"),
                 QStringLiteral("--demo-cameras"), QStringLiteral("1"), QStringLiteral("--set"), QStringLiteral("mediamtx.binary=" STATION_STANDIN),
                 QStringLiteral("--set"), QStringLiteral("server.port=%1").arg(station::test::StationProcess::freePort()), QStringLiteral("--set"), QStringLiteral("health.port=%1").arg(station::test::StationProcess::freePort()),
                 QStringLiteral("--set"), QStringLiteral("mediamtx.rtsp_port=%1").arg(station::test::StationProcess::freePort()), QStringLiteral("--set"),
                 QStringLiteral("mediamtx.api_port=%1").arg(station::test::StationProcess::freePort()), QStringLiteral("--set"), QStringLiteral("mediamtx.metrics_port=%1").arg(station::test::StationProcess::freePort())});
        QVERIFY(p.waitForStarted(5000));
        QByteArray out;
        QElapsedTimer t;
        t.start();
        // The window is up and the first picture decoded (or 20 s passed).
        while (t.elapsed() < 20000 && !out.contains("serving:"))
            if (p.waitForReadyRead(200))
                out += p.readAll();
        QVERIFY2(out.contains("serving:"), out.constData());
        QTest::qWait(4000);
        QCOMPARE(p.state(), QProcess::Running);
        t.restart();
        QCOMPARE(::kill(pid_t(p.processId()), sig), 0);
        QVERIFY2(p.waitForFinished(5000), "the kiosk did not exit within 5 s");
        out += p.readAll();
        qInfo("kiosk exited %lld ms after signal %d", t.elapsed(), sig);
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 0, out.right(2000).constData());
    }

private Q_SLOTS:
    void sigtermEndsTheKiosk() { stopWith(SIGTERM); }
    void sigintEndsTheKiosk() { stopWith(SIGINT); }
};

QTEST_GUILESS_MAIN(KioskStop)
#include "tst_kiosk_stop.moc"
