#pragma once

#include "auth/Identity.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace station::auth {

// API keys (API.md §2.6): "csk_" + 43 base64url characters (32 random bytes),
// each with an id, a role, a name, an optional expiry and a revoked flag.
// Only a SHA-256 hash of each key is stored, in a JSON file written
// atomically (QSaveFile) with mode 0600. The file is re-read when another
// process (the `apikey` command) changed it, so revocation takes effect in a
// running service.
struct ApiKeyRecord {
    QString id;          // "key_" + 8 hex chars, shown by `apikey list`
    QString name;
    Role role = Role::None;
    QDateTime createdAt;
    QDateTime expiresAt; // invalid: never expires
    bool revoked = false;
};

class ApiKeyStore
{
public:
    explicit ApiKeyStore(QString filePath);

    bool load(QString *error = nullptr);  // a missing file is an empty store

    // Creates and persists a key; returns the plaintext key exactly once.
    QString create(Role role, const QString &name, qint64 ttlSeconds, ApiKeyRecord *record = nullptr, QString *error = nullptr);
    QList<ApiKeyRecord> list() const;
    bool revoke(const QString &idOrKey, QString *error = nullptr);

    // At authenticate: ok, or reason invalid_api_key (unknown, revoked or expired).
    AuthResult authenticate(const QString &key, const QDateTime &now = QDateTime::currentDateTimeUtc());
    // On every later call: ok, or reason api_key_revoked / api_key_expired / invalid_api_key.
    AuthResult recheck(const QString &keyId, const QDateTime &now = QDateTime::currentDateTimeUtc());

private:
    void reloadIfChanged();
    bool save(QString *error);

    struct Entry {
        ApiKeyRecord record;
        QByteArray hash;  // hex SHA-256 of the key
    };
    QString m_path;
    QList<Entry> m_entries;
    QDateTime m_loadedMtime;
    qint64 m_loadedSize = -1;
    quint64 m_loadedInode = 0;  // QSaveFile renames: a new inode means a new version
};

} // namespace station::auth
