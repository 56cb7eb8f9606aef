#include "media/FileCatalog.h"

#include "media/FilenameRules.h"
#include "media/MediaProbe.h"

#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHash>
#include <QLoggingCategory>
#include <QMap>
#include <QMutex>
#include <QRegularExpression>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcFiles, "station.files")

namespace station::media {

namespace {

constexpr int kDebounceMs = 200;
constexpr int kPeriodicRescanMs = 30000;  // catches growth and anything the watcher missed
constexpr qint64 kRecentlyWrittenMs = 60000;  // list(): files modified this recently are stat'ed
// Directory mtimes come from the kernel's coarse clock (one tick, a few ms):
// an entry added within this window after a scan began may not have moved
// the mtime, so such a scan is not trusted as up to date.
constexpr qint64 kMtimeFuzzNs = 20'000'000;

qint64 nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

qint64 mtimeNs(const struct stat &st)
{
    return qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

qint64 msOf(const struct stat &st)
{
    return qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

qint64 dirMtime(const QByteArray &path)
{
    struct stat st{};
    return ::stat(path.constData(), &st) == 0 && S_ISDIR(st.st_mode) ? mtimeNs(st) : -1;
}

bool ignoredName(const QString &name)
{
    return name.startsWith(QLatin1Char('.')) || name.endsWith(QLatin1String(".tmp"), Qt::CaseInsensitive)
        || name.endsWith(QLatin1String(".part"), Qt::CaseInsensitive);
}

bool isCameraId(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^camera(0|[1-9][0-9]{0,5})$"));
    return re.match(s).hasMatch();
}

// Sort key of the index: newest first, ties by filename descending (§2.7).
struct Key {
    qint64 createdMs;
    QString name;
    bool operator<(const Key &o) const
    {
        return createdMs != o.createdMs ? createdMs > o.createdMs : name > o.name;
    }
};

struct DirStamp {
    QByteArray path;
    qint64 mtime = -1;  // -1: missing
};

struct Found {
    QString name;
    QString folder;  // empty: top level
    QString path;
    qint64 size = 0;
    qint64 mtimeMs = 0;
};

// What was read from a file's content, valid while size and mtime stay.
struct Probed {
    qint64 size = -1;
    qint64 mtimeMs = 0;
    bool hasDuration = false;
    std::optional<double> duration;
    bool hasCreated = false;
    std::optional<QDateTime> created;
    bool matches(qint64 s, qint64 m) const { return size == s && mtimeMs == m; }
    static Probed fresh(qint64 s, qint64 m)
    {
        Probed p;
        p.size = s;
        p.mtimeMs = m;
        return p;
    }
};

std::optional<qint64> wholeSeconds(std::optional<double> d)
{
    return d ? std::optional<qint64>(qRound64(*d)) : std::nullopt;
}

} // namespace

struct FileCatalog::Private {
    FileCatalog *q;
    QByteArray root;

    // The index; guarded by `mutex`.
    mutable QMutex mutex;
    QMap<Key, FileEntry> index;
    QHash<QString, Key> keyOf;  // filename → index key
    QHash<QString, Probed> probed;  // absolute path → content facts
    QSet<QString> probing;  // paths queued for a duration probe
    QList<DirStamp> stamps;  // folders read by the last scan, stamped before reading
    bool fuzzy = true;
    QString error;
    std::function<bool(const FileEntry &)> isProtected;

    QMutex scanMutex;  // one scan at a time
    std::atomic_bool ready{false};
    std::atomic_bool started{false};
    std::atomic_bool pending{false};  // a change notification arrived after the last scan began
    std::atomic_int queuedScans{0};
    QThreadPool scanPool;
    QThreadPool probePool;

    QFileSystemWatcher *watcher = nullptr;
    QTimer debounce;
    QTimer periodic;

    bool isStale() const
    {
        if (pending)
            return true;
        QList<DirStamp> s;
        {
            QMutexLocker l(&mutex);
            if (fuzzy)
                return true;
            s = stamps;
        }
        for (const DirStamp &d : s)
            if (dirMtime(d.path) != d.mtime)
                return true;
        return false;
    }

    // Reads one folder's regular files (and, at top level, its sub-folder names).
    static bool readFolder(const QByteArray &dirPath, const QString &folder, QList<Found> *out,
                           QStringList *subdirs, QList<DirStamp> *stamps, QString *error)
    {
        stamps->append({dirPath, dirMtime(dirPath)});
        DIR *dir = ::opendir(dirPath.constData());
        if (!dir) {
            *error = QStringLiteral("cannot read %1: %2").arg(QFile::decodeName(dirPath), QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        while (const dirent *e = ::readdir(dir)) {
            const QString name = QFile::decodeName(e->d_name);
            if (ignoredName(name))  // also . and ..
                continue;
            struct stat st{};
            if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;  // vanished meanwhile
            if (S_ISREG(st.st_mode)) {
                out->append({name, folder, QFile::decodeName(dirPath + '/' + e->d_name), qint64(st.st_size),
                             msOf(st)});
            } else if (S_ISDIR(st.st_mode) && subdirs) {
                subdirs->append(name);
            }  // symlinks, fifos, sockets, devices: not ours to list
        }
        ::closedir(dir);
        return true;
    }

    void scan(bool onlyIfStale)
    {
        QMutexLocker scanLock(&scanMutex);
        if (onlyIfStale && ready && !isStale())
            return;  // a synchronous scan already caught up
        pending = false;  // notifications from here on ask for another scan
        const qint64 began = nowNs();

        QList<Found> found;
        QList<DirStamp> newStamps;
        QStringList subdirs;
        QString err;
        if (readFolder(root, QString(), &found, &subdirs, &newStamps, &err)) {
            // Names are unique per namespace: top level wins, then the
            // alphabetically first folder (read order below).
            std::sort(subdirs.begin(), subdirs.end());
            for (const QString &sub : std::as_const(subdirs)) {
                QString subErr;
                if (!readFolder(root + '/' + QFile::encodeName(sub), sub, &found, nullptr, &newStamps, &subErr))
                    qCWarning(lcFiles) << subErr;
            }
        }

        QHash<QString, Probed> cache;
        {
            QMutexLocker l(&mutex);
            cache = probed;
        }
        QMap<Key, FileEntry> newIndex;
        QHash<QString, Key> newKeys;
        QList<FileEntry> toProbe;
        QSet<QString> livePaths;
        for (const Found &f : std::as_const(found)) {
            if (newKeys.contains(f.name)) {
                qCDebug(lcFiles) << "duplicate name" << f.name << "in" << f.folder << "ignored";
                continue;
            }
            FileEntry e;
            e.filename = f.name;
            e.absolutePath = f.path;
            e.size = f.size;
            e.modified = QDateTime::fromMSecsSinceEpoch(f.mtimeMs, Qt::UTC);
            const ParsedName parsed = parseCaptureName(f.name);
            e.device = !parsed.device.isEmpty() ? parsed.device : isCameraId(f.folder) ? f.folder : QString();
            e.created = parsed.created;
            Probed &p = cache[f.path];
            if (!p.matches(f.size, f.mtimeMs))
                p = Probed::fresh(f.size, f.mtimeMs);
            if (!e.created.isValid() && kind == FileKind::Recording) {
                if (!p.hasCreated) {
                    p.created = MediaProbe::mp4CreationTime(f.path);
                    p.hasCreated = true;
                }
                if (p.created)
                    e.created = *p.created;
            }
            if (!e.created.isValid())
                e.created = e.modified;
            if (kind == FileKind::Recording) {
                if (p.hasDuration)
                    e.durationSeconds = wholeSeconds(p.duration);
                else
                    toProbe.append(e);
            }
            livePaths.insert(f.path);
            const Key k{e.created.toMSecsSinceEpoch(), e.filename};
            newKeys.insert(e.filename, k);
            newIndex.insert(k, e);
        }
        for (auto it = cache.begin(); it != cache.end();)
            it = livePaths.contains(it.key()) ? std::next(it) : cache.erase(it);

        bool fuzzyNow = false;
        for (const DirStamp &s : std::as_const(newStamps))
            fuzzyNow = fuzzyNow || s.mtime < 0 || s.mtime + kMtimeFuzzNs > began;
        bool differs = false;
        {
            QMutexLocker l(&mutex);
            differs = index.size() != newIndex.size();
            for (auto a = index.cbegin(), b = newIndex.cbegin(); !differs && a != index.cend(); ++a, ++b)
                differs = a.value().absolutePath != b.value().absolutePath || a.value().size != b.value().size
                    || a.value().modified != b.value().modified;
            index = std::move(newIndex);
            keyOf = std::move(newKeys);
            probed = std::move(cache);
            stamps = newStamps;
            // A missing root has mtime -1; it is re-checked on every call, which is cheap.
            fuzzy = fuzzyNow && err.isEmpty();
            error = err;
        }
        ready = true;
        scanLock.unlock();

        for (const FileEntry &e : std::as_const(toProbe))
            queueProbe(e);
        QStringList dirs;
        for (const DirStamp &s : std::as_const(newStamps))
            if (s.mtime >= 0)
                dirs.append(QFile::decodeName(s.path));
        QMetaObject::invokeMethod(q, [this, dirs] { watch(dirs); }, Qt::QueuedConnection);
        if (differs)
            Q_EMIT q->changed();
    }

    void watch(const QStringList &dirs)  // in the catalog's thread
    {
        if (!watcher)
            return;
        const QStringList current = watcher->directories();
        for (const QString &d : current)
            if (!dirs.contains(d))
                watcher->removePath(d);
        for (const QString &d : dirs)
            if (!current.contains(d))
                watcher->addPath(d);
    }

    void requestBackgroundScan(bool onlyIfStale)
    {
        if (queuedScans.load() > 0)
            return;  // a queued scan has not started yet and will see the change
        ++queuedScans;
        scanPool.start([this, onlyIfStale] {
            --queuedScans;
            scan(onlyIfStale);
        });
    }

    void queueProbe(const FileEntry &e)
    {
        {
            QMutexLocker l(&mutex);
            if (probing.contains(e.absolutePath))
                return;
            probing.insert(e.absolutePath);
        }
        const QString path = e.absolutePath, name = e.filename;
        const qint64 size = e.size, mtime = e.modified.toMSecsSinceEpoch();
        probePool.start([this, path, name, size, mtime] {
            const auto d = MediaProbe::mp4Duration(path);
            QMutexLocker l(&mutex);
            probing.remove(path);
            storeDuration(path, size, mtime, d);
            const auto k = keyOf.constFind(name);
            bool updated = false;
            if (k != keyOf.cend()) {
                auto it = index.find(*k);
                if (it != index.end() && it->absolutePath == path && d) {
                    it->durationSeconds = wholeSeconds(d);
                    updated = true;
                }
            }
            l.unlock();
            // Tell listeners now (the library's duration badge), not at the next rescan.
            if (updated)
                Q_EMIT q->changed();
        });
    }

    void storeDuration(const QString &path, qint64 size, qint64 mtime, std::optional<double> d)  // under mutex
    {
        Probed &p = probed[path];
        if (!p.matches(size, mtime))
            p = Probed::fresh(size, mtime);
        p.hasDuration = true;
        p.duration = d;
    }

    void ensureFresh()
    {
        if (!ready)
            q->waitReady();
        if (isStale())
            scan(true);
    }

    FileKind kind;
};

FileCatalog::FileCatalog(FileKind kind, QString rootDir, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>()), m_kind(kind), m_root(std::move(rootDir))
{
    while (m_root.size() > 1 && m_root.endsWith(QLatin1Char('/')))
        m_root.chop(1);
    d->q = this;
    d->kind = kind;
    d->root = QFile::encodeName(m_root);
    d->scanPool.setMaxThreadCount(1);
    d->probePool.setMaxThreadCount(1);  // probing is I/O; do not compete with the service
    d->debounce.setSingleShot(true);
    d->debounce.setInterval(kDebounceMs);
    connect(&d->debounce, &QTimer::timeout, this, [this] { d->requestBackgroundScan(true); });
    d->periodic.setInterval(kPeriodicRescanMs);
    connect(&d->periodic, &QTimer::timeout, this, [this] { d->requestBackgroundScan(false); });
}

FileCatalog::~FileCatalog()
{
    d->debounce.stop();
    d->periodic.stop();
    d->scanPool.clear();
    d->scanPool.waitForDone();
    d->probePool.clear();
    d->probePool.waitForDone();
}

void FileCatalog::start()
{
    if (d->started.exchange(true))
        return;
    d->watcher = new QFileSystemWatcher(this);
    connect(d->watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
        d->pending = true;  // list() now rescans itself; the timer catches up in the background
        d->debounce.start();
    });
    if (QFileInfo(m_root).isDir())
        d->watcher->addPath(m_root);
    d->periodic.start();
    d->requestBackgroundScan(false);
}

bool FileCatalog::isReady() const { return d->ready; }

void FileCatalog::waitReady()
{
    if (d->ready)
        return;
    d->scan(true);  // waits for a running initial scan, or does it here
}

void FileCatalog::rescanNow() { d->scan(false); }

FileCatalog::Page FileCatalog::list(const QString &device, qint64 limit, qint64 offset)
{
    for (int attempt = 0;; ++attempt) {
        d->ensureFresh();
        Page page;
        {
            QMutexLocker l(&d->mutex);
            page.error = d->error;
            if (device.isEmpty()) {
                page.total = d->index.size();
                auto it = d->index.cbegin();
                for (qint64 i = 0; i < offset && it != d->index.cend(); ++i)
                    ++it;
                for (; it != d->index.cend() && page.files.size() < limit; ++it)
                    page.files.append(it.value());
            } else {
                for (auto it = d->index.cbegin(); it != d->index.cend(); ++it) {
                    if (it->device != device)
                        continue;
                    if (page.total >= offset && page.files.size() < limit)
                        page.files.append(it.value());
                    ++page.total;
                }
            }
        }
        // Files still being written are stat'ed for their current size: those
        // protected as in progress and those written in the last minute. The
        // rest is as the last scan saw it: a file removed or added since changes
        // its folder's time, which ensureFresh() checks, and growth of anything
        // else is caught by the periodic rescan.
        std::function<bool(const FileEntry &)> inProgress;
        {
            QMutexLocker l(&d->mutex);
            inProgress = d->isProtected;
        }
        const qint64 recentMs = QDateTime::currentMSecsSinceEpoch() - kRecentlyWrittenMs;
        bool vanished = false;
        for (auto it = page.files.begin(); it != page.files.end();) {
            if (it->modified.toMSecsSinceEpoch() < recentMs && !(inProgress && inProgress(*it))) {
                ++it;
                continue;
            }
            struct stat st{};
            if (::lstat(QFile::encodeName(it->absolutePath).constData(), &st) != 0 || !S_ISREG(st.st_mode)) {
                vanished = true;
                if (attempt == 0)
                    break;
                it = page.files.erase(it);  // still racing a deleter: leave it out
                continue;
            }
            it->size = st.st_size;
            it->modified = QDateTime::fromMSecsSinceEpoch(msOf(st), Qt::UTC);
            ++it;
        }
        if (!vanished || attempt == 1)
            return page;
        d->pending = true;  // deleted behind our back without a visible folder change yet
    }
}

std::optional<FileEntry> FileCatalog::find(const QString &filename)
{
    if (!filenameRuleViolation(filename).isEmpty())
        return std::nullopt;
    QStringList names{filename};
    if (m_kind == FileKind::Recording && !filename.contains(QLatin1Char('.')))
        names.append(filename + QLatin1String(".mp4"));  // §2.10 backward compatibility
    // The index first (no rescan when the file is known and still there, so
    // a batch of deletions does not rescan each time), then a fresh index.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (attempt == 0 && !d->ready)
            d->ensureFresh();
        if (attempt == 1)
            d->ensureFresh();
        for (const QString &name : std::as_const(names)) {
            std::optional<FileEntry> e;
            {
                QMutexLocker l(&d->mutex);
                const auto k = d->keyOf.constFind(name);
                if (k != d->keyOf.cend())
                    e = d->index.value(*k);
            }
            if (!e)
                continue;
            struct stat st{};
            if (::lstat(QFile::encodeName(e->absolutePath).constData(), &st) != 0 || !S_ISREG(st.st_mode)) {
                d->pending = true;
                continue;
            }
            e->size = st.st_size;
            e->modified = QDateTime::fromMSecsSinceEpoch(msOf(st), Qt::UTC);
            return e;
        }
    }
    return std::nullopt;
}

std::optional<qint64> FileCatalog::duration(const FileEntry &entry)
{
    struct stat st{};
    if (::stat(QFile::encodeName(entry.absolutePath).constData(), &st) != 0)
        return std::nullopt;
    const qint64 size = st.st_size;
    const qint64 mtime = msOf(st);
    {
        QMutexLocker l(&d->mutex);
        const auto it = d->probed.constFind(entry.absolutePath);
        if (it != d->probed.cend() && it->matches(size, mtime) && it->hasDuration)
            return wholeSeconds(it->duration);
    }
    const auto dur = MediaProbe::mp4Duration(entry.absolutePath);
    QMutexLocker l(&d->mutex);
    d->storeDuration(entry.absolutePath, size, mtime, dur);
    return wholeSeconds(dur);
}

bool FileCatalog::remove(const QString &filename, QString *error)
{
    const auto e = find(filename);
    if (!e) {
        if (error)
            *error = QStringLiteral("No such file: %1").arg(filename);
        return false;
    }
    if (::unlink(QFile::encodeName(e->absolutePath).constData()) != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        qCWarning(lcFiles) << "cannot delete" << e->absolutePath << why;
        if (error)
            *error = QStringLiteral("Cannot delete %1: %2").arg(e->filename, why);
        return false;
    }
    {
        QMutexLocker l(&d->mutex);
        const auto k = d->keyOf.constFind(e->filename);
        if (k != d->keyOf.cend()) {
            d->index.remove(*k);
            d->keyOf.erase(k);
        }
        d->probed.remove(e->absolutePath);
    }
    qCInfo(lcFiles) << "deleted" << e->absolutePath;
    Q_EMIT changed();
    return true;
}

QString FileCatalog::pathFor(const QString &filename) const
{
    return m_root + QLatin1Char('/') + filename;
}

void FileCatalog::setProtectedPredicate(std::function<bool(const FileEntry &)> isProtected)
{
    QMutexLocker l(&d->mutex);
    d->isProtected = std::move(isProtected);
}

bool FileCatalog::isProtected(const FileEntry &entry) const
{
    std::function<bool(const FileEntry &)> f;
    {
        QMutexLocker l(&d->mutex);
        f = d->isProtected;
    }
    return f && f(entry);  // called unlocked: the predicate may ask other services
}

qint64 FileCatalog::totalBytes()
{
    d->ensureFresh();
    QStringList paths;
    {
        QMutexLocker l(&d->mutex);
        paths.reserve(d->index.size());
        for (const FileEntry &e : std::as_const(d->index))
            paths << e.absolutePath;
    }
    // Sizes now, not at the last scan: files being written keep growing.
    qint64 sum = 0;
    for (const QString &path : std::as_const(paths)) {
        struct stat st;
        if (::stat(QFile::encodeName(path).constData(), &st) == 0)
            sum += qint64(st.st_size);
    }
    return sum;
}

qint64 FileCatalog::count()
{
    d->ensureFresh();
    QMutexLocker l(&d->mutex);
    return d->index.size();
}

QList<FileEntry> FileCatalog::all()
{
    d->ensureFresh();
    QMutexLocker l(&d->mutex);
    return d->index.values();
}

QString FileCatalog::lastError() const
{
    QMutexLocker l(&d->mutex);
    return d->error;
}

} // namespace station::media
