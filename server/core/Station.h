#pragma once

#include "config/Config.h"
#include "core/Services.h"

#include <QObject>
#include <QString>

#include <memory>

namespace station::core {

// The composition root of the services: builds each one once, starts them
// in order (health listener first, then the API listener, then the file
// index, cameras and MediaMTX) and shuts them down gracefully. The headless
// service and the QML application both run exactly this.
class Station : public QObject
{
    Q_OBJECT
public:
    explicit Station(config::Config config, QObject *parent = nullptr);
    ~Station() override;

    // Returns false with a sentence in *error when the station cannot serve
    // (bad secret, port taken, folders not writable).
    bool start(QString *error);

    // API.md §15 shutdown: not ready, system.shutdown, close clients with
    // 1001, stop MediaMTX; emits finished() when done (at most ~10 s).
    void shutdown(const QString &reason);

    const Services &services() const { return m_services; }
    const config::Config &config() const { return m_config; }
    quint16 apiPort() const;
    quint16 healthPort() const { return m_healthPort; }

Q_SIGNALS:
    void finished();

private:
    struct Parts;
    config::Config m_config;
    std::unique_ptr<Parts> m_parts;
    Services m_services;
    quint16 m_healthPort = 0;
    bool m_shuttingDown = false;
};

} // namespace station::core
