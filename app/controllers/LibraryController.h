#pragma once

#include "core/Services.h"

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>

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
    Q_PROPERTY(double exportProgress READ exportProgress NOTIFY exportProgressChanged)  // 0..1 while exporting
public:
    LibraryController(const core::Services &services, AdminGate *gate, QObject *parent = nullptr);

    QString storageText() const;
    double usagePercent() const;
    bool lowSpace() const;
    QString lowSpaceText() const;
    QStringList removableDrives() const { return m_drives; }
    bool exporting() const { return m_exporting > 0; }
    double exportProgress() const { return m_progress; }

    // kind: recordings | snapshots. Returns "" or a sentence why not.
    Q_INVOKABLE QString remove(const QString &kind, const QString &filename);
    // destination: a file URL/path (save-as) or a folder (drive); the copy runs off the UI thread.
    Q_INVOKABLE void exportFile(const QString &kind, const QString &filename, const QString &destination);
    Q_INVOKABLE void rescanDrives();
    // Where the desktop save dialog starts: the user's Videos (recordings) or Pictures (snapshots) folder, as a URL.
    Q_INVOKABLE QString exportFolder(const QString &kind) const;

    // Copies in 1 MiB steps to target.part, flushes it to the device, then
    // renames it and syncs the file system, so a drive can be pulled once it
    // returns true. progress(0..1) is called from the copying thread.
    static bool copyFile(const QString &source, const QString &target, const std::function<void(double)> &progress, QString *error);

    // Mount points under /media or /run/media that are writable (public for tests).
    static QStringList findRemovableDrives(const QStringList &mountPoints);

Q_SIGNALS:
    void storageChanged();
    void drivesChanged();
    void exportingChanged();
    void exportFinished(bool ok, const QString &message);
    void exportProgressChanged();

private:
    core::Services m_s;
    AdminGate *m_gate;
    QStringList m_drives;
    QTimer m_poll;
    int m_exporting = 0;
    double m_progress = 0;
};

} // namespace station::app
