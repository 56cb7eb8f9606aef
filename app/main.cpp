// camera-station: one binary for the kiosk/desktop UI, the headless service
// and the administrative verbs (token, apikey).

#include "cli/AdminCommands.h"
#include "UiContext.h"
#include "cli/ValidateCommand.h"
#include "controllers/StatusController.h"

#include "config/Config.h"
#include "core/EpollEventDispatcher.h"
#include "core/Station.h"
#include "core/UnixSignalWatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QQmlApplicationEngine>
#include <QQmlExtensionPlugin>
#include <QTextStream>

#include <memory>

// The QML module is linked statically into the binary.
Q_IMPORT_QML_PLUGIN(CameraStationPlugin)

using namespace station;

namespace {

const QString kDefaultConfig = QStringLiteral("/etc/camera-station/camera-station.yaml");

struct Split {
    QStringList global;   // argv[0] + options before the verb
    QString verb;         // token, apikey or ""
    QStringList verbArgs; // verb + its arguments
};

// Options that take a value, so their value is not mistaken for a verb.
bool takesValue(const QString &arg)
{
    static const QStringList withValue{QStringLiteral("--config"), QStringLiteral("--data-dir"), QStringLiteral("--set"),
                                       QStringLiteral("--demo-cameras")};
    return withValue.contains(arg);
}

Split splitArguments(const QStringList &args)
{
    Split s;
    s.global << args.value(0);
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        if (!a.startsWith(QLatin1Char('-')) && (a == QLatin1String("token") || a == QLatin1String("apikey") || a == QLatin1String("validate"))) {
            s.verb = a;
            s.verbArgs = args.mid(i);
            break;
        }
        s.global << a;
        if (takesValue(a) && i + 1 < args.size())
            s.global << args[++i];
    }
    return s;
}

bool displayAvailable()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

void applyLogLevel(const QString &level)
{
    QString rules = QStringLiteral("qt.*.debug=false\n");
    if (level == QLatin1String("info"))
        rules += QStringLiteral("*.debug=false\n");
    else if (level == QLatin1String("warning"))
        rules += QStringLiteral("*.debug=false\n*.info=false\n");
    else if (level == QLatin1String("error"))
        rules += QStringLiteral("*.debug=false\n*.info=false\n*.warning=false\n");
    QLoggingCategory::setFilterRules(rules);
}

} // namespace

int main(int argc, char *argv[])
{
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}D%{endif}%{if-info}I%{endif}%{if-warning}W%{endif}%{if-critical}E%{endif}%{if-fatal}F%{endif} %{category}: %{message}"));
    QStringList rawArgs;
    for (int i = 0; i < argc; ++i)
        rawArgs << QString::fromLocal8Bit(argv[i]);
    const Split split = splitArguments(rawArgs);
    const bool wantsHeadless = split.global.contains(QStringLiteral("--headless"));
    const bool quickExit = !split.verb.isEmpty() || split.global.contains(QStringLiteral("--check-config"))
        || split.global.contains(QStringLiteral("--version")) || split.global.contains(QStringLiteral("--help"))
        || split.global.contains(QStringLiteral("-h"));
    const bool gui = !wantsHeadless && !quickExit && displayAvailable();

    const bool kiosk = split.global.contains(QStringLiteral("--kiosk"));
    // The kiosk has no hardware keyboard: text fields bring up Qt's on-screen one.
    if (gui && kiosk && !qEnvironmentVariableIsSet("QT_IM_MODULE"))
        qputenv("QT_IM_MODULE", "qtvirtualkeyboard");

    // Headless, the main loop watches its sockets with epoll: Qt's own dispatchers
    // poll() every socket on every iteration, which at 1000 clients cost more than
    // the requests did. STATION_EVENT_LOOP=qt keeps Qt's (for comparison). The GUI
    // keeps its platform's dispatcher: window-system events are delivered by it.
    if (!gui && qEnvironmentVariable("STATION_EVENT_LOOP") != QLatin1String("qt")) {
        auto *epoll = new core::EpollEventDispatcher;
        if (epoll->isValid())
            QCoreApplication::setEventDispatcher(epoll);  // the application takes it
        else
            delete epoll;
    }
    std::unique_ptr<QCoreApplication> app;
    if (gui)
        app = std::make_unique<QGuiApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("camera-station"));
    QCoreApplication::setOrganizationName(QStringLiteral("camera-station"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STATION_VERSION));
    QTextStream err(stderr);
    QTextStream out(stdout);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Camera Station: live cameras, snapshots and recordings, with a touch UI and a JSON-RPC API.\n\n"
        "Verbs:\n"
        "  token --role R --user U [--ttl 24h]      print a JWT signed with the configured secret\n"
        "        [--stream CAMERA]                  ... a read token for that camera's stream URLs instead\n"
        "  apikey create --role R [--name N] [--ttl 90d] | list | revoke ID\n"
        "  validate [--user U] [--unit FILE]         pre-deployment checks, PASS/FAIL each"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("version"), QStringLiteral("Print the version and exit.")});
    parser.addOption({QStringLiteral("headless"), QStringLiteral("Run the services without a window (systemd).")});
    parser.addOption({QStringLiteral("kiosk"), QStringLiteral("Fullscreen kiosk UI.")});
    parser.addOption({QStringLiteral("config"), QStringLiteral("Configuration file (default %1).").arg(kDefaultConfig), QStringLiteral("file")});
    parser.addOption({QStringLiteral("data-dir"), QStringLiteral("Use DIR/recordings, DIR/snapshots and DIR/state."), QStringLiteral("dir")});
    parser.addOption({QStringLiteral("set"), QStringLiteral("Override a configuration key, e.g. --set server.port=18002 (repeatable)."), QStringLiteral("key=value")});
    parser.addOption({QStringLiteral("check-config"), QStringLiteral("Validate the configuration and exit.")});
    parser.addOption({QStringLiteral("demo-cameras"), QStringLiteral("Add N synthetic test-pattern cameras."), QStringLiteral("n")});
    if (!parser.parse(split.global)) {
        err << parser.errorText() << "\nTry camera-station --help" << Qt::endl;
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        out << "camera-station " << STATION_VERSION << " (Qt " << qVersion() << ")" << Qt::endl;
        return 0;
    }

    config::ConfigSources sources;
    sources.fileRequired = parser.isSet(QStringLiteral("config"));
    sources.filePath = sources.fileRequired ? parser.value(QStringLiteral("config")) : kDefaultConfig;
    sources.dataDir = parser.value(QStringLiteral("data-dir"));
    sources.sets = parser.values(QStringLiteral("set"));
    if (parser.isSet(QStringLiteral("demo-cameras")))
        sources.sets.prepend(QStringLiteral("cameras.demo=") + parser.value(QStringLiteral("demo-cameras")));
    if (split.verb == QLatin1String("validate"))  // reports a bad config itself, with its line
        return app::runValidateCommand(sources, split.verbArgs);
    const config::ConfigLoadResult loaded = config::Config::load(sources);
    for (const QString &w : loaded.warnings)
        err << "warning: " << w << Qt::endl;
    if (!loaded.ok()) {
        for (const QString &e : loaded.errors)
            err << "config error: " << e << Qt::endl;
        return 2;
    }
    if (parser.isSet(QStringLiteral("check-config"))) {
        out << "configuration OK" << (QFileInfo::exists(sources.filePath) ? QStringLiteral(" (%1)").arg(sources.filePath) : QString()) << Qt::endl;
        return 0;
    }
    if (split.verb == QLatin1String("token"))
        return app::runTokenCommand(loaded.config, split.verbArgs);
    if (split.verb == QLatin1String("apikey"))
        return app::runApiKeyCommand(loaded.config, split.verbArgs);

    applyLogLevel(loaded.config.string(QStringLiteral("logging.level")));
    if (!wantsHeadless && !gui)
        qInfo("no display found: running headless");

    // Catch SIGTERM/SIGINT before starting: start() announces readiness
    // ("serving:", systemd READY=1), and a signal from then on must mean a
    // graceful shutdown, not the default action. One that arrives during
    // start() waits in the watcher until the event loop runs.
    core::UnixSignalWatcher signalWatcher;
    core::Station station(loaded.config);
    QString error;
    if (!station.start(&error)) {
        err << "camera-station cannot start: " << error << Qt::endl;
        return 1;
    }
    // The run command's demo (MediaMTX stand-in, test-pattern cameras) says so.
    if (loaded.config.boolean(QStringLiteral("ui.demo_notice")))
        qWarning().noquote() << app::StatusController::demoNoticeText() << QStringLiteral("(to leave the demo: %1)").arg(app::StatusController::demoFixText());
    QObject::connect(&signalWatcher, &core::UnixSignalWatcher::terminationRequested, &station, [&station](int sig) {
        station.shutdown(sig == 2 ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"));
    });
    // exit(), not quit(): QGuiApplication::quit() first asks every window to
    // close, and the kiosk window refuses closes that are not its own exit,
    // so SIGTERM would stop the services but leave the process running.
    QObject::connect(&station, &core::Station::finished, app.get(), [] { QCoreApplication::exit(0); });

    std::unique_ptr<QQmlApplicationEngine> engine;
    if (gui) {
        engine = std::make_unique<QQmlApplicationEngine>();
        app::installUi(*engine, station, kiosk);
        // Qt.quit() from the (PIN-guarded) exit button: a graceful shutdown.
        QObject::connect(engine.get(), &QQmlEngine::quit, &station, [&station] { station.shutdown(QStringLiteral("exit from the UI")); });
        engine->load(QUrl(QStringLiteral("qrc:/CameraStation/Main.qml")));
        if (engine->rootObjects().isEmpty()) {
            err << "camera-station: the user interface failed to load" << Qt::endl;
            return 1;
        }
        // Closing the window ends the app gracefully, like SIGTERM.
        QObject::connect(qGuiApp, &QGuiApplication::lastWindowClosed, &station, [&station] { station.shutdown(QStringLiteral("window closed")); });
        QGuiApplication::setQuitOnLastWindowClosed(false);
    }
    return app->exec();
}
