// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_TRANSACTION_HPP
#define SIPWS_RFC7118_UA_TRANSACTION_HPP

/// \file
/// A non-INVITE client transaction (RFC 3261 section 17.1.2) for a client
/// on a reliable WebSocket flow, with no I/O: the caller sends the request,
/// feeds every response it receives and asks, with its own clock, whether
/// the transaction timed out.
///
/// - A response belongs to the transaction when its top Via branch and its
///   CSeq (number and method) are the request's (RFC 3261 17.1.3).
/// - No retransmission: WS is reliable, so Timer E is not used and Timer K
///   is zero (WS7118-5-a); the transaction ends with its first final
///   response.
/// - Timer F (64*T1 = 32 s by default) ends it with a timeout, which the
///   caller reports as 408 (WS7118-4.1-e).

#include <sipws/sip/message.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sipws::rfc7118 {

/// True when \p rsp answers the request whose top Via branch is \p branch
/// and whose CSeq is \p cseq \p method.
inline bool response_matches(const sip::message& rsp, std::string_view branch,
                             std::uint32_t cseq, std::string_view method) {
    if (!rsp.is_response() || branch.empty()) return false;
    auto via = rsp.top_via();
    if (!via || via->branch != branch) return false;
    auto cs = rsp.cseq();
    return cs && cs->number == cseq && cs->method == method;
}

class client_transaction {
public:
    using clock = std::chrono::steady_clock;
    /// Timer F: 64 * T1 (RFC 3261 17.1.2.2).
    static constexpr std::chrono::milliseconds default_timeout{64 * 500};

    enum class event {
        ignored,     ///< not ours, or the transaction already ended
        provisional, ///< 1xx
        final,       ///< 2xx-6xx: the transaction ended (final_status())
        timeout,     ///< Timer F fired: the transaction ended without a response
    };

    client_transaction() = default;
    client_transaction(std::string branch, std::string method, std::uint32_t cseq,
                       clock::time_point start, std::chrono::milliseconds timeout = default_timeout)
        : branch_(std::move(branch)), method_(std::move(method)), cseq_(cseq),
          deadline_(start + timeout), active_(true) {}

    const std::string& branch() const noexcept { return branch_; }
    const std::string& method() const noexcept { return method_; }
    std::uint32_t cseq() const noexcept { return cseq_; }
    clock::time_point deadline() const noexcept { return deadline_; }
    /// Still waiting for a final response.
    bool active() const noexcept { return active_; }
    /// The final status (0 while active or after a timeout).
    unsigned final_status() const noexcept { return final_; }
    bool timed_out() const noexcept { return timed_out_; }

    /// True when \p rsp answers this transaction (whether or not it ended).
    bool matches(const sip::message& rsp) const {
        return response_matches(rsp, branch_, cseq_, method_);
    }

    event on_response(const sip::message& rsp) {
        if (!active_ || !matches(rsp)) return event::ignored;
        unsigned code = rsp.status_code();
        if (code < 200) return event::provisional;
        active_ = false;
        final_ = code;
        return event::final;
    }

    /// Checks Timer F at \p now: event::timeout once when it expired.
    event on_timer(clock::time_point now) {
        if (!active_ || now < deadline_) return event::ignored;
        active_ = false;
        timed_out_ = true;
        return event::timeout;
    }

    /// Ends the transaction without a response (e.g. the flow failed).
    void cancel() noexcept { active_ = false; }

private:
    std::string branch_;
    std::string method_;
    std::uint32_t cseq_ = 0;
    clock::time_point deadline_{};
    bool active_ = false;
    bool timed_out_ = false;
    unsigned final_ = 0;
};

} // namespace sipws::rfc7118

#endif
