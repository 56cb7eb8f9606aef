#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QLatin1StringView>
#include <QStringView>

#include <initializer_list>

namespace station::common {

// Writes compact JSON text straight into a buffer, for results too large to
// build as a QJsonObject tree first (a listing of 1000 files). The output is
// what QJsonDocument::Compact would give for the same values; members are
// written in the order given, so write them in sorted order to match Qt's.
class JsonText
{
public:
    explicit JsonText(qsizetype reserve = 0) { m_out.reserve(reserve); }

    JsonText &beginObject() { return open('{'); }
    JsonText &endObject() { return close('}'); }
    JsonText &beginArray() { return open('['); }
    JsonText &endArray() { return close(']'); }
    JsonText &key(QLatin1StringView name);  // a plain ASCII member name

    JsonText &string(QStringView s);
    JsonText &utf8String(QByteArrayView utf8);        // already UTF-8
    JsonText &stringParts(QByteArrayView a, QByteArrayView b);  // one string of a + b (UTF-8)
    JsonText &integer(qint64 v);
    JsonText &null();
    JsonText &isoTime(const QDateTime &t);  // as common::isoTime(): "" when invalid
    // A value already written as JSON text, given in parts (a listing entry kept as text).
    JsonText &raw(std::initializer_list<QByteArrayView> parts);

    QByteArray take() { return std::move(m_out); }

private:
    JsonText &open(char c);
    JsonText &close(char c);
    void beforeValue();
    void appendEscaped(QByteArrayView utf8);

    QByteArray m_out;
    bool m_needComma = false;
    bool m_afterKey = false;
};

} // namespace station::common
