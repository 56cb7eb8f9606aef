#pragma once

#include "cameras/Camera.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace station::cameras {

// What is remembered about one identity: its number and the last known facts,
// so an absent camera can still be listed with its name and capabilities.
struct CameraRecord {
    QString identity;
    int number = -1;
    QString sourceType;
    QDateTime lastSeen;  // invalid: never seen present
    QString name;
    QString resolution;
    int fps = 0;
    QStringList formats;
    QStringList resolutions;
    QList<int> fpsOptions;

    QString id() const { return QStringLiteral("camera%1").arg(number); }
};

// Identity key → cameraN, persisted in <stateDir>/cameras.json. Numbers are
// never reused: a new identity gets the lowest number never assigned before,
// a known identity always gets its own number back. Every change is written
// at once (atomically) so a crash cannot hand an ID to a different camera.
class CameraIdMap
{
public:
    explicit CameraIdMap(const QString &filePath);

    bool load(QString *error = nullptr);  // missing file: empty map, true
    bool save(QString *error = nullptr) const;

    // The identity's number, assigned (and saved) when it is new.
    int numberFor(const QString &identity, const QString &sourceType);
    std::optional<int> existingNumber(const QString &identity) const;
    std::optional<CameraRecord> record(const QString &identity) const;
    std::optional<CameraRecord> recordById(const QString &id) const;
    QList<CameraRecord> records() const;  // by number

    // Stores the camera's last-known facts (name, resolution, fps, capabilities,
    // last seen) under its identity and saves.
    void remember(const Camera &camera);
    void touch(const QStringList &identities, const QDateTime &lastSeen);  // last seen only, one write

    QString filePath() const { return m_filePath; }

private:
    int lowestUnassigned() const;
    void persist();

    QString m_filePath;
    QHash<QString, CameraRecord> m_records;  // by identity
};

} // namespace station::cameras
