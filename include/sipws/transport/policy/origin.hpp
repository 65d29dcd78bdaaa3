// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_POLICY_ORIGIN_HPP
#define SIPWS_TRANSPORT_POLICY_ORIGIN_HPP

/// \file
/// Origin policies (RFC 6455 10.2, WS7118-9-c): who may open a WebSocket.
/// A policy is an object with `bool allow(std::string_view origin) const`;
/// `origin` is empty when the request carried no Origin. A refusal is
/// answered with 403. Origin is not authentication: non-browser clients can
/// send any value.

#include <sipws/ws/http_fields.hpp>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sipws::transport::policy {

/// Every Origin is accepted (default).
struct allow_any_origin {
    bool allow(std::string_view) const noexcept { return true; }
};

/// Only listed origins ("https://example.com", compared ASCII
/// case-insensitively) are accepted. Requests without Origin (non-browser
/// clients) are accepted unless allow_absent is false. May be changed at
/// run time from any thread.
class origin_allowlist {
public:
    void add(std::string origin) {
        std::lock_guard<std::mutex> lk(mu_);
        origins_.push_back(std::move(origin));
    }
    void clear() {
        std::lock_guard<std::mutex> lk(mu_);
        origins_.clear();
    }
    void allow_absent(bool yes) {
        std::lock_guard<std::mutex> lk(mu_);
        allow_absent_ = yes;
    }
    bool allow(std::string_view origin) const {
        std::lock_guard<std::mutex> lk(mu_);
        if (origin.empty()) return allow_absent_;
        for (const auto& o : origins_)
            if (ws::iequals(o, origin)) return true;
        return false;
    }

private:
    mutable std::mutex mu_;
    std::vector<std::string> origins_;
    bool allow_absent_ = true;
};

} // namespace sipws::transport::policy

#endif
