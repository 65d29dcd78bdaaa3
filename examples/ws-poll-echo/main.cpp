// WebSocket echo server on the sipws engine and a poll() loop (no Asio).
// See README.md.
#include <sipws/ws/engine.hpp>
#include <sipws/ws/server_handshake.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace ws = sipws::ws;
using steady = std::chrono::steady_clock;

constexpr std::size_t max_pending_output = 4 * 1024 * 1024;

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) {
    stop_requested = 1;
}

struct connection {
    int fd = -1;
    std::unique_ptr<ws::server_handshake> handshake = std::make_unique<ws::server_handshake>();
    std::unique_ptr<ws::engine> engine; // set once the 101 is sent
    std::string out;                    // octets waiting for the socket
    ws::engine_options options;
    bool close_after_flush = false; // shut down once `out` is written
    bool lingering = false;         // shut down; waiting for the peer's EOF
    steady::time_point deadline;    // end of the handshake, then of the linger
};

struct settings {
    std::string address = "127.0.0.1";
    unsigned short port = 0;
    ws::engine_options engine;
    std::chrono::seconds handshake_timeout{10};
};

void take_pending(connection& c) {
    if (c.engine->has_pending_output()) {
        c.out += c.engine->pending_output();
        c.engine->pop_output(c.engine->pending_output().size());
    }
}

/// Runs the frame engine over [data, data + size).
void on_frames(connection& c, char* data, std::size_t size) {
    std::size_t at = 0;
    for (;;) {
        ws::event ev = c.engine->consume(data + at, size - at);
        at += ev.consumed;
        if (ev.type == ws::event_type::none) break;
        if (ev.type == ws::event_type::message) {
            // Echo with the same opcode into our own output buffer.
            std::size_t old = c.out.size();
            c.out.resize(old + c.engine->encoded_size(ev.payload.size()));
            std::error_code ec;
            std::size_t n = c.engine->encode_message(ev.message, ev.payload.data(),
                                                     ev.payload.size(), &c.out[old], ec);
            c.out.resize(old + n); // n == 0 once closing: the echo is dropped
        } else if (ev.type == ws::event_type::error) {
            std::fprintf(stderr, "fd %d: %s (close %u)\n", c.fd, ev.error.message().c_str(),
                         static_cast<unsigned>(ev.code));
        }
        take_pending(c); // pong, close reply, failure close
    }
    take_pending(c);
    if (c.engine->action() != ws::transport_action::keep_open) c.close_after_flush = true;
}

/// Handles octets read from a connection.
void on_readable(connection& c, char* data, std::size_t size) {
    if (c.close_after_flush) return; // ignore input while closing
    if (!c.engine) {
        std::size_t used = 0;
        ws::handshake_status st = c.handshake->feed(data, size, used);
        if (st == ws::handshake_status::need_more) return;
        if (st == ws::handshake_status::ready) c.handshake->accept();
        c.out += c.handshake->response();
        if (c.handshake->status() != ws::handshake_status::accepted) {
            std::fprintf(stderr, "fd %d: handshake refused: %s\n", c.fd,
                         c.handshake->error().message().c_str());
            c.close_after_flush = true;
            return;
        }
        c.handshake.reset();
        c.engine = std::make_unique<ws::engine>(ws::role::server, c.options);
        // Frames that came with the request belong to the engine.
        data += used;
        size -= used;
    }
    on_frames(c, data, size);
}

bool flush(connection& c) {
    while (!c.out.empty()) {
        ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
        c.out.erase(0, static_cast<std::size_t>(n));
    }
    return true;
}

int listen_on(const settings& s, unsigned short& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(s.port);
    if (::inet_pton(AF_INET, s.address.c_str(), &a.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 128) != 0) {
        ::close(fd);
        return -1;
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    return fd;
}

bool parse_args(int argc, char** argv, settings& s) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (i + 1 >= argc) return false;
        std::string value = argv[++i];
        if (arg == "--listen") {
            auto colon = value.rfind(':');
            if (colon == std::string::npos) return false;
            s.address = value.substr(0, colon);
            s.port =
                static_cast<unsigned short>(std::strtoul(value.c_str() + colon + 1, nullptr, 10));
        } else if (arg == "--max-message") {
            s.engine.max_message_size = s.engine.max_frame_size =
                std::strtoull(value.c_str(), nullptr, 10);
        } else if (arg == "--handshake-timeout") {
            s.handshake_timeout = std::chrono::seconds(std::strtol(value.c_str(), nullptr, 10));
        } else {
            return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    settings s;
    if (!parse_args(argc, argv, s)) {
        std::fprintf(stderr,
                     "usage: %s [--listen ADDR:PORT] [--max-message BYTES] "
                     "[--handshake-timeout SECONDS]\n",
                     argv[0]);
        return 64;
    }
    ::signal(SIGINT, on_signal);
    ::signal(SIGTERM, on_signal);
    unsigned short port = 0;
    int lfd = listen_on(s, port);
    if (lfd < 0) {
        std::perror("listen");
        return 1;
    }
    std::printf("LISTENING %u\n", static_cast<unsigned>(port));
    std::fflush(stdout);

    std::vector<std::unique_ptr<connection>> conns;
    std::vector<pollfd> fds;
    std::vector<char> buf(64 * 1024);
    while (!stop_requested) {
        fds.assign(1, pollfd{lfd, POLLIN, 0});
        for (auto& c : conns) {
            // Back-pressure: a peer that does not read what we echo is not read either.
            const bool may_read = c->out.size() < max_pending_output;
            fds.push_back(
                {c->fd,
                 static_cast<short>((may_read ? POLLIN : 0) | (c->out.empty() ? 0 : POLLOUT)), 0});
        }
        if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) break;

        if (fds[0].revents & POLLIN) {
            int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK);
            if (fd >= 0) {
                int one = 1;
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                auto c = std::make_unique<connection>();
                c->fd = fd;
                c->deadline = steady::now() + s.handshake_timeout;
                c->options = s.engine;
                conns.push_back(std::move(c));
            }
        }
        const auto now = steady::now();
        for (std::size_t i = 0; i + 1 < fds.size() && i < conns.size(); ++i) {
            connection& c = *conns[i];
            bool keep = true;
            if (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n = ::recv(c.fd, buf.data(), buf.size(), 0);
                if (n > 0 && !c.lingering)
                    on_readable(c, buf.data(), static_cast<std::size_t>(n));
                else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                    keep = false;
            }
            // A stalled handshake is dropped.
            if (!c.engine && !c.close_after_flush && !c.lingering && now > c.deadline) keep = false;
            if (keep && !flush(c)) keep = false;
            if (keep && c.close_after_flush && c.out.empty()) {
                // Lingering close: stop writing, wait (bounded) for the peer's
                // EOF so our last frames are not lost to a reset.
                ::shutdown(c.fd, SHUT_WR);
                c.close_after_flush = false;
                c.lingering = true;
                c.deadline = now + std::chrono::seconds(2);
            }
            if (c.lingering && now > c.deadline) keep = false;
            if (!keep) {
                ::close(c.fd);
                c.fd = -1;
            }
        }
        conns.erase(std::remove_if(conns.begin(), conns.end(),
                                   [](const std::unique_ptr<connection>& c) { return c->fd < 0; }),
                    conns.end());
    }
    for (auto& c : conns) ::close(c->fd);
    ::close(lfd);
    return 0;
}
