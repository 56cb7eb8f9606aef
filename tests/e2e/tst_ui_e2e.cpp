// End to end through the real UI: the station's services with the MediaMTX
// stand-in and two test cameras, Main.qml exactly as the app loads it. Checks
// video pixels in both tiles, a snapshot (file + library thumbnail), a
// recording (start, stop, play back), and writes a screenshot of every page
// at 1280x800 and 800x480 into <build>/screenshots. Needs a GL display:
// ctest runs it under xvfb-run.

#include "UiContext.h"
#include "config/Config.h"
#include "core/Services.h"
#include "core/Station.h"
#include "mediamtx/MediaMtxSupervisor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImage>
#include <QLoggingCategory>
#include <QQmlApplicationEngine>
#include <QQmlExtensionPlugin>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSet>
#include <QSignalSpy>
#include <QQmlContext>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

Q_IMPORT_QML_PLUGIN(CameraStationPlugin)

using namespace station;

namespace {

QString shotDir() { return QStringLiteral(STATION_SCREENSHOT_DIR); }

// Real picture, not a black or flat frame: enough distinct, saturated colours.
bool looksLikeVideo(const QImage &img, QString *why)
{
    QSet<QRgb> colours;
    int saturated = 0, total = 0;
    for (int y = 0; y < img.height(); y += 4)
        for (int x = 0; x < img.width(); x += 4) {
            const QColor c = img.pixelColor(x, y);
            colours.insert(c.rgb() & 0xf0f0f0);
            if (c.hsvSaturation() > 120 && c.value() > 80)
                ++saturated;
            ++total;
        }
    *why = QStringLiteral("%1 colours, %2% saturated").arg(colours.size()).arg(total ? 100 * saturated / total : 0);
    return colours.size() > 24 && saturated * 5 > total;
}

} // namespace

class UiE2e : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<core::Station> m_station;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;

    // Visual children are childItems(), not QObject children: walk the item tree.
    static QQuickItem *find(QQuickItem *root, const QString &name)
    {
        if (root->objectName() == name)
            return root;
        for (QQuickItem *c : root->childItems())
            if (QQuickItem *hit = find(c, name))
                return hit;
        return nullptr;
    }
    QQuickItem *item(const QString &name) { return find(m_window->contentItem(), name); }
    QObject *contextObject(const char *name) { return m_engine->rootContext()->contextProperty(QString::fromLatin1(name)).value<QObject *>(); }

    void tap(QQuickItem *it)
    {
        QVERIFY2(it, "item to tap not found");
        const QPointF c = it->mapToScene(QPointF(it->width() / 2, it->height() / 2));
        QTest::mouseClick(m_window, Qt::LeftButton, Qt::NoModifier, c.toPoint());
    }
    void tapNamed(const QString &name)
    {
        QQuickItem *it = item(name);
        QVERIFY2(it && it->isVisible(), qPrintable(name + QStringLiteral(" not found or hidden")));
        tap(it);
    }
    QImage grab(QQuickItem *it)
    {
        const QImage all = m_window->grabWindow();
        const QRectF r = it->mapRectToScene(QRectF(0, 0, it->width(), it->height()));
        const qreal dpr = all.devicePixelRatio();
        return all.copy(QRectF(r.topLeft() * dpr, r.size() * dpr).toRect());
    }
    void shot(const QString &name)
    {
        QTest::qWait(400);  // let transitions settle
        const QString file = QStringLiteral("%1/%2x%3-%4.png").arg(shotDir()).arg(m_window->width()).arg(m_window->height()).arg(name);
        QVERIFY(m_window->grabWindow().save(file));
        qInfo("screenshot %s", qPrintable(file));
    }
    void goPage(int i)
    {
        tapNamed(QStringLiteral("nav%1").arg(i));
        QTest::qWait(300);
    }
    bool waitVideo(QQuickItem *it, int ms, QString *why)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            if (looksLikeVideo(grab(it), why))
                return true;
            QTest::qWait(250);
        }
        return false;
    }
    void resizeTo(int w, int h)
    {
        m_window->setMinimumSize(QSize(320, 240));
        m_window->resize(w, h);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->width(), w, 3000);
        QTest::qWait(300);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir().mkpath(shotDir());
        // Ports away from the defaults (and from other test runs on the machine).
        const int base = 20000 + int(QCoreApplication::applicationPid() % 2000) * 10;
        config::ConfigSources src;
        src.filePath = QStringLiteral("/nonexistent/camera-station.yaml");
        src.dataDir = m_dir.path();
        src.environment = QProcessEnvironment();
        src.sets = {QStringLiteral("cameras.demo=2"), QStringLiteral("mediamtx.binary=" STATION_STANDIN), QStringLiteral("server.port=0"),
                    QStringLiteral("health.port=0"), QStringLiteral("mediamtx.rtsp_port=%1").arg(base),
                    QStringLiteral("mediamtx.api_port=%1").arg(base + 1), QStringLiteral("mediamtx.metrics_port=%1").arg(base + 2),
                    QStringLiteral("mediamtx.playback_port=%1").arg(base + 3), QStringLiteral("mediamtx.hls_port=%1").arg(base + 4),
                    QStringLiteral("mediamtx.webrtc_port=%1").arg(base + 5), QStringLiteral("mediamtx.webrtc_udp_port=%1").arg(base + 6)};
        const config::ConfigLoadResult loaded = config::Config::load(src);
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.join(QLatin1Char('\n'))));
        m_station = std::make_unique<core::Station>(loaded.config);
        QString error;
        QVERIFY2(m_station->start(&error), qPrintable(error));

        m_engine = std::make_unique<QQmlApplicationEngine>();
        app::installUi(*m_engine, *m_station, false);
        m_engine->load(QUrl(QStringLiteral("qrc:/CameraStation/Main.qml")));
        QVERIFY(!m_engine->rootObjects().isEmpty());
        m_window = qobject_cast<QQuickWindow *>(m_engine->rootObjects().first());
        QVERIFY(m_window);
        m_window->setX(0);
        m_window->setY(0);
        m_window->resize(1280, 800);
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
    }

    void wallShowsVideoInBothTiles()
    {
        QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("tile_camera0")) && item(QStringLiteral("tile_camera1")), 15000);
        QElapsedTimer t;
        t.start();
        for (const QString &id : {QStringLiteral("camera0"), QStringLiteral("camera1")}) {
            QString why;
            QVERIFY2(waitVideo(item(QStringLiteral("tile_") + id), 40000, &why), qPrintable(id + QStringLiteral(": no video: ") + why));
            qInfo("%s shows video (%s) after %lld ms", qPrintable(id), qPrintable(why), t.elapsed());
        }
        QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("tile_camera0"))->property("state").toString(), QStringLiteral("live"), 5000);
        shot(QStringLiteral("wall"));
    }

    // MediaMTX dies: no tile may say LIVE over a frozen picture (LIVE means a
    // picture within the last second; the test pattern's clock changes every
    // frame, so an unchanged picture for 1.3 s under LIVE is a lie); every tile
    // says it is not live within 1.5 s; all are live again within 3 s of
    // MediaMTX answering again; the rail counts live pictures.
    void wallTellsTheTruthWhenMediaMtxDies()
    {
        const QStringList tiles{QStringLiteral("tile_camera0"), QStringLiteral("tile_camera1")};
        for (const QString &t : tiles)
            QTRY_COMPARE_WITH_TIMEOUT(item(t)->property("state").toString(), QStringLiteral("live"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("liveCount"))->property("text").toString(), QStringLiteral("2/2"), 2000);
        mediamtx::MediaMtxSupervisor *mtx = m_station->services().mediamtx;
        QSignalSpy ready(mtx, &mediamtx::MediaMtxSupervisor::ready);
        QHash<QString, QImage> last;
        QHash<QString, qint64> changedAt, notLiveAt;
        QElapsedTimer clock, sinceReady;
        const qint64 pid = mtx->pid();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        clock.start();
        bool allLiveAgain = false, sawZero = false;
        while (clock.elapsed() < 30000 && !allLiveAgain) {
            if (!ready.isEmpty() && !sinceReady.isValid())
                sinceReady.start();
            int live = 0;
            for (const QString &t : tiles) {
                const QImage now = grab(item(t));
                const bool isLive = item(t)->property("state").toString() == QLatin1String("live");
                if (now != last.value(t))
                    changedAt[t] = clock.elapsed();
                last[t] = now;
                QVERIFY2(!(isLive && clock.elapsed() - changedAt.value(t) > 1300),
                         qPrintable(t + QStringLiteral(" says LIVE over a picture frozen since %1 ms after the kill").arg(changedAt.value(t))));
                if (!isLive && !notLiveAt.contains(t))
                    notLiveAt[t] = clock.elapsed();
                live += isLive ? 1 : 0;
            }
            if (notLiveAt.size() < tiles.size())
                QVERIFY2(clock.elapsed() <= 1500, "a tile still said LIVE 1.5 s after MediaMTX was killed");
            sawZero = sawZero || item(QStringLiteral("liveCount"))->property("text").toString() == QLatin1String("0/2");
            allLiveAgain = notLiveAt.size() == tiles.size() && live == tiles.size();
            if (!allLiveAgain && sinceReady.isValid() && sinceReady.elapsed() > 3000)
                QFAIL("the tiles were not live again 3 s after MediaMTX was ready");
            QTest::qWait(100);
        }
        QVERIFY2(allLiveAgain, "the tiles never came back");
        qInfo("not live %lld / %lld ms after the kill; live again %lld ms after it, %lld ms after MediaMTX was ready",
              notLiveAt.value(tiles[0]), notLiveAt.value(tiles[1]), clock.elapsed(), sinceReady.isValid() ? sinceReady.elapsed() : -1);
        QVERIFY2(sawZero, "the rail never showed 0/2 during the outage");
        QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("liveCount"))->property("text").toString(), QStringLiteral("2/2"), 2000);
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 10000);  // the rest of the test needs MediaMTX
    }

    void snapshotFromCameraView()
    {
        tapNamed(QStringLiteral("tile_camera0"));
        QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("cameraPage"))->isVisible(), 3000);
        QQuickItem *video = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((video = item(QStringLiteral("cameraVideo"))) != nullptr, 3000);
        QString why;
        QElapsedTimer t;
        t.start();
        QVERIFY2(waitVideo(video, 30000, &why), qPrintable(why));
        qInfo("camera view shows video after %lld ms", t.elapsed());
        shot(QStringLiteral("camera"));

        const QDir snaps(m_station->config().snapshotsDir());
        const auto countJpegs = [&] {
            int n = 0;
            for (const QFileInfo &fi : QDir(snaps).entryInfoList(QDir::Files | QDir::AllDirs | QDir::NoDotAndDotDot))
                n += fi.isDir() ? int(QDir(fi.filePath()).entryList({QStringLiteral("*.jpg")}, QDir::Files).size()) : fi.suffix() == QLatin1String("jpg");
            return n;
        };
        t.restart();
        tapNamed(QStringLiteral("snapshotButton"));
        QTRY_COMPARE_WITH_TIMEOUT(countJpegs(), 1, 15000);
        qInfo("snapshot file after %lld ms", t.elapsed());
        QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("toast"))->opacity() > 0.9, 3000);
        shot(QStringLiteral("camera-snapshot-toast"));
    }

    void recordAndStop()
    {
        QObject *capture = contextObject("captureController");
        QElapsedTimer t;
        t.start();
        tapNamed(QStringLiteral("recordButton"));
        QTRY_VERIFY_WITH_TIMEOUT(!capture->property("busy").toBool(), 20000);
        bool recording = false;
        QMetaObject::invokeMethod(capture, "isRecording", Q_RETURN_ARG(bool, recording), Q_ARG(QString, QStringLiteral("camera0")));
        QVERIFY2(recording, "recording did not start");
        qInfo("recording started after %lld ms", t.elapsed());
        QTest::qWait(4500);
        shot(QStringLiteral("camera-recording"));
        tapNamed(QStringLiteral("recordButton"));
        QTRY_VERIFY_WITH_TIMEOUT(!capture->property("busy").toBool(), 20000);
        QMetaObject::invokeMethod(capture, "isRecording", Q_RETURN_ARG(bool, recording), Q_ARG(QString, QStringLiteral("camera0")));
        QVERIFY(!recording);
        QTest::keyClick(m_window, Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(!item(QStringLiteral("cameraPage"))->isVisible(), 3000);
    }

    void libraryShowsSnapshotWithThumbnail()
    {
        goPage(1);
        QObject *files = contextObject("libraryModel");
        tapNamed(QStringLiteral("kind_snapshots"));
        QTRY_COMPARE_WITH_TIMEOUT(files->property("count").toInt(), 1, 10000);
        QVariantMap row;
        QTRY_VERIFY_WITH_TIMEOUT((QMetaObject::invokeMethod(files, "get", Q_RETURN_ARG(QVariantMap, row), Q_ARG(int, 0)),
                                  !row.value(QStringLiteral("thumbnail")).toString().isEmpty()), 15000);
        QVERIFY(QFileInfo::exists(QUrl(row.value(QStringLiteral("thumbnail")).toString()).toLocalFile()));
        shot(QStringLiteral("library-snapshots"));
        QQuickItem *grid = item(QStringLiteral("libraryGrid"));
        QVERIFY(grid);
        QMetaObject::invokeMethod(item(QStringLiteral("libraryPage")), "open", Q_ARG(QVariant, 0));
        QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("mediaViewer"))->isVisible(), 3000);
        shot(QStringLiteral("library-snapshot-viewer"));
        QTest::keyClick(m_window, Qt::Key_Escape);
    }

    void recordingPlaysBack()
    {
        QObject *files = contextObject("libraryModel");
        tapNamed(QStringLiteral("kind_recordings"));
        QTRY_VERIFY_WITH_TIMEOUT(files->property("count").toInt() >= 1, 10000);
        QVariantMap row;
        QTRY_VERIFY_WITH_TIMEOUT((QMetaObject::invokeMethod(files, "get", Q_RETURN_ARG(QVariantMap, row), Q_ARG(int, 0)),
                                  !row.value(QStringLiteral("thumbnail")).toString().isEmpty()), 20000);
        shot(QStringLiteral("library-recordings"));
        QMetaObject::invokeMethod(item(QStringLiteral("libraryPage")), "open", Q_ARG(QVariant, 0));
        QQuickItem *viewer = item(QStringLiteral("mediaViewer"));
        QTRY_VERIFY_WITH_TIMEOUT(viewer->isVisible(), 3000);
        QObject *player = viewer->property("player").value<QObject *>();
        QVERIFY(player);
        QTRY_VERIFY_WITH_TIMEOUT(player->property("position").toLongLong() > 1000, 15000);
        QVERIFY2(player->property("duration").toLongLong() >= 3000, qPrintable(QString::number(player->property("duration").toLongLong())));
        QString why;
        QVERIFY2(waitVideo(item(QStringLiteral("playbackVideo")), 5000, &why), qPrintable(why));
        shot(QStringLiteral("library-playback"));
        QTest::keyClick(m_window, Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(!viewer->isVisible(), 3000);
    }

    void screenshotsOfEveryPage()
    {
        for (const QSize size : {QSize(1280, 800), QSize(800, 480)}) {
            resizeTo(size.width(), size.height());
            goPage(0);
            QString why;
            waitVideo(item(QStringLiteral("tile_camera1")), 20000, &why);
            shot(QStringLiteral("wall"));
            tapNamed(QStringLiteral("tile_camera1"));
            waitVideo(item(QStringLiteral("cameraVideo")), 20000, &why);
            shot(QStringLiteral("camera"));
            QTest::keyClick(m_window, Qt::Key_Escape);
            goPage(1);
            shot(QStringLiteral("library"));
            goPage(2);
            shot(QStringLiteral("status"));
            goPage(3);
            shot(QStringLiteral("settings"));
        }
    }

    void cleanupTestCase()
    {
        m_engine.reset();
        if (m_station) {
            QSignalSpy done(m_station.get(), &core::Station::finished);
            m_station->shutdown(QStringLiteral("test end"));
            done.wait(15000);
        }
    }
};

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("camera-station-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ui_e2e"));
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false\nstation.*.info=false\nqt.*.info=false"));
    UiE2e test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_ui_e2e.moc"
