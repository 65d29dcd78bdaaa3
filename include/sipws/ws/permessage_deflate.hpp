// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_PERMESSAGE_DEFLATE_HPP
#define SIPWS_WS_PERMESSAGE_DEFLATE_HPP

/// \file
/// Negotiation of permessage-deflate (RFC 7692 sections 5 and 7), without
/// zlib: the parameters of an offer or a response, the response a server
/// sends, the offer a client sends and the check of the response it gets.
/// The codec that compresses and inflates lives in <sipws/ws/deflate.hpp>
/// (the only header that needs zlib).
///
/// \code
///   // Server: the Sec-WebSocket-Extensions lines of the request.
///   std::string line;
///   if (auto a = sipws::ws::negotiate_deflate(req.extensions, options, line))
///       hs.accept("Sec-WebSocket-Extensions: " + line + "\r\n");  // *a: what applies
///   // Client:
///   std::string offer = sipws::ws::deflate_offer(options);       // the field value
///   sipws::ws::deflate_agreement a;
///   if (auto ec = sipws::ws::accept_deflate_response(value, options, a)) fail(ec);
/// \endcode
///
/// Compression is a policy that stays off unless a Config or an
/// application asks for it (PMD7692-8-a): compressing secrets next to
/// attacker-chosen data under TLS leaks them (CRIME).

#include <sipws/ws/compression.hpp>
#include <sipws/ws/detail/http_head.hpp>
#include <sipws/ws/error.hpp>
#include <sipws/ws/http_fields.hpp>
#include <sipws/ws/options.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::ws {

/// The extension token.
inline constexpr std::string_view permessage_deflate_name = "permessage-deflate";

/// What one endpoint asks of permessage-deflate, and how it compresses.
struct permessage_deflate_options {
    /// Largest LZ77 window (2^bits octets) the server compresses with,
    /// 9..15. A server never agrees to 8: zlib's raw deflate cannot use a
    /// 256-octet window (PMD7692-7-b). A client offers the value when below 15.
    int server_max_window_bits = 15;
    /// Largest window the client compresses with, 8..15. A server asks for
    /// it when below 15 and the client offered the parameter; a client offers
    /// it (always: it can honour any value, compressing nothing under 9 bits).
    int client_max_window_bits = 15;
    /// Server: reset the server's compressor after each message (client:
    /// ask the server to).
    bool server_no_context_takeover = false;
    /// Reset the client's compressor after each message (a server asks the
    /// client to; a client offers it).
    bool client_no_context_takeover = false;
    /// Messages shorter than this are sent uncompressed (RSV1 clear).
    std::size_t min_size = 64;
    /// zlib compression level, 0..9 (-1: zlib's default, 6).
    int level = -1;
    /// zlib memLevel, 1..9: memory of the compressor's hash table (8: zlib's default).
    int mem_level = 8;
};

/// The parameters of one permessage-deflate offer or response (RFC 7692 section 7.1).
struct deflate_params {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    /// 0 when absent.
    int server_max_window_bits = 0;
    /// 0 when absent; -1 when present without a value (an offer only).
    int client_max_window_bits = 0;
};

/// What both ends agreed to: the window and the context rule of each direction.
struct deflate_agreement {
    int server_max_window_bits = 15;
    int client_max_window_bits = 15;
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;

    /// Window bits of what \p r sends (compresses).
    int send_window_bits(role r) const noexcept {
        return r == role::server ? server_max_window_bits : client_max_window_bits;
    }
    /// Window bits of what \p r receives (inflates).
    int receive_window_bits(role r) const noexcept {
        return r == role::server ? client_max_window_bits : server_max_window_bits;
    }
    /// True when \p r resets its compressor after each message.
    bool send_resets(role r) const noexcept {
        return r == role::server ? server_no_context_takeover : client_no_context_takeover;
    }
    /// True when the peer of \p r resets its compressor after each message.
    bool receive_resets(role r) const noexcept {
        return r == role::server ? client_no_context_takeover : server_no_context_takeover;
    }
};

namespace detail {

/// "8".."15" exactly: decimal without leading zeros (PMD7692-7-a).
constexpr int parse_window_bits(std::string_view v) noexcept {
    if (v.size() == 1 && (v[0] == '8' || v[0] == '9')) return v[0] - '0';
    if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return 10 + (v[1] - '0');
    return 0;
}

/// Calls f(name, params) for each element of an extension list that
/// detail::is_valid_extension_list accepted; params is the text after the
/// name (";a; b=1"). Stops when f returns false.
template <class F>
bool for_each_extension(std::string_view list, F&& f) {
    return for_each_list_element(list, [&](std::string_view elem) {
        std::size_t semi = elem.find(';');
        std::string_view name = trim_ows(elem.substr(0, semi));
        std::string_view params =
            semi == std::string_view::npos ? std::string_view{} : elem.substr(semi);
        return f(name, params);
    });
}

} // namespace detail

/// Parses the parameters of one permessage-deflate element (the text after
/// its name: ";p1; p2=v"). \p response selects the response rules
/// (client_max_window_bits needs a value). False for an unknown, repeated
/// or malformed parameter or a value out of range (PMD7692-7-a).
inline bool parse_deflate_params(std::string_view params, bool response, deflate_params& out) {
    out = deflate_params{};
    bool seen[4] = {false, false, false, false};
    while (!params.empty()) {
        if (params.front() != ';') return false;
        params.remove_prefix(1);
        std::size_t next = params.find(';');
        std::string_view p = params.substr(0, next);
        params = next == std::string_view::npos ? std::string_view{} : params.substr(next);
        std::size_t eq = p.find('=');
        std::string_view name = detail::trim_ows(p.substr(0, eq));
        const bool has_value = eq != std::string_view::npos;
        std::string_view value =
            has_value ? detail::trim_ows(p.substr(eq + 1)) : std::string_view{};
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2); // RFC 6455 9.1: quoted token
        int which = -1;
        if (name == "server_no_context_takeover")
            which = 0;
        else if (name == "client_no_context_takeover")
            which = 1;
        else if (name == "server_max_window_bits")
            which = 2;
        else if (name == "client_max_window_bits")
            which = 3;
        if (which < 0 || seen[which]) return false; // unknown or repeated
        seen[which] = true;
        switch (which) {
        case 0:
            if (has_value) return false;
            out.server_no_context_takeover = true;
            break;
        case 1:
            if (has_value) return false;
            out.client_no_context_takeover = true;
            break;
        case 2:
            out.server_max_window_bits = has_value ? detail::parse_window_bits(value) : 0;
            if (!out.server_max_window_bits) return false;
            break;
        default:
            if (!has_value) {
                if (response) return false;
                out.client_max_window_bits = -1;
            } else {
                out.client_max_window_bits = detail::parse_window_bits(value);
                if (!out.client_max_window_bits) return false;
            }
            break;
        }
    }
    return true;
}

/// Server: the response to the first permessage-deflate offer it can
/// honour among \p extension_lines (the request's Sec-WebSocket-Extensions
/// values, in order), given its \p mine options. Offers with an unknown,
/// invalid or repeated parameter, or that need a window the server cannot
/// use, are declined (PMD7692-7-b); other extensions are ignored (declined).
/// Returns the agreement and sets \p response to the field value, or
/// std::nullopt (decline: send no Sec-WebSocket-Extensions).
inline std::optional<deflate_agreement>
negotiate_deflate(const std::vector<std::string_view>& extension_lines,
                  const permessage_deflate_options& mine, std::string& response) {
    std::optional<deflate_agreement> chosen;
    for (std::string_view line : extension_lines) {
        if (!detail::is_valid_extension_list(line)) continue;
        detail::for_each_extension(line, [&](std::string_view name, std::string_view params) {
            if (!iequals(name, permessage_deflate_name)) return true;
            deflate_params p;
            if (!parse_deflate_params(params, false, p)) return true;
            deflate_agreement a;
            // Our window: never above what the client allows (PMD7692-7-d).
            int server_bits = mine.server_max_window_bits < 15 ? mine.server_max_window_bits : 15;
            if (p.server_max_window_bits && p.server_max_window_bits < server_bits)
                server_bits = p.server_max_window_bits;
            if (server_bits < 9) return true; // zlib's raw deflate has no 256-octet window
            a.server_max_window_bits = server_bits;
            // The client's window: we may lower it only when it offered the parameter.
            a.client_max_window_bits = 15;
            if (p.client_max_window_bits) {
                int client_bits = p.client_max_window_bits > 0 ? p.client_max_window_bits : 15;
                if (mine.client_max_window_bits >= 8 && mine.client_max_window_bits < client_bits)
                    client_bits = mine.client_max_window_bits;
                a.client_max_window_bits = client_bits;
            }
            a.server_no_context_takeover =
                p.server_no_context_takeover || mine.server_no_context_takeover;
            a.client_no_context_takeover = mine.client_no_context_takeover;

            response.assign(permessage_deflate_name);
            if (a.server_no_context_takeover) response += "; server_no_context_takeover";
            if (a.client_no_context_takeover) response += "; client_no_context_takeover";
            if (p.server_max_window_bits || server_bits < 15)
                response += "; server_max_window_bits=" + std::to_string(server_bits);
            if (p.client_max_window_bits && a.client_max_window_bits < 15)
                response += "; client_max_window_bits=" + std::to_string(a.client_max_window_bits);
            chosen = a;
            return false;
        });
        if (chosen) break;
    }
    return chosen;
}

/// Client: the Sec-WebSocket-Extensions value offering permessage-deflate
/// with \p mine. client_max_window_bits is always offered (with the value
/// when below 15), so the server may ask for a smaller window.
inline std::string deflate_offer(const permessage_deflate_options& mine) {
    std::string offer(permessage_deflate_name);
    if (mine.server_no_context_takeover) offer += "; server_no_context_takeover";
    if (mine.client_no_context_takeover) offer += "; client_no_context_takeover";
    if (mine.server_max_window_bits >= 8 && mine.server_max_window_bits < 15)
        offer += "; server_max_window_bits=" + std::to_string(mine.server_max_window_bits);
    offer += "; client_max_window_bits";
    if (mine.client_max_window_bits >= 8 && mine.client_max_window_bits < 15)
        offer += "=" + std::to_string(mine.client_max_window_bits);
    return offer;
}

/// Client: checks the Sec-WebSocket-Extensions values of the 101 against
/// the offer deflate_offer(\p mine) made (PMD7692-7-c): exactly one element,
/// permessage-deflate (else error::unrequested_extension), with known,
/// unrepeated, valid parameters, a server window no larger than offered
/// (error::bad_extension_response otherwise). Sets \p out on success.
inline std::error_code accept_deflate_response(const std::vector<std::string_view>& lines,
                                               const permessage_deflate_options& mine,
                                               deflate_agreement& out) {
    std::size_t elements = 0;
    std::string_view name, params;
    for (std::string_view line : lines) {
        if (!detail::is_valid_extension_list(line)) return error::bad_extension_list;
        detail::for_each_extension(line, [&](std::string_view n, std::string_view p) {
            if (++elements == 1) {
                name = n;
                params = p;
            }
            return true;
        });
    }
    if (elements != 1 || !iequals(name, permessage_deflate_name))
        return error::unrequested_extension; // another extension, or two of them
    deflate_params p;
    if (!parse_deflate_params(params, true, p)) return error::bad_extension_response;
    const int offered_server = mine.server_max_window_bits >= 8 && mine.server_max_window_bits < 15
                                   ? mine.server_max_window_bits
                                   : 15;
    if (p.server_max_window_bits > offered_server) return error::bad_extension_response;
    deflate_agreement a;
    a.server_max_window_bits = p.server_max_window_bits ? p.server_max_window_bits : offered_server;
    const int offered_client = mine.client_max_window_bits >= 8 && mine.client_max_window_bits < 15
                                   ? mine.client_max_window_bits
                                   : 15;
    a.client_max_window_bits = offered_client;
    if (p.client_max_window_bits && p.client_max_window_bits < offered_client)
        a.client_max_window_bits = p.client_max_window_bits;
    a.server_no_context_takeover = p.server_no_context_takeover;
    a.client_no_context_takeover = p.client_no_context_takeover || mine.client_no_context_takeover;
    out = a;
    return {};
}

} // namespace sipws::ws

#endif
