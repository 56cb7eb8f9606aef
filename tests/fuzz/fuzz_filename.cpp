// Filename rules (API.md §2.7): no input may yield a "valid" name that can
// leave its folder.
#include "media/FilenameRules.h"

#include <QString>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString name = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString rule = station::media::filenameRuleViolation(name);
    if (rule.isEmpty()) {
        if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) || name.contains(QLatin1String(".."))
            || name.startsWith(QLatin1Char('.')) || name.contains(QChar(0)) || name.toUtf8().size() > 255)
            std::abort();  // a name that could escape its folder was accepted
    }
    station::media::filenameRuleHint(rule);
    return 0;
}
