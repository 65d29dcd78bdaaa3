// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_DNS_SYSTEM_RESOLVER_HPP
#define SIPWS_RFC7118_DNS_SYSTEM_RESOLVER_HPP

/// \file
/// A D2W resolver policy (see <sipws/rfc7118/dns.hpp>) over the system's
/// stub resolver: res_ninit / res_nquery / res_nclose, answers parsed by
/// parse_dns_answer(). POSIX only.
///
/// Linking: these functions live in libresolv on most systems (and on
/// glibc before 2.34; glibc 2.34+ also has them in libc). Link `resolv`
/// (`-lresolv`, or `target_link_libraries(app PRIVATE resolv)`) when you
/// include this header.
///
/// By default the servers of /etc/resolv.conf are used; options.nameserver
/// (an IPv4 address) and options.port select one server explicitly, which
/// is how tests point it at a local DNS server. Each object owns its own
/// resolver state: use one per thread. Lookups block for at most about
/// timeout x attempts per query, so call them off the I/O thread.

#include <sipws/rfc7118/dns_message.hpp>
#include <sipws/rfc7118/error.hpp>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::rfc7118 {

struct system_resolver_options {
    std::string nameserver; ///< IPv4 address; empty: /etc/resolv.conf
    std::uint16_t port = 53;
    std::chrono::seconds timeout{2}; ///< per attempt (resolver granularity is 1 s)
    int attempts = 2;
    std::size_t max_answer_size = 65535;
};

class system_resolver {
public:
    /// Throws std::runtime_error when the resolver cannot be initialised and
    /// std::invalid_argument for a nameserver that is not an IPv4 address.
    explicit system_resolver(system_resolver_options options = {}) : options_(std::move(options)) {
        std::memset(&state_, 0, sizeof state_);
        if (res_ninit(&state_) != 0) throw std::runtime_error("sipws: res_ninit failed");
        state_.options |= RES_USE_EDNS0;
        state_.retrans =
            static_cast<int>(options_.timeout.count() > 0 ? options_.timeout.count() : 1);
        state_.retry = options_.attempts > 0 ? options_.attempts : 1;
        if (!options_.nameserver.empty()) {
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(options_.port);
            if (inet_pton(AF_INET, options_.nameserver.c_str(), &sa.sin_addr) != 1) {
                res_nclose(&state_);
                throw std::invalid_argument("sipws: nameserver must be an IPv4 address");
            }
#if defined(__GLIBC__)
            // glibc keeps IPv6 servers from resolv.conf in _u._ext.nsaddrs,
            // which take precedence over nsaddr_list: drop them.
            for (int i = 0; i < MAXNS; ++i) {
                if (state_._u._ext.nsaddrs[i]) {
                    std::free(state_._u._ext.nsaddrs[i]);
                    state_._u._ext.nsaddrs[i] = nullptr;
                }
            }
#endif
            state_.nsaddr_list[0] = sa;
            state_.nscount = 1;
        }
    }
    system_resolver(const system_resolver&) = delete;
    system_resolver& operator=(const system_resolver&) = delete;
    ~system_resolver() {
        res_nclose(&state_);
    }

    std::error_code query_naptr(std::string_view name, std::vector<naptr_record>& out) {
        dns_answer a;
        if (auto ec = query(name, dns_type::naptr, a)) return ec;
        out.insert(out.end(), a.naptr.begin(), a.naptr.end());
        return {};
    }
    std::error_code query_srv(std::string_view name, std::vector<srv_record>& out) {
        dns_answer a;
        if (auto ec = query(name, dns_type::srv, a)) return ec;
        out.insert(out.end(), a.srv.begin(), a.srv.end());
        return {};
    }
    /// A records first, then AAAA.
    std::error_code query_addresses(std::string_view name, std::vector<std::string>& out) {
        dns_answer a4, a6;
        auto e4 = query(name, dns_type::a, a4);
        auto e6 = query(name, dns_type::aaaa, a6);
        if (e4 && e6) return e4;
        out.insert(out.end(), a4.addresses.begin(), a4.addresses.end());
        out.insert(out.end(), a6.addresses.begin(), a6.addresses.end());
        return {};
    }

    /// One raw lookup; "no such name" and "no data" are success with an
    /// empty answer.
    std::error_code query(std::string_view name, dns_type type, dns_answer& answer) {
        answer = dns_answer{};
        if (name.empty() || name.size() > 253 || name.find('\0') != std::string_view::npos)
            return error::invalid_target;
        std::string n(name);
        buffer_.resize(options_.max_answer_size);
        int len = res_nquery(&state_, n.c_str(), ns_c_in, static_cast<int>(type), buffer_.data(),
                             static_cast<int>(buffer_.size()));
        if (len < 0) {
            switch (state_.res_h_errno) {
            case HOST_NOT_FOUND:
            case NO_DATA:
                return {};
            default:
                return error::dns_failure;
            }
        }
        std::size_t size = std::min<std::size_t>(static_cast<std::size_t>(len), buffer_.size());
        if (auto ec = parse_dns_answer(buffer_.data(), size, answer)) return ec;
        // The types we asked for only (a CNAME's target records are included).
        if (type == dns_type::a || type == dns_type::aaaa) {
            std::vector<std::string> keep;
            for (auto& addr : answer.addresses)
                if ((addr.find(':') != std::string::npos) == (type == dns_type::aaaa))
                    keep.push_back(addr);
            answer.addresses = std::move(keep);
        }
        return {};
    }

private:
    system_resolver_options options_;
    struct __res_state state_;
    std::vector<unsigned char> buffer_;
};

} // namespace sipws::rfc7118

#endif
