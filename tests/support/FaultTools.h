#pragma once

#include <QByteArray>
#include <QString>

// Helpers for the fault-injection tests (tests/integration/tst_faults_*.cpp):
// a small tmpfs for a disk that fills up, and readings of a process from /proc.
namespace station::test {

// Mounts a tmpfs of `sizeMiB` on a fresh temporary folder (needs root; CI runs
// as root). The destructor unmounts it (lazily when something still holds it
// open) and removes the folder, also when the test failed half-way: declare it
// BEFORE the StationProcess that uses it, so the station stops first.
class TmpfsMount
{
public:
    explicit TmpfsMount(int sizeMiB);
    ~TmpfsMount();
    TmpfsMount(const TmpfsMount &) = delete;
    TmpfsMount &operator=(const TmpfsMount &) = delete;

    bool isMounted() const { return m_mounted; }
    QString path() const { return m_path; }
    QString error() const { return m_error; }  // why mounting failed

    qint64 totalBytes() const;      // statvfs f_blocks * f_frsize
    qint64 freeBytes() const;       // f_bfree * f_frsize
    double usagePercent() const;    // (total - free) / total * 100, as the station computes it

private:
    QString m_path;
    QString m_error;
    bool m_mounted = false;
};

// Writes `bytes` of zeros (really allocated) to `path`; returns the bytes written
// (less than asked when the disk filled up: then *err is the errno).
qint64 writeFiller(const QString &path, qint64 bytes, int *err = nullptr);
// Appends to `path` until write() fails with ENOSPC; returns the bytes written.
qint64 fillUntilEnospc(const QString &path, int *err = nullptr);

// Number of entries in /proc/<pid>/fd; -1 when unknown.
int openFdCount(qint64 pid);
// The soft RLIMIT_NOFILE of this process.
qint64 fdLimit();
// ffprobe's container duration in seconds; -1 when it cannot read the file.
double probeDuration(const QString &path);

} // namespace station::test
