// websocketpp echo server for tests/bench/echo_load.sh (the comparison peer).
//   bench_echo_peer_websocketpp PORT   one thread, 127.0.0.1, echoes every message
#if defined(SIPWS_HAVE_WEBSOCKETPP)
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <cstdio>
#include <string>

using server = websocketpp::server<websocketpp::config::asio>;

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    server s;
    s.clear_access_channels(websocketpp::log::alevel::all);
    s.clear_error_channels(websocketpp::log::elevel::all);
    s.init_asio();
    s.set_reuse_addr(true);
    s.set_message_handler([&s](websocketpp::connection_hdl h, server::message_ptr m) {
        websocketpp::lib::error_code ec;
        s.send(h, m->get_payload(), m->get_opcode(), ec);
    });
    s.set_open_handler([&s](websocketpp::connection_hdl h) {
        websocketpp::lib::error_code ec;
        auto c = s.get_con_from_hdl(h, ec);
        if (!ec) c->get_raw_socket().set_option(websocketpp::lib::asio::ip::tcp::no_delay(true), ec);
    });
    s.listen(websocketpp::lib::asio::ip::tcp::endpoint(websocketpp::lib::asio::ip::make_address("127.0.0.1"),
                                            static_cast<unsigned short>(std::stoi(argv[1]))));
    s.start_accept();
    std::printf("listening %s\n", argv[1]);
    std::fflush(stdout);
    s.run();
}
#else
#include <cstdio>
int main() {
    std::fprintf(stderr, "built without websocketpp (libwebsocketpp-dev)\n");
    return 1;
}
#endif
