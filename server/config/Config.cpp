#include "config/Config.h"

#include "config/ConfigSchema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <yaml-cpp/yaml.h>

namespace station::config {
namespace {

QString where(const QString &file, const YAML::Mark &mark)
{
    if (mark.is_null())
        return file;
    return QStringLiteral("%1:%2").arg(file).arg(mark.line + 1);
}

// Walks a YAML mapping, turning leaves into dotted keys checked against the schema.
void walk(const YAML::Node &node, const QString &prefix, const QString &file, Config &cfg, QStringList &errors)
{
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString name = QString::fromStdString(it->first.as<std::string>(""));
        const QString key = prefix.isEmpty() ? name : prefix + QLatin1Char('.') + name;
        const YAML::Node value = it->second;
        const KeyDef *def = findKey(key);
        if (!def) {
            // A section name (prefix of known keys) holding a mapping is fine.
            bool isSection = false;
            for (const KeyDef &d : schema()) {
                if (d.key.startsWith(key + QLatin1Char('.'))) {
                    isSection = true;
                    break;
                }
            }
            if (isSection && value.IsMap()) {
                walk(value, key, file, cfg, errors);
            } else if (isSection && value.IsNull()) {
                continue;  // an empty section
            } else if (isSection) {
                errors << QStringLiteral("%1: %2: expected a mapping of settings").arg(where(file, it->first.Mark()), key);
            } else {
                errors << QStringLiteral("%1: %2: unknown key").arg(where(file, it->first.Mark()), key);
            }
            continue;
        }
        QVariant converted;
        QString problem;
        if (def->type == KeyType::ObjectList) {
            if (!value.IsSequence() && !value.IsNull()) {
                problem = QStringLiteral("expected a list of mappings");
            } else {
                QVariantList entries;
                for (const YAML::Node &item : value) {
                    if (!item.IsMap()) {
                        errors << QStringLiteral("%1: %2: each entry must be a mapping").arg(where(file, item.Mark()), key);
                        entries.clear();
                        break;
                    }
                    QMap<QString, QString> raw;
                    bool scalars = true;
                    for (auto f = item.begin(); f != item.end(); ++f) {
                        scalars = scalars && f->second.IsScalar();
                        raw.insert(QString::fromStdString(f->first.as<std::string>("")), QString::fromStdString(f->second.IsScalar() ? f->second.Scalar() : std::string()));
                    }
                    QVariantMap entry;
                    const QString entryProblem = scalars ? convertObject(*def, raw, &entry) : QStringLiteral("fields must be single values");
                    if (!entryProblem.isEmpty()) {
                        errors << QStringLiteral("%1: %2: %3").arg(where(file, item.Mark()), key, entryProblem);
                        continue;
                    }
                    entries << entry;
                }
                converted = entries;
            }
        } else if (def->type == KeyType::StringList) {
            if (value.IsSequence()) {
                QStringList items;
                for (const YAML::Node &item : value) {
                    if (!item.IsScalar()) {
                        problem = QStringLiteral("expected a list of strings");
                        break;
                    }
                    items << QString::fromStdString(item.Scalar());
                }
                converted = items;
            } else if (value.IsNull()) {
                converted = QStringList();
            } else {
                problem = QStringLiteral("expected a list of strings");
            }
        } else if (!value.IsScalar()) {
            problem = value.IsNull() ? QStringLiteral("has no value") : QStringLiteral("expected a single value, not a list or mapping");
        } else {
            problem = convertText(*def, QString::fromStdString(value.Scalar()), &converted);
        }
        if (!problem.isEmpty()) {
            errors << QStringLiteral("%1: %2: %3").arg(where(file, value.Mark()), key, problem);
            continue;
        }
        cfg.set(key, converted, QStringLiteral("file"));
    }
}

void applyText(Config &cfg, const QString &key, const QString &text, const QString &origin, QStringList &errors)
{
    const KeyDef *def = findKey(key);
    if (!def) {
        errors << QStringLiteral("%1: %2: unknown key").arg(origin, key);
        return;
    }
    QVariant v;
    const QString problem = convertText(*def, text, &v);
    if (!problem.isEmpty()) {
        errors << QStringLiteral("%1: %2: %3").arg(origin, key, problem);
        return;
    }
    cfg.set(key, v, origin);
}

} // namespace

Config::Config()
{
    for (const KeyDef &d : schema())
        m_values.insert(d.key, d.defaultValue);
}

void Config::set(const QString &key, const QVariant &value, const QString &origin)
{
    m_values.insert(key, value);
    m_origin.insert(key, origin);
}

QVariant Config::value(const QString &key) const
{
    auto it = m_values.constFind(key);
    Q_ASSERT_X(it != m_values.constEnd(), "Config::value", qPrintable(key));
    return it == m_values.constEnd() ? QVariant() : *it;
}

QString Config::string(const QString &key) const { return value(key).toString(); }
qint64 Config::integer(const QString &key) const { return value(key).toLongLong(); }
double Config::real(const QString &key) const { return value(key).toDouble(); }
bool Config::boolean(const QString &key) const { return value(key).toBool(); }
QStringList Config::stringList(const QString &key) const { return value(key).toStringList(); }
QList<QVariantMap> Config::objectList(const QString &key) const
{
    QList<QVariantMap> list;
    for (const QVariant &v : value(key).toList())
        list << v.toMap();
    return list;
}

QString Config::resolvePath(const QString &pathValue) const
{
    if (pathValue.isEmpty() || QDir::isAbsolutePath(pathValue))
        return QDir::cleanPath(pathValue);
    return QDir::cleanPath(string(QStringLiteral("storage.data_dir")) + QLatin1Char('/') + pathValue);
}

QString Config::recordingsDir() const { return resolvePath(string(QStringLiteral("storage.recordings_dir"))); }
QString Config::snapshotsDir() const { return resolvePath(string(QStringLiteral("storage.snapshots_dir"))); }
QString Config::stateDir() const { return resolvePath(string(QStringLiteral("storage.state_dir"))); }

ConfigLoadResult Config::load(const ConfigSources &sources)
{
    ConfigLoadResult result;
    Config &cfg = result.config;

    // 1. The file.
    if (!sources.filePath.isEmpty()) {
        QFileInfo fi(sources.filePath);
        if (!fi.exists()) {
            if (sources.fileRequired)
                result.errors << QStringLiteral("%1: config file not found").arg(sources.filePath);
        } else {
            try {
                const YAML::Node root = YAML::LoadFile(sources.filePath.toStdString());
                if (root.IsMap())
                    walk(root, QString(), sources.filePath, cfg, result.errors);
                else if (!root.IsNull())
                    result.errors << QStringLiteral("%1: the top level must be a mapping of sections").arg(sources.filePath);
            } catch (const YAML::ParserException &e) {
                result.errors << QStringLiteral("%1: invalid YAML: %2").arg(where(sources.filePath, e.mark), QString::fromStdString(e.msg));
            } catch (const YAML::Exception &e) {
                result.errors << QStringLiteral("%1: cannot read: %2").arg(sources.filePath, QString::fromStdString(e.msg));
            }
        }
    }

    // 2. --data-dir: one root for the three folders.
    if (!sources.dataDir.isEmpty()) {
        const QString root = QDir(sources.dataDir).absolutePath();
        const QString origin = QStringLiteral("--data-dir");
        cfg.set(QStringLiteral("storage.data_dir"), root, origin);
        cfg.set(QStringLiteral("storage.recordings_dir"), root + QStringLiteral("/recordings"), origin);
        cfg.set(QStringLiteral("storage.snapshots_dir"), root + QStringLiteral("/snapshots"), origin);
        cfg.set(QStringLiteral("storage.state_dir"), root + QStringLiteral("/state"), origin);
    }

    // 3. Environment: names derived from the known keys.
    const QStringList envKeys = sources.environment.keys();
    for (const QString &name : envKeys) {
        if (!name.startsWith(QLatin1String("CAMERA_STATION_")))
            continue;
        const KeyDef *def = findKeyByEnv(name);
        if (!def) {
            result.warnings << QStringLiteral("environment variable %1 is not a configuration key; ignored").arg(name);
            continue;
        }
        applyText(cfg, def->key, sources.environment.value(name), QStringLiteral("environment %1").arg(name), result.errors);
    }

    // 4. --set KEY=VALUE.
    for (const QString &s : sources.sets) {
        const qsizetype eq = s.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            result.errors << QStringLiteral("--set %1: expected KEY=VALUE").arg(s);
            continue;
        }
        applyText(cfg, s.left(eq).trimmed(), s.mid(eq + 1), QStringLiteral("--set"), result.errors);
    }

    // Cross-key checks.
    if (cfg.integer(QStringLiteral("storage.warn_threshold_percent")) > cfg.integer(QStringLiteral("storage.block_threshold_percent")))
        result.errors << QStringLiteral("storage.warn_threshold_percent: must not exceed storage.block_threshold_percent");
    const QString wsPath = cfg.string(QStringLiteral("server.ws_path"));
    if (!wsPath.startsWith(QLatin1Char('/')) || wsPath.startsWith(QLatin1String("/files")))
        result.errors << QStringLiteral("server.ws_path: must start with / and not be under /files");
    return result;
}

} // namespace station::config
