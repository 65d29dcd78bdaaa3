// Distributed under the Boost Software License, Version 1.0.
// sipws-echo-server: echoes every WebSocket message back with the same
// opcode; sends nothing else. Exits cleanly on SIGINT / SIGTERM.
#include <sipws/transport/listener.hpp>
#include <sipws/transport/tls.hpp>
#include <sipws/ws/url.hpp>

#include <asio/signal_set.hpp>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace tr = sipws::transport;

namespace {
int usage() {
    std::fprintf(stderr, "usage: sipws-echo-server --listen ws://HOST:PORT [--listen wss://HOST:PORT "
                         "--cert FILE --key FILE] [--subprotocol sip|none] [--threads N]\n");
    return 2;
}

template <class L> void setup(L& l, bool require_sip) {
    if (!require_sip) {
        l.subprotocol_policy().when_none_offered = sipws::ws::subprotocol_policy::optional;
    } else {
        l.subprotocol_policy().when_none_offered = sipws::ws::subprotocol_policy::required;
    }
    auto& reg = l.registry();
    l.on_message([&reg](tr::flow_id f, sipws::ws::message_type t, std::string_view m) {
        reg.send(f, t, m);
    });
    sipws::transport::limits lim;
    lim.max_message_size = lim.max_frame_size = 64 * 1024 * 1024;
    lim.max_queued_bytes = 128 * 1024 * 1024;
    lim.max_queued_messages = 1u << 20;
    lim.max_connections = 1u << 20;
    l.set_limits(lim);
}
} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> urls;
    std::string cert, key, sub = "sip";
    unsigned threads = 1;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (a == "--listen") urls.push_back(next());
        else if (a == "--cert") cert = next();
        else if (a == "--key") key = next();
        else if (a == "--subprotocol") sub = next();
        else if (a == "--threads") threads = static_cast<unsigned>(std::stoul(next()));
        else return usage();
    }
    if (urls.empty() || (sub != "sip" && sub != "none") || threads == 0) return usage();

    asio::io_context io;
    auto registry = std::make_shared<tr::flow_registry>();
    std::unique_ptr<asio::ssl::context> tls;
    std::vector<std::unique_ptr<tr::ws_listener<tr::default_config>>> plain;
    std::vector<std::unique_ptr<tr::wss_listener<tr::default_config>>> secure;
    for (const auto& u : urls) {
        auto url = sipws::ws::parse_url(u);
        if (!url) {
            std::fprintf(stderr, "sipws-echo-server: bad URL %s\n", u.c_str());
            return 2;
        }
        std::error_code ec;
        auto addr = asio::ip::make_address(std::string(url->address()), ec);
        if (ec) {
            std::fprintf(stderr, "sipws-echo-server: %s: not an IP address\n", u.c_str());
            return 2;
        }
        asio::ip::tcp::endpoint ep(addr, url->port);
        if (url->secure) {
            if (cert.empty() || key.empty()) return usage();
            if (!tls) {
                try {
                    tls = std::make_unique<asio::ssl::context>(tr::make_server_tls_context(cert, key));
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "sipws-echo-server: TLS: %s\n", e.what());
                    return 1;
                }
            }
            secure.push_back(std::make_unique<tr::wss_listener<tr::default_config>>(io, *tls, registry));
            setup(*secure.back(), sub == "sip");
            ec = secure.back()->listen(ep);
            if (!ec) secure.back()->start();
        } else {
            plain.push_back(std::make_unique<tr::ws_listener<tr::default_config>>(io, registry));
            setup(*plain.back(), sub == "sip");
            ec = plain.back()->listen(ep);
            if (!ec) plain.back()->start();
        }
        if (ec) {
            std::fprintf(stderr, "sipws-echo-server: %s: %s\n", u.c_str(), ec.message().c_str());
            return 1;
        }
        std::printf("listening %s\n", u.c_str());
    }
    std::fflush(stdout);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code, int) {
        for (auto& l : plain) l->stop();
        for (auto& l : secure) l->stop();
        registry->abort_all();
        io.stop();
    });
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    std::printf("stopped\n");
    return 0;
}
