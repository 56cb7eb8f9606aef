#include "cameras/CameraIdMap.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QSet>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcCameras)

namespace station::cameras {

CameraIdMap::CameraIdMap(const QString &filePath) : m_filePath(filePath) {}

bool CameraIdMap::load(QString *error)
{
    m_records.clear();
    QFile f(m_filePath);
    if (!f.exists())
        return true;
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_filePath, f.errorString());
        return false;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error)
            *error = QStringLiteral("%1: not a camera map (%2)").arg(m_filePath, pe.errorString());
        return false;
    }
    const QJsonArray list = doc.object().value(QLatin1String("cameras")).toArray();
    for (const QJsonValue &v : list) {
        const QJsonObject o = v.toObject();
        CameraRecord r;
        r.identity = o.value(QLatin1String("identity")).toString();
        const QString id = o.value(QLatin1String("id")).toString();
        bool ok = false;
        r.number = id.startsWith(QLatin1String("camera")) ? id.mid(6).toInt(&ok) : -1;
        if (r.identity.isEmpty() || !ok || r.number < 0) {
            qCWarning(lcCameras) << "skipping malformed entry in" << m_filePath;
            continue;
        }
        r.sourceType = o.value(QLatin1String("source_type")).toString();
        r.lastSeen = QDateTime::fromString(o.value(QLatin1String("last_seen")).toString(), Qt::ISODateWithMs);
        r.name = o.value(QLatin1String("name")).toString();
        r.resolution = o.value(QLatin1String("resolution")).toString();
        r.fps = o.value(QLatin1String("fps")).toInt();
        const QJsonObject caps = o.value(QLatin1String("capabilities")).toObject();
        for (const QJsonValue &x : caps.value(QLatin1String("formats")).toArray())
            r.formats << x.toString();
        for (const QJsonValue &x : caps.value(QLatin1String("resolutions")).toArray())
            r.resolutions << x.toString();
        for (const QJsonValue &x : caps.value(QLatin1String("fps_options")).toArray())
            r.fpsOptions << x.toInt();
        m_records.insert(r.identity, r);
    }
    return true;
}

bool CameraIdMap::save(QString *error) const
{
    QDir().mkpath(QFileInfo(m_filePath).absolutePath());
    QJsonArray list;
    for (const CameraRecord &r : records()) {
        QJsonObject o{{QStringLiteral("id"), r.id()},
                      {QStringLiteral("identity"), r.identity},
                      {QStringLiteral("source_type"), r.sourceType},
                      {QStringLiteral("name"), r.name},
                      {QStringLiteral("resolution"), r.resolution},
                      {QStringLiteral("fps"), r.fps}};
        if (r.lastSeen.isValid())
            o.insert(QStringLiteral("last_seen"), r.lastSeen.toUTC().toString(Qt::ISODateWithMs));
        QJsonArray fps;
        for (int x : r.fpsOptions)
            fps.append(x);
        o.insert(QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("formats"), QJsonArray::fromStringList(r.formats)},
                                                             {QStringLiteral("resolutions"), QJsonArray::fromStringList(r.resolutions)},
                                                             {QStringLiteral("fps_options"), fps}});
        list.append(o);
    }
    QSaveFile f(m_filePath);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_filePath, f.errorString());
        return false;
    }
    f.write(QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("cameras"), list}}).toJson(QJsonDocument::Indented));
    if (!f.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_filePath, f.errorString());
        return false;
    }
    return true;
}

void CameraIdMap::persist()
{
    QString error;
    if (!save(&error))
        qCWarning(lcCameras).noquote() << "cannot save camera IDs:" << error;
}

int CameraIdMap::lowestUnassigned() const
{
    // Entries are never deleted, so "not in the map" means "never assigned".
    QSet<int> used;
    for (const CameraRecord &r : m_records)
        used.insert(r.number);
    int n = 0;
    while (used.contains(n))
        ++n;
    return n;
}

int CameraIdMap::numberFor(const QString &identity, const QString &sourceType)
{
    if (auto it = m_records.constFind(identity); it != m_records.constEnd())
        return it->number;
    CameraRecord r;
    r.identity = identity;
    r.number = lowestUnassigned();
    r.sourceType = sourceType;
    m_records.insert(identity, r);
    qCInfo(lcCameras).noquote() << "new camera identity" << identity << "is" << r.id();
    persist();
    return r.number;
}

std::optional<int> CameraIdMap::existingNumber(const QString &identity) const
{
    if (auto it = m_records.constFind(identity); it != m_records.constEnd())
        return it->number;
    return std::nullopt;
}

std::optional<CameraRecord> CameraIdMap::record(const QString &identity) const
{
    if (auto it = m_records.constFind(identity); it != m_records.constEnd())
        return *it;
    return std::nullopt;
}

std::optional<CameraRecord> CameraIdMap::recordById(const QString &id) const
{
    for (const CameraRecord &r : m_records) {
        if (r.id() == id)
            return r;
    }
    return std::nullopt;
}

QList<CameraRecord> CameraIdMap::records() const
{
    QList<CameraRecord> list = m_records.values();
    std::sort(list.begin(), list.end(), [](const CameraRecord &a, const CameraRecord &b) { return a.number < b.number; });
    return list;
}

void CameraIdMap::remember(const Camera &camera)
{
    auto it = m_records.find(camera.identity);
    if (it == m_records.end()) {
        numberFor(camera.identity, camera.sourceType);
        it = m_records.find(camera.identity);
    }
    it->sourceType = camera.sourceType;
    it->lastSeen = camera.lastSeen;
    it->name = camera.name;
    it->resolution = camera.resolution;
    it->fps = camera.fps;
    it->formats = camera.formats;
    it->resolutions = camera.resolutions;
    it->fpsOptions = camera.fpsOptions;
    persist();
}

void CameraIdMap::touch(const QStringList &identities, const QDateTime &lastSeen)
{
    bool changed = false;
    for (const QString &identity : identities) {
        auto it = m_records.find(identity);
        if (it != m_records.end()) {
            it->lastSeen = lastSeen;
            changed = true;
        }
    }
    if (changed)
        persist();
}

} // namespace station::cameras
