// Test-side TCP relay on 127.0.0.1: every connection it accepts is joined to
// a new connection to a target port, bytes copied both ways, until cut()
// drops them all at once (to take one flow away from a program under test
// without touching its peer). pause() holds the bytes instead, so that
// what was sent is lost with the flow when cut() follows.
#ifndef SIPWS_TEST_SUPPORT_TCP_RELAY_HPP
#define SIPWS_TEST_SUPPORT_TCP_RELAY_HPP

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace sipws::test {

class tcp_relay {
public:
    /// Relays 127.0.0.1:port() to 127.0.0.1:\p target_port; port() is
    /// \p listen_port when not 0 (a server that comes up on a known port).
    explicit tcp_relay(unsigned short target_port, unsigned short listen_port = 0) : target_(target_port) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a = loopback(listen_port);
        socklen_t len = sizeof a;
        if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(listen_fd_, 8) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("tcp_relay: cannot listen");
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    tcp_relay(const tcp_relay&) = delete;
    tcp_relay& operator=(const tcp_relay&) = delete;
    ~tcp_relay() {
        stop_ = true;
        thread_.join();
        cut();
        ::close(listen_fd_);
    }

    unsigned short port() const noexcept { return port_; }

    /// Stops copying: bytes wait in the sockets until cut() (or resume()).
    /// Returns once the relay copies nothing more.
    void pause() {
        paused_ = true;
        const unsigned from = loops_;
        while (loops_ - from < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    void resume() { paused_ = false; }

    /// Drops every relayed connection (both sides see a reset or EOF).
    void cut() {
        std::lock_guard<std::mutex> lk(mu_);
        for (auto& p : pairs_) {
            ::shutdown(p.first, SHUT_RDWR);
            ::shutdown(p.second, SHUT_RDWR);
            ::close(p.first);
            ::close(p.second);
        }
        pairs_.clear();
    }

private:
    static sockaddr_in loopback(unsigned short port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        return a;
    }

    void run() {
        for (; !stop_; ++loops_) {
            std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
            if (!paused_) {
                std::lock_guard<std::mutex> lk(mu_);
                for (auto& p : pairs_) {
                    fds.push_back({p.first, POLLIN, 0});
                    fds.push_back({p.second, POLLIN, 0});
                }
            }
            if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
            if (fds[0].revents & POLLIN) accept_one();
            std::lock_guard<std::mutex> lk(mu_);
            for (std::size_t i = 1; i < fds.size(); ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                const std::size_t pair = (i - 1) / 2;
                if (pair >= pairs_.size() || fds[i].fd != ((i % 2) ? pairs_[pair].first : pairs_[pair].second))
                    continue; // cut() since
                const int from = fds[i].fd;
                const int to = (i % 2) ? pairs_[pair].second : pairs_[pair].first;
                char buf[16384];
                const ssize_t n = ::read(from, buf, sizeof buf);
                if (n <= 0 || ::write(to, buf, static_cast<std::size_t>(n)) != n) {
                    ::close(pairs_[pair].first);
                    ::close(pairs_[pair].second);
                    pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(pair));
                    break; // the indexes moved: poll again
                }
            }
        }
    }

    void accept_one() {
        const int in = ::accept(listen_fd_, nullptr, nullptr);
        if (in < 0) return;
        const int out = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in t = loopback(target_);
        if (out < 0 || ::connect(out, reinterpret_cast<sockaddr*>(&t), sizeof t) != 0) {
            ::close(in);
            if (out >= 0) ::close(out);
            return;
        }
        std::lock_guard<std::mutex> lk(mu_);
        pairs_.emplace_back(in, out);
    }

    unsigned short target_;
    unsigned short port_ = 0;
    int listen_fd_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<bool> paused_{false};
    std::atomic<unsigned> loops_{0}; // poll rounds begun
    std::mutex mu_;
    std::vector<std::pair<int, int>> pairs_;
    std::thread thread_;
};

} // namespace sipws::test

#endif
