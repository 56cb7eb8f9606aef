#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QString>

namespace station::events {

// One event of the topic catalog. `params` always carries `timestamp`.
// When `hostDependent` is set, URLs in params contain UrlBuilder's host
// placeholder and are rendered per connection (API.md §2.9).
struct Event {
    QString topic;
    QJsonObject params;
    QString device;  // camera the event is about ("" = none), for subscription filters
    bool hostDependent = false;
};

// Services announce changes here once; the WebSocket notifier and the QML
// models both listen (ARCHITECTURE.md).
class EventBus : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    void publish(const QString &topic, QJsonObject params, const QString &device = {}, bool hostDependent = false);

Q_SIGNALS:
    void published(const station::events::Event &event);
};

} // namespace station::events

Q_DECLARE_METATYPE(station::events::Event)
