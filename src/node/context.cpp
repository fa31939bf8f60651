#include <node/context.h>

#include <util/fs.h>

NodeContext::NodeContext() = default;
NodeContext::~NodeContext() = default;

void NodeContext::RequestShutdown()
{
    {
        std::lock_guard<std::mutex> lock(m_shutdown_mutex);
        m_shutdown_requested = true;
    }
    m_shutdown_cv.notify_all();
}

bool NodeContext::WaitForShutdown(std::chrono::milliseconds timeout)
{
    std::unique_lock<std::mutex> lock(m_shutdown_mutex);
    m_shutdown_cv.wait_for(lock, timeout, [this] { return m_shutdown_requested.load(); });
    return m_shutdown_requested.load();
}
