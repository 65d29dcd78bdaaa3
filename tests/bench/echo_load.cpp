// Echo load client for WebSocket echo servers (and a raw-TCP echo floor).
//
//   bench_echo_load --port P [--raw] [-c C] [-s S] [-w W] [-t T] [--name N]
//       C connections each keep W messages of S octets in flight for T
//       seconds; prints messages/s, MB/s and the p50/p99 round-trip latency.
//   bench_echo_load --raw-server P      a raw TCP echo server (the floor)
//   bench_echo_load --port P --idle N [--tls]   opens N WebSocket (--tls:
//       wss, no certificate check) connections and holds them until stdin
//       closes (the script measures the server's RSS)
//
// Driven by tests/bench/echo_load.sh, which runs the same load against
// sipws-echo-server, websocketpp, Boost.Beast and the raw floor.
#include <asio.hpp>
#include <asio/ssl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {
using clock_type = std::chrono::steady_clock;

struct settings {
    unsigned short port = 0;
    bool raw = false;
    int conns = 100;
    std::size_t size = 300;
    int window = 1;
    double seconds = 5;
    int idle = 0;
    bool tls = false;
    std::string name = "server";
};

struct stats {
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    std::vector<std::uint32_t> lat_us;
    bool measuring = false;
};

class conn : public std::enable_shared_from_this<conn> {
public:
    conn(asio::io_context& io, const settings& s, stats& st) : sock_(io), s_(s), st_(st) {
        // One masked frame with a zero key (payload unchanged), or raw bytes.
        std::string payload(s.size, 'x');
        if (s.raw) {
            frame_ = payload;
        } else {
            frame_.push_back(static_cast<char>(0x81));
            if (s.size < 126) {
                frame_.push_back(static_cast<char>(0x80 | s.size));
            } else if (s.size < 65536) {
                frame_.push_back(static_cast<char>(0x80 | 126));
                frame_.push_back(static_cast<char>(s.size >> 8));
                frame_.push_back(static_cast<char>(s.size & 0xFF));
            } else {
                frame_.push_back(static_cast<char>(0x80 | 127));
                for (int sh = 56; sh >= 0; sh -= 8) frame_.push_back(static_cast<char>((s.size >> sh) & 0xFF));
            }
            frame_.append(4, '\0');
            frame_ += payload;
        }
        rbuf_.resize(std::max<std::size_t>(65536, s.size * 2 + 64));
    }

    static const char* upgrade_request() {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    void start(const asio::ip::tcp::endpoint& ep, std::function<void(bool)> ready) {
        ready_ = std::move(ready);
        auto self = shared_from_this();
        sock_.async_connect(ep, [this, self](std::error_code ec) {
            if (ec) return ready_(false);
            sock_.set_option(asio::ip::tcp::no_delay(true));
            if (s_.raw) return ready_(true);
            req_ = upgrade_request();
            asio::async_write(sock_, asio::buffer(req_), [this, self](std::error_code e, std::size_t) {
                if (e) return ready_(false);
                asio::async_read_until(sock_, asio::dynamic_buffer(head_), "\r\n\r\n",
                                       [this, self](std::error_code e2, std::size_t n) {
                                           if (e2 || head_.compare(0, 12, "HTTP/1.1 101") != 0)
                                               return ready_(false);
                                           have_ = head_.size() - n;
                                           std::memcpy(rbuf_.data(), head_.data() + n, have_);
                                           ready_(true);
                                       });
            });
        });
    }

    void run() {
        for (int i = 0; i < s_.window; ++i) send_one();
        read();
    }

private:
    void send_one() {
        sent_.push_back(clock_type::now());
        out_ += frame_;
        if (!writing_) write();
    }
    void write() {
        writing_ = true;
        wbuf_.swap(out_);
        out_.clear();
        auto self = shared_from_this();
        asio::async_write(sock_, asio::buffer(wbuf_), [this, self](std::error_code ec, std::size_t) {
            writing_ = false;
            if (ec) return;
            if (!out_.empty()) write();
        });
    }
    void read() {
        auto self = shared_from_this();
        sock_.async_read_some(asio::buffer(rbuf_.data() + have_, rbuf_.size() - have_),
                              [this, self](std::error_code ec, std::size_t n) {
                                  if (ec) return;
                                  have_ += n;
                                  parse();
                                  read();
                              });
    }
    void parse() {
        std::size_t off = 0;
        for (;;) {
            std::size_t need;
            std::size_t hdr = 0;
            if (s_.raw) {
                need = s_.size;
            } else {
                if (have_ - off < 2) break;
                auto* p = reinterpret_cast<unsigned char*>(rbuf_.data() + off);
                std::uint64_t len = p[1] & 0x7F;
                hdr = 2;
                if (len == 126) {
                    if (have_ - off < 4) break;
                    len = (std::uint64_t(p[2]) << 8) | p[3];
                    hdr = 4;
                } else if (len == 127) {
                    if (have_ - off < 10) break;
                    len = 0;
                    for (int i = 2; i < 10; ++i) len = (len << 8) | p[i];
                    hdr = 10;
                }
                need = hdr + len;
            }
            if (have_ - off < need) break;
            off += need;
            on_message();
        }
        std::memmove(rbuf_.data(), rbuf_.data() + off, have_ - off);
        have_ -= off;
    }
    void on_message() {
        auto now = clock_type::now();
        if (st_.measuring) {
            ++st_.messages;
            st_.bytes += s_.size;
            if (!sent_.empty() && (st_.messages & 7) == 0)
                st_.lat_us.push_back(static_cast<std::uint32_t>(
                    std::chrono::duration_cast<std::chrono::microseconds>(now - sent_.front()).count()));
        }
        if (!sent_.empty()) sent_.pop_front();
        send_one();
    }

    asio::ip::tcp::socket sock_;
    const settings& s_;
    stats& st_;
    std::string frame_, req_, head_, out_, wbuf_;
    std::vector<char> rbuf_;
    std::size_t have_ = 0;
    bool writing_ = false;
    std::deque<clock_type::time_point> sent_;
    std::function<void(bool)> ready_;
};

int raw_server(unsigned short port) {
    asio::io_context io;
    asio::ip::tcp::acceptor acc(io, {asio::ip::make_address("127.0.0.1"), port});
    struct session : std::enable_shared_from_this<session> {
        explicit session(asio::ip::tcp::socket s) : sock(std::move(s)) {}
        void read() {
            auto self = shared_from_this();
            sock.async_read_some(asio::buffer(buf), [self](std::error_code ec, std::size_t n) {
                if (ec) return;
                asio::async_write(self->sock, asio::buffer(self->buf, n),
                                  [self](std::error_code e, std::size_t) {
                                      if (!e) self->read();
                                  });
            });
        }
        asio::ip::tcp::socket sock;
        char buf[65536];
    };
    std::function<void()> accept = [&] {
        acc.async_accept([&](std::error_code ec, asio::ip::tcp::socket s) {
            if (!ec) {
                s.set_option(asio::ip::tcp::no_delay(true));
                std::make_shared<session>(std::move(s))->read();
            }
            accept();
        });
    };
    accept();
    std::printf("listening %u\n", unsigned(port));
    std::fflush(stdout);
    io.run();
    return 0;
}
} // namespace

namespace {
/// An idle wss connection: TCP, TLS (no certificate check), upgrade, then
/// nothing.
class tls_idle_conn : public std::enable_shared_from_this<tls_idle_conn> {
public:
    tls_idle_conn(asio::io_context& io, asio::ssl::context& ctx) : stream_(io, ctx) {}
    void start(const asio::ip::tcp::endpoint& ep, std::function<void(bool)> ready) {
        ready_ = std::move(ready);
        auto self = shared_from_this();
        stream_.next_layer().async_connect(ep, [this, self](std::error_code ec) {
            if (ec) return ready_(false);
            stream_.async_handshake(asio::ssl::stream_base::client, [this, self](std::error_code e) {
                if (e) return ready_(false);
                asio::async_write(stream_, asio::buffer(conn::upgrade_request(), std::strlen(conn::upgrade_request())),
                                  [this, self](std::error_code e2, std::size_t) {
                                      if (e2) return ready_(false);
                                      asio::async_read_until(
                                          stream_, asio::dynamic_buffer(head_), "\r\n\r\n",
                                          [this, self](std::error_code e3, std::size_t) {
                                              ready_(!e3 && head_.compare(0, 12, "HTTP/1.1 101") == 0);
                                          });
                                  });
            });
        });
    }

private:
    asio::ssl::stream<asio::ip::tcp::socket> stream_;
    std::function<void(bool)> ready_;
    std::string head_;
};
} // namespace

int main(int argc, char** argv) {
    settings s;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : "0"; };
        if (a == "--raw-server") return raw_server(static_cast<unsigned short>(std::stoi(next())));
        if (a == "--port") s.port = static_cast<unsigned short>(std::stoi(next()));
        else if (a == "--raw") s.raw = true;
        else if (a == "-c") s.conns = std::stoi(next());
        else if (a == "-s") s.size = std::stoul(next());
        else if (a == "-w") s.window = std::stoi(next());
        else if (a == "-t") s.seconds = std::stod(next());
        else if (a == "--idle") s.idle = std::stoi(next());
        else if (a == "--tls") s.tls = true;
        else if (a == "--name") s.name = next();
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    asio::io_context io;
    stats st;
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), s.port);
    const int n = s.idle ? s.idle : s.conns;
    std::vector<std::shared_ptr<conn>> conns;
    std::vector<std::shared_ptr<tls_idle_conn>> tls_conns;
    asio::ssl::context tls_ctx(asio::ssl::context::tls_client);
    if (s.tls && !s.idle) {
        std::fprintf(stderr, "--tls is for --idle only\n");
        return 2;
    }
    int ready = 0, failed = 0;
    for (int i = 0; i < n; ++i) {
        if (s.tls) {
            tls_conns.push_back(std::make_shared<tls_idle_conn>(io, tls_ctx));
            tls_conns.back()->start(ep, [&](bool ok) { ok ? ++ready : ++failed; });
        } else {
            conns.push_back(std::make_shared<conn>(io, s, st));
            conns.back()->start(ep, [&](bool ok) { ok ? ++ready : ++failed; });
        }
        if (i % 200 == 199) { // do not flood the backlog
            io.restart();
            io.run_for(std::chrono::milliseconds(20));
        }
    }
    while (ready + failed < n) {
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
    }
    if (failed) {
        std::fprintf(stderr, "%s: %d connections failed\n", s.name.c_str(), failed);
        return 1;
    }
    if (s.idle) {
        std::printf("idle %d\n", ready);
        std::fflush(stdout);
        std::string line;
        std::getline(std::cin, line);
        return 0;
    }
    for (auto& c : conns) c->run();
    io.restart();
    io.run_for(std::chrono::milliseconds(1000)); // warm-up
    st.measuring = true;
    auto t0 = clock_type::now();
    io.run_for(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s.seconds)));
    double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    st.measuring = false;
    std::sort(st.lat_us.begin(), st.lat_us.end());
    auto pct = [&](double p) -> unsigned {
        if (st.lat_us.empty()) return 0;
        return st.lat_us[static_cast<std::size_t>(p * double(st.lat_us.size() - 1))];
    };
    std::printf("%-12s C=%d S=%zu W=%d  %10.0f msg/s  %8.1f MB/s  p50 %6u us  p99 %6u us\n",
                s.name.c_str(), s.conns, s.size, s.window, double(st.messages) / secs,
                double(st.bytes) / secs / 1e6, pct(0.5), pct(0.99));
    return 0;
}
