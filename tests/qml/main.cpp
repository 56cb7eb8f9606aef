// Qt Quick Test runner for tests/qml/tst_*.qml: the CameraStation module is
// linked in statically, so tests `import CameraStation` like the app does.
#include <QQmlEngine>
#include <QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(CameraStationPlugin)

class Setup : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(QStringLiteral("qrc:/")); }
};

QUICK_TEST_MAIN_WITH_SETUP(camera_station_qml, Setup)

#include "main.moc"
