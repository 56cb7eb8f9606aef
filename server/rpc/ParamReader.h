#pragma once

#include "rpc/RpcError.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace station::rpc {

// Reads named parameters with the rules of API.md §2.7. The first violation
// is kept (later reads become no-ops), so a handler reads everything, then
// asks failed() once:
//     ParamReader p(params);
//     const qint64 limit = p.optInteger("limit", 50, 1, 1000);
//     if (p.failed()) return p.error();
class ParamReader
{
public:
    explicit ParamReader(const QJsonObject &params) : m_params(params) {}

    bool has(const QString &name) const;  // present and not null

    qint64 integer(const QString &name, qint64 min, qint64 max);  // required
    qint64 optInteger(const QString &name, qint64 fallback, qint64 min, qint64 max);
    std::optional<qint64> maybeInteger(const QString &name, qint64 min, qint64 max);
    std::optional<double> maybeNumber(const QString &name);  // type check only
    bool optBool(const QString &name, bool fallback);
    bool boolean(const QString &name);  // required
    QString string(const QString &name, qsizetype maxLength = -1);  // required, non-empty
    std::optional<QString> maybeString(const QString &name, qsizetype maxLength = -1);
    QString enumString(const QString &name, const QStringList &allowed);  // required
    QString device(const QString &name = QStringLiteral("device"));       // required camera ID
    std::optional<QString> maybeDevice(const QString &name = QStringLiteral("device"));
    QString filename(const QString &name = QStringLiteral("filename"));   // required, §2.7 rules
    std::optional<QStringList> maybeStringArray(const QString &name, qsizetype maxCount);
    std::optional<QJsonObject> maybeObject(const QString &name);

    void fail(const RpcError &error);
    void fail(const QString &param, const QString &rule, const QString &hint = {}, const QJsonValue &limit = {});
    bool failed() const { return m_failed; }
    const RpcError &error() const { return m_error; }

    static bool isCameraId(const QString &id);

private:
    std::optional<qint64> readInteger(const QString &name, const QJsonValue &v, qint64 min, qint64 max);
    QJsonObject m_params;
    bool m_failed = false;
    RpcError m_error;
};

} // namespace station::rpc
