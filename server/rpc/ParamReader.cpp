#include "rpc/ParamReader.h"

#include "media/FilenameRules.h"

#include <QRegularExpression>

#include <cmath>

namespace station::rpc {

namespace {
constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1
}

bool ParamReader::isCameraId(const QString &id)
{
    static const QRegularExpression re(QStringLiteral("^camera(0|[1-9][0-9]{0,5})$"));
    return re.match(id).hasMatch();
}

bool ParamReader::has(const QString &name) const
{
    const QJsonValue v = m_params.value(name);
    return !v.isUndefined() && !v.isNull();
}

void ParamReader::fail(const RpcError &error)
{
    if (m_failed)
        return;
    m_failed = true;
    m_error = error;
}

void ParamReader::fail(const QString &param, const QString &rule, const QString &hint, const QJsonValue &limit)
{
    fail(RpcError::invalidParams(param, rule, hint, limit));
}

std::optional<qint64> ParamReader::readInteger(const QString &name, const QJsonValue &v, qint64 min, qint64 max)
{
    if (!v.isDouble()) {
        fail(name, QStringLiteral("type"), QStringLiteral("%1 must be an integer").arg(name));
        return std::nullopt;
    }
    const double d = v.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > kMaxSafeInteger) {
        fail(name, QStringLiteral("integer"), QStringLiteral("%1 must be a whole number").arg(name));
        return std::nullopt;
    }
    const qint64 i = qint64(d);
    const QString range = max == std::numeric_limits<qint64>::max()
        ? QStringLiteral("%1 must be at least %2").arg(name).arg(min)
        : QStringLiteral("%1 must be %2..%3").arg(name).arg(min).arg(max);
    if (i < min) {
        fail(name, QStringLiteral("min"), range, QJsonValue(double(min)));
        return std::nullopt;
    }
    if (i > max) {
        fail(name, QStringLiteral("max"), range, QJsonValue(double(max)));
        return std::nullopt;
    }
    return i;
}

qint64 ParamReader::integer(const QString &name, qint64 min, qint64 max)
{
    if (m_failed)
        return 0;
    if (!has(name)) {
        fail(name, QStringLiteral("required"), QStringLiteral("%1 is required").arg(name));
        return 0;
    }
    return readInteger(name, m_params.value(name), min, max).value_or(0);
}

qint64 ParamReader::optInteger(const QString &name, qint64 fallback, qint64 min, qint64 max)
{
    return maybeInteger(name, min, max).value_or(fallback);
}

std::optional<qint64> ParamReader::maybeInteger(const QString &name, qint64 min, qint64 max)
{
    if (m_failed || !has(name))
        return std::nullopt;
    return readInteger(name, m_params.value(name), min, max);
}

std::optional<double> ParamReader::maybeNumber(const QString &name)
{
    if (m_failed || !has(name))
        return std::nullopt;
    const QJsonValue v = m_params.value(name);
    if (!v.isDouble() || !std::isfinite(v.toDouble())) {
        fail(name, QStringLiteral("type"), QStringLiteral("%1 must be a number").arg(name));
        return std::nullopt;
    }
    return v.toDouble();
}

bool ParamReader::optBool(const QString &name, bool fallback)
{
    if (m_failed || !has(name))
        return fallback;
    const QJsonValue v = m_params.value(name);
    if (!v.isBool()) {
        fail(name, QStringLiteral("type"), QStringLiteral("%1 must be true or false").arg(name));
        return fallback;
    }
    return v.toBool();
}

bool ParamReader::boolean(const QString &name)
{
    if (m_failed)
        return false;
    if (!has(name)) {
        fail(name, QStringLiteral("required"), QStringLiteral("%1 is required").arg(name));
        return false;
    }
    return optBool(name, false);
}

std::optional<QString> ParamReader::maybeString(const QString &name, qsizetype maxLength)
{
    if (m_failed || !has(name))
        return std::nullopt;
    const QJsonValue v = m_params.value(name);
    if (!v.isString()) {
        fail(name, QStringLiteral("type"), QStringLiteral("%1 must be a string").arg(name));
        return std::nullopt;
    }
    const QString s = v.toString();
    if (maxLength >= 0 && s.size() > maxLength) {
        fail(name, QStringLiteral("max_length"), QStringLiteral("%1 must be at most %2 characters").arg(name).arg(maxLength),
             QJsonValue(double(maxLength)));
        return std::nullopt;
    }
    return s;
}

QString ParamReader::string(const QString &name, qsizetype maxLength)
{
    if (m_failed)
        return {};
    if (!has(name)) {
        fail(name, QStringLiteral("required"), QStringLiteral("%1 is required").arg(name));
        return {};
    }
    const std::optional<QString> s = maybeString(name, maxLength);
    if (s && s->isEmpty()) {
        fail(name, QStringLiteral("non_empty"), QStringLiteral("%1 must not be empty").arg(name));
        return {};
    }
    return s.value_or(QString());
}

QString ParamReader::enumString(const QString &name, const QStringList &allowed)
{
    const QString s = string(name);
    if (!m_failed && !allowed.contains(s))
        fail(name, QStringLiteral("enum"), QStringLiteral("%1 must be one of %2").arg(name, allowed.join(QStringLiteral(", "))));
    return m_failed ? QString() : s;
}

std::optional<QString> ParamReader::maybeDevice(const QString &name)
{
    const std::optional<QString> s = maybeString(name);
    if (!s)
        return std::nullopt;
    if (!isCameraId(*s)) {
        fail(name, QStringLiteral("pattern"), QStringLiteral("%1 must look like camera0").arg(name));
        return std::nullopt;
    }
    return s;
}

QString ParamReader::device(const QString &name)
{
    if (m_failed)
        return {};
    if (!has(name)) {
        fail(name, QStringLiteral("required"), QStringLiteral("%1 is required").arg(name));
        return {};
    }
    return maybeDevice(name).value_or(QString());
}

QString ParamReader::filename(const QString &name)
{
    if (m_failed)
        return {};
    if (!has(name)) {
        fail(name, QStringLiteral("required"), media::filenameRuleHint(QStringLiteral("required")));
        return {};
    }
    const QJsonValue v = m_params.value(name);
    if (!v.isString()) {
        fail(name, QStringLiteral("type"), media::filenameRuleHint(QStringLiteral("type")));
        return {};
    }
    const QString s = v.toString();
    const QString rule = media::filenameRuleViolation(s);
    if (!rule.isEmpty()) {
        fail(name, rule, media::filenameRuleHint(rule),
             rule == QLatin1String("max_bytes") ? QJsonValue(media::kMaxFilenameBytes) : QJsonValue());
        return {};
    }
    return s;
}

std::optional<QStringList> ParamReader::maybeStringArray(const QString &name, qsizetype maxCount)
{
    if (m_failed || !has(name))
        return std::nullopt;
    const QJsonValue v = m_params.value(name);
    if (!v.isArray()) {
        fail(name, QStringLiteral("type"), QStringLiteral("%1 must be an array of strings").arg(name));
        return std::nullopt;
    }
    const QJsonArray a = v.toArray();
    if (a.isEmpty()) {
        fail(name, QStringLiteral("non_empty"), QStringLiteral("%1 must not be empty").arg(name));
        return std::nullopt;
    }
    if (a.size() > maxCount) {
        fail(name, QStringLiteral("max_length"), QStringLiteral("%1 takes at most %2 entries").arg(name).arg(maxCount),
             QJsonValue(double(maxCount)));
        return std::nullopt;
    }
    QStringList out;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a.at(i).isString()) {
            fail(QStringLiteral("%1[%2]").arg(name).arg(i), QStringLiteral("type"), QStringLiteral("entries must be strings"));
            return std::nullopt;
        }
        out << a.at(i).toString();
    }
    return out;
}

std::optional<QJsonObject> ParamReader::maybeObject(const QString &name)
{
    if (m_failed || !has(name))
        return std::nullopt;
    const QJsonValue v = m_params.value(name);
    if (!v.isObject()) {
        fail(name, QStringLiteral("type"), QStringLiteral("%1 must be an object").arg(name));
        return std::nullopt;
    }
    return v.toObject();
}

} // namespace station::rpc
