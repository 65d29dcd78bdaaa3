// Test-side DNS server: Debian's dnsmasq on a free loopback port serving
// the records a test gives (--naptr-record, --srv-host, --host-record ...)
// for example.test, and a system_resolver pointed at it.
#ifndef SIPWS_TEST_SUPPORT_DNSMASQ_HPP
#define SIPWS_TEST_SUPPORT_DNSMASQ_HPP

#include <sipws/rfc7118/dns_system_resolver.hpp>

#include "support/process.hpp"
#include "support/test.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sipws::test {

class dnsmasq {
public:
    explicit dnsmasq(const std::vector<std::string>& records) : port_(free_port()) {
        std::vector<std::string> argv = {"dnsmasq",
                                         "--no-daemon",
                                         "--port=" + std::to_string(port_),
                                         "--listen-address=127.0.0.1",
                                         "--bind-interfaces",
                                         "--no-resolv",
                                         "--no-hosts",
                                         "--conf-file=/dev/null",
                                         "--log-facility=-",
                                         "--local=/example.test/"};
        argv.insert(argv.end(), records.begin(), records.end());
        try {
            proc_ = std::make_unique<process>(argv);
        } catch (const std::exception& e) {
            FAIL("cannot start dnsmasq (Debian package dnsmasq-base): " << e.what());
        }
        if (!proc_->wait_for_output("started")) {
            FAIL("dnsmasq did not start: " << proc_->output());
        }
    }
    std::uint16_t port() const { return port_; }
    rfc7118::system_resolver resolver() const { return rfc7118::system_resolver(options()); }
    /// "127.0.0.1:PORT", as sipws-client --dns-server takes it.
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    rfc7118::system_resolver_options options() const {
        rfc7118::system_resolver_options o;
        o.nameserver = "127.0.0.1";
        o.port = port_;
        o.timeout = std::chrono::seconds(1);
        o.attempts = 2;
        return o;
    }

private:
    std::uint16_t port_;
    std::unique_ptr<process> proc_;
};

} // namespace sipws::test

#endif
