// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_POLICY_WEB_AUTH_HPP
#define SIPWS_TRANSPORT_POLICY_WEB_AUTH_HPP

/// \file
/// Web-level authentication at the opening handshake (RFC 7118 Appendix A,
/// WS7118-A-b/c). A policy is an object with
/// `web_auth_result check(const ws::handshake_request&) const`. Its verdict
/// and the identity it found stay attached to the flow (flow_info).

#include <sipws/ws/server_handshake.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sipws::transport {

enum class web_auth_verdict : unsigned char {
    not_checked,   ///< no web authentication configured
    authenticated, ///< a credential was found and accepted
    refused,       ///< refused (the handshake was answered with status)
};

struct web_auth_result {
    web_auth_verdict verdict = web_auth_verdict::not_checked;
    /// The identity the credential stands for (e.g. a SIP AOR); empty if none.
    std::string identity;
    /// HTTP status of a refusal: 401 (no credential) or 403 (bad one).
    int status = 0;
    /// Extra field lines for the response ("WWW-Authenticate: ...\r\n",
    /// "Set-Cookie: ...\r\n").
    std::string extra_headers;

    static web_auth_result accept(std::string identity = {}) {
        web_auth_result r;
        r.verdict = web_auth_verdict::authenticated;
        r.identity = std::move(identity);
        return r;
    }
    static web_auth_result refuse(int status, std::string extra_headers = {}) {
        web_auth_result r;
        r.verdict = web_auth_verdict::refused;
        r.status = status;
        r.extra_headers = std::move(extra_headers);
        return r;
    }
    bool refused() const noexcept { return verdict == web_auth_verdict::refused; }
};

namespace policy {

/// No web authentication ("SIP auth only", WS7118-A-a): every handshake
/// passes with verdict not_checked (default).
struct no_web_auth {
    web_auth_result check(const ws::handshake_request&) const { return {}; }
};

/// A token found in the handshake, checked by a user function that maps it
/// to an identity (std::nullopt = invalid). Sources, tried in order: the
/// `Authorization: Bearer` field, a query parameter (`?token=...` by
/// default), a cookie (`token=` by default). No token: 401 with
/// `WWW-Authenticate: Bearer`; an invalid token: 403.
class token_auth {
public:
    using validator = std::function<std::optional<std::string>(std::string_view token)>;

    void set_validator(validator v) { validate_ = std::move(v); }
    void set_query_parameter(std::string name) { query_name_ = std::move(name); }
    void set_cookie_name(std::string name) { cookie_name_ = std::move(name); }
    void use_bearer(bool yes) { bearer_ = yes; }

    web_auth_result check(const ws::handshake_request& req) const {
        std::string_view token = find_token(req);
        if (token.empty())
            return web_auth_result::refuse(401, "WWW-Authenticate: Bearer realm=\"sipws\"\r\n");
        std::optional<std::string> id;
        if (validate_) id = validate_(token);
        if (!id) return web_auth_result::refuse(403);
        return web_auth_result::accept(std::move(*id));
    }

    /// The first token present in \p req according to the configured sources.
    std::string_view find_token(const ws::handshake_request& req) const {
        if (bearer_) {
            std::string_view a = req.authorization;
            if (a.size() > 7 && ws::iequals(a.substr(0, 7), "Bearer ")) {
                a.remove_prefix(7);
                while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
                if (!a.empty()) return a;
            }
        }
        if (!query_name_.empty()) {
            auto v = find_pair(req.query, '&', query_name_);
            if (!v.empty()) return v;
        }
        if (!cookie_name_.empty()) {
            for (const auto& f : req.fields.all())
                if (ws::iequals(f.name, "Cookie")) {
                    auto v = find_pair(f.value, ';', cookie_name_);
                    if (!v.empty()) return v;
                }
        }
        return {};
    }

private:
    static std::string_view find_pair(std::string_view list, char sep, std::string_view name) {
        while (!list.empty()) {
            std::size_t end = list.find(sep);
            std::string_view item = list.substr(0, end);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            if (item.size() > name.size() && item.substr(0, name.size()) == name &&
                item[name.size()] == '=')
                return item.substr(name.size() + 1);
            if (end == std::string_view::npos) break;
            list.remove_prefix(end + 1);
        }
        return {};
    }

    validator validate_;
    std::string query_name_ = "token";
    std::string cookie_name_ = "token";
    bool bearer_ = true;
};

} // namespace policy
} // namespace sipws::transport

#endif
