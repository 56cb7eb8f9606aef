#include "cli/ValidateCommand.h"

#include "auth/SecretProvider.h"
#include "cameras/CameraUrlRule.h"
#include "config/Config.h"
#include "mediamtx/MediaMtxConfig.h"
#include "mediamtx/MediaMtxListeners.h"
#include "mediamtx/MediaMtxSupervisor.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTextStream>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace station::app {

namespace {

const QString kServiceUser = QStringLiteral("camera-station");
const QString kUnitFile = QStringLiteral("/lib/systemd/system/camera-station.service");

struct Outcome {
    enum Kind { Pass, Fail, Skip, Warn } kind = Pass;
    QString what;  // the finding
    QString fix;   // FAIL and WARN: what to do
};

Outcome pass(const QString &what) { return {Outcome::Pass, what, {}}; }
Outcome fail(const QString &what, const QString &fix) { return {Outcome::Fail, what, fix}; }
Outcome skip(const QString &what) { return {Outcome::Skip, what, {}}; }
Outcome warn(const QString &what, const QString &fix) { return {Outcome::Warn, what, fix}; }

// The service account, resolved once: name, uid and every group it is in.
struct Account {
    QString name;
    uid_t uid = 0;
    std::vector<gid_t> groups;
};

std::optional<Account> lookupAccount(const QString &name)
{
    const QByteArray n = name.toLocal8Bit();
    const passwd *pw = ::getpwnam(n.constData());
    if (!pw)
        return std::nullopt;
    Account a;
    a.name = name;
    a.uid = pw->pw_uid;
    int count = 64;
    std::vector<gid_t> groups(static_cast<size_t>(count));
    if (::getgrouplist(n.constData(), pw->pw_gid, groups.data(), &count) < 0) {
        groups.resize(size_t(count));
        ::getgrouplist(n.constData(), pw->pw_gid, groups.data(), &count);
    }
    groups.resize(size_t(count));
    a.groups = groups;
    return a;
}

Account currentAccount()
{
    Account a;
    a.uid = ::geteuid();
    const passwd *pw = ::getpwuid(a.uid);
    a.name = pw ? QString::fromLocal8Bit(pw->pw_name) : QString::number(a.uid);
    const int n = ::getgroups(0, nullptr);
    std::vector<gid_t> groups(static_cast<size_t>(n > 0 ? n : 0));
    if (n > 0)
        groups.resize(size_t(::getgroups(n, groups.data())));
    groups.push_back(::getegid());
    a.groups = groups;
    return a;
}

// Owner/group/other permission bits as the kernel applies them (ACLs and
// capabilities aside; root passes everything).
bool permits(const struct stat &st, const Account &a, mode_t ownerBit)
{
    if (a.uid == 0)
        return true;
    if (st.st_uid == a.uid)
        return st.st_mode & ownerBit;
    for (gid_t g : a.groups)
        if (g == st.st_gid)
            return st.st_mode & (ownerBit >> 3);
    return st.st_mode & (ownerBit >> 6);
}

// Can `a` create files in `dir`: search permission on every ancestor and
// write+search on the folder itself. Returns "" when it can, else the reason.
QString writableBy(const QString &dir, const Account &a)
{
    const QString clean = QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
    const QStringList parts = clean.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString path = QStringLiteral("/");
    for (qsizetype i = 0; i <= parts.size(); ++i) {
        struct stat st {};
        if (::stat(QFile::encodeName(path).constData(), &st) != 0)
            return QStringLiteral("%1 does not exist").arg(path);
        if (!S_ISDIR(st.st_mode))
            return QStringLiteral("%1 is not a folder").arg(path);
        if (!permits(st, a, S_IXUSR))
            return QStringLiteral("%1 cannot enter %2 (mode %3)").arg(a.name, path).arg(st.st_mode & 07777, 4, 8, QLatin1Char('0'));
        if (i == parts.size()) {
            if (!permits(st, a, S_IWUSR))
                return QStringLiteral("%1 cannot write %2 (mode %3, owner uid %4)")
                    .arg(a.name, path)
                    .arg(st.st_mode & 07777, 4, 8, QLatin1Char('0'))
                    .arg(st.st_uid);
            break;
        }
        path = path == QLatin1String("/") ? path + parts[i] : path + QLatin1Char('/') + parts[i];
    }
    return {};
}

// Runs `program args` for at most 5 s and returns the first line it printed.
QString firstLineOf(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(5000)) {
        p.kill();
        p.waitForFinished(1000);
        return {};
    }
    return QString::fromLocal8Bit(p.readAll()).section(QLatin1Char('\n'), 0, 0).trimmed();
}

// --- ports -------------------------------------------------------------------

// Socket inodes listening on `port` (TCP, IPv4 and IPv6), from /proc/net.
QSet<QString> listeningInodes(int port)
{
    QSet<QString> inodes;
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile f(QString::fromLatin1(table));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        f.readLine();  // header
        while (!f.atEnd()) {
            const QStringList cols = QString::fromLatin1(f.readLine()).simplified().split(QLatin1Char(' '));
            if (cols.size() < 10 || cols[3] != QLatin1String("0A"))  // 0A: LISTEN
                continue;
            bool ok = false;
            if (cols[1].section(QLatin1Char(':'), -1).toInt(&ok, 16) == port && ok)
                inodes.insert(cols[9]);
        }
    }
    return inodes;
}

struct Holder {
    qint64 pid = -1;
    QString command;  // comm, "" when not visible to us
};

Holder holderOf(const QSet<QString> &inodes)
{
    const QDir proc(QStringLiteral("/proc"));
    for (const QString &pid : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool numeric = false;
        const qint64 n = pid.toLongLong(&numeric);
        if (!numeric)
            continue;
        const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
        for (const QString &fd : fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)) {
            char link[128] = {};
            const ssize_t len = ::readlink(QFile::encodeName(fds.filePath(fd)).constData(), link, sizeof link - 1);
            const QString target = len > 0 ? QString::fromLatin1(link, len) : QString();
            // "socket:[12345]"
            if (!target.startsWith(QLatin1String("socket:[")) || !inodes.contains(target.mid(8).chopped(1)))
                continue;
            QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
            Holder h;
            h.pid = n;
            if (comm.open(QIODevice::ReadOnly))
                h.command = QString::fromLocal8Bit(comm.readAll()).trimmed();
            return h;
        }
    }
    return {};
}

Outcome checkPort(const QString &key, int port)
{
    if (port == 0)
        return pass(QStringLiteral("%1 is 0: a free port is picked at start").arg(key));
    const QSet<QString> inodes = listeningInodes(port);
    if (inodes.isEmpty())
        return pass(QStringLiteral("port %1 (%2) is free").arg(port).arg(key));
    const Holder h = holderOf(inodes);
    if (h.command == QLatin1String("camera-station"))
        return pass(QStringLiteral("port %1 (%2) is held by a running camera-station (pid %3)").arg(port).arg(key).arg(h.pid));
    const QString who = h.pid > 0 ? QStringLiteral("%1 (pid %2)").arg(h.command).arg(h.pid) : QStringLiteral("another process (run as root to name it)");
    return fail(QStringLiteral("port %1 (%2) is in use by %3").arg(port).arg(key, who),
                QStringLiteral("stop that process (ss -ltnp 'sport = :%1' shows it) or set %2 to a free port").arg(port).arg(key));
}

// --- the installed unit --------------------------------------------------------

// systemd unit settings that matter here, after drop-ins (an empty
// assignment resets a list, as systemd does).
struct UnitSettings {
    QString file;
    QStringList execStart;      // the effective ExecStart= words
    QStringList readWritePaths;
    QString protectSystem;
    QString user;
};

void parseUnitFile(const QString &path, UnitSettings &u)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return;
    bool inService = false;
    QString pending;
    while (!f.atEnd()) {
        QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (line.endsWith(QLatin1Char('\\'))) {
            pending += line.chopped(1) + QLatin1Char(' ');
            continue;
        }
        line = pending + line;
        pending.clear();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('['))) {
            inService = line == QLatin1String("[Service]");
            continue;
        }
        if (!inService)
            continue;
        const QString key = line.section(QLatin1Char('='), 0, 0).trimmed();
        const QString value = line.section(QLatin1Char('='), 1).trimmed();
        if (key == QLatin1String("ExecStart"))
            u.execStart = value.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        else if (key == QLatin1String("ReadWritePaths")) {
            if (value.isEmpty())
                u.readWritePaths.clear();
            else
                u.readWritePaths += value.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        } else if (key == QLatin1String("ProtectSystem"))
            u.protectSystem = value;
        else if (key == QLatin1String("User"))
            u.user = value;
    }
}

// The unit systemd would load: /etc overrides /lib, then drop-ins in order.
std::optional<UnitSettings> loadUnit(const QString &unitPath)
{
    const QString name = QFileInfo(unitPath).fileName();
    QString main = unitPath;
    if (unitPath == kUnitFile && QFileInfo::exists(QStringLiteral("/etc/systemd/system/") + name))
        main = QStringLiteral("/etc/systemd/system/") + name;
    if (!QFileInfo::exists(main))
        return std::nullopt;
    UnitSettings u;
    u.file = main;
    parseUnitFile(main, u);
    QStringList dropIns;
    for (const QString &dir : {QStringLiteral("/lib/systemd/system/"), QStringLiteral("/run/systemd/system/"), QStringLiteral("/etc/systemd/system/")}) {
        const QDir d(dir + name + QStringLiteral(".d"));
        for (const QString &conf : d.entryList({QStringLiteral("*.conf")}, QDir::Files, QDir::Name))
            dropIns << d.filePath(conf);
    }
    std::sort(dropIns.begin(), dropIns.end(), [](const QString &a, const QString &b) { return QFileInfo(a).fileName() < QFileInfo(b).fileName(); });
    for (const QString &conf : dropIns)
        parseUnitFile(conf, u);
    return u;
}

bool under(const QString &path, const QString &root)
{
    const QString p = QDir::cleanPath(path), r = QDir::cleanPath(root);
    return p == r || p.startsWith(r + QLatin1Char('/'));
}

Outcome checkUnit(const std::optional<UnitSettings> &unit, const QString &unitPath, const config::ConfigSources &sources,
                  const QStringList &dataDirs)
{
    if (!unit)
        return skip(QStringLiteral("%1 is not installed (not a packaged install)").arg(unitPath));
    if (unit->execStart.isEmpty())
        return fail(QStringLiteral("%1 has no ExecStart=").arg(unit->file), QStringLiteral("reinstall the package: apt-get install --reinstall camera-station"));
    QString program = unit->execStart.first();
    while (!program.isEmpty() && QStringLiteral("-@:+!").contains(program.front()))
        program.remove(0, 1);
    const QString self = QFileInfo(QCoreApplication::applicationFilePath()).canonicalFilePath();
    const QString target = QFileInfo(program).canonicalFilePath();
    if (target.isEmpty())
        return fail(QStringLiteral("%1: ExecStart runs %2, which does not exist").arg(unit->file, program),
                    QStringLiteral("reinstall the package, or fix ExecStart= in a drop-in (systemctl edit camera-station)"));
    if (target != self)
        return fail(QStringLiteral("%1: ExecStart runs %2, not this binary (%3)").arg(unit->file, program, self),
                    QStringLiteral("remove the stale unit or drop-in that points elsewhere, then systemctl daemon-reload"));
    const qsizetype at = unit->execStart.indexOf(QStringLiteral("--config"));
    const QString unitConfig = at >= 0 ? unit->execStart.value(at + 1) : QStringLiteral("/etc/camera-station/camera-station.yaml");
    if (QFileInfo(unitConfig).absoluteFilePath() != QFileInfo(sources.filePath).absoluteFilePath())
        return fail(QStringLiteral("%1 uses %2, but these checks read %3").arg(unit->file, unitConfig, sources.filePath),
                    QStringLiteral("run camera-station validate --config %1").arg(unitConfig));
    if (unit->protectSystem == QLatin1String("strict")) {
        for (const QString &dir : dataDirs) {
            bool allowed = false;
            for (QString rw : unit->readWritePaths) {
                if (rw.startsWith(QLatin1Char('-')))
                    rw.remove(0, 1);
                allowed = allowed || under(dir, rw);
            }
            if (!allowed)
                return fail(QStringLiteral("%1 is read-only for the service (ProtectSystem=strict, ReadWritePaths=%2)").arg(dir, unit->readWritePaths.join(QLatin1Char(' '))),
                            QStringLiteral("keep storage under /var/lib/camera-station, or add ReadWritePaths=%1 in a drop-in (systemctl edit camera-station)").arg(dir));
        }
    }
    return pass(QStringLiteral("%1 runs this binary (%2)%3").arg(unit->file, self, at >= 0 ? QStringLiteral(" with --config ") + unitConfig : QString()));
}

// Camera URLs MediaMTX v1.20.1 would refuse (cameras/CameraUrlRule; the
// service lists such a camera in ERROR and leaves it out of mediamtx.yml).
Outcome checkCameraUrls(const config::Config &cfg)
{
    QStringList refused;
    int count = 0;
    const QList<QVariantMap> sources = cfg.objectList(QStringLiteral("cameras.sources"));
    for (qsizetype i = 0; i < sources.size(); ++i) {
        if (sources.at(i).value(QStringLiteral("type")).toString() != QLatin1String("rtsp"))
            continue;
        ++count;
        const cameras::UrlVerdict v = cameras::CameraUrlRule::check(sources.at(i).value(QStringLiteral("url")).toString());
        if (!v.ok)
            refused << QStringLiteral("cameras.sources[%1]: %2 (%3)").arg(i).arg(v.reason, v.hint);
    }
    QFile f(cfg.stateDir() + QStringLiteral("/external_streams.json"));
    if (f.open(QIODevice::ReadOnly)) {
        for (const QJsonValue &entry : QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("streams")).toArray()) {
            ++count;
            const QJsonObject o = entry.toObject();
            const cameras::UrlVerdict v = cameras::CameraUrlRule::check(o.value(QLatin1String("url")).toString());
            if (!v.ok)
                refused << QStringLiteral("%1 %2: %3 (%4)").arg(f.fileName(), o.value(QLatin1String("device")).toString(), v.reason, v.hint);
        }
    }
    if (!refused.isEmpty())
        return fail(QStringLiteral("MediaMTX would refuse %1 of %2 camera URLs; those cameras stay in ERROR: %3").arg(refused.size()).arg(count).arg(refused.join(QStringLiteral("; "))),
                    QStringLiteral("correct the URL in the config file, or remove_external_stream it and add_external_stream the corrected one"));
    return pass(QStringLiteral("%1 camera URLs, all loadable by MediaMTX").arg(count));
}

} // namespace

int runValidateCommand(const config::ConfigSources &sourcesIn, const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Pre-deployment checks: one PASS/FAIL line each, with the fix; exit 1 when any fails."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("user"), QStringLiteral("service account (default %1)").arg(kServiceUser), QStringLiteral("name"), kServiceUser});
    parser.addOption({QStringLiteral("unit"), QStringLiteral("installed systemd unit (default %1)").arg(kUnitFile), QStringLiteral("file"), kUnitFile});
    if (!parser.parse(args)) {
        err << parser.errorText() << Qt::endl;
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }

    int passed = 0;
    QStringList failed;
    auto report = [&](const QString &name, const Outcome &o) {
        const char *tag = o.kind == Outcome::Pass ? "PASS" : o.kind == Outcome::Fail ? "FAIL" : o.kind == Outcome::Warn ? "WARN" : "SKIP";
        out << tag << "  " << name.leftJustified(9) << " " << o.what;
        if (o.kind == Outcome::Warn) {
            out << "\n      " << QString(9, QLatin1Char(' ')) << " fix: " << o.fix;  // a warning does not fail validation
        } else if (o.kind == Outcome::Fail) {
            out << "\n      " << QString(9, QLatin1Char(' ')) << " fix: " << o.fix;
            failed << name;
        } else if (o.kind == Outcome::Pass) {
            ++passed;
        }
        out << Qt::endl;
    };

    // 1. Configuration. On errors the remaining checks run on the defaults
    // (plus --data-dir/--set/environment), so one run shows everything.
    config::ConfigSources sources = sourcesIn;
    config::ConfigLoadResult loaded = config::Config::load(sources);
    const QString fileNote = QFileInfo::exists(sources.filePath) ? sources.filePath : sources.filePath + QStringLiteral(" (absent: built-in defaults)");
    if (loaded.ok()) {
        report(QStringLiteral("config"), pass(QStringLiteral("%1 parses and every key is valid").arg(fileNote)));
    } else {
        report(QStringLiteral("config"), fail(loaded.errors.join(QStringLiteral("; ")),
                                              QStringLiteral("edit the named line (camera-station --check-config repeats this); the commented defaults are in /usr/share/doc/camera-station/camera-station.yaml")));
        config::ConfigSources fallback = sources;
        fallback.filePath.clear();
        fallback.fileRequired = false;
        loaded = config::Config::load(fallback);
        if (!loaded.ok())
            loaded.config = config::Config();
        out << "      " << QString(9, QLatin1Char(' ')) << " (the checks below use the built-in defaults)" << Qt::endl;
    }
    const config::Config &cfg = loaded.config;

    const std::optional<Account> service = lookupAccount(parser.value(QStringLiteral("user")));
    const Account actor = service ? *service : currentAccount();

    // 2. Secret: must already exist (the service would create one, validate never does).
    {
        const auth::SecretResult s = auth::resolveJwtSecret(cfg, false);
        if (!s.ok()) {
            report(QStringLiteral("secret"), fail(s.error, QStringLiteral("reinstall the package (its postinst writes a random secret), or start the service once; never reuse a published secret")));
        } else if (s.sourcePath.isEmpty()) {
            report(QStringLiteral("secret"), pass(QStringLiteral("security.jwt_secret is set in the configuration (%1 bytes); keep that file mode 0640 root:%2").arg(s.secret.size()).arg(actor.name)));
        } else {
            struct stat st {};
            ::stat(QFile::encodeName(s.sourcePath).constData(), &st);
            if (st.st_mode & 0077)
                report(QStringLiteral("secret"), fail(QStringLiteral("%1 has mode %2: others can read it").arg(s.sourcePath).arg(st.st_mode & 07777, 4, 8, QLatin1Char('0')),
                                                      QStringLiteral("chmod 0600 %1").arg(s.sourcePath)));
            else if (!permits(st, actor, S_IRUSR))
                report(QStringLiteral("secret"), fail(QStringLiteral("%1 is not readable by %2").arg(s.sourcePath, actor.name),
                                                      QStringLiteral("chown %1: %2").arg(actor.name, s.sourcePath)));
            else
                report(QStringLiteral("secret"), pass(QStringLiteral("%1 (%2 bytes, mode %3, readable by %4)").arg(s.sourcePath).arg(s.secret.size()).arg(st.st_mode & 07777, 4, 8, QLatin1Char('0')).arg(actor.name)));
        }
    }

    // 3. Data folders, as the service user when it exists.
    const QStringList dataDirs{cfg.recordingsDir(), cfg.snapshotsDir(), cfg.stateDir()};
    {
        QStringList problems;
        for (const QString &dir : dataDirs) {
            const QString why = writableBy(dir, actor);
            if (!why.isEmpty())
                problems << why;
        }
        problems.removeDuplicates();
        const QString as = service ? actor.name : actor.name + QStringLiteral(" (no ") + parser.value(QStringLiteral("user")) + QStringLiteral(" account here)");
        if (problems.isEmpty())
            report(QStringLiteral("folders"), pass(QStringLiteral("%1 writable by %2").arg(dataDirs.join(QStringLiteral(", ")), as)));
        else
            report(QStringLiteral("folders"), fail(problems.join(QStringLiteral("; ")),
                                                   QStringLiteral("install -d -o %1 -g %1 -m 0750 %2").arg(actor.name, dataDirs.join(QLatin1Char(' ')))));
    }

    // 4. Ports.
    report(QStringLiteral("api-port"), checkPort(QStringLiteral("server.port"), cfg.integer32(QStringLiteral("server.port"))));
    report(QStringLiteral("hlth-port"), checkPort(QStringLiteral("health.port"), cfg.integer32(QStringLiteral("health.port"))));

    // 5. MediaMTX.
    if (cfg.boolean(QStringLiteral("mediamtx.supervise"))) {
        const QString binary = mediamtx::MediaMtxSupervisor::locateBinary(cfg);
        if (binary.isEmpty()) {
            const QString configured = cfg.string(QStringLiteral("mediamtx.binary"));
            report(QStringLiteral("mediamtx"),
                   fail(configured.isEmpty() ? QStringLiteral("no mediamtx executable (mediamtx.binary unset; not on PATH, in /usr/local/bin or /opt/mediamtx)")
                                             : QStringLiteral("mediamtx.binary is %1, which is not an executable file").arg(configured),
                        QStringLiteral("/usr/share/camera-station/mediamtx/install-mediamtx.sh --pinned (offline: --tarball FILE --sha256 HASH; see /usr/share/doc/camera-station/README.packaging.md)")));
        } else {
            const QString version = firstLineOf(binary, {QStringLiteral("--version")});
            if (version.isEmpty())
                report(QStringLiteral("mediamtx"), fail(QStringLiteral("%1 --version printed nothing within 5 s").arg(binary),
                                                        QStringLiteral("reinstall MediaMTX with install-mediamtx.sh")));
            else
                report(QStringLiteral("mediamtx"), pass(QStringLiteral("%1 (%2)").arg(binary, version)));
        }
    } else {
        const QString host = cfg.string(QStringLiteral("mediamtx.api_host"));
        const int port = cfg.integer32(QStringLiteral("mediamtx.api_port"));
        QTcpSocket socket;
        socket.connectToHost(host, quint16(port));
        if (socket.waitForConnected(2000))
            report(QStringLiteral("mediamtx"), pass(QStringLiteral("not supervised (mediamtx.supervise=false); its API answers on %1:%2").arg(host).arg(port)));
        else
            report(QStringLiteral("mediamtx"), fail(QStringLiteral("not supervised (mediamtx.supervise=false) and nothing answers on %1:%2").arg(host).arg(port),
                                                    QStringLiteral("systemctl enable --now mediamtx.service (installed by install-mediamtx.sh --service)")));
    }

    report(QStringLiteral("cam-urls"), checkCameraUrls(cfg));
    if (cfg.boolean(QStringLiteral("mediamtx.supervise"))) {
        // Every listener the supervised MediaMTX opens (it exits on a busy one).
        const QList<mediamtx::MediaMtxListener> listeners = mediamtx::MediaMtxListeners::of(cfg);
        QList<mediamtx::MediaMtxListener> udp;
        QStringList problems, held;
        for (const mediamtx::MediaMtxListener &l : listeners) {
            if (!l.bound)
                continue;
            if (l.udp) {
                udp << l;
                continue;
            }
            const Outcome o = checkPort(l.configKey, l.port);
            if (o.kind != Outcome::Fail)
                continue;
            if (o.what.contains(QLatin1String(" by mediamtx (")))
                held << QStringLiteral("%1 (%2)").arg(l.port).arg(l.configKey);  // a running station's MediaMTX
            else
                problems << o.what;
        }
        QString udpProblem = mediamtx::MediaMtxListeners::checkFree(udp);
        for (qsizetype i = 0; i < listeners.size(); ++i) {
            for (qsizetype j = 0; j < i; ++j) {
                const auto &a = listeners.at(i), &b = listeners.at(j);
                if (a.bound && b.bound && a.udp == b.udp && a.port == b.port)
                    problems << QStringLiteral("%1 and %2 are both port %3").arg(b.configKey, a.configKey).arg(a.port);
            }
        }
        if (!udpProblem.isEmpty() && !held.isEmpty() && udpProblem.contains(QLatin1String("webrtc_udp_port")))
            udpProblem.clear();  // MediaMTX holds its own ICE port while running
        if (!udpProblem.isEmpty())
            problems << udpProblem;
        if (problems.isEmpty())
            report(QStringLiteral("mtx-ports"), pass(QStringLiteral("%1 MediaMTX listeners free%2").arg(listeners.size())
                                                         .arg(held.isEmpty() ? QString() : QStringLiteral(" (held by a running MediaMTX: %1)").arg(held.join(QStringLiteral(", "))))));
        else
            report(QStringLiteral("mtx-ports"), fail(problems.join(QStringLiteral("; ")), QStringLiteral("stop the program holding the port, or set the named mediamtx.*_port key to a free port")));
    }
    {
        const QString tls = mediamtx::MediaMtxConfig::tlsProblem(cfg);
        if (tls.isEmpty())
            report(QStringLiteral("mtx-tls"), pass(cfg.boolean(QStringLiteral("mediamtx.hls_tls")) || cfg.boolean(QStringLiteral("mediamtx.webrtc_tls"))
                                                       ? QStringLiteral("mediamtx.tls_cert and mediamtx.tls_key are readable PEM files")
                                                       : QStringLiteral("HLS and WebRTC over plain HTTP (mediamtx.hls_tls/webrtc_tls off)")));
        else
            report(QStringLiteral("mtx-tls"), fail(tls, QStringLiteral("point mediamtx.tls_cert/tls_key at readable PEM files (readable by the service user), or turn hls_tls/webrtc_tls off")));
    }

    // Who may watch the cameras (API.md §2.9, issue 12).
    if (cfg.boolean(QStringLiteral("streams.anonymous_read")))
        report(QStringLiteral("streams"), warn(QStringLiteral("streams.anonymous_read is on: anyone who reaches MediaMTX's RTSP, HLS or WebRTC port may watch every camera"),
                                              QStringLiteral("turn it off unless this network is closed; the API then hands out URLs with a read token")));
    else
        report(QStringLiteral("streams"), pass(QStringLiteral("reading a stream needs a token from the API (streams.anonymous_read off)")));

    // 6. ffmpeg.
    {
        const QString ffmpeg = QStandardPaths::findExecutable(QStringLiteral("ffmpeg"));
        if (ffmpeg.isEmpty())
            report(QStringLiteral("ffmpeg"), fail(QStringLiteral("ffmpeg is not on PATH"), QStringLiteral("apt-get install ffmpeg")));
        else
            report(QStringLiteral("ffmpeg"), pass(QStringLiteral("%1 (%2)").arg(ffmpeg, firstLineOf(ffmpeg, {QStringLiteral("-hide_banner"), QStringLiteral("-version")}).section(QLatin1Char(' '), 0, 2))));
    }

    // 7. The installed unit runs this binary.
    const QString unitPath = parser.value(QStringLiteral("unit"));
    report(QStringLiteral("unit"), checkUnit(loadUnit(unitPath), unitPath, sources, dataDirs));

    // 8. Camera access: the service account is in `video`.
    {
        const group *video = ::getgrnam("video");
        if (!video) {
            report(QStringLiteral("video"), fail(QStringLiteral("there is no group video (V4L2 devices belong to it)"), QStringLiteral("addgroup --system video, then adduser %1 video").arg(parser.value(QStringLiteral("user")))));
        } else if (!service) {
            report(QStringLiteral("video"), fail(QStringLiteral("no %1 account").arg(parser.value(QStringLiteral("user"))),
                                                 QStringLiteral("install the package (postinst creates the account), or adduser --system --group --home /var/lib/camera-station %1 && adduser %1 video").arg(parser.value(QStringLiteral("user")))));
        } else {
            bool member = false;
            for (gid_t g : service->groups)
                member = member || g == video->gr_gid;
            if (member)
                report(QStringLiteral("video"), pass(QStringLiteral("%1 is in group video").arg(service->name)));
            else
                report(QStringLiteral("video"), fail(QStringLiteral("%1 is not in group video: cameras would be invisible").arg(service->name), QStringLiteral("adduser %1 video").arg(service->name)));
        }
    }

    // 9. Free disk space under every data folder's file system.
    {
        const qint64 floorMb = cfg.integer(QStringLiteral("storage.min_free_mb"));
        QSet<quint64> seen;
        QStringList lows, figures;
        for (const QString &dir : dataDirs) {
            QString probe = dir;
            while (!QFileInfo::exists(probe) && probe != QLatin1String("/"))
                probe = QFileInfo(probe).absolutePath();
            struct stat st {};
            struct statvfs vfs {};
            if (::stat(QFile::encodeName(probe).constData(), &st) != 0 || ::statvfs(QFile::encodeName(probe).constData(), &vfs) != 0)
                continue;
            if (seen.contains(quint64(st.st_dev)))
                continue;
            seen.insert(quint64(st.st_dev));
            const qint64 freeMb = qint64(vfs.f_bavail) * qint64(vfs.f_frsize) / (1024 * 1024);
            figures << QStringLiteral("%1 MiB free at %2").arg(freeMb).arg(probe);
            if (freeMb < floorMb)
                lows << QStringLiteral("%1 MiB free at %2").arg(freeMb).arg(probe);
        }
        if (lows.isEmpty())
            report(QStringLiteral("disk"), pass(QStringLiteral("%1 (floor storage.min_free_mb=%2)").arg(figures.join(QStringLiteral(", "))).arg(floorMb)));
        else
            report(QStringLiteral("disk"), fail(QStringLiteral("%1, below storage.min_free_mb=%2").arg(lows.join(QStringLiteral(", "))).arg(floorMb),
                                                QStringLiteral("free space (camera-station's retention: set_retention_policy) or put storage.data_dir on a larger disk")));
    }

    if (failed.isEmpty()) {
        out << "validate: all checks passed (" << passed << " PASS)" << Qt::endl;
        return 0;
    }
    out << "validate: FAILED: " << failed.join(QStringLiteral(", ")) << " (" << passed << " PASS)" << Qt::endl;
    return 1;
}

} // namespace station::app
