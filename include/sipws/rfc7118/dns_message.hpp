// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_DNS_MESSAGE_HPP
#define SIPWS_RFC7118_DNS_MESSAGE_HPP

/// \file
/// A parser for the DNS answers D2W resolution needs (RFC 1035 section 4):
/// NAPTR (RFC 3403), SRV (RFC 2782), A and AAAA (RFC 3596) records of the
/// answer section. A pure function of the bytes: compressed names are
/// followed with a hop limit and the 255-octet name bound, every length is
/// checked against the message end, and a bad message is an error, never a
/// read past the buffer.

#include <sipws/rfc7118/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::rfc7118 {

/// RR types used here.
enum class dns_type : std::uint16_t { a = 1, cname = 5, aaaa = 28, srv = 33, naptr = 35 };

struct naptr_record {
    std::uint16_t order = 0;
    std::uint16_t preference = 0;
    std::string flags;
    std::string service;
    std::string regexp;
    std::string replacement; ///< domain name without trailing dot; "." for the root
};

struct srv_record {
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    std::string target; ///< without trailing dot; "." means "no service here"
};

/// The records of one answer, grouped by type (answer section only).
struct dns_answer {
    std::uint8_t rcode = 0;
    bool truncated = false;
    std::vector<naptr_record> naptr;
    std::vector<srv_record> srv;
    std::vector<std::string> addresses; ///< A as dotted quad, AAAA as RFC 5952 text
};

namespace detail {

struct dns_reader {
    const unsigned char* data;
    std::size_t size;

    bool u16(std::size_t& pos, std::uint16_t& v) const noexcept {
        if (size < 2 || pos > size - 2) return false;
        v = static_cast<std::uint16_t>((data[pos] << 8) | data[pos + 1]);
        pos += 2;
        return true;
    }
    bool u32(std::size_t& pos, std::uint32_t& v) const noexcept {
        std::uint16_t hi = 0, lo = 0;
        if (!u16(pos, hi) || !u16(pos, lo)) return false;
        v = (std::uint32_t{hi} << 16) | lo;
        return true;
    }

    /// Reads a (possibly compressed) name at \p pos; \p pos moves past it
    /// in the record. Labels are joined with '.', no trailing dot; the root
    /// is ".". Characters outside [!-~] other than '.' are kept escaped as
    /// \DDD so a name can never smuggle separators or controls.
    bool name(std::size_t& pos, std::string& out) const {
        out.clear();
        std::size_t p = pos;
        bool jumped = false;
        int hops = 0;
        std::size_t wire_len = 0;
        for (;;) {
            if (p >= size) return false;
            unsigned char len = data[p];
            if ((len & 0xc0) == 0xc0) {
                if (p + 1 >= size || ++hops > 64) return false;
                std::size_t target = (std::size_t(len & 0x3f) << 8) | data[p + 1];
                if (!jumped) pos = p + 2;
                jumped = true;
                if (target >= size) return false;
                p = target;
                continue;
            }
            if (len & 0xc0) return false; // extended label types are not supported
            ++p;
            wire_len += 1u + len;
            if (wire_len > 255) return false;
            if (len == 0) break;
            if (p + len > size) return false;
            if (!out.empty()) out.push_back('.');
            for (std::size_t i = 0; i < len; ++i) {
                unsigned char c = data[p + i];
                if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
                    out.push_back(static_cast<char>(c));
                } else {
                    out.push_back('\\');
                    out.push_back(static_cast<char>('0' + c / 100));
                    out.push_back(static_cast<char>('0' + c / 10 % 10));
                    out.push_back(static_cast<char>('0' + c % 10));
                }
            }
            p += len;
        }
        if (!jumped) pos = p;
        if (out.empty()) out = ".";
        return true;
    }

    bool character_string(std::size_t& pos, std::size_t end, std::string& out) const {
        if (pos >= end) return false;
        std::size_t len = data[pos++];
        if (len > end - pos) return false;
        out.assign(reinterpret_cast<const char*>(data + pos), len);
        pos += len;
        return true;
    }
};

inline std::string format_ipv6(const unsigned char* b) {
    std::uint16_t w[8];
    for (int i = 0; i < 8; ++i) w[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
    // RFC 5952: compress the longest run (>= 2) of zero groups, first one on ties.
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out.push_back(':');
        bool started = false;
        for (int s = 12; s >= 0; s -= 4) {
            int d = (w[i] >> s) & 15;
            if (d || started || s == 0) {
                out.push_back(hex[d]);
                started = true;
            }
        }
    }
    return out;
}

} // namespace detail

/// Parses a DNS response. Records of the answer section whose type is
/// NAPTR, SRV, A or AAAA are collected (CNAMEs are followed by the
/// recursive server; their targets' records are in the same section).
/// Errors: dns_malformed_answer.
inline std::error_code parse_dns_answer(const void* message, std::size_t size, dns_answer& out) {
    out = dns_answer{};
    detail::dns_reader r{static_cast<const unsigned char*>(message), size};
    if (size < 12) return error::dns_malformed_answer;
    const unsigned char* d = r.data;
    if (!(d[2] & 0x80)) return error::dns_malformed_answer; // QR: must be a response
    out.truncated = (d[2] & 0x02) != 0;
    out.rcode = d[3] & 0x0f;
    std::size_t pos = 4;
    std::uint16_t qd = 0, an = 0, ns = 0, ar = 0;
    r.u16(pos, qd);
    r.u16(pos, an);
    r.u16(pos, ns);
    r.u16(pos, ar);
    std::string name;
    for (std::uint16_t i = 0; i < qd; ++i) {
        if (!r.name(pos, name)) return error::dns_malformed_answer;
        if (size - pos < 4 || pos > size) return error::dns_malformed_answer;
        pos += 4;
    }
    for (std::uint16_t i = 0; i < an; ++i) {
        std::uint16_t type = 0, cls = 0, rdlen = 0;
        std::uint32_t ttl = 0;
        if (!r.name(pos, name) || !r.u16(pos, type) || !r.u16(pos, cls) || !r.u32(pos, ttl) ||
            !r.u16(pos, rdlen) || rdlen > size - pos)
            return error::dns_malformed_answer;
        const std::size_t end = pos + rdlen;
        std::size_t p = pos;
        if (cls == 1) {
            switch (static_cast<dns_type>(type)) {
            case dns_type::a:
                if (rdlen != 4) return error::dns_malformed_answer;
                out.addresses.push_back(std::to_string(d[p]) + '.' + std::to_string(d[p + 1]) +
                                        '.' + std::to_string(d[p + 2]) + '.' +
                                        std::to_string(d[p + 3]));
                break;
            case dns_type::aaaa:
                if (rdlen != 16) return error::dns_malformed_answer;
                out.addresses.push_back(detail::format_ipv6(d + p));
                break;
            case dns_type::srv: {
                srv_record s;
                if (!r.u16(p, s.priority) || !r.u16(p, s.weight) || !r.u16(p, s.port) ||
                    !r.name(p, s.target) || p != end)
                    return error::dns_malformed_answer;
                out.srv.push_back(std::move(s));
                break;
            }
            case dns_type::naptr: {
                naptr_record n;
                if (!r.u16(p, n.order) || !r.u16(p, n.preference) ||
                    !r.character_string(p, end, n.flags) ||
                    !r.character_string(p, end, n.service) ||
                    !r.character_string(p, end, n.regexp) || !r.name(p, n.replacement) || p != end)
                    return error::dns_malformed_answer;
                out.naptr.push_back(std::move(n));
                break;
            }
            default:
                break;
            }
        }
        pos = end;
    }
    (void)ns;
    (void)ar;
    return {};
}

} // namespace sipws::rfc7118

#endif
