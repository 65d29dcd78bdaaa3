// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_DNS_HPP
#define SIPWS_RFC7118_DNS_HPP

/// \file
/// D2W resolution: from a SIP target (scheme, host, port, transport) to an
/// ordered list of WebSocket servers to try, following RFC 3263 with the
/// NAPTR services of RFC 7118 section 5.5.
///
/// Procedure (WS7118-5.5-a/b/c, DNS3263-4.1-a/b/c, DNS3263-4.2-a):
/// 1. A `transport` other than `ws` (or the common `wss`) is an error:
///    this resolver finds WebSocket servers only.
/// 2. Numeric IP host: that address with the given port or the default
///    (80, or 443 for `sips` / `wss`).
/// 3. Host name with an explicit port: A/AAAA of the host, that port.
/// 4. Otherwise NAPTR of the host. Records are sorted by order, then
///    preference; only `SIP+D2W` (plain WS) and `SIPS+D2W` (secure WS)
///    are kept; a `sips` target keeps only `SIPS+D2W`; a `sip` target keeps
///    `SIPS+D2W` too unless options.secure_for_sip is off. Flag `s` gives
///    an SRV lookup of the replacement (ordered by priority, weighted
///    random inside a priority, RFC 2782); flag `a` an A/AAAA lookup of the
///    replacement with the default port. All usable records are kept, in
///    order, as failover targets.
/// 5. No usable NAPTR/SRV result: A/AAAA of the host with the default port
///    (RFC 7118 defines no SRV label for WS, so there is no `_sip._ws`).
///
/// Without a `transport` parameter RFC 3263 would pick UDP for a numeric IP
/// or an explicit port; a WebSocket-only client has nothing else to use, so
/// by default those cases resolve to WS too (options.websocket_by_default;
/// turn it off to get error::not_websocket_transport instead).
///
/// The WebSocket resource name (URL path) cannot be derived from a SIP
/// URI; it is configuration (WS7118-5.5-c).
///
/// DNS goes through a resolver policy, a class with these members:
///
///     std::error_code query_naptr(std::string_view name, std::vector<naptr_record>& out);
///     std::error_code query_srv(std::string_view name, std::vector<srv_record>& out);
///     std::error_code query_addresses(std::string_view name, std::vector<std::string>& out);
///
/// "No such name / no records" is success with nothing appended; an error
/// means the lookup itself failed. sipws provides static_resolver (tables,
/// for tests and for browsers' case of configured servers) and
/// system_resolver (`<sipws/rfc7118/dns_system_resolver.hpp>`, libresolv).

#include <sipws/crypto/random.hpp>
#include <sipws/rfc7118/auth_params.hpp>
#include <sipws/rfc7118/dns_message.hpp>
#include <sipws/rfc7118/error.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace sipws::rfc7118 {

/// What to resolve: the parts of a SIP URI that matter for RFC 3263.
struct sip_target {
    bool sips = false;                 ///< `sips:` scheme
    std::string host;                  ///< name, IPv4, or IPv6 (with or without brackets)
    std::optional<std::uint16_t> port; ///< explicit port
    std::string transport;             ///< the `transport` URI parameter, empty if absent
};

/// Where a ws_target came from.
enum class d2w_source {
    numeric_ip,    ///< the host was an IP address
    explicit_port, ///< host name with a port in the URI: A/AAAA
    naptr_srv,     ///< NAPTR (SIP+D2W / SIPS+D2W) -> SRV
    naptr_a,       ///< NAPTR with flag "a" -> A/AAAA, default port
    default_port,  ///< no NAPTR/SRV: A/AAAA with 80 / 443
};

constexpr std::string_view to_string(d2w_source s) noexcept {
    switch (s) {
    case d2w_source::numeric_ip:
        return "numeric-ip";
    case d2w_source::explicit_port:
        return "explicit-port";
    case d2w_source::naptr_srv:
        return "naptr-srv";
    case d2w_source::naptr_a:
        return "naptr-a";
    case d2w_source::default_port:
        return "default-port";
    }
    return "";
}

/// One WebSocket server to try. Connect to one of \c addresses (or resolve
/// \c host yourself when addresses were not requested) on \c port, with TLS
/// when \c secure; use \c host for the Host header and TLS name checks.
struct ws_target {
    std::string host;
    std::uint16_t port = 0;
    bool secure = false;
    d2w_source source = d2w_source::default_port;
    std::vector<std::string> addresses;
};

struct d2w_options {
    bool secure_for_sip = true;    ///< a `sip` target may use SIPS+D2W servers
    bool resolve_addresses = true; ///< fill ws_target::addresses (targets without any are dropped)
    bool websocket_by_default = true; ///< see the file comment
    std::size_t max_targets = 16;     ///< bound on the result
    std::size_t max_records = 64;     ///< NAPTR / SRV records considered per lookup
};

namespace detail {

template <class R, class = void>
struct is_dns_resolver : std::false_type {};
template <class R>
struct is_dns_resolver<
    R, std::void_t<decltype(std::declval<std::error_code&>() = std::declval<R&>().query_naptr(
                                std::string_view(), std::declval<std::vector<naptr_record>&>())),
                   decltype(std::declval<std::error_code&>() = std::declval<R&>().query_srv(
                                std::string_view(), std::declval<std::vector<srv_record>&>())),
                   decltype(std::declval<std::error_code&>() = std::declval<R&>().query_addresses(
                                std::string_view(), std::declval<std::vector<std::string>&>()))>>
    : std::true_type {};

inline bool is_ipv4_literal(std::string_view h) noexcept {
    int dots = 0, digits = 0, value = 0;
    for (char c : h) {
        if (c == '.') {
            if (digits == 0) return false;
            ++dots;
            digits = value = 0;
        } else if (c >= '0' && c <= '9') {
            value = value * 10 + (c - '0');
            if (++digits > 3 || value > 255) return false;
        } else {
            return false;
        }
    }
    return dots == 3 && digits > 0;
}

inline bool is_ipv6_literal(std::string_view h) noexcept {
    if (h.find(':') == std::string_view::npos) return false;
    for (char c : h)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == ':' || c == '.'))
            return false;
    return true;
}

inline bool is_host_name(std::string_view h) noexcept {
    if (h.empty() || h.size() > 253) return false;
    std::size_t label = 0;
    for (char c : h) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_') {
            if (++label > 63) return false;
        } else {
            return false;
        }
    }
    return true;
}

inline std::uint32_t default_random(std::uint32_t bound) {
    // Uniform in [0, bound]; bias from the modulo is below 2^-32 * bound.
    std::uint64_t v = 0;
    crypto::random_bytes(&v, sizeof v);
    return static_cast<std::uint32_t>(v % (std::uint64_t{bound} + 1));
}

} // namespace detail

/// Orders SRV records per RFC 2782: ascending priority; inside one
/// priority, repeatedly pick a record with probability weight / total
/// (zero-weight records placed first so they get a small chance). \p random
/// is called as `std::uint32_t(std::uint32_t bound)` and returns a number
/// in [0, bound]. A single record with target "." (service decidedly not
/// available) empties the list.
template <class Random>
void order_srv(std::vector<srv_record>& records, Random&& random) {
    if (records.size() == 1 && records[0].target == ".") {
        records.clear();
        return;
    }
    records.erase(std::remove_if(records.begin(), records.end(),
                                 [](const srv_record& r) { return r.target == "."; }),
                  records.end());
    std::stable_sort(records.begin(), records.end(), [](const srv_record& a, const srv_record& b) {
        return a.priority < b.priority;
    });
    std::vector<srv_record> out;
    out.reserve(records.size());
    std::size_t i = 0;
    while (i < records.size()) {
        std::size_t j = i;
        while (j < records.size() && records[j].priority == records[i].priority) ++j;
        std::vector<srv_record> group(records.begin() + static_cast<std::ptrdiff_t>(i),
                                      records.begin() + static_cast<std::ptrdiff_t>(j));
        std::stable_partition(group.begin(), group.end(),
                              [](const srv_record& r) { return r.weight == 0; });
        while (!group.empty()) {
            std::uint32_t total = 0;
            for (auto& r : group) total += r.weight;
            std::uint32_t pick = total == 0 ? 0 : random(total);
            std::uint32_t running = 0;
            std::size_t k = 0;
            for (; k < group.size(); ++k) {
                running += group[k].weight;
                if (running >= pick) break;
            }
            if (k == group.size()) k = group.size() - 1;
            out.push_back(std::move(group[k]));
            group.erase(group.begin() + static_cast<std::ptrdiff_t>(k));
        }
        i = j;
    }
    records = std::move(out);
}

inline void order_srv(std::vector<srv_record>& records) {
    order_srv(records, detail::default_random);
}

/// Resolves \p target to WebSocket servers in the order to try them.
/// Errors: invalid_target, not_websocket_transport, dns_failure (a lookup
/// failed and nothing was found), no_websocket_target.
template <class Resolver, class Random>
std::error_code resolve_d2w(const sip_target& target, Resolver& resolver,
                            std::vector<ws_target>& out, const d2w_options& options,
                            Random&& random) {
    static_assert(detail::is_dns_resolver<Resolver>::value,
                  "sipws: a D2W resolver needs query_naptr, query_srv and query_addresses "
                  "(see <sipws/rfc7118/dns.hpp>)");
    out.clear();
    std::string_view host = target.host;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    const bool ip = detail::is_ipv4_literal(host) || detail::is_ipv6_literal(host);
    if (!ip && !detail::is_host_name(host)) return error::invalid_target;

    bool explicit_ws = false, explicit_wss = false;
    if (!target.transport.empty()) {
        if (detail::iequals(target.transport, "ws"))
            explicit_ws = true;
        else if (detail::iequals(target.transport, "wss"))
            explicit_wss = true;
        else
            return error::not_websocket_transport;
    }
    const bool uri_secure = target.sips || explicit_wss;
    const std::uint16_t default_port = uri_secure ? 443 : 80;
    if (!options.websocket_by_default && !explicit_ws && !explicit_wss && (ip || target.port))
        return error::not_websocket_transport;

    std::error_code last_failure;
    auto add = [&](ws_target t) {
        if (out.size() >= options.max_targets) return;
        for (auto& o : out)
            if (o.port == t.port && o.secure == t.secure && detail::iequals(o.host, t.host)) return;
        out.push_back(std::move(t));
    };
    auto add_resolved = [&](std::string name, std::uint16_t port, bool secure, d2w_source src) {
        ws_target t{std::move(name), port, secure, src, {}};
        if (options.resolve_addresses) {
            if (auto ec = resolver.query_addresses(t.host, t.addresses)) {
                last_failure = ec;
                return;
            }
            if (t.addresses.empty()) return;
        }
        add(std::move(t));
    };

    if (ip) {
        ws_target t{std::string(host),
                    target.port.value_or(default_port),
                    uri_secure,
                    d2w_source::numeric_ip,
                    {}};
        if (options.resolve_addresses) t.addresses.push_back(t.host);
        out.push_back(std::move(t));
        return {};
    }
    if (target.port) {
        add_resolved(std::string(host), *target.port, uri_secure, d2w_source::explicit_port);
        if (out.empty())
            return last_failure ? last_failure : make_error_code(error::no_websocket_target);
        return {};
    }

    std::vector<naptr_record> naptr;
    if (auto ec = resolver.query_naptr(host, naptr)) last_failure = ec;
    std::stable_sort(naptr.begin(), naptr.end(), [](const naptr_record& a, const naptr_record& b) {
        return a.order != b.order ? a.order < b.order : a.preference < b.preference;
    });
    if (naptr.size() > options.max_records) naptr.resize(options.max_records);
    for (auto& n : naptr) {
        bool secure;
        if (detail::iequals(n.service, "SIPS+D2W"))
            secure = true;
        else if (detail::iequals(n.service, "SIP+D2W"))
            secure = false;
        else
            continue;
        if (uri_secure && !secure) continue; // sips keeps only SIPS+D2W
        if (!uri_secure && secure && !options.secure_for_sip) continue;
        if (n.replacement.empty() || n.replacement == "." || !n.regexp.empty()) continue;
        if (detail::iequals(n.flags, "s")) {
            std::vector<srv_record> srv;
            if (auto ec = resolver.query_srv(n.replacement, srv)) {
                last_failure = ec;
                continue;
            }
            order_srv(srv, random);
            if (srv.size() > options.max_records) srv.resize(options.max_records);
            for (auto& s : srv) add_resolved(s.target, s.port, secure, d2w_source::naptr_srv);
        } else if (detail::iequals(n.flags, "a")) {
            add_resolved(n.replacement, secure ? 443 : 80, secure, d2w_source::naptr_a);
        }
    }
    if (out.empty())
        add_resolved(std::string(host), default_port, uri_secure, d2w_source::default_port);
    if (out.empty())
        return last_failure ? last_failure : make_error_code(error::no_websocket_target);
    return {};
}

template <class Resolver>
std::error_code resolve_d2w(const sip_target& target, Resolver& resolver,
                            std::vector<ws_target>& out, const d2w_options& options = {}) {
    return resolve_d2w(target, resolver, out, options, detail::default_random);
}

/// A resolver policy answering from tables: for tests, and for clients
/// (like browsers) that cannot query DNS and are configured instead.
/// Names compare case-insensitively, without a trailing dot.
class static_resolver {
public:
    void add_naptr(std::string_view name, naptr_record r) {
        naptr_[key(name)].push_back(std::move(r));
    }
    void add_srv(std::string_view name, srv_record r) { srv_[key(name)].push_back(std::move(r)); }
    void add_address(std::string_view name, std::string address) {
        addresses_[key(name)].push_back(std::move(address));
    }
    /// Makes every lookup of \p name fail with \p ec (to test failures).
    void fail(std::string_view name, std::error_code ec) { failures_[key(name)] = ec; }

    std::error_code query_naptr(std::string_view name, std::vector<naptr_record>& out) const {
        return lookup(naptr_, name, out);
    }
    std::error_code query_srv(std::string_view name, std::vector<srv_record>& out) const {
        return lookup(srv_, name, out);
    }
    std::error_code query_addresses(std::string_view name, std::vector<std::string>& out) const {
        return lookup(addresses_, name, out);
    }

private:
    static std::string key(std::string_view name) {
        if (!name.empty() && name.back() == '.') name.remove_suffix(1);
        std::string k(name);
        for (char& c : k) c = detail::ascii_lower(c);
        return k;
    }
    template <class T>
    std::error_code lookup(const std::map<std::string, std::vector<T>>& table,
                           std::string_view name, std::vector<T>& out) const {
        auto k = key(name);
        auto f = failures_.find(k);
        if (f != failures_.end()) return f->second;
        auto it = table.find(k);
        if (it != table.end()) out.insert(out.end(), it->second.begin(), it->second.end());
        return {};
    }

    std::map<std::string, std::vector<naptr_record>> naptr_;
    std::map<std::string, std::vector<srv_record>> srv_;
    std::map<std::string, std::vector<std::string>> addresses_;
    std::map<std::string, std::error_code> failures_;
};

} // namespace sipws::rfc7118

#endif
