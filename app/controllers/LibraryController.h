#pragma once

#include "core/Services.h"

#include <QObject>
#include <QStringList>
#include <QTimer>

namespace station::app {

class AdminGate;

// Library verbs: delete (admin), export (a copy to a chosen file or to a
// removable drive) and the storage figures the page shows.
class LibraryController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString storageText READ storageText NOTIFY storageChanged)
    Q_PROPERTY(double usagePercent READ usagePercent NOTIFY storageChanged)
    Q_PROPERTY(bool lowSpace READ lowSpace NOTIFY storageChanged)
    Q_PROPERTY(QString lowSpaceText READ lowSpaceText NOTIFY storageChanged)
    Q_PROPERTY(QStringList removableDrives READ removableDrives NOTIFY drivesChanged)
    Q_PROPERTY(bool exporting READ exporting NOTIFY exportingChanged)
public:
    LibraryController(const core::Services &services, AdminGate *gate, QObject *parent = nullptr);

    QString storageText() const;
    double usagePercent() const;
    bool lowSpace() const;
    QString lowSpaceText() const;
    QStringList removableDrives() const { return m_drives; }
    bool exporting() const { return m_exporting > 0; }

    // kind: recordings | snapshots. Returns "" or a sentence why not.
    Q_INVOKABLE QString remove(const QString &kind, const QString &filename);
    // destination: a file URL/path (save-as) or a folder (drive); the copy runs off the UI thread.
    Q_INVOKABLE void exportFile(const QString &kind, const QString &filename, const QString &destination);
    Q_INVOKABLE void rescanDrives();

    // Mount points under /media or /run/media that are writable (public for tests).
    static QStringList findRemovableDrives(const QStringList &mountPoints);

Q_SIGNALS:
    void storageChanged();
    void drivesChanged();
    void exportingChanged();
    void exportFinished(bool ok, const QString &message);

private:
    core::Services m_s;
    AdminGate *m_gate;
    QStringList m_drives;
    QTimer m_poll;
    int m_exporting = 0;
};

} // namespace station::app
