#include "common/JsonText.h"

#include "common/IsoTime.h"

namespace station::common {

JsonText &JsonText::open(char c)
{
    beforeValue();
    m_out.append(c);
    m_needComma = false;
    return *this;
}

JsonText &JsonText::close(char c)
{
    m_out.append(c);
    m_needComma = true;
    return *this;
}

void JsonText::beforeValue()
{
    if (m_afterKey)
        m_afterKey = false;
    else if (m_needComma)
        m_out.append(',');
}

JsonText &JsonText::raw(std::initializer_list<QByteArrayView> parts)
{
    beforeValue();
    for (QByteArrayView p : parts)
        m_out.append(p.data(), p.size());
    m_needComma = true;
    return *this;
}

JsonText &JsonText::key(QLatin1StringView name)
{
    if (m_needComma)
        m_out.append(',');
    m_out.append('"').append(name.data(), name.size()).append("\":");
    m_afterKey = true;
    return *this;
}

void JsonText::appendEscaped(QByteArrayView utf8)
{
    static const char hex[] = "0123456789abcdef";
    qsizetype plainFrom = 0;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        m_out.append(utf8.data() + plainFrom, i - plainFrom);
        plainFrom = i + 1;
        switch (c) {
        case '"': m_out.append("\\\""); break;
        case '\\': m_out.append("\\\\"); break;
        case '\b': m_out.append("\\b"); break;
        case '\f': m_out.append("\\f"); break;
        case '\n': m_out.append("\\n"); break;
        case '\r': m_out.append("\\r"); break;
        case '\t': m_out.append("\\t"); break;
        default: {
            const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            m_out.append(esc, sizeof esc);
        }
        }
    }
    m_out.append(utf8.data() + plainFrom, utf8.size() - plainFrom);
}

JsonText &JsonText::string(QStringView s)
{
    return utf8String(s.toUtf8());
}

JsonText &JsonText::utf8String(QByteArrayView utf8)
{
    return stringParts(utf8, {});
}

JsonText &JsonText::stringParts(QByteArrayView a, QByteArrayView b)
{
    beforeValue();
    m_out.append('"');
    appendEscaped(a);
    appendEscaped(b);
    m_out.append('"');
    m_needComma = true;
    return *this;
}

JsonText &JsonText::integer(qint64 v)
{
    beforeValue();
    m_out.append(QByteArray::number(v));
    m_needComma = true;
    return *this;
}

JsonText &JsonText::null()
{
    beforeValue();
    m_out.append("null");
    m_needComma = true;
    return *this;
}

JsonText &JsonText::isoTime(const QDateTime &t)
{
    return utf8String(common::isoTimeUtf8(t));
}

} // namespace station::common
