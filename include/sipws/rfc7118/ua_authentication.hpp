// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_AUTHENTICATION_HPP
#define SIPWS_RFC7118_UA_AUTHENTICATION_HPP

/// \file
/// How a SIP WebSocket client answers 401 / 407 (RFC 3261 section 22.2,
/// WS7118-7-f) with digest_client: the request is sent again, with a new
/// branch and the next CSeq, carrying Authorization / Proxy-Authorization.
///
/// - A challenge to a first attempt always gets an answer (a refresh
///   after the server forgot our nonce is normal).
/// - A second challenge to the retried request means the credentials were
///   refused unless it says `stale=true` (DIG7616-3.3-a); either way no
///   more than max_attempts challenges are answered in a row, so a server
///   that challenges forever cannot make the client loop.
/// - Without credentials a challenge ends the request (credentials_rejected).

#include <sipws/rfc7118/digest_client.hpp>
#include <sipws/rfc7118/error.hpp>
#include <sipws/sip/message.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sipws::rfc7118 {

/// True for the statuses that carry a digest challenge.
constexpr bool is_auth_challenge(unsigned status) noexcept {
    return status == 401 || status == 407;
}

class request_authenticator {
public:
    /// Challenges answered in a row for one request (stale nonces included).
    static constexpr unsigned max_attempts = 3;

    /// No credentials: every challenge ends the request.
    request_authenticator() = default;
    request_authenticator(std::string username, std::string password,
                          digest_client_options options = {})
        : digest_(std::in_place, std::move(username), std::move(password), std::move(options)) {}

    bool has_credentials() const noexcept { return digest_.has_value(); }

    /// Feeds a 401 / 407. No error: send the request again with
    /// authorization(). Errors: error::credentials_rejected (no
    /// credentials, refused, or too many challenges in a row),
    /// error::unsupported_algorithm, or a syntax error of the challenge.
    std::error_code on_challenge(const sip::message& rsp) {
        if (!digest_) return error::credentials_rejected;
        const bool proxy = rsp.status_code() == 407;
        if (!is_auth_challenge(rsp.status_code())) return error::missing_param;
        if (in_a_row_ == 0) digest_->reset(); // a new request: old nonces may be gone
        if (++in_a_row_ > max_attempts) return error::credentials_rejected;
        std::vector<std::string_view> values;
        auto id = proxy ? sip::header_id::proxy_authenticate : sip::header_id::www_authenticate;
        for (std::size_t i = 0; i < rsp.header_count(); ++i) {
            sip::header_field h = rsp.header(i);
            if (h.id == id) values.push_back(h.value);
        }
        if (values.empty()) return error::missing_param;
        return digest_->on_challenge(values, proxy);
    }

    /// Any final response other than 401 / 407: the next challenge is
    /// answered afresh.
    void on_final() noexcept { in_a_row_ = 0; }

    /// The Authorization / Proxy-Authorization rows for a request (empty
    /// before the first challenge).
    std::vector<std::pair<std::string, std::string>>
    authorization(std::string_view method, std::string_view request_uri,
                  std::string_view body = {}) {
        std::vector<std::pair<std::string, std::string>> out;
        if (!digest_ || !digest_->has_challenge()) return out;
        for (auto& a : digest_->authorize(method, request_uri, body))
            out.emplace_back(a.proxy ? "Proxy-Authorization" : "Authorization",
                             std::move(a.value));
        return out;
    }

private:
    std::optional<digest_client> digest_;
    unsigned in_a_row_ = 0;
};

} // namespace sipws::rfc7118

#endif
