#include "media/CameraQueue.h"

#include <memory>

namespace station::media {

void CameraQueue::run(const QString &device, Operation op)
{
    std::deque<Operation> &q = m_queues[device];
    q.push_back(std::move(op));
    if (q.size() == 1)
        startNext(device);
}

void CameraQueue::startNext(const QString &device)
{
    auto it = m_queues.find(device);
    if (it == m_queues.end() || it->empty())
        return;
    Operation op = it->front();
    auto called = std::make_shared<bool>(false);
    op([this, device, called] {
        if (*called)
            return;
        *called = true;
        auto q = m_queues.find(device);
        if (q == m_queues.end())
            return;
        q->pop_front();
        if (q->empty())
            m_queues.erase(q);
        else
            startNext(device);
    });
}

} // namespace station::media
