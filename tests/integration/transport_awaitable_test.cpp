// C++20 coroutines: asio::use_awaitable with the connector and async_send.
// Compiled only when the compiler runs coroutines (C++20 mode).
#include "support/test.hpp"

#if defined(__cpp_impl_coroutine)
#include "integration/transport_support.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>

#include <future>

using namespace sipws::test;
namespace tr = sipws::transport;

TEST_CASE("transport: completion tokens: use_awaitable", "[transport][tokens]") {
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    auto* reg = &server.registry();
    server.on_message([reg](tr::flow_id f, sipws::ws::message_type t, std::string_view m) {
        reg->send(f, t, m);
    });
    REQUIRE_FALSE(server.listen(loopback()));
    server.start();
    tr::connector<> client(run.io);
    inbox box;
    client.on_message(box.message_handler());
    std::promise<std::error_code> done;
    const std::string url = ws_url(server.local_endpoint());
    asio::co_spawn(
        run.io,
        [&]() -> asio::awaitable<void> {
            try {
                tr::flow_id f = co_await client.async_connect(url, asio::use_awaitable);
                auto c = client.registry().find(f);
                co_await c->async_send("awaited", asio::use_awaitable);
                done.set_value({});
            } catch (const std::system_error& e) {
                done.set_value(e.code());
            }
        },
        asio::detached);
    CHECK_FALSE(done.get_future().get());
    REQUIRE(wait_until([&] { return box.message_count() == 1; }));
    CHECK(box.messages[0].second == "awaited");
}
#endif
