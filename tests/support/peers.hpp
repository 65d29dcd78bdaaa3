// Test-side helpers for the real SIP peers in tests/peers: Kamailio (started
// by tests/peers/kamailio/start-kamailio.sh), the Node user agents on JsSIP
// and SIP.js, the headless-Chromium call driver, and the tshark wire check.
// Every helper throws std::runtime_error with the peer's own output when the
// peer cannot start, so a test fails with a clear message and never skips.
#ifndef SIPWS_TEST_SUPPORT_PEERS_HPP
#define SIPWS_TEST_SUPPORT_PEERS_HPP

#include "support/process.hpp"
#include "support/test.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sipws::test {

/// Folder of the peer scripts (tests/peers).
inline std::string peers_dir() {
    return std::string(source_dir()) + "/tests/peers";
}

inline bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

/// The value of "key=value" in a line such as "KAMAILIO_READY pid=1 ws=...".
inline std::string field_of(const std::string& line, const std::string& key) {
    std::istringstream in(line);
    std::string word;
    while (in >> word)
        if (word.compare(0, key.size() + 1, key + "=") == 0) return word.substr(key.size() + 1);
    return {};
}

/// The first line of \p text that starts with \p prefix (without the line end).
inline std::string line_starting(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (line.compare(0, prefix.size(), prefix) == 0) return line;
    return {};
}

/// Checks that the npm peers are installed; throws with the fix otherwise.
inline void require_node_modules() {
    const std::string nm = node_modules_dir();
    for (const char* pkg : {"ws", "jssip", "sip.js", "playwright-core"})
        if (!file_exists(nm + "/" + pkg + "/package.json"))
            throw std::runtime_error(std::string("npm package ") + pkg + " missing in " + nm +
                                     ": run 'npm ci' in tests/");
}

/// Kamailio as a SIP-over-WebSocket registrar/proxy on loopback.
struct kamailio_options {
    bool wss = false;               ///< also a wss listener (test CA generated)
    bool udp = false;               ///< also a UDP listener
    bool ws = true;                 ///< a ws listener (false: UDP only, needs udp)
    std::vector<std::string> users; ///< "name:password": digest auth when not empty
    std::string domain = "sipws.test";
};

class kamailio {
public:
    explicit kamailio(const kamailio_options& o = {}) {
        dir_ = make_temp_dir("kamailio");
        std::vector<std::string> argv{"bash", peers_dir() + "/kamailio/start-kamailio.sh", "--dir",
                                      dir_, "--domain", o.domain};
        if (o.ws) {
            ws_port_ = free_port();
            argv.insert(argv.end(), {"--ws-port", std::to_string(ws_port_)});
        }
        if (o.wss) {
            wss_port_ = free_port();
            argv.insert(argv.end(), {"--wss-port", std::to_string(wss_port_)});
        }
        if (o.udp) {
            udp_port_ = free_port();
            argv.insert(argv.end(), {"--udp-port", std::to_string(udp_port_)});
        }
        for (auto& u : o.users) argv.insert(argv.end(), {"--user", u});
        proc_ = std::make_unique<process>(argv);
        if (!proc_->wait_for_output("KAMAILIO_READY", std::chrono::seconds(15))) {
            std::string out = proc_->output();
            proc_->stop();
            throw std::runtime_error("Kamailio did not start (needs Debian packages kamailio "
                                     "kamailio-websocket-modules kamailio-tls-modules):\n" +
                                     out + log_tail());
        }
        auto ready = line_starting(proc_->output(), "KAMAILIO_READY");
        ws_url_ = field_of(ready, "ws");
        wss_url_ = field_of(ready, "wss");
        ca_file_ = field_of(ready, "ca");
        log_file_ = field_of(ready, "log");
    }

    kamailio(const kamailio&) = delete;
    kamailio& operator=(const kamailio&) = delete;
    /// Stops Kamailio and removes its run directory (kept when the
    /// environment has SIPWS_KEEP_PEER_DIRS=1, for debugging).
    ~kamailio() {
        stop();
        const char* keep = std::getenv("SIPWS_KEEP_PEER_DIRS");
        if (!(keep && *keep == '1')) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }

    /// Stops Kamailio by PID; true when it stopped cleanly.
    bool stop() {
        if (!proc_) return true;
        auto rc = proc_->stop(std::chrono::seconds(10));
        return rc && *rc == 0;
    }

    const std::string& ws_url() const noexcept { return ws_url_; }
    const std::string& wss_url() const noexcept { return wss_url_; }
    /// The test CA that signed the wss certificate.
    const std::string& ca_file() const noexcept { return ca_file_; }
    /// The wss server certificate (leaf).
    std::string cert_file() const { return dir_ + "/tls/server.pem"; }
    unsigned short ws_port() const noexcept { return ws_port_; }
    unsigned short wss_port() const noexcept { return wss_port_; }
    unsigned short udp_port() const noexcept { return udp_port_; }
    const std::string& dir() const noexcept { return dir_; }
    process& proc() { return *proc_; }

    /// The last lines of Kamailio's log, for failure messages.
    std::string log_tail(std::size_t lines = 40) const {
        std::string log = log_file_.empty() ? dir_ + "/kamailio.log" : log_file_;
        process tail({"tail", "-n", std::to_string(lines), log});
        tail.wait(std::chrono::seconds(5));
        return "\n--- " + log + " ---\n" + tail.output();
    }

private:
    std::string dir_;
    unsigned short ws_port_ = 0;
    unsigned short wss_port_ = 0;
    unsigned short udp_port_ = 0;
    std::string ws_url_, wss_url_, ca_file_, log_file_;
    std::unique_ptr<process> proc_;
};

/// A finished peer run: its exit status and everything it printed.
struct peer_result {
    std::optional<int> status; ///< nullopt when it had to be killed
    std::string output;
    bool has_line(const std::string& prefix) const { return !line(prefix).empty(); }
    std::string line(const std::string& prefix) const { return line_starting(output, prefix); }
};

/// Arguments of a Node user agent (tests/peers/jssip-ua.mjs or sipjs-ua.mjs).
inline std::vector<std::string> ua_argv(const std::string& script, const std::string& server,
                                        const std::string& aor, std::vector<std::string> more) {
    std::vector<std::string> argv{"node", peers_dir() + "/" + script, "--server", server, "--aor",
                                  aor};
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

/// Runs a peer to completion (killing it after \p timeout).
inline peer_result run_peer(std::vector<std::string> argv,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    process p(std::move(argv));
    peer_result r;
    r.status = p.wait(timeout);
    if (!r.status) p.stop();
    r.output = p.output();
    return r;
}

/// Starts a long-running peer and waits for \p ready in its output; throws
/// with its output when it does not get there.
inline std::unique_ptr<process>
start_peer(std::vector<std::string> argv, const std::string& ready,
           std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    auto p = std::make_unique<process>(std::move(argv));
    if (!p->wait_for_output(ready, timeout)) {
        std::string out = p->output();
        p->stop();
        throw std::runtime_error(p->command() + " did not print " + ready + ":\n" + out);
    }
    return p;
}

/// One MESSAGE from alice to bob through a server, with Node user agents:
/// bob registers and listens for one message, alice sends it; both sides'
/// lines are checked (MESSAGE_SENT 200, the text arrives, bob unregisters).
struct message_exchange {
    std::string server;                      ///< the URL both use
    std::string listener_script = "jssip-ua.mjs";
    std::string sender_script = "jssip-ua.mjs";
    std::vector<std::string> common;         ///< arguments of both (e.g. --ca FILE)
    std::vector<std::string> listener_extra; ///< bob's own arguments
    std::vector<std::string> sender_extra;   ///< alice's own arguments
    std::function<void()> on_listening;      ///< runs once bob is registered
    std::function<std::string()> context;    ///< added to failure reports (server logs)
};

inline void exchange_message(const message_exchange& x, const std::string& text) {
    const auto context = [&x] { return x.context ? x.context() : std::string(); };
    std::vector<std::string> listen_args = x.common;
    listen_args.insert(listen_args.end(), x.listener_extra.begin(), x.listener_extra.end());
    listen_args.insert(listen_args.end(), {"listen", "--count", "1", "--duration", "20"});
    auto bob = start_peer(ua_argv(x.listener_script, x.server, "sip:bob@sipws.test", listen_args),
                          "LISTENING");
    if (x.on_listening) x.on_listening();

    std::vector<std::string> send_args = x.common;
    send_args.insert(send_args.end(), x.sender_extra.begin(), x.sender_extra.end());
    send_args.insert(send_args.end(), {"message", "--to", "sip:bob@sipws.test", "--text", text});
    peer_result alice = run_peer(ua_argv(x.sender_script, x.server, "sip:alice@sipws.test", send_args));
    INFO("sender output:\n" << alice.output << "\nserver:\n" << context());
    CHECK(alice.status == 0);
    CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");

    const std::string expected = "MESSAGE from sip:alice@sipws.test: " + text;
    bool arrived = bob->wait_for_output(expected, std::chrono::seconds(10));
    INFO("listener output:\n" << bob->output());
    CHECK(arrived);
    CHECK(bob->wait(std::chrono::seconds(10)) == 0);
    CHECK(bob->output().find("UNREGISTERED") != std::string::npos);
}

/// The build's artifacts/ directory (created), for files kept after a test.
inline std::string artifacts_dir() {
    std::string dir = std::string(binary_dir()) + "/artifacts";
    ::mkdir(dir.c_str(), 0755);
    return dir;
}

/// A tshark capture of a loopback TCP port (tests/peers/wire-check.sh),
/// running from construction until analyze().
class wire_capture {
public:
    wire_capture(const std::string& pcap, const std::string& port) : pcap_(pcap), port_(port) {
        proc_ = start_peer({"bash", peers_dir() + "/wire-check.sh", "capture", "--out", pcap_,
                            "--port", port_},
                           "WIRE_CAPTURING", std::chrono::seconds(40));
    }
    /// Stops the capture and checks it: WIRE_* lines in the result.
    peer_result analyze() {
        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the last frames
        proc_->stop();
        peer_result r = run_peer({"bash", peers_dir() + "/wire-check.sh", "analyze", "--port", port_, pcap_});
        r.output = "capture:\n" + proc_->output() + "\nanalysis:\n" + r.output;
        return r;
    }

private:
    std::string pcap_, port_;
    std::unique_ptr<process> proc_;
};

/// The checks of a capture of the scenario both servers' wire tests run:
/// bob's REGISTER and un-REGISTER (200 each); alice's MESSAGE in, relayed
/// to bob, bob's 200 and its relay back; a MESSAGE to nobody and its 480;
/// three connections, each upgraded with the sip subprotocol; every frame
/// carries one well-formed SIP message.
inline void check_message_scenario_on_wire(const peer_result& check) {
    INFO("wire check:\n" << check.output);
    CHECK(check.status == 0);
    CHECK(check.has_line("WIRE_OK"));
    CHECK(check.line("WIRE_MALFORMED") == "WIRE_MALFORMED 0");
    const std::string methods = check.line("WIRE_SIP_METHODS");
    CHECK(methods.find("REGISTER=2") != std::string::npos);
    CHECK(methods.find("MESSAGE=3") != std::string::npos);
    const std::string status = check.line("WIRE_SIP_STATUS");
    CHECK(status.find("200=4") != std::string::npos);
    CHECK(status.find("480=1") != std::string::npos);
    CHECK(check.line("WIRE_HANDSHAKES") == "WIRE_HANDSHAKES 3 3 3");
}

} // namespace sipws::test

#endif
