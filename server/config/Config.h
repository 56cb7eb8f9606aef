#pragma once

#include <QHash>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace station::config {

// Where the configuration comes from. Precedence, highest first:
// --set > environment > --data-dir > file > built-in defaults.
struct ConfigSources {
    QString filePath;              // empty: no file
    bool fileRequired = false;     // --config given explicitly: a missing file is an error
    QString dataDir;               // --data-dir
    QStringList sets;              // --set KEY=VALUE, in order
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
};

struct ConfigLoadResult;

// Immutable, validated configuration values keyed by dotted name.
class Config
{
public:
    Config();  // built-in defaults

    static ConfigLoadResult load(const ConfigSources &sources);

    QString string(const QString &key) const;
    qint64 integer(const QString &key) const;
    int integer32(const QString &key) const { return int(integer(key)); }
    double real(const QString &key) const;
    bool boolean(const QString &key) const;
    QStringList stringList(const QString &key) const;
    QList<QVariantMap> objectList(const QString &key) const;  // ObjectList keys
    QVariant value(const QString &key) const;

    // Folders with relative values resolved against storage.data_dir.
    QString recordingsDir() const;
    QString snapshotsDir() const;
    QString stateDir() const;
    QString resolvePath(const QString &pathValue) const;  // relative → under data_dir

    // Which layer gave a key its value ("default", "file", "data-dir", "environment", "--set").
    QString origin(const QString &key) const { return m_origin.value(key, QStringLiteral("default")); }

    void set(const QString &key, const QVariant &value, const QString &origin);  // validated by caller

private:
    QHash<QString, QVariant> m_values;
    QHash<QString, QString> m_origin;
};

struct ConfigLoadResult {
    Config config;
    QStringList errors;    // each names the key (and the file line where there is one)
    QStringList warnings;  // e.g. unknown CAMERA_STATION_* variables
    bool ok() const { return errors.isEmpty(); }
};

} // namespace station::config
