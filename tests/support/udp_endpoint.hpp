// Test-side bare SIP endpoint on a UDP socket bound to 127.0.0.1 (a free
// port chosen by the kernel): it sends datagrams to a loopback port and
// receives with a timeout. Tests use it to play an edge proxy, a registrar or
// a UDP user agent against a real program.
#ifndef SIPWS_TEST_SUPPORT_UDP_ENDPOINT_HPP
#define SIPWS_TEST_SUPPORT_UDP_ENDPOINT_HPP

#include "support/test.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace sipws::test {

class udp_endpoint {
public:
    udp_endpoint() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port_ = ntohs(a.sin_port);
    }
    udp_endpoint(const udp_endpoint&) = delete;
    udp_endpoint& operator=(const udp_endpoint&) = delete;
    ~udp_endpoint() { ::close(fd_); }

    unsigned short port() const noexcept { return port_; }
    /// The source port of the last datagram received (0 before any).
    unsigned short last_source_port() const noexcept { return last_port_; }

    void send_to(unsigned short port, const std::string& msg) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        auto n = ::sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
        REQUIRE(n == static_cast<ssize_t>(msg.size()));
    }

    /// The next datagram, or "" after \p timeout.
    std::string receive(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
        char buf[65536];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        auto n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n <= 0) return {};
        last_port_ = ntohs(from.sin_port);
        return std::string(buf, static_cast<std::size_t>(n));
    }

private:
    int fd_ = -1;
    unsigned short port_ = 0, last_port_ = 0;
};

} // namespace sipws::test

#endif
