// The connector keeps one attempt per address in the CONNECTING state
// (RFC 6455 4.1): a server that holds the first opening handshake sees no
// second connection from the same client until the first one has ended.
#include "support/test.hpp"

#include "integration/transport_support.hpp"

#include <asio/use_future.hpp>

#include <future>

using namespace sipws::test;
namespace tr = sipws::transport;

namespace {

/// A listening socket whose connections the test accepts by hand.
struct held_server {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};

    held_server() { acceptor.non_blocking(true); }
    std::string url() { return "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/"; }

    /// A connection waiting in the backlog, if any (never blocks).
    bool try_accept(asio::ip::tcp::socket& s) {
        std::error_code ec;
        acceptor.accept(s, ec);
        return !ec;
    }
    /// Accepts within 10 s and reads the opening handshake request.
    bool accept_request(asio::ip::tcp::socket& s) {
        if (!wait_until([&] { return try_accept(s); })) return false;
        s.non_blocking(false);
        std::string req;
        std::error_code ec;
        asio::read_until(s, asio::dynamic_buffer(req), "\r\n\r\n", ec);
        return !ec && req.rfind("GET / HTTP/1.1\r\n", 0) == 0;
    }
};

bool failed(std::future<tr::flow_id>& f) {
    if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return false;
    try {
        f.get();
        return false;
    } catch (const std::system_error&) {
        return true;
    }
}

} // namespace

TEST_CASE("connector: a second attempt to the same address waits while the first is CONNECTING",
          "[transport][connector][WS6455-4.1-a]") {
    io_runner run(2);
    tr::connector<> client(run.io);
    held_server a, b;

    auto first = client.async_connect(a.url(), asio::use_future);
    auto second = client.async_connect(a.url(), asio::use_future);
    asio::ip::tcp::socket s1(a.io), s2(a.io), other(b.io);
    REQUIRE(a.accept_request(s1));

    // Another address is not held up by it.
    auto third = client.async_connect(b.url(), asio::use_future);
    REQUIRE(b.accept_request(other));

    // While one handshake is pending (whichever attempt resolved first), the
    // other has not even connected: nothing waits in the backlog.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(a.try_accept(s2));
    CHECK(first.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
    CHECK(second.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);

    // The server drops that one: it fails, and only then the other connects.
    s1.close();
    REQUIRE(a.accept_request(s2));
    s2.close();
    CHECK(failed(first));
    CHECK(failed(second));
    other.close();
    CHECK(failed(third));
}

TEST_CASE("connector: an attempt that waits for another one can time out, and the queue moves on",
          "[transport][connector][WS6455-4.1-a]") {
    io_runner run(2);
    tr::connector<> client(run.io);
    tr::limits lim = client.get_limits();
    lim.connect_timeout = std::chrono::milliseconds(300);
    lim.handshake_timeout = std::chrono::seconds(30);
    client.set_limits(lim);
    held_server a;

    auto first = client.async_connect(a.url(), asio::use_future);
    asio::ip::tcp::socket s1(a.io), s2(a.io), s3(a.io);
    REQUIRE(a.accept_request(s1));
    auto second = client.async_connect(a.url(), asio::use_future);
    // The second one's connect timeout runs out while the first is held.
    REQUIRE(second.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    try {
        second.get();
        FAIL("the waiting attempt connected");
    } catch (const std::system_error& e) {
        CHECK(e.code() == tr::error::connect_timeout);
    }
    CHECK(first.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);

    // When the first ends, the address is free again for a new attempt.
    s1.close();
    CHECK(failed(first));
    auto third = client.async_connect(a.url(), asio::use_future);
    REQUIRE(a.accept_request(s3));
    CHECK_FALSE(a.try_accept(s2)); // the timed-out attempt never connected
    s3.close();
    CHECK(failed(third));
}
