#pragma once

// Helpers shared by the station_bench modes: output, event-loop waits, tokens,
// free ports, a blocking JSON-RPC client, CPU accounting and the result table.

#include <QByteArray>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QHash>
#include <QHostAddress>
#include <QSet>
#include <QTcpSocket>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <QTextStream>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <fcntl.h>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <sys/resource.h>
#include <unistd.h>

namespace bench {

inline QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

inline void say(const QString &line)
{
    out() << line << Qt::endl;
}

// Runs the event loop until pred() holds or the timeout passes. Polls with a
// timer (never spins: the machine's two cores are shared with the server).
inline bool waitUntil(const std::function<bool()> &pred, qint64 timeoutMs, int pollMs = 2)
{
    if (pred())
        return true;
    QDeadlineTimer deadline(timeoutMs);
    QEventLoop loop;
    QTimer poll;
    poll.setTimerType(Qt::PreciseTimer);
    poll.setInterval(pollMs);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (pred() || deadline.hasExpired())
            loop.quit();
    });
    poll.start();
    loop.exec();
    return pred();
}

inline void sleepMs(qint64 ms)
{
    waitUntil([] { return false; }, ms, 20);
}

inline QByteArray b64url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// HS256 session token with the claims of API.md §2.6.
inline QByteArray signJwt(const QByteArray &secret, const QString &user, const QString &role, qint64 ttlS)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray header = b64url(R"({"alg":"HS256","typ":"JWT"})");
    const QByteArray payload = b64url(QJsonDocument(QJsonObject{{QStringLiteral("user_id"), user},
                                                                {QStringLiteral("role"), role},
                                                                {QStringLiteral("iat"), now},
                                                                {QStringLiteral("exp"), now + ttlS}})
                                          .toJson(QJsonDocument::Compact));
    const QByteArray input = header + '.' + payload;
    return input + '.' + b64url(QMessageAuthenticationCode::hash(input, secret, QCryptographicHash::Sha256));
}

inline QByteArray randomSecret(int n)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray s;
    for (int i = 0; i < n; ++i)
        s.append(alphabet[QRandomGenerator::system()->bounded(int(sizeof(alphabet) - 1))]);
    return s;
}

// Two free loopback ports, chosen by the kernel.
inline QList<quint16> freePorts(int n)
{
    QList<std::shared_ptr<QTcpServer>> servers;
    QList<quint16> ports;
    for (int i = 0; i < n; ++i) {
        auto s = std::make_shared<QTcpServer>();
        if (!s->listen(QHostAddress::LocalHost, 0))
            return {};
        ports << s->serverPort();
        servers << s;
    }
    return ports;
}

// Creates `count` small recording files with valid capture names, varied
// cameras and timestamps. Returns the number of files present afterwards.
inline int createRecordings(const QString &dir, int count, QString *error)
{
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return 0;
    }
    const QDateTime base(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
    QRandomGenerator rng(20250115);
    const QByteArray content("not a real mp4: station_bench placeholder\n");
    int made = 0;
    for (int i = 0; i < count; ++i) {
        // Strictly increasing times (97 s apart plus up to 60 s of jitter): unique names.
        const qint64 ms = qint64(i) * 97'000 + rng.bounded(60'000);
        const QDateTime t = base.addMSecs(ms);
        const int usec = int((ms % 1000) * 1000 + rng.bounded(1000));
        const int camera = int(rng.bounded(8));
        const QString name = QStringLiteral("camera%1_%2-%3.mp4")
                                 .arg(camera)
                                 .arg(t.toString(QStringLiteral("yyyy-MM-dd_HH-mm-ss")))
                                 .arg(usec, 6, 10, QLatin1Char('0'));
        const QByteArray path = QFile::encodeName(dir + QLatin1Char('/') + name);
        const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            continue;
        const bool ok = ::write(fd, content.constData(), size_t(content.size())) == content.size();
        ::close(fd);
        made += ok ? 1 : 0;
    }
    return made;
}

// A blocking JSON-RPC client for the setup steps (readiness probe, checks).
class SyncClient
{
public:
    bool open(const QUrl &url, int timeoutMs)
    {
        m_ws = std::make_unique<QWebSocket>();
        QObject::connect(m_ws.get(), &QWebSocket::textMessageReceived, [this](const QString &t) { m_inbox << t; });
        bool done = false;
        QObject::connect(m_ws.get(), &QWebSocket::connected, [&done] { done = true; });
        QObject::connect(m_ws.get(), &QWebSocket::disconnected, [&done] { done = true; });
        m_ws->open(url);
        waitUntil([&] { return done; }, timeoutMs, 1);
        QObject::disconnect(m_ws.get(), &QWebSocket::connected, nullptr, nullptr);
        QObject::disconnect(m_ws.get(), &QWebSocket::disconnected, nullptr, nullptr);
        return m_ws->state() == QAbstractSocket::ConnectedState;
    }
    std::optional<QJsonObject> call(const QString &method, const QJsonObject &params, int timeoutMs)
    {
        const qint64 id = m_nextId++;
        const QJsonObject req{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                              {QStringLiteral("method"), method},
                              {QStringLiteral("params"), params},
                              {QStringLiteral("id"), id}};
        m_ws->sendTextMessage(QString::fromUtf8(QJsonDocument(req).toJson(QJsonDocument::Compact)));
        std::optional<QJsonObject> answer;
        waitUntil([&] {
            for (qsizetype i = 0; i < m_inbox.size();) {
                const QJsonObject o = QJsonDocument::fromJson(m_inbox[i].toUtf8()).object();
                if (o.value(QLatin1String("id")).toInteger(-1) == id) {
                    answer = o;
                    m_inbox.removeAt(i);
                    return true;
                }
                if (!o.contains(QLatin1String("id"))) {  // a notification: keep the last few, never pile up
                    m_notifications << o;
                    if (m_notifications.size() > 1000)
                        m_notifications.removeFirst();
                    m_inbox.removeAt(i);
                    continue;
                }
                ++i;
            }
            return m_ws->state() != QAbstractSocket::ConnectedState;
        }, timeoutMs, 1);
        return answer;
    }
    QList<QJsonObject> takeNotifications() { return std::exchange(m_notifications, {}); }
    bool connected() const { return m_ws && m_ws->state() == QAbstractSocket::ConnectedState; }
    void close()
    {
        if (m_ws) {
            m_ws->close();
            waitUntil([this] { return m_ws->state() == QAbstractSocket::UnconnectedState; }, 1000);
            m_ws.reset();
        }
    }

private:
    std::unique_ptr<QWebSocket> m_ws;
    QStringList m_inbox;
    QList<QJsonObject> m_notifications;
    qint64 m_nextId = 1;
};

// Server CPU time (utime + stime) in seconds, from /proc/<pid>/stat.
inline double processCpuSeconds(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray s = f.readAll();
    const qsizetype close = s.lastIndexOf(')');
    const QList<QByteArray> fields = s.mid(close + 2).split(' ');  // fields[0] is field 3 (state)
    if (fields.size() < 13)
        return -1;
    return double(fields[11].toLongLong() + fields[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

// Busy CPU seconds of the whole machine (all CPUs), from /proc/stat.
inline double machineBusySeconds()
{
    QFile f(QStringLiteral("/proc/stat"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> v = f.readLine().simplified().split(' ');  // cpu user nice system idle iowait irq softirq steal
    if (v.size() < 8)
        return -1;
    qint64 busy = 0;
    for (int i = 1; i < v.size() && i <= 8; ++i)
        if (i != 4 && i != 5)
            busy += v[i].toLongLong();
    return double(busy) / double(sysconf(_SC_CLK_TCK));
}

inline double selfCpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Row {
    QString metric;
    QString n;
    QString p50, p99, max;
    QString throughput;
    QString target;
    QString met;
    QString v1 = QStringLiteral("-");  // what the v1 service published for this figure
};

inline QString ms(double v)
{
    return v < 10 ? QString::number(v, 'f', 2) + QStringLiteral(" ms") : QString::number(v, 'f', 1) + QStringLiteral(" ms");
}

inline QString mb(qint64 kb)
{
    return kb < 0 ? QStringLiteral("n/a") : QString::number(double(kb) / 1024.0, 'f', 1) + QStringLiteral(" MB");
}

inline void printTable(const QList<Row> &rows)
{
    const QStringList headers{QStringLiteral("metric"), QStringLiteral("N"), QStringLiteral("p50"), QStringLiteral("p99"),
                              QStringLiteral("max"), QStringLiteral("throughput"), QStringLiteral("target"), QStringLiteral("met?")};
    QList<qsizetype> w;
    for (const QString &h : headers)
        w << h.size();
    for (const Row &r : rows) {
        const QStringList cells{r.metric, r.n, r.p50, r.p99, r.max, r.throughput, r.target, r.met};
        for (int i = 0; i < cells.size(); ++i)
            w[i] = std::max(w[i], cells[i].size());
    }
    auto line = [&](const QStringList &cells) {
        QString s = QStringLiteral("| ");
        for (int i = 0; i < cells.size(); ++i)
            s += cells[i].leftJustified(w[i]) + QStringLiteral(" | ");
        say(s.trimmed());
    };
    line(headers);
    QStringList dashes;
    for (qsizetype x : w)
        dashes << QString(x, QLatin1Char('-'));
    line(dashes);
    for (const Row &r : rows)
        line({r.metric, r.n, r.p50, r.p99, r.max, r.throughput, r.target, r.met});
}


// Appends rows to a tab-separated results file (bench/run merges them into one
// table): group, metric, N, p50, p99, max, throughput/detail, target, v1, met.
inline void appendResults(const QString &path, const QString &group, const QList<Row> &rows)
{
    if (path.isEmpty())
        return;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text))
        return;
    auto clean = [](QString v) { return v.replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' ')); };
    for (const Row &r : rows) {
        const QStringList cells{group, r.metric, r.n, r.p50, r.p99, r.max, r.throughput, r.target, r.v1, r.met};
        QStringList c;
        for (const QString &x : cells)
            c << clean(x);
        f.write(c.join(QLatin1Char('\t')).toUtf8() + '\n');
    }
}

inline QString yesNo(bool b)
{
    return b ? QStringLiteral("yes") : QStringLiteral("NO");
}

// --- /proc helpers -------------------------------------------------------

inline QByteArray readProcFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct ProcInfo {
    qint64 pid = 0;
    qint64 ppid = 0;
    char state = '?';
    QString comm;
    QString cmdline;
};

inline std::optional<ProcInfo> procInfo(qint64 pid)
{
    const QByteArray st = readProcFile(QStringLiteral("/proc/%1/stat").arg(pid));
    const qsizetype open = st.indexOf('(');
    const qsizetype close = st.lastIndexOf(')');
    if (open < 0 || close < 0 || close + 4 >= st.size())
        return std::nullopt;
    ProcInfo p;
    p.pid = pid;
    p.comm = QString::fromLocal8Bit(st.mid(open + 1, close - open - 1));
    p.state = st.at(close + 2);
    p.ppid = st.mid(close + 4).split(' ').value(0).toLongLong();
    QByteArray cmd = readProcFile(QStringLiteral("/proc/%1/cmdline").arg(pid));
    cmd.replace('\0', ' ');
    p.cmdline = QString::fromLocal8Bit(cmd.trimmed());
    return p;
}

// Every descendant of `root` (not root itself), by walking /proc once.
inline QList<ProcInfo> descendants(qint64 root)
{
    QHash<qint64, QList<ProcInfo>> byParent;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (!ok)
            continue;
        if (const auto p = procInfo(pid))
            byParent[p->ppid] << *p;
    }
    QList<ProcInfo> out;
    QList<qint64> todo{root};
    while (!todo.isEmpty()) {
        const qint64 pid = todo.takeFirst();
        for (const ProcInfo &c : byParent.value(pid)) {
            out << c;
            todo << c.pid;
        }
    }
    return out;
}

inline int fdCount(qint64 pid)
{
    const QDir d(QStringLiteral("/proc/%1/fd").arg(pid));
    return d.exists() ? int(d.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size()) : -1;
}

inline qint64 rssKbOf(qint64 pid)
{
    for (const QByteArray &line : readProcFile(QStringLiteral("/proc/%1/status").arg(pid)).split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

inline QString loadAvg()
{
    return QString::fromLatin1(readProcFile(QStringLiteral("/proc/loadavg")).split(' ').mid(0, 3).join(' '));
}

// CPU use over an interval: server, its whole process tree, and the machine.
struct CpuWindow {
    qint64 pid = 0;
    double proc0 = 0, tree0 = 0, machine0 = 0;
    qint64 startNs = 0;
    static double treeSeconds(qint64 root)
    {
        double s = std::max(0.0, processCpuSeconds(root));
        for (const ProcInfo &p : descendants(root))
            s += std::max(0.0, processCpuSeconds(p.pid));
        return s;
    }
    void start(qint64 p)
    {
        pid = p;
        proc0 = processCpuSeconds(pid);
        tree0 = treeSeconds(pid);
        machine0 = machineBusySeconds();
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        startNs = qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
    // "server X%, server+children Y%, machine Z% of N CPUs, load a b c" (100% = one CPU)
    QString report() const
    {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        const double secs = double(qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec - startNs) / 1e9;
        const double proc = processCpuSeconds(pid) - proc0;
        const double tree = treeSeconds(pid) - tree0;  // children that exited meanwhile are not counted
        const double machine = machineBusySeconds() - machine0;
        return QStringLiteral("station %1%, station+children %2%, whole machine %3% of %4 CPUs (100% = one CPU), load %5")
            .arg(100.0 * proc / secs, 0, 'f', 0).arg(100.0 * tree / secs, 0, 'f', 0).arg(100.0 * machine / secs, 0, 'f', 0)
            .arg(sysconf(_SC_NPROCESSORS_ONLN)).arg(loadAvg());
    }
    double procPercent() const
    {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        const double secs = double(qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec - startNs) / 1e9;
        return 100.0 * (processCpuSeconds(pid) - proc0) / secs;
    }
};

// Blocking HTTP/1.0 GET on loopback; the status code, or -1.
inline int httpGetStatus(quint16 port, const QByteArray &path, int timeoutMs, QByteArray *body = nullptr)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(timeoutMs))
        return -1;
    s.write("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QByteArray data;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (s.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
            data += s.readAll();
        else
            break;
    }
    data += s.readAll();
    if (body)
        *body = data.mid(data.indexOf("\r\n\r\n") + 4);
    const QList<QByteArray> first = data.left(data.indexOf('\r')).split(' ');
    return first.size() >= 2 ? first[1].toInt() : -1;
}

} // namespace bench
