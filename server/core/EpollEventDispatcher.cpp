#include "core/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <cerrno>
#include <climits>
#include <ctime>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace station::core {

namespace {

qint64 nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace

quint32 EpollEventDispatcher::Watch::mask() const
{
    quint32 m = 0;
    if (read)
        m |= EPOLLIN | EPOLLRDHUP;
    if (write)
        m |= EPOLLOUT;
    if (exception)
        m |= EPOLLPRI;
    return m;
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epoll >= 0 && m_wake >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = m_wake;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev);
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wake >= 0)
        ::close(m_wake);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void EpollEventDispatcher::updateWatch(int fd)
{
    const auto it = m_watches.find(fd);
    const quint32 mask = it == m_watches.end() ? 0 : it->mask();
    epoll_event ev{};
    ev.events = mask;
    ev.data.fd = fd;
    if (mask == 0) {
        if (it != m_watches.end())
            m_watches.erase(it);
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev);  // ENOENT/EBADF when already gone: fine
        return;
    }
    if (epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT)
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Watch &w = m_watches[fd];
    switch (notifier->type()) {
    case QSocketNotifier::Read: w.read = notifier; break;
    case QSocketNotifier::Write: w.write = notifier; break;
    case QSocketNotifier::Exception: w.exception = notifier; break;
    }
    updateWatch(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    if (it->read == notifier)
        it->read = nullptr;
    if (it->write == notifier)
        it->write = nullptr;
    if (it->exception == notifier)
        it->exception = nullptr;
    updateWatch(fd);
}

void EpollEventDispatcher::schedule(int timerId, Timer &t, qint64 fromNs)
{
    qint64 interval = t.intervalMs * 1'000'000;
    if (t.type == Qt::VeryCoarseTimer)
        interval = std::max<qint64>(1000, (t.intervalMs + 500) / 1000 * 1000) * 1'000'000;  // whole seconds, as Qt does
    t.dueNs = fromNs + interval;
    m_due.emplace(t.dueNs, timerId);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    Timer t;
    t.intervalMs = interval;
    t.type = timerType;
    t.object = object;
    auto [it, added] = m_timers.insert_or_assign(timerId, t);
    Q_UNUSED(added);
    schedule(timerId, it->second, nowNs());
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_due.erase({it->second.dueNs, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            m_due.erase({it->second.dueNs, it->first});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (const auto &[id, t] : m_timers)
        if (t.object == object)
            list.append(TimerInfo(id, int(t.intervalMs), t.type));
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    return int(std::max<qint64>(0, (it->second.dueNs - nowNs() + 999'999) / 1'000'000));
}

void EpollEventDispatcher::wakeUp()
{
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_wake, &one, sizeof one);  // EAGAIN: already awake
}

void EpollEventDispatcher::interrupt()
{
    m_interrupt.storeRelaxed(1);
    wakeUp();
}

int EpollEventDispatcher::waitTimeoutMs() const
{
    if (m_due.empty())
        return -1;
    const qint64 left = m_due.begin()->first - nowNs();
    if (left <= 0)
        return 0;
    return int(std::min<qint64>(INT_MAX, (left + 999'999) / 1'000'000));  // never early: round up
}

bool EpollEventDispatcher::activateTimers()
{
    const qint64 now = nowNs();
    // Only the timers due now; one rescheduled to fire again at once waits for
    // the next iteration (a zero-interval timer runs once per iteration).
    std::vector<int> due;
    for (auto it = m_due.begin(); it != m_due.end() && it->first <= now; ++it)
        due.push_back(it->second);
    bool any = false;
    for (const int id : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->second.running || it->second.dueNs > now)
            continue;  // unregistered, re-entered from a nested loop, or restarted meanwhile
        Timer &t = it->second;
        m_due.erase({t.dueNs, id});
        // The next period from the planned time (no drift), but never in the past.
        const qint64 planned = t.dueNs;
        schedule(id, t, t.intervalMs > 0 && planned + t.intervalMs * 1'000'000 > now ? planned : now);
        t.running = true;
        QObject *object = t.object;
        QTimerEvent e(id);
        QCoreApplication::sendEvent(object, &e);
        any = true;
        it = m_timers.find(id);  // the handler may have stopped it or others
        if (it != m_timers.end())
            it->second.running = false;
    }
    return any;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupt.storeRelaxed(0);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();
    if (m_interrupt.loadRelaxed())
        return false;

    const bool wait = flags.testFlag(QEventLoop::WaitForMoreEvents);
    int timeout = wait ? waitTimeoutMs() : 0;
    if (flags.testFlag(QEventLoop::X11ExcludeTimers) && wait)
        timeout = -1;
    if (timeout != 0)
        Q_EMIT aboutToBlock();
    epoll_event events[kMaxEvents];
    int n = epoll_wait(m_epoll, events, kMaxEvents, timeout);
    if (n < 0)
        n = 0;  // EINTR: a signal; treat as a wake-up
    if (timeout != 0)
        Q_EMIT awake();

    bool any = false;
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wake) {
            quint64 count = 0;
            [[maybe_unused]] const ssize_t r = ::read(m_wake, &count, sizeof count);
            continue;
        }
        if (flags.testFlag(QEventLoop::ExcludeSocketNotifiers))
            continue;  // still ready: epoll is level-triggered, they come back next time
        const quint32 got = events[i].events;
        // Read, then write, then exception; looked up again before each, as a
        // handler may close the socket or disable the other notifiers.
        const bool readable = got & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP);
        const bool writable = got & (EPOLLOUT | EPOLLERR | EPOLLHUP);
        const bool urgent = got & EPOLLPRI;
        for (int kind = 0; kind < 3; ++kind) {
            if ((kind == 0 && !readable) || (kind == 1 && !writable) || (kind == 2 && !urgent))
                continue;
            const auto it = m_watches.constFind(fd);
            if (it == m_watches.cend())
                break;
            QSocketNotifier *sn = kind == 0 ? it->read : kind == 1 ? it->write : it->exception;
            if (!sn)
                continue;
            QEvent e(QEvent::SockAct);
            QCoreApplication::sendEvent(sn, &e);
            any = true;
        }
    }
    if (!flags.testFlag(QEventLoop::X11ExcludeTimers))
        any = activateTimers() || any;
    return any || n > 0;
}

} // namespace station::core
