// YAML configuration loading: any file gives a Config or clear errors.
#include "config/Config.h"

#include <QFile>
#include <QTemporaryDir>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("fuzz.yaml"));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 0;
        f.write(reinterpret_cast<const char *>(data), qint64(size));
    }
    station::config::ConfigSources src;
    src.filePath = path;
    src.fileRequired = true;
    src.environment = QProcessEnvironment();
    const station::config::ConfigLoadResult r = station::config::Config::load(src);
    (void)r.config.recordingsDir();
    return 0;
}
