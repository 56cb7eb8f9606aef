#pragma once

#include <QHash>
#include <QString>

#include <deque>
#include <functional>

namespace station::media {

// Operations on one camera (snapshot, recording, streaming) run in the
// order received (API.md §2.2); different cameras proceed independently.
class CameraQueue
{
public:
    using Next = std::function<void()>;
    using Operation = std::function<void(Next)>;  // must call Next exactly once

    void run(const QString &device, Operation op);

private:
    void startNext(const QString &device);
    QHash<QString, std::deque<Operation>> m_queues;
};

} // namespace station::media
