// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_RESPONSE_CONTEXT_HPP
#define SIPWS_RFC7118_RESPONSE_CONTEXT_HPP

/// \file
/// The response context of a forking proxy (RFC 3261 section 16.7): one
/// request sent on several branches (client transactions), and what to do
/// with each response that comes back. No I/O: the proxy sends what it is
/// told to.
///
/// - Forwarded at once (step 5): a provisional response other than 100
///   while no final response has gone upstream; the first 2xx; for an
///   INVITE every 2xx, even after another final response went upstream.
/// - Every other final response is kept. When every branch is final and
///   nothing final went upstream yet, best() is the response to send
///   (step 6): a 6xx if any came, else one of the lowest class, in 4xx
///   preferring 401, 407, 415, 420 and 484; a 503 goes up as 500. Ties go
///   to the response that came first.
/// - A 401 or 407 chosen as best carries every WWW-Authenticate and
///   Proxy-Authenticate value of every 401 and 407 received, each
///   response's values in their order (step 7, DIG8760-2.5-a).
/// - After a 2xx (any final response forwarded) or a 6xx, the INVITE
///   branches still pending are to be cancelled (step 10, section 16.10),
///   and no new branch may start; so are they after cancel() (a CANCEL
///   from upstream). A branch is cancelled only once it has sent a
///   provisional response (section 9.1): until then it is marked and
///   on_response() says when its CANCEL may go.
///
/// \code
///   response_context rc(/*invite=*/true);
///   auto b0 = *rc.add_branch(), b1 = *rc.add_branch();   // send the request on each
///   // a response from branch b (its own Via removed), or one the proxy made (408, 430):
///   auto a = rc.on_response(b, status, text);
///   if (a.forward) send_upstream(text);
///   if (a.cancel_branch) send_cancel(b);
///   for (std::size_t p : a.cancel) send_cancel(p);
///   if (a.send_best) send_upstream(rc.best());
/// \endcode

#include <sipws/sip/header_id.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/message_builder.hpp>
#include <sipws/sip/parser.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipws::rfc7118 {

class response_context {
public:
    /// What to do after a response (see the file comment).
    struct action {
        bool forward = false;       ///< send this response upstream now
        bool send_best = false;     ///< every branch is final: send best() upstream
        bool cancel_branch = false; ///< this branch's CANCEL may go now (it was marked)
        std::vector<std::size_t> cancel; ///< other branches to CANCEL now
        bool ignored = false;       ///< unknown branch, one already final, or no status
    };

    /// \p invite: the request is an INVITE (2xx after the final response
    /// are forwarded, pending branches are cancelled).
    explicit response_context(bool invite) : invite_(invite) {}

    /// A new branch; its index. nullopt once a 6xx came, a final response
    /// went upstream or cancel() was called (RFC 3261 16.7 step 5, 16.10).
    std::optional<std::size_t> add_branch() {
        if (closed_) return std::nullopt;
        branches_.emplace_back();
        return branches_.size() - 1;
    }

    /// A response with status code \p status on \p branch: \p response
    /// as it goes upstream (the proxy's own Via removed), or one the proxy
    /// made for the branch (408 after Timer C, 430 when its flow failed).
    /// A non-2xx final response is kept (copied) for best().
    action on_response(std::size_t branch, unsigned status, std::string_view response) {
        action a;
        if (branch >= branches_.size() || branches_[branch].final_status != 0 || status < 100 || status > 699) {
            a.ignored = true;
            return a;
        }
        branch_state& b = branches_[branch];
        const unsigned s = status;
        if (s < 200) {
            if (!b.proceeding && b.cancel_wanted && !b.cancelled) {
                b.cancelled = true;
                a.cancel_branch = true;
            }
            b.proceeding = true;
            a.forward = s != 100 && !final_sent_;
            return a;
        }
        b.final_status = s;
        ++finals_;
        if (s < 300) {
            a.forward = !final_sent_ || invite_;
            if (!final_sent_) {
                final_sent_ = true;
                closed_ = true;
                cancel_pending(a);
            }
        } else {
            b.response = std::string(response);
            held_.push_back(branch);
            if (s >= 600 && !final_sent_ && !six_) {
                six_ = true;
                closed_ = true;
                cancel_pending(a);
            }
        }
        if (complete() && !final_sent_) {
            final_sent_ = true;
            closed_ = true;
            a.send_best = true;
        }
        return a;
    }

    /// A CANCEL from upstream (or the proxy's own decision to stop): the
    /// pending INVITE branches that may be cancelled now; the others are
    /// marked (on_response() tells when). No new branch starts.
    std::vector<std::size_t> cancel() {
        closed_ = true;
        action a;
        cancel_pending(a);
        return a.cancel;
    }

    /// Branches without a final response.
    std::vector<std::size_t> pending() const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < branches_.size(); ++i)
            if (branches_[i].final_status == 0) out.push_back(i);
        return out;
    }

    /// The final status of \p branch (0: none yet).
    unsigned final_status(std::size_t branch) const {
        return branch < branches_.size() ? branches_[branch].final_status : 0;
    }

    std::size_t size() const noexcept { return branches_.size(); }
    /// Every branch has a final response.
    bool complete() const noexcept { return finals_ == branches_.size(); }
    /// A final response went (or is to go) upstream.
    bool final_sent() const noexcept { return final_sent_; }

    /// The best final response among the branches (see the file comment),
    /// with the challenges merged; "" when no branch has a non-2xx final one.
    std::string best() const {
        // The lowest rank; among equals the first to arrive.
        const branch_state* pick = nullptr;
        for (std::size_t i : held_) {
            const branch_state& b = branches_[i];
            if (!pick || rank(b.final_status) < rank(pick->final_status)) pick = &b;
        }
        if (!pick) return {};
        const unsigned s = pick->final_status;
        if (s != 401 && s != 407) return s == 503 ? as_500(pick->response) : pick->response;
        auto chosen = sip::parse(pick->response);
        if (!chosen) return pick->response;
        sip::message_builder out(*chosen);
        for (std::size_t i : held_) {
            const branch_state& b = branches_[i];
            if (&b == pick || (b.final_status != 401 && b.final_status != 407)) continue;
            auto other = sip::parse(b.response);
            if (!other) continue;
            for (std::size_t k = 0; k < other->header_count(); ++k) {
                sip::header_field h = other->header(k);
                if (h.id == sip::header_id::www_authenticate) out.add_header("WWW-Authenticate", h.value);
                else if (h.id == sip::header_id::proxy_authenticate) out.add_header("Proxy-Authenticate", h.value);
            }
        }
        return out.str();
    }

    /// The rank of final \p status in the choice of the best response
    /// (smaller is better): 6xx first, then by class, preferred 4xx first.
    static unsigned rank(unsigned status) {
        const unsigned cls = status / 100;
        if (cls == 6) return 0;
        unsigned r = cls * 10;
        if (cls == 4 && (status == 401 || status == 407 || status == 415 || status == 420 || status == 484))
            return r;
        return r + 1;
    }

private:
    struct branch_state {
        unsigned final_status = 0;
        bool proceeding = false;
        bool cancel_wanted = false;
        bool cancelled = false;
        std::string response; ///< a non-2xx final response
    };

    void cancel_pending(action& a) {
        if (!invite_) return;
        for (std::size_t i = 0; i < branches_.size(); ++i) {
            branch_state& b = branches_[i];
            if (b.final_status != 0 || b.cancel_wanted) continue;
            b.cancel_wanted = true;
            if (b.proceeding) {
                b.cancelled = true;
                a.cancel.push_back(i);
            }
        }
    }

    /// \p resp (a 503) with the status line `SIP/2.0 500 Server Internal Error`.
    static std::string as_500(const std::string& resp) {
        std::size_t eol = resp.find("\r\n");
        if (eol == std::string::npos) return resp;
        return "SIP/2.0 500 Server Internal Error" + resp.substr(eol);
    }

    bool invite_;
    bool final_sent_ = false;
    bool closed_ = false; ///< no new branch
    bool six_ = false;
    std::size_t finals_ = 0;
    std::vector<branch_state> branches_;
    std::vector<std::size_t> held_; ///< branches with a non-2xx final response, in arrival order
};

} // namespace sipws::rfc7118

#endif
