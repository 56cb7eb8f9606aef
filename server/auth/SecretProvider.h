#pragma once

#include <QByteArray>
#include <QString>

namespace station::config { class Config; }

namespace station::auth {

inline constexpr char kV1DefaultSecret[] = "edge-device-secret-key-change-in-production";

// Resolves the JWT secret: security.jwt_secret when set (at least 32 bytes,
// never the v1 published default), else the secret file
// (security.jwt_secret_file, relative to storage.data_dir), created with 32
// random bytes and mode 0600 when missing. Never logs the value.
struct SecretResult {
    QByteArray secret;
    QString error;        // non-empty: refuse to start; names the key
    QString createdPath;  // set when a new secret file was written
    QString sourcePath;   // the file the secret came from ("" when from the config)
    bool ok() const { return error.isEmpty(); }
};

SecretResult resolveJwtSecret(const config::Config &config, bool createIfMissing = true);

} // namespace station::auth
