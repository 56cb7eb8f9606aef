// The JWT verifier must reject every forged or malformed token without
// crashing, and never accept a token not signed with the secret.
#include "auth/JwtService.h"

#include <QByteArray>
#include <QDateTime>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const station::auth::JwtService jwt(QByteArrayLiteral("fuzz-secret-0123456789abcdef0123456789"));
    static const QByteArray valid = jwt.mintSession(QStringLiteral("fuzzer"), station::auth::Role::Admin, 3600);
    const QByteArray token(reinterpret_cast<const char *>(data), qsizetype(size));
    const station::auth::AuthResult session = jwt.verifySession(token);
    const station::auth::AuthResult download = jwt.verifyDownload(token, QStringLiteral("recordings/a.mp4"));
    // Only the one token signed with the secret can pass.
    if (session.ok && token != valid)
        std::abort();
    if (download.ok)
        std::abort();  // nothing here mints download tokens
    return 0;
}
