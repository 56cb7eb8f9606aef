#pragma once

// The client threads of station_bench: each ClientWorker owns a share of the
// WebSocket connections and runs in its own QThread.

#include "ClientWorker.h"

#include <QMetaObject>
#include <QThread>

#include <functional>

namespace bench {

struct Workers {
    QList<QThread *> threads;
    QList<ClientWorker *> workers;

    // Runs f in worker i's thread and waits for it.
    template <typename F>
    void run(int i, F f)
    {
        QMetaObject::invokeMethod(workers[i], f, Qt::BlockingQueuedConnection);
    }
    template <typename F>
    void post(int i, F f)
    {
        QMetaObject::invokeMethod(workers[i], f, Qt::QueuedConnection);
    }
    int sum(const std::function<int(ClientWorker *)> &f) const
    {
        int n = 0;
        for (ClientWorker *w : workers)
            n += f(w);
        return n;
    }
    int ready() const { return sum([](ClientWorker *w) { return w->ready.load(); }); }
    int failed() const { return sum([](ClientWorker *w) { return w->failed.load(); }); }
    int disconnected() const { return sum([](ClientWorker *w) { return w->disconnected.load(); }); }
    int healthSeen() const { return sum([](ClientWorker *w) { return w->healthSeen.load(); }); }
    int shutdownSeen() const { return sum([](ClientWorker *w) { return w->shutdownSeen.load(); }); }
    qint64 pending(int phase)
    {
        qint64 n = 0;
        for (int i = 0; i < workers.size(); ++i)
            run(i, [&, i] { n += workers[i]->pendingOf(phase); });
        return n;
    }
    QList<Received> notifications()
    {
        QList<Received> all;
        for (int i = 0; i < workers.size(); ++i)
            run(i, [&, i] { all += workers[i]->takeNotifications(); });
        return all;
    }
    void shutdown()
    {
        for (int i = 0; i < workers.size(); ++i) {
            run(i, [this, i] { workers[i]->closeAll(); });
            threads[i]->quit();
            threads[i]->wait(5000);
        }
        qDeleteAll(threads);  // workers are deleted by their thread's finished()
        threads.clear();
        workers.clear();
    }
};


} // namespace bench
