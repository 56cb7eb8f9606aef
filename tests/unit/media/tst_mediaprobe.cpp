#include "media/MediaProbe.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace station::media;

class TestMediaProbe : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_frag, m_plain, m_jpeg;

    static bool ffmpeg(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral("ffmpeg"), QStringList{QStringLiteral("-v"), QStringLiteral("error"),
                                                      QStringLiteral("-y")} + args);
        return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }
    static QStringList source(int seconds)
    {
        return {QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                QStringLiteral("testsrc2=size=320x240:rate=10"), QStringLiteral("-t"), QString::number(seconds),
                QStringLiteral("-c:v"), QStringLiteral("libx264"), QStringLiteral("-pix_fmt"), QStringLiteral("yuv420p")};
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("ffmpeg")).isEmpty())
            QSKIP("ffmpeg not installed");
        QVERIFY(m_dir.isValid());
        m_frag = m_dir.filePath(QStringLiteral("frag.mp4"));
        m_plain = m_dir.filePath(QStringLiteral("plain.mp4"));
        m_jpeg = m_dir.filePath(QStringLiteral("shot.jpg"));
        // The layout MediaMTX records: empty moov, then moof+mdat pairs (no sidx/mfra).
        QVERIFY(ffmpeg(source(10) + QStringList{
            QStringLiteral("-movflags"), QStringLiteral("+frag_keyframe+empty_moov+default_base_moof"),
            QStringLiteral("-frag_duration"), QStringLiteral("1000000"),
            QStringLiteral("-metadata"), QStringLiteral("creation_time=2025-01-15T14:30:00.250000Z"), m_frag}));
        QVERIFY(ffmpeg(source(3) + QStringList{m_plain}));
        QVERIFY(ffmpeg({QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                        QStringLiteral("testsrc2=size=640x360:rate=1"), QStringLiteral("-frames:v"),
                        QStringLiteral("1"), m_jpeg}));
    }

    void fragmentedDuration()
    {
        const auto d = MediaProbe::mp4Duration(m_frag);
        QVERIFY(d);
        QVERIFY2(qAbs(*d - 10.0) <= 0.5, qPrintable(QString::number(*d)));
    }

    void plainDuration()
    {
        const auto d = MediaProbe::mp4Duration(m_plain);
        QVERIFY(d);
        QVERIFY2(qAbs(*d - 3.0) <= 0.5, qPrintable(QString::number(*d)));
    }

    void truncatedFragmentedDuration()
    {
        // A recording still being written (or cut by a crash) ends mid-fragment.
        QFile in(m_frag);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray all = in.readAll();
        for (const double cut : {0.5, 0.73}) {
            const QString path = m_dir.filePath(QStringLiteral("cut%1.mp4").arg(int(cut * 100)));
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(all.left(qsizetype(all.size() * cut)));
            out.close();
            const auto d = MediaProbe::mp4Duration(path);
            QVERIFY(d);
            qInfo("cut at %d%%: %.2f s of 10 s", int(cut * 100), *d);
            QVERIFY(*d > 0.0);
            QVERIFY(*d < 10.0);
        }
    }

    void creationTime()
    {
        const auto t = MediaProbe::mp4CreationTime(m_frag);
        QVERIFY(t);
        // mvhd holds whole seconds.
        QCOMPARE(*t, QDateTime(QDate(2025, 1, 15), QTime(14, 30, 0), Qt::UTC));
        QVERIFY(!MediaProbe::mp4CreationTime(m_plain));  // ffmpeg wrote epoch zero: ignored
    }

    void jpegSize()
    {
        QCOMPARE(MediaProbe::imageSize(m_jpeg), QSize(640, 360));
        QVERIFY(!MediaProbe::imageSize(m_plain).isValid());
    }

    void nonMedia()
    {
        const QString path = m_dir.filePath(QStringLiteral("notes.mp4"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a video\n");
        f.close();
        QVERIFY(!MediaProbe::mp4Duration(path));
        QVERIFY(!MediaProbe::mp4CreationTime(path));
        QVERIFY(!MediaProbe::imageSize(path).isValid());
        QVERIFY(!MediaProbe::mp4Duration(m_dir.filePath(QStringLiteral("missing.mp4"))));
        QVERIFY(!MediaProbe::mp4Duration(m_jpeg));
    }

    void parseNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("device");
        QTest::addColumn<QDateTime>("created");
        const QDateTime t(QDate(2025, 1, 15), QTime(14, 30, 0, 123), Qt::UTC);
        QTest::newRow("mp4") << "camera0_2025-01-15_14-30-00-123456.mp4" << "camera0" << t;
        QTest::newRow("jpg suffix") << "camera12_2025-01-15_14-30-00-123999_1.jpg" << "camera12" << t;
        QTest::newRow("jpeg suffix 2") << "camera999999_2025-01-15_14-30-00-123000_2.jpeg" << "camera999999" << t;
        QTest::newRow("mediamtx bare") << "2025-01-15_14-30-00-123456.mp4" << "" << t;
        QTest::newRow("leading zero") << "camera01_2025-01-15_14-30-00-123456.mp4" << "" << QDateTime();
        QTest::newRow("7 digits") << "camera1234567_2025-01-15_14-30-00-123456.mp4" << "" << QDateTime();
        QTest::newRow("bad month") << "camera0_2025-13-15_14-30-00-123456.mp4" << "" << QDateTime();
        QTest::newRow("bad hour") << "camera0_2025-01-15_24-30-00-123456.mp4" << "" << QDateTime();
        QTest::newRow("5 digit usec") << "camera0_2025-01-15_14-30-00-12345.mp4" << "" << QDateTime();
        QTest::newRow("other ext") << "camera0_2025-01-15_14-30-00-123456.png" << "" << QDateTime();
        QTest::newRow("bad suffix") << "camera0_2025-01-15_14-30-00-123456_x.jpg" << "" << QDateTime();
        QTest::newRow("free name") << "front_door.jpg" << "" << QDateTime();
    }

    void parseNames()
    {
        QFETCH(QString, name);
        QFETCH(QString, device);
        QFETCH(QDateTime, created);
        const ParsedName p = parseCaptureName(name);
        QCOMPARE(p.device, device);
        QCOMPARE(p.created.isValid(), created.isValid());
        if (created.isValid()) {
            QCOMPARE(p.created, created);
            QCOMPARE(p.created.timeSpec(), Qt::UTC);
        }
    }

    void buildNames()
    {
        const QDateTime t(QDate(2025, 1, 15), QTime(14, 30, 0, 123), Qt::UTC);
        QCOMPARE(captureName(QStringLiteral("camera0"), t, QStringLiteral("mp4")),
                 QStringLiteral("camera0_2025-01-15_14-30-00-123000.mp4"));
        const qint64 us = t.toMSecsSinceEpoch() * 1000 + 456;
        const QString name = captureName(QStringLiteral("camera3"), us, QStringLiteral(".jpg"));
        QCOMPARE(name, QStringLiteral("camera3_2025-01-15_14-30-00-123456.jpg"));
        const ParsedName p = parseCaptureName(name);
        QCOMPARE(p.device, QStringLiteral("camera3"));
        QCOMPARE(p.created, t);
    }
};

QTEST_GUILESS_MAIN(TestMediaProbe)
#include "tst_mediaprobe.moc"
