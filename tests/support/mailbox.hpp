// Test-side record of the WebSocket messages a connector received, per flow
// and in order, with a bounded wait for the next one.
#ifndef SIPWS_TEST_SUPPORT_MAILBOX_HPP
#define SIPWS_TEST_SUPPORT_MAILBOX_HPP

#include <sipws/transport/context.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace sipws::test {

class mailbox {
public:
    transport::message_handler handler() {
        return [this](transport::flow_id f, sipws::ws::message_type, std::string_view m) {
            std::lock_guard<std::mutex> lk(mu_);
            box_[f].emplace_back(m);
            cv_.notify_all();
        };
    }
    /// The next message on \p f ("" after \p timeout).
    std::string next(transport::flow_id f, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock<std::mutex> lk(mu_);
        if (!cv_.wait_for(lk, timeout, [&] { return !box_[f].empty(); })) return {};
        std::string m = std::move(box_[f].front());
        box_[f].pop_front();
        return m;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<transport::flow_id, std::deque<std::string>> box_;
};

} // namespace sipws::test

#endif
