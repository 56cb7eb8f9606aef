#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace station::common {

// The one timestamp format of the contract (API.md §2.7): ISO 8601 / RFC 3339
// in UTC with exactly three fractional digits and a Z suffix, e.g.
// 2025-01-15T14:30:00.000Z. Any time zone is converted to UTC first; an
// invalid QDateTime gives "".
QString isoTime(const QDateTime &t);
QByteArray isoTimeUtf8(const QDateTime &t);  // the same, as bytes (for JSON text)

} // namespace station::common
