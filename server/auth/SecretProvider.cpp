#include "auth/SecretProvider.h"

#include "config/Config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace station::auth {

// Secret file format: one line of 64 lowercase hex characters (32 random
// bytes). The trimmed text itself is the HMAC key, so an operator may also
// put any other secret of at least 32 bytes in the file, and external token
// minters use the same string. Errors name the key and the file, never the value.

namespace {

constexpr qsizetype kMinSecretBytes = 32;
const QString kSecretKey = QStringLiteral("security.jwt_secret");
const QString kFileKey = QStringLiteral("security.jwt_secret_file");

SecretResult fail(const QString &message)
{
    SecretResult r;
    r.error = message;
    return r;
}

bool isV1Default(const QByteArray &secret) { return secret == QByteArray(kV1DefaultSecret); }

SecretResult readSecretFile(const QString &path)
{
    // A secret others can read is a secret anyone on the box can mint tokens with.
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return fail(QStringLiteral("%1: %2 is accessible by other users (mode %3); restrict it with: chmod 600 %2")
                        .arg(kFileKey, path, QString::number(st.st_mode & 07777, 8).rightJustified(4, QLatin1Char('0'))));
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("%1: cannot read %2 (%3)").arg(kFileKey, path, f.errorString()));
    const QByteArray secret = f.read(64 * 1024).trimmed();
    if (secret.size() < kMinSecretBytes)
        return fail(QStringLiteral("%1: %2 holds fewer than %3 bytes").arg(kFileKey, path).arg(kMinSecretBytes));
    if (isV1Default(secret))
        return fail(QStringLiteral("%1: %2 holds the published v1 default secret").arg(kFileKey, path));
    SecretResult r;
    r.secret = secret;
    r.sourcePath = path;
    return r;
}

// Writes a temp file created with mode 0600 (never readable by others, not
// even briefly), then links it into place: link() fails if another process
// created the file meanwhile, in which case both use the winner's secret.
// Falls back to rename() on file systems without hard links.
SecretResult createSecretFile(const QString &path)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(QStringLiteral("%1: cannot create folder %2").arg(kFileKey, info.absolutePath()));

    quint32 words[kMinSecretBytes / sizeof(quint32)];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray text = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex() + '\n';

    const QByteArray target = QFile::encodeName(path);
    const QByteArray tmp = target + ".tmp." + QByteArray::number(QRandomGenerator::system()->generate(), 16);
    const int fd = ::open(tmp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return fail(QStringLiteral("%1: cannot write %2").arg(kFileKey, path));
    bool ok = ::fchmod(fd, 0600) == 0;  // umask can only narrow it; be explicit anyway
    ok = ok && ::write(fd, text.constData(), size_t(text.size())) == ssize_t(text.size());
    ok = ok && ::fsync(fd) == 0;
    ok = (::close(fd) == 0) && ok;
    if (ok) {
        if (::link(tmp.constData(), target.constData()) == 0) {
            ::unlink(tmp.constData());
        } else if (errno == EEXIST) {
            ::unlink(tmp.constData());
            return readSecretFile(path);  // lost a race with another process: use its secret
        } else {
            ok = ::rename(tmp.constData(), target.constData()) == 0;
        }
    }
    if (!ok) {
        ::unlink(tmp.constData());
        return fail(QStringLiteral("%1: cannot write %2").arg(kFileKey, path));
    }
    SecretResult r;
    r.secret = text.trimmed();
    r.sourcePath = path;
    r.createdPath = path;
    return r;
}

} // namespace

SecretResult resolveJwtSecret(const config::Config &config, bool createIfMissing)
{
    const QByteArray configured = config.string(kSecretKey).toUtf8();
    if (!configured.isEmpty()) {
        if (isV1Default(configured))
            return fail(QStringLiteral("%1 is the published v1 default; set a new random secret").arg(kSecretKey));
        if (configured.size() < kMinSecretBytes)
            return fail(QStringLiteral("%1 must be at least %2 bytes").arg(kSecretKey).arg(kMinSecretBytes));
        SecretResult r;
        r.secret = configured;
        return r;
    }

    const QString fileValue = config.string(kFileKey);
    if (fileValue.isEmpty())
        return fail(QStringLiteral("%1 and %2 are both empty").arg(kSecretKey, kFileKey));
    const QString path = config.resolvePath(fileValue);
    if (QFileInfo::exists(path)) return readSecretFile(path);
    if (!createIfMissing) return fail(QStringLiteral("%1: %2 does not exist").arg(kFileKey, path));
    return createSecretFile(path);
}

} // namespace station::auth
