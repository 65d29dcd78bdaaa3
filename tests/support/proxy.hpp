// Test-side launcher for the sipws-proxy example program (examples/proxy):
// started on free loopback ports, stopped by PID; and a one-shot HTTP GET for
// its web endpoints. Throws std::runtime_error with the program's output
// when it does not start.
#ifndef SIPWS_TEST_SUPPORT_PROXY_HPP
#define SIPWS_TEST_SUPPORT_PROXY_HPP

#include "support/peers.hpp"
#include "support/process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sipws::test {

/// A plain HTTP/1.1 GET of \p target on 127.0.0.1:\p port; the whole answer
/// (status line, fields, body) or "" when the connection fails.
inline std::string http_get(unsigned short port, const std::string& target,
                            const std::string& extra_fields = {}) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_fields + "\r\n";
        if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
            char buf[4096];
            ssize_t n;
            while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

struct proxy_options {
    bool wss = false;               ///< also a wss listener on ::1 (test CA generated)
    bool client_certificates = false; ///< with wss: --client-ca, the test CA
    std::vector<std::string> users; ///< "name:password": --auth when not empty
    std::string web_token;          ///< --web-token when not empty
    std::string domain = "sipws.test";
    std::string log_level = "info";
    unsigned short ws_port = 0;     ///< the ws listener's port (0: a free one)
    unsigned extra_ws = 0;          ///< more ws listeners on 127.0.0.1 (extra_ws_ports())
    unsigned threads = 1;           ///< --threads
    unsigned flow_timer = 0;        ///< --flow-timer when not 0
    bool deflate = false;           ///< --deflate on
    unsigned t1_ms = 0;             ///< --t1 when not 0 (Timer B and F are 64*T1)
    std::vector<std::string> env;   ///< "NAME=value" for the program's environment
};

class sipws_proxy {
public:
    explicit sipws_proxy(const proxy_options& o = {}) {
        dir_ = make_temp_dir("proxy");
        ws_port_ = o.ws_port ? o.ws_port : free_port();
        ws_url_ = "ws://127.0.0.1:" + std::to_string(ws_port_);
        std::vector<std::string> argv{program(), "--listen", ws_url_, "--domain", o.domain,
                                      "--log-level", o.log_level};
        for (unsigned i = 0; i < o.extra_ws; ++i) {
            extra_ws_ports_.push_back(free_port());
            argv.insert(argv.end(), {"--listen", "ws://127.0.0.1:" + std::to_string(extra_ws_ports_.back())});
        }
        if (o.wss) {
            process ca({"bash", peers_dir() + "/make-test-ca.sh", dir_ + "/tls"});
            if (ca.wait(std::chrono::seconds(30)) != 0)
                throw std::runtime_error("make-test-ca.sh failed:\n" + ca.output());
            wss_port_ = free_port(true);
            wss_url_ = "wss://[::1]:" + std::to_string(wss_port_);
            argv.insert(argv.end(), {"--listen", wss_url_, "--cert", dir_ + "/tls/server-chain.pem",
                                     "--key", dir_ + "/tls/server.key"});
            if (o.client_certificates) argv.insert(argv.end(), {"--client-ca", dir_ + "/tls/ca.pem"});
        }
        if (!o.users.empty()) {
            std::string file = dir_ + "/users";
            std::ofstream out(file);
            out << "# test users\n";
            for (const auto& u : o.users) out << u << "\n";
            argv.insert(argv.end(), {"--auth", file});
        }
        if (!o.web_token.empty()) argv.insert(argv.end(), {"--web-token", o.web_token});
        if (o.threads != 1) argv.insert(argv.end(), {"--threads", std::to_string(o.threads)});
        if (o.flow_timer != 0) argv.insert(argv.end(), {"--flow-timer", std::to_string(o.flow_timer)});
        if (o.deflate) argv.insert(argv.end(), {"--deflate", "on"});
        if (o.t1_ms != 0) argv.insert(argv.end(), {"--t1", std::to_string(o.t1_ms)});
        proc_ = std::make_unique<process>(argv, o.env);
        if (!proc_->wait_for_output("sipws-proxy: ready", std::chrono::seconds(10))) {
            std::string out = proc_->output();
            proc_->stop();
            throw std::runtime_error("sipws-proxy did not start (" + program() + "):\n" + out);
        }
    }
    sipws_proxy(const sipws_proxy&) = delete;
    sipws_proxy& operator=(const sipws_proxy&) = delete;
    ~sipws_proxy() {
        stop();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    /// The program (built by target sipws-proxy).
    static std::string program() { return std::string(binary_dir()) + "/examples/proxy/sipws-proxy"; }

    /// SIGTERM (graceful shutdown), then the exit status.
    std::optional<int> stop() { return proc_ ? proc_->stop(std::chrono::seconds(10)) : 0; }

    const std::string& ws_url() const noexcept { return ws_url_; }
    const std::string& wss_url() const noexcept { return wss_url_; }
    unsigned short ws_port() const noexcept { return ws_port_; }
    unsigned short wss_port() const noexcept { return wss_port_; }
    const std::vector<unsigned short>& extra_ws_ports() const noexcept { return extra_ws_ports_; }
    std::string ca_file() const { return dir_ + "/tls/ca.pem"; }
    std::string cert_file() const { return dir_ + "/tls/server.pem"; }
    /// A client certificate of the test CA with subject CN=\p name and the
    /// subjectAltName \p uris: the path of its PEM file; the key is beside
    /// it, with .key for .pem.
    std::string client_certificate(const std::string& name, const std::vector<std::string>& uris) const {
        std::vector<std::string> argv{"bash", peers_dir() + "/make-test-ca.sh", "--client", dir_ + "/tls", name, name};
        argv.insert(argv.end(), uris.begin(), uris.end());
        process p(argv);
        if (p.wait(std::chrono::seconds(30)) != 0)
            throw std::runtime_error("make-test-ca.sh --client failed:\n" + p.output());
        return dir_ + "/tls/" + name + ".pem";
    }
    process& proc() { return *proc_; }

    /// Its `counters:` line (SIGUSR1), "" when none comes within 5 s.
    std::string counters() {
        const std::size_t from = proc_->output().size();
        proc_->signal(SIGUSR1);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        for (;;) {
            const std::string& out = proc_->output();
            const std::size_t at = out.find("counters: ", from);
            const std::size_t end = at == std::string::npos ? at : out.find('\n', at);
            if (end != std::string::npos) return out.substr(at, end - at);
            if (std::chrono::steady_clock::now() > deadline) return {};
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    std::string output() { return proc_->output(); }

private:
    std::string dir_, ws_url_, wss_url_;
    unsigned short ws_port_ = 0, wss_port_ = 0;
    std::vector<unsigned short> extra_ws_ports_;
    std::unique_ptr<process> proc_;
};

} // namespace sipws::test

#endif
