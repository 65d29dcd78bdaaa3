// Test-side launcher for the sipws-gateway example program (examples/gateway)
// in front of an upstream SIP server on UDP or TCP: started on a free
// loopback port (with a wss listener on ::1 when asked), stopped by PID.
// Throws std::runtime_error with the program's output when it does not start.
#ifndef SIPWS_TEST_SUPPORT_GATEWAY_HPP
#define SIPWS_TEST_SUPPORT_GATEWAY_HPP

#include "support/peers.hpp"
#include "support/process.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sipws::test {

/// sipws-gateway on a free loopback port in front of \p upstream_port
/// (UDP, or TCP when \p tcp); with \p wss also a wss listener on ::1 with a
/// certificate of a test CA.
class sipws_gateway {
public:
    explicit sipws_gateway(unsigned short upstream_port, bool tcp = false, bool wss = false) {
        dir_ = make_temp_dir("gateway");
        ws_port_ = free_port();
        ws_url_ = "ws://127.0.0.1:" + std::to_string(ws_port_);
        std::vector<std::string> argv{
            program(), "--listen", ws_url_, "--upstream",
            (tcp ? "tcp://127.0.0.1:" : "udp://127.0.0.1:") + std::to_string(upstream_port), "--log-level",
            "debug"};
        if (wss) {
            process ca({"bash", peers_dir() + "/make-test-ca.sh", dir_ + "/tls"});
            if (ca.wait(std::chrono::seconds(30)) != 0)
                throw std::runtime_error("make-test-ca.sh failed:\n" + ca.output());
            wss_port_ = free_port(true);
            wss_url_ = "wss://[::1]:" + std::to_string(wss_port_);
            argv.insert(argv.end(), {"--listen", wss_url_, "--cert", dir_ + "/tls/server-chain.pem", "--key",
                                     dir_ + "/tls/server.key"});
        }
        proc_ = std::make_unique<process>(argv);
        if (!proc_->wait_for_output("sipws-gateway: ready", std::chrono::seconds(10))) {
            std::string out = proc_->output();
            proc_->stop();
            throw std::runtime_error("sipws-gateway did not start (build target sipws-gateway):\n" + out);
        }
    }
    sipws_gateway(const sipws_gateway&) = delete;
    sipws_gateway& operator=(const sipws_gateway&) = delete;
    ~sipws_gateway() {
        proc_->stop();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    /// The program (built by target sipws-gateway).
    static std::string program() { return std::string(binary_dir()) + "/examples/gateway/sipws-gateway"; }

    const std::string& ws_url() const noexcept { return ws_url_; }
    const std::string& wss_url() const noexcept { return wss_url_; }
    unsigned short ws_port() const noexcept { return ws_port_; }
    unsigned short wss_port() const noexcept { return wss_port_; }
    std::string ca_file() const { return dir_ + "/tls/ca.pem"; }
    std::string output() { return proc_->output(); }
    process& proc() { return *proc_; }

private:
    std::string dir_, ws_url_, wss_url_;
    unsigned short ws_port_ = 0, wss_port_ = 0;
    std::unique_ptr<process> proc_;
};

} // namespace sipws::test

#endif
