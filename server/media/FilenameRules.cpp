#include "media/FilenameRules.h"

namespace station::media {

QString filenameRuleViolation(const QString &filename)
{
    if (filename.isEmpty())
        return QStringLiteral("non_empty");
    if (filename.toUtf8().size() > kMaxFilenameBytes)
        return QStringLiteral("max_bytes");
    for (qsizetype i = 0; i < filename.size(); ++i) {
        const QChar c = filename.at(i);
        const char16_t u = c.unicode();
        if (u <= 0x1F || u == 0x7F)
            return QStringLiteral("control_char");
        if (c.isHighSurrogate()) {
            if (i + 1 >= filename.size() || !filename.at(i + 1).isLowSurrogate())
                return QStringLiteral("control_char");
            ++i;
        } else if (c.isLowSurrogate()) {
            return QStringLiteral("control_char");
        }
    }
    if (filename.contains(QLatin1Char('/')) || filename.contains(QLatin1Char('\\')))
        return QStringLiteral("path_separator");
    if (filename.contains(QLatin1String("..")))
        return QStringLiteral("dot_dot");
    if (filename.startsWith(QLatin1Char('.')))
        return QStringLiteral("leading_dot");
    static const QString forbidden = QStringLiteral("<>:\"|?*");
    for (const QChar c : filename) {
        if (forbidden.contains(c))
            return QStringLiteral("forbidden_char");
    }
    return {};
}

QString filenameRuleHint(const QString &rule)
{
    if (rule == QLatin1String("required")) return QStringLiteral("filename is required");
    if (rule == QLatin1String("type")) return QStringLiteral("filename must be a string");
    if (rule == QLatin1String("non_empty")) return QStringLiteral("filename must not be empty");
    if (rule == QLatin1String("max_bytes")) return QStringLiteral("filename must be at most 255 bytes");
    if (rule == QLatin1String("control_char")) return QStringLiteral("filename must not contain control characters");
    if (rule == QLatin1String("path_separator")) return QStringLiteral("filename must not contain / or \\");
    if (rule == QLatin1String("dot_dot")) return QStringLiteral("filename must not contain ..");
    if (rule == QLatin1String("leading_dot")) return QStringLiteral("filename must not start with .");
    if (rule == QLatin1String("forbidden_char")) return QStringLiteral("filename must not contain < > : \" | ? *");
    if (rule == QLatin1String("extension")) return QStringLiteral("snapshot filename must end in .jpg or .jpeg");
    return QStringLiteral("invalid filename");
}

} // namespace station::media
