#include "common/IsoTime.h"

#include <chrono>
#include <cstdio>

namespace station::common {

QByteArray isoTimeUtf8(const QDateTime &t)
{
    if (!t.isValid())
        return {};
    using namespace std::chrono;
    const sys_time<milliseconds> tp{milliseconds{t.toMSecsSinceEpoch()}};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    if (int(ymd.year()) < 0 || int(ymd.year()) > 9999)  // Qt's own rendering of unusual years
        return t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")).toLatin1();
    // Written by hand: QDateTime::toString costs more than the rest of a listing's entry.
    const hh_mm_ss<milliseconds> hms{tp - day};
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                                int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()),
                                int(hms.subseconds().count()));
    return QByteArray(buf, n);
}

QString isoTime(const QDateTime &t)
{
    return QString::fromLatin1(isoTimeUtf8(t));
}

} // namespace station::common
