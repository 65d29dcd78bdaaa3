// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_REGISTRATION_HPP
#define SIPWS_RFC7118_UA_REGISTRATION_HPP

/// \file
/// The registration of a SIP WebSocket client (RFC 3261 section 10.2 with
/// RFC 5626 Outbound and RFC 5627 GRUU), with no I/O: it builds the
/// REGISTER requests and reads their responses; the caller sends them on
/// its flow and runs the timers it is told about.
///
/// \code
///   registration reg(opts);
///   flow.send(reg.register_request());
///   // each response on the flow:
///   auto ev = reg.on_response(msg);
///   switch (ev.what) {
///   case registration::event::kind::send: flow.send(ev.request); break;       // 401/407/423
///   case registration::event::kind::registered: timer(reg.refresh_interval()); break;
///   case registration::event::kind::failed: report(ev.status, ev.reason); break;
///   ...
///   }
/// \endcode
///
/// - One Call-ID and From tag for the life of the object, CSeq increasing
///   by one per REGISTER (RFC 3261 10.2.4, GR5627-4.1-c); the same
///   instance-id and reg-id on every refresh (OB5626-4.2.2-a).
/// - Every REGISTER has `Supported: path, outbound, gruu` (OB5626-4.2.1-a,
///   GR5627-4.1-a) and the Contact of ua_contact.hpp.
/// - 401 / 407: answered once with digest credentials (request_authenticator).
/// - 423 Interval Too Brief: retried with the Min-Expires it names, at most
///   twice.
/// - The granted expiry is the `expires` of our binding in the 2xx (else
///   the Expires header, else what we asked); refresh_interval() leaves the
///   refresh time to finish before expiry (GR5627-4.2-c).
/// - Outbound is in force when the 2xx has `Require: outbound`
///   (OB5626-4.2.1-c); Flow-Timer is read (OB5626-4.4-a).
/// - The GRUUs of our binding are learned from each 2xx (gruu_state).
/// - unregister_request() removes our binding (`Expires: 0`, RFC 3261 10.2.2).
/// - `Require: gruu` only when registration_options::require_gruu asks for
///   it (GR5627-4.1-d); never `Proxy-Require: gruu`.
/// - 439 First Hop Lacks Outbound Support: by default retried once without
///   Outbound (same Call-ID, next CSeq, no `reg-id` and no `ob`, the
///   `+sip.instance` kept for GRUU); with on_439 == fail it is reported so
///   that the caller can register through another outbound proxy instead
///   (OB5626-4.2.1-d).
/// - A client with an outbound-proxy set uses one registration per flow,
///   each with its own reg-id (1, 2, ...) and so its own Call-ID
///   (OB5626-4.2.1-e); outbound_flow_options() derives their options.

#include <sipws/rfc7118/ua_authentication.hpp>
#include <sipws/rfc7118/ua_client_request.hpp>
#include <sipws/rfc7118/ua_contact.hpp>
#include <sipws/rfc7118/ua_gruu.hpp>
#include <sipws/rfc7118/ua_outbound.hpp>

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sipws::rfc7118 {

struct registration_options {
    std::string registrar_uri; ///< Request-URI, e.g. "sip:example.com"
    std::string aor;           ///< From and To, e.g. "sip:alice@example.com"
    std::string display_name;
    ua_contact contact;            ///< see make_ua_contact()
    std::uint32_t expires = 600;   ///< asked for, in seconds (> 0)
    std::string user_agent;        ///< User-Agent value; empty: none
    /// Digest credentials; username empty: none (challenges then fail).
    std::string username;
    std::string password;
    std::chrono::milliseconds transaction_timeout = client_transaction::default_timeout;
    /// Add `Require: gruu` to insist on GRUU support (GR5627-4.1-d; off by
    /// default: a registrar without GRUU then answers 420).
    bool require_gruu = false;
    /// What a 439 First Hop Lacks Outbound Support leads to (OB5626-4.2.1-d).
    enum class on_439_action { without_outbound, fail };
    on_439_action on_439 = on_439_action::without_outbound;
};

enum class registration_state { idle, registering, registered, unregistering, unregistered, failed };

class registration {
public:
    using clock = client_transaction::clock;

    struct event {
        enum class kind {
            none,         ///< nothing to do (not ours, provisional)
            send,         ///< send `request` (a challenge or a 423 was answered)
            registered,   ///< the binding is in place (refresh_interval())
            unregistered, ///< the binding was removed
            failed,       ///< the REGISTER failed: status, reason, error
        };
        kind what = kind::none;
        std::string request;
        unsigned status = 0;
        std::string reason;
        std::error_code error;
    };

    explicit registration(registration_options o)
        : opts_(std::move(o)), call_id_(make_call_id()), from_tag_(make_tag()),
          auth_(opts_.username.empty() ? request_authenticator()
                                       : request_authenticator(opts_.username, opts_.password)),
          requested_(opts_.expires == 0 ? 600 : opts_.expires) {}

    registration(const registration&) = delete;
    registration& operator=(const registration&) = delete;

    /// A REGISTER that creates or refreshes our binding.
    std::string register_request(clock::time_point now = clock::now()) {
        interval_retries_ = 0;
        state_ = registration_state::registering;
        return start(requested_, now);
    }

    /// A REGISTER that removes our binding (Expires: 0).
    std::string unregister_request(clock::time_point now = clock::now()) {
        state_ = registration_state::unregistering;
        return start(0, now);
    }

    /// A REGISTER that removes every binding of the AOR (`Contact: *`,
    /// Expires: 0, RFC 3261 10.2.2), with no `+sip.instance` or `reg-id`
    /// (OB5626-4.2.3-a): for a client that no longer knows its old Contact.
    std::string unregister_all_request(clock::time_point now = clock::now()) {
        state_ = registration_state::unregistering;
        return start(0, now, true);
    }

    /// Feeds a response received on the flow.
    event on_response(const sip::message& rsp, clock::time_point now = clock::now()) {
        event ev;
        if (!req_) return ev;
        const bool removing = asked_ == 0;
        auto r = req_->on_response(rsp, now);
        switch (r.what) {
        case client_request::result::kind::ignored:
        case client_request::result::kind::provisional:
        case client_request::result::kind::timeout:
            return ev;
        case client_request::result::kind::retry:
            ev.what = event::kind::send;
            ev.request = std::move(r.request);
            return ev;
        case client_request::result::kind::final:
            break;
        }
        ev.status = r.status;
        ev.reason = r.reason;
        const unsigned code = r.status;
        if (code == 423 && !removing) {
            if (auto retry = on_interval_too_brief(rsp, now)) {
                ev.what = event::kind::send;
                ev.request = std::move(*retry);
                return ev;
            }
        }
        if (code == 439 && !removing && opts_.contact.reg_id != 0 &&
            opts_.on_439 == registration_options::on_439_action::without_outbound) {
            // OB5626-4.2.1-d: the first hop cannot do Outbound; register
            // without it (a new transaction, the same Call-ID).
            opts_.contact.reg_id = 0;
            opts_.contact.ob = false;
            outbound_refused_ = true;
            ev.what = event::kind::send;
            ev.request = start(asked_, now);
            return ev;
        }
        if (code < 200 || code >= 300) {
            ev.what = event::kind::failed;
            ev.error = r.error;
            // A failed REGISTER leaves an existing binding and its GRUUs
            // as they were (GR5627-4.2-b) until it lapses.
            state_ = registration_state::failed;
            return ev;
        }
        if (removing) {
            state_ = registration_state::unregistered;
            gruus_.clear();
            outbound_ = false;
            ev.what = event::kind::unregistered;
            return ev;
        }
        auto granted = granted_expiry(rsp);
        if (!granted) {
            ev.what = event::kind::failed;
            ev.reason = "our binding is missing from the " + std::to_string(code) + " response";
            state_ = registration_state::failed;
            return ev;
        }
        granted_ = *granted;
        bindings_ = rsp.contacts().size();
        outbound_ = opts_.contact.reg_id != 0 && outbound_confirmed(rsp);
        flow_timer_ = flow_timer(rsp);
        gruus_.on_register_response(rsp, call_id_, opts_.contact.instance_id);
        state_ = registration_state::registered;
        ev.what = event::kind::registered;
        return ev;
    }

    /// Checks the REGISTER's Timer F: a `failed` event with status 408 once
    /// it expired without a final response.
    event on_timer(clock::time_point now = clock::now()) {
        event ev;
        if (!req_) return ev;
        auto r = req_->on_timer(now);
        if (r.what != client_request::result::kind::timeout) return ev;
        ev.what = event::kind::failed;
        ev.status = 408;
        ev.reason = r.reason;
        state_ = registration_state::failed;
        return ev;
    }

    /// True when \p rsp answers the REGISTER in progress.
    bool matches(const sip::message& rsp) const {
        return req_ && req_->transaction().matches(rsp);
    }

    /// When the pending REGISTER times out (Timer F).
    clock::time_point deadline() const {
        return req_ ? req_->transaction().deadline() : clock::time_point::max();
    }
    bool pending() const { return req_ && req_->transaction().active(); }

    /// The binding lapsed (no refresh in time): forget it and its GRUUs
    /// (GR5627-4.4-b).
    void expired() {
        gruus_.clear();
        outbound_ = false;
        state_ = registration_state::unregistered;
    }

    registration_state state() const noexcept { return state_; }
    bool registered() const noexcept { return state_ == registration_state::registered; }
    /// The expiry the registrar granted, in seconds.
    std::uint32_t granted_expires() const noexcept { return granted_; }
    /// When to send the refresh, from the 2xx: 32 s before expiry when it is
    /// over 64 s, else at half time (GR5627-4.2-c).
    std::chrono::seconds refresh_interval() const noexcept { return refresh_interval_for(granted_); }
    static std::chrono::seconds refresh_interval_for(std::uint32_t granted) noexcept {
        return std::chrono::seconds(granted > 64 ? granted - 32 : granted / 2);
    }
    /// How many bindings (Contacts) the last 2xx listed for the AOR.
    std::size_t bindings() const noexcept { return bindings_; }
    bool outbound_active() const noexcept { return outbound_; }
    /// A 439 made this registration give up Outbound (OB5626-4.2.1-d).
    bool outbound_refused() const noexcept { return outbound_refused_; }
    std::optional<std::uint32_t> flow_timer_seconds() const noexcept { return flow_timer_; }
    const gruu_state& gruus() const noexcept { return gruus_; }
    const std::string& call_id() const noexcept { return call_id_; }
    const registration_options& options() const noexcept { return opts_; }
    /// The expiry the next REGISTER will ask for (raised by a 423).
    std::uint32_t requested_expires() const noexcept { return requested_; }
    request_authenticator& authenticator() noexcept { return auth_; }

private:
    std::string start(std::uint32_t expires, clock::time_point now, bool all = false) {
        asked_ = expires;
        if (req_) cseq_ = req_->spec().cseq; // retries advanced it
        request_spec s;
        s.method = "REGISTER";
        s.request_uri = opts_.registrar_uri;
        s.from = make_name_addr(opts_.aor, opts_.display_name);
        s.from_tag = from_tag_;
        s.to = make_name_addr(opts_.aor, opts_.display_name);
        s.call_id = call_id_;
        s.cseq = ++cseq_;
        s.contact = all ? std::string("*")
                        : contact_value(opts_.contact, expires == 0 ? std::optional<std::uint32_t>(0)
                                                                    : std::nullopt);
        s.headers.emplace_back("Expires", std::to_string(expires));
        s.headers.emplace_back("Supported", std::string(ua_register_supported));
        if (opts_.require_gruu && !all) s.headers.emplace_back("Require", "gruu");
        if (!opts_.user_agent.empty()) s.headers.emplace_back("User-Agent", opts_.user_agent);
        req_.emplace(std::move(s), opts_.contact.host, opts_.contact.secure, &auth_,
                     opts_.transaction_timeout);
        return req_->send(now);
    }

    std::optional<std::string> on_interval_too_brief(const sip::message& rsp,
                                                     clock::time_point now) {
        auto f = rsp.find(sip::header_id::min_expires);
        if (!f || ++interval_retries_ > 2) return std::nullopt;
        std::error_code ec;
        std::uint32_t min = sip::parse_delta_seconds(f->value, ec);
        if (ec || min <= asked_) return std::nullopt;
        requested_ = min;
        asked_ = min;
        // The same Call-ID, the next CSeq (RFC 3261 10.2.8).
        req_->spec().headers[0].second = std::to_string(min);
        return req_->send(now);
    }

    std::optional<std::uint32_t> granted_expiry(const sip::message& rsp) const {
        for (const sip::name_addr& c : rsp.contacts()) {
            if (!is_our_contact(c, opts_.contact)) continue;
            std::int64_t e = c.expires();
            if (e >= 0) return static_cast<std::uint32_t>(e);
            if (auto h = rsp.expires()) return *h;
            return asked_;
        }
        return std::nullopt;
    }

    registration_options opts_;
    std::string call_id_;
    std::string from_tag_;
    std::uint32_t cseq_ = 0;
    request_authenticator auth_;
    std::optional<client_request> req_;
    registration_state state_ = registration_state::idle;
    std::uint32_t requested_;
    std::uint32_t asked_ = 0;
    std::uint32_t granted_ = 0;
    std::size_t bindings_ = 0;
    unsigned interval_retries_ = 0;
    bool outbound_ = false;
    bool outbound_refused_ = false;
    std::optional<std::uint32_t> flow_timer_;
    gruu_state gruus_;
};

/// The options of the registration through the outbound proxy at
/// \p index (0-based) of an outbound-proxy set: \p base with reg-id
/// index + 1 (OB5626-4.2.1-e). Each registration object draws its own
/// Call-ID, so every flow's REGISTERs have their own.
inline registration_options outbound_flow_options(registration_options base, std::size_t index) {
    if (index >= 0x7fffffffu) throw std::invalid_argument("sipws: outbound-proxy index out of range");
    base.contact.reg_id = static_cast<std::uint32_t>(index + 1);
    return base;
}

} // namespace sipws::rfc7118

#endif
