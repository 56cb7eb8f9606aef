#include "auth/ApiKeyStore.h"

#include "common/IsoTime.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QtDebug>

#include <algorithm>

#include <sys/stat.h>

namespace station::auth {

// File format (version 1):
// {"version":1,"keys":[{"id","name","role","created_at","expires_at"|null,"revoked","sha256"}]}
// Never-expiring keys have expires_at null, an invalid ApiKeyRecord::expiresAt
// and an invalid Identity::expiresAt (callers report `expires_at` as null).

namespace {

constexpr qsizetype kMaxKeyChars = 256;
constexpr qsizetype kKeyRandomBytes = 32;
const QLatin1String kKeyPrefix("csk_");

QByteArray randomBytes(qsizetype n)
{
    QByteArray out;
    out.reserve(n);
    while (out.size() < n) {
        const quint32 v = QRandomGenerator::system()->generate();
        out.append(reinterpret_cast<const char *>(&v), sizeof v);
    }
    out.truncate(n);
    return out;
}

QByteArray hashKey(const QString &key)
{
    return QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex();
}

// Runs over the whole length whatever the content, so timing reveals nothing
// about how much of a stored hash matched.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool isExpired(const ApiKeyRecord &r, const QDateTime &now) { return r.expiresAt.isValid() && r.expiresAt <= now; }

// Identity of the file's current version: QSaveFile renames, so the inode
// changes on every write even when size and mtime do not.
struct FileStamp {
    bool exists = false;
    QDateTime mtime;
    qint64 size = -1;
    quint64 inode = 0;
};

FileStamp stampOf(const QString &path)
{
    FileStamp s;
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) return s;
    s.exists = true;
    s.size = st.st_size;
    s.inode = st.st_ino;
    s.mtime = QDateTime::fromMSecsSinceEpoch(qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000, Qt::UTC);
    return s;
}

AuthResult success(const ApiKeyRecord &r)
{
    AuthResult res;
    res.ok = true;
    res.identity.userId = r.id;
    res.identity.role = r.role;
    res.identity.expiresAt = r.expiresAt;
    res.identity.authMethod = QStringLiteral("api_key");
    res.identity.apiKeyId = r.id;
    return res;
}

} // namespace

ApiKeyStore::ApiKeyStore(QString filePath) : m_path(std::move(filePath)) {}

bool ApiKeyStore::load(QString *error)
{
    const FileStamp stamp = stampOf(m_path);
    m_entries.clear();
    m_loadedMtime = stamp.mtime;
    m_loadedSize = stamp.size;
    m_loadedInode = stamp.inode;
    if (!stamp.exists) return true;  // no keys issued yet

    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error) *error = QStringLiteral("security.api_keys_file: cannot read %1").arg(m_path);
        return false;
    }
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error) *error = QStringLiteral("security.api_keys_file: %1 is not valid JSON").arg(m_path);
        return false;
    }
    const QJsonArray keys = doc.object().value(QLatin1String("keys")).toArray();
    for (const QJsonValue &v : keys) {
        const QJsonObject o = v.toObject();
        Entry e;
        e.record.id = o.value(QLatin1String("id")).toString();
        e.record.name = o.value(QLatin1String("name")).toString();
        e.record.role = roleFromName(o.value(QLatin1String("role")).toString());
        e.record.createdAt = QDateTime::fromString(o.value(QLatin1String("created_at")).toString(), Qt::ISODateWithMs);
        e.record.expiresAt = QDateTime::fromString(o.value(QLatin1String("expires_at")).toString(), Qt::ISODateWithMs);
        e.record.revoked = o.value(QLatin1String("revoked")).toBool(false);
        e.hash = o.value(QLatin1String("sha256")).toString().toLatin1();
        // An entry that cannot authenticate safely is kept (so ids stay unique) but disabled.
        if (e.record.id.isEmpty() || e.hash.size() != 64 || e.record.role == Role::None) e.record.revoked = true;
        m_entries.append(e);
    }
    return true;
}

void ApiKeyStore::reloadIfChanged()
{
    const FileStamp s = stampOf(m_path);
    if (s.exists == (m_loadedSize >= 0) && s.size == m_loadedSize && s.mtime == m_loadedMtime && s.inode == m_loadedInode)
        return;
    QString error;
    if (!load(&error)) {
        // Fail closed: a key revoked in an unreadable file must not stay usable.
        m_entries.clear();
        qWarning().noquote() << "API keys disabled:" << error;
    }
}

bool ApiKeyStore::save(QString *error)
{
    QJsonArray keys;
    for (const Entry &e : std::as_const(m_entries)) {
        keys.append(QJsonObject{
            {QStringLiteral("id"), e.record.id},
            {QStringLiteral("name"), e.record.name},
            {QStringLiteral("role"), roleName(e.record.role)},
            {QStringLiteral("created_at"), common::isoTime(e.record.createdAt)},
            {QStringLiteral("expires_at"), e.record.expiresAt.isValid() ? QJsonValue(common::isoTime(e.record.expiresAt)) : QJsonValue()},
            {QStringLiteral("revoked"), e.record.revoked},
            {QStringLiteral("sha256"), QString::fromLatin1(e.hash)},
        });
    }
    const QByteArray json = QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("keys"), keys}}).toJson();

    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile f(m_path);
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    // setPermissions on an open QSaveFile applies to its temp file, before it replaces the target.
    const bool ok = f.open(QIODevice::WriteOnly) && f.setPermissions(ownerOnly) && f.write(json) == json.size() && f.commit();
    if (!ok) {
        if (error) *error = QStringLiteral("security.api_keys_file: cannot write %1 (%2)").arg(m_path, f.errorString());
        return false;
    }
    QFile::setPermissions(m_path, ownerOnly);
    const FileStamp s = stampOf(m_path);
    m_loadedMtime = s.mtime;
    m_loadedSize = s.size;
    m_loadedInode = s.inode;
    return true;
}

QString ApiKeyStore::create(Role role, const QString &name, qint64 ttlSeconds, ApiKeyRecord *record, QString *error)
{
    if (role == Role::None) {
        if (error) *error = QStringLiteral("role must be viewer, operator or admin");
        return {};
    }
    // Serialize read-modify-write with other processes (the `apikey` command vs. the service).
    QLockFile lock(m_path + QLatin1String(".lock"));
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    if (!lock.tryLock(5000)) {
        if (error) *error = QStringLiteral("security.api_keys_file: cannot lock %1").arg(m_path);
        return {};
    }
    if (!load(error)) return {};

    Entry e;
    do {
        e.record.id = QStringLiteral("key_") + QString::fromLatin1(randomBytes(4).toHex());
    } while (std::any_of(m_entries.cbegin(), m_entries.cend(), [&](const Entry &x) { return x.record.id == e.record.id; }));
    const QString key = kKeyPrefix + QString::fromLatin1(randomBytes(kKeyRandomBytes).toBase64(
                                         QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    e.record.name = name;
    e.record.role = role;
    e.record.createdAt = QDateTime::currentDateTimeUtc();
    if (ttlSeconds > 0) e.record.expiresAt = e.record.createdAt.addSecs(ttlSeconds);
    e.hash = hashKey(key);
    m_entries.append(e);
    if (!save(error)) {
        m_entries.removeLast();
        return {};
    }
    if (record) *record = e.record;
    return key;
}

QList<ApiKeyRecord> ApiKeyStore::list() const
{
    QList<ApiKeyRecord> out;
    for (const Entry &e : m_entries) out.append(e.record);
    return out;
}

bool ApiKeyStore::revoke(const QString &idOrKey, QString *error)
{
    QLockFile lock(m_path + QLatin1String(".lock"));
    if (!lock.tryLock(5000)) {
        if (error) *error = QStringLiteral("security.api_keys_file: cannot lock %1").arg(m_path);
        return false;
    }
    if (!load(error)) return false;
    const bool byKey = idOrKey.startsWith(kKeyPrefix);
    const QByteArray hash = byKey ? hashKey(idOrKey) : QByteArray();
    for (Entry &e : m_entries) {
        if (byKey ? constantTimeEquals(e.hash, hash) : e.record.id == idOrKey) {
            if (e.record.revoked) return true;  // idempotent
            e.record.revoked = true;
            if (save(error)) return true;
            e.record.revoked = false;
            return false;
        }
    }
    if (error) *error = QStringLiteral("no such API key");
    return false;
}

AuthResult ApiKeyStore::authenticate(const QString &key, const QDateTime &now)
{
    const AuthResult invalid = AuthResult::failure(QStringLiteral("invalid_api_key"));
    if (key.isEmpty() || key.size() > kMaxKeyChars) return invalid;
    reloadIfChanged();
    const QByteArray hash = hashKey(key);
    const Entry *match = nullptr;
    for (const Entry &e : std::as_const(m_entries))  // no early exit: same work for every key
        if (constantTimeEquals(e.hash, hash)) match = &e;
    if (!match || match->record.revoked || isExpired(match->record, now)) return invalid;
    return success(match->record);
}

AuthResult ApiKeyStore::recheck(const QString &keyId, const QDateTime &now)
{
    reloadIfChanged();
    for (const Entry &e : std::as_const(m_entries)) {
        if (e.record.id != keyId) continue;
        if (e.record.revoked) return AuthResult::failure(QStringLiteral("api_key_revoked"));
        if (isExpired(e.record, now)) return AuthResult::failure(QStringLiteral("api_key_expired"), e.record.expiresAt);
        return success(e.record);
    }
    return AuthResult::failure(QStringLiteral("invalid_api_key"));  // deleted from the file
}

} // namespace station::auth
