#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>

#include <map>
#include <set>

namespace station::core {

// An event dispatcher on Linux epoll, for the headless service's main thread.
// Qt's own dispatchers (GLib's and the UNIX one) hand every socket notifier to
// poll() on every loop iteration, so with 1000 idle WebSocket clients each
// request cost about 0.5 ms of CPU just to find the one socket that was ready.
// Here the kernel keeps the interest list and a wake-up costs what is ready.
// Semantics follow Qt's UNIX dispatcher: posted events first, then ready
// sockets (hang-up and error wake the read and write notifiers), then due
// timers; a timer is not re-entered while its own event runs; zero-interval
// timers fire once per iteration. The GUI keeps its platform's dispatcher
// (window-system events need it).
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    struct Watch {
        QSocketNotifier *read = nullptr, *write = nullptr, *exception = nullptr;
        quint32 mask() const;
    };
    struct Timer {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 dueNs = 0;
        bool running = false;  // its QTimerEvent is being delivered
    };
    void updateWatch(int fd);
    bool activateTimers();
    int waitTimeoutMs() const;
    void schedule(int timerId, Timer &t, qint64 fromNs);

    int m_epoll = -1;
    int m_wake = -1;  // eventfd: wakeUp() and interrupt()
    QAtomicInt m_interrupt = 0;
    QHash<int, Watch> m_watches;              // fd -> notifiers
    std::map<int, Timer> m_timers;            // id -> timer
    std::set<std::pair<qint64, int>> m_due;   // (due time ns, id), soonest first
    static constexpr int kMaxEvents = 256;
};

} // namespace station::core
