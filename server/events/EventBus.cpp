#include "events/EventBus.h"

#include "common/IsoTime.h"

namespace station::events {

void EventBus::publish(const QString &topic, QJsonObject params, const QString &device, bool hostDependent)
{
    if (!params.contains(QLatin1String("timestamp")))
        params.insert(QStringLiteral("timestamp"), common::isoTime(QDateTime::currentDateTimeUtc()));
    Q_EMIT published(Event{topic, std::move(params), device, hostDependent});
}

} // namespace station::events
