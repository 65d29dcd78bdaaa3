// Boost.Beast echo server for tests/bench/echo_load.sh (the comparison peer).
//   bench_echo_peer_beast PORT     one thread, 127.0.0.1, echoes every message
#if defined(SIPWS_HAVE_BEAST)
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
class session : public std::enable_shared_from_this<session> {
public:
    explicit session(tcp::socket&& s) : ws_(std::move(s)) {}
    void run() {
        ws_.async_accept(beast::bind_front_handler(&session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (!ec) read();
    }
    void read() { ws_.async_read(buf_, beast::bind_front_handler(&session::on_read, shared_from_this())); }
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        ws_.text(ws_.got_text());
        ws_.async_write(buf_.data(), beast::bind_front_handler(&session::on_write, shared_from_this()));
    }
    void on_write(beast::error_code ec, std::size_t) {
        if (ec) return;
        buf_.consume(buf_.size());
        read();
    }
    websocket::stream<tcp::socket> ws_;
    beast::flat_buffer buf_;
};

void accept(tcp::acceptor& a) {
    a.async_accept([&a](beast::error_code ec, tcp::socket s) {
        if (!ec) {
            s.set_option(tcp::no_delay(true));
            std::make_shared<session>(std::move(s))->run();
        }
        accept(a);
    });
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    net::io_context io(1);
    tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(argv[1]))});
    accept(a);
    std::printf("listening %s\n", argv[1]);
    std::fflush(stdout);
    io.run();
}
#else
#include <cstdio>
int main() {
    std::fprintf(stderr, "built without Boost.Beast (libboost-dev)\n");
    return 1;
}
#endif
