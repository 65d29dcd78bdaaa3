// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_CLIENT_REQUEST_HPP
#define SIPWS_RFC7118_UA_CLIENT_REQUEST_HPP

/// \file
/// One out-of-dialog non-INVITE request of a SIP WebSocket client (MESSAGE,
/// OPTIONS, REGISTER) from first send to final answer, with no I/O:
///
/// \code
///   client_request req(spec, contact.host, secure, &auth);
///   flow.send(req.send(now));
///   // for every response received on the flow:
///   auto r = req.on_response(msg, now);
///   if (r.what == client_request::result::kind::retry) flow.send(r.request);
///   // and now and then: req.on_timer(now)
/// \endcode
///
/// Every attempt is a new client_transaction: a fresh branch and the next
/// CSeq number (RFC 3261 8.1.3.5, 22.2). Responses whose Via is not ours
/// are dropped (SIP3261-18.1.2-a; a missing `received` is fine,
/// WS7118-5.3-b). 401 / 407 are answered through the request_authenticator.

#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/ua_authentication.hpp>
#include <sipws/rfc7118/ua_request.hpp>
#include <sipws/rfc7118/ua_transaction.hpp>
#include <sipws/rfc7118/ua_via.hpp>

#include <chrono>
#include <string>
#include <system_error>

namespace sipws::rfc7118 {

class client_request {
public:
    using clock = client_transaction::clock;

    struct result {
        enum class kind {
            ignored,     ///< not ours (or the request already ended)
            provisional, ///< 1xx; keep waiting
            retry,       ///< answered a challenge: send `request`
            final,       ///< final response `status` / `reason` (error set when a challenge could not be answered)
            timeout,     ///< no final response in time: report 408
        };
        kind what = kind::ignored;
        unsigned status = 0;
        std::string reason;
        std::string request;
        std::error_code error;
    };

    /// \p via_host is the client's `.invalid` host (also its Contact host),
    /// \p auth may be null (no credentials) and must outlive the request.
    client_request(request_spec spec, std::string via_host, bool secure,
                   request_authenticator* auth = nullptr,
                   std::chrono::milliseconds timeout = client_transaction::default_timeout)
        : spec_(std::move(spec)), via_host_(std::move(via_host)), secure_(secure), auth_(auth),
          timeout_(timeout) {}

    /// The request as it will be sent next (edit it before send()).
    request_spec& spec() noexcept { return spec_; }
    const request_spec& spec() const noexcept { return spec_; }
    const client_transaction& transaction() const noexcept { return tx_; }

    /// Starts a new transaction: the first call sends spec().cseq, each
    /// further call the next number. Returns the request text.
    std::string send(clock::time_point now = clock::now()) {
        if (sent_) ++spec_.cseq;
        sent_ = true;
        request_spec s = spec_;
        std::string branch = make_branch();
        s.via = make_ua_via(secure_, via_host_, branch);
        if (auth_)
            for (auto& h : auth_->authorization(s.method, s.request_uri, s.body))
                s.headers.push_back(std::move(h));
        tx_ = client_transaction(std::move(branch), s.method, s.cseq, now, timeout_);
        return make_request(s);
    }

    result on_response(const sip::message& rsp, clock::time_point now = clock::now()) {
        result r;
        if (!tx_.matches(rsp) || !accept_response_via(rsp, via_host_)) return r;
        auto ev = tx_.on_response(rsp);
        if (ev == client_transaction::event::provisional) {
            r.what = result::kind::provisional;
            r.status = rsp.status_code();
            return r;
        }
        if (ev != client_transaction::event::final) return r;
        r.status = rsp.status_code();
        r.reason = std::string(rsp.reason_phrase());
        if (is_auth_challenge(r.status)) {
            if (!auth_) {
                r.what = result::kind::final;
                r.error = make_error_code(error::credentials_rejected);
                return r;
            }
            r.error = auth_->on_challenge(rsp);
            if (!r.error) {
                r.what = result::kind::retry;
                r.request = send(now);
                return r;
            }
        } else if (auth_) {
            auth_->on_final();
        }
        r.what = result::kind::final;
        return r;
    }

    /// Timer F: result::kind::timeout once when the transaction expired.
    result on_timer(clock::time_point now = clock::now()) {
        result r;
        if (tx_.on_timer(now) == client_transaction::event::timeout) {
            r.what = result::kind::timeout;
            r.status = 408;
            r.reason = "Request Timeout";
        }
        return r;
    }

private:
    request_spec spec_;
    std::string via_host_;
    bool secure_;
    request_authenticator* auth_;
    std::chrono::milliseconds timeout_;
    client_transaction tx_;
    bool sent_ = false;
};

} // namespace sipws::rfc7118

#endif
