#pragma once

#include <QStringList>

namespace station::config { class Config; }

namespace station::app {

// `camera-station token ...` and `camera-station apikey ...`: administrative
// verbs that run against the same configuration and state as the service.
int runTokenCommand(const config::Config &config, const QStringList &args);
int runApiKeyCommand(const config::Config &config, const QStringList &args);

// "24h", "30m", "7d", "3600" (seconds) → seconds; -1 when malformed.
qint64 parseDuration(const QString &text);

} // namespace station::app
