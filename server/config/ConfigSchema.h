#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>

#include <vector>

// The one list of configuration keys. Everything else (YAML parsing, the
// CAMERA_STATION_* environment names, --set, the commented default file's
// check) is derived from this table, so a key exists in one place only.
namespace station::config {

enum class KeyType { String, Int, Double, Bool, StringList, ObjectList };

struct KeyDef {
    QString key;          // dotted path, e.g. "security.rate_limit.per_second"
    KeyType type;
    QVariant defaultValue;
    double min = 0;       // Int/Double bounds (inclusive) when hasRange
    double max = 0;
    bool hasRange = false;
    QStringList allowed;  // String enum when non-empty
    QString help;         // one line, shown in --check-config errors
    // ObjectList: the fields each entry may have (each a scalar KeyDef whose
    // `key` is the field name); `requiredFields` must be present.
    std::vector<KeyDef> fields;
    QStringList requiredFields;

    QString envName() const;  // CAMERA_STATION_SECURITY_RATE_LIMIT_PER_SECOND
};

const std::vector<KeyDef> &schema();
const KeyDef *findKey(const QString &dottedKey);
const KeyDef *findKeyByEnv(const QString &envName);

// Validates and converts a textual value (environment, --set) or a YAML
// scalar to the key's type. Returns an empty string on success, otherwise a
// sentence describing the expected value.
QString convertText(const KeyDef &def, const QString &text, QVariant *out);
QString checkValue(const KeyDef &def, const QVariant &value);

// ObjectList entries: `raw` holds each field's text; converted fields go to
// *out. Returns "" or a sentence naming the field.
QString convertObject(const KeyDef &listDef, const QMap<QString, QString> &raw, QVariantMap *out);
} // namespace station::config
