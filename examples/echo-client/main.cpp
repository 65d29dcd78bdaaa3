// Distributed under the Boost Software License, Version 1.0.
// sipws-echo-client: connects, echoes every message it receives until the
// server closes, then exits 0. With --autobahn it drives the Autobahn
// fuzzingserver: getCaseCount, runCase for each case, updateReports.
#include <sipws/transport/connector.hpp>

#include <cstdio>
#include <string>

namespace tr = sipws::transport;

namespace {
struct options {
    std::vector<std::string> subprotocols;
    bool insecure = false;
    std::string ca_file;
};

/// Runs one connection: echo until closed. Returns the exit status; the
/// first text message is stored in \p first (getCaseCount).
int run_one(const std::string& url, const options& o, std::string* first = nullptr) {
    asio::io_context io;
    tr::connector<> c(io);
    c.subprotocol_policy().client_requires = false; // connects whatever the server selects
    if (!o.ca_file.empty()) c.set_ca_file(o.ca_file);
    tr::limits lim;
    lim.max_message_size = lim.max_frame_size = 64 * 1024 * 1024;
    lim.max_queued_bytes = 128 * 1024 * 1024;
    lim.max_queued_messages = 1u << 20;
    c.set_limits(lim);
    auto& reg = c.registry();
    c.on_message([&](tr::flow_id f, sipws::ws::message_type t, std::string_view m) {
        if (first) {
            if (first->empty()) *first = std::string(m);
            return;
        }
        reg.send(f, t, m);
    });
    bool closed = false;
    c.on_close([&](tr::flow_id, const tr::close_info& ci) {
        closed = true;
        std::printf("closed code=%u%s%s\n", unsigned(ci.code), ci.error ? " error=" : "",
                    ci.error ? ci.error.message().c_str() : "");
    });
    tr::connect_options co;
    co.subprotocols = o.subprotocols;
    co.verify_peer = !o.insecure;
    int status = 0;
    c.async_connect(url, co, [&](std::error_code ec, tr::flow_id) {
        if (ec) {
            std::fprintf(stderr, "sipws-echo-client: %s: %s\n", url.c_str(), ec.message().c_str());
            status = 1;
        } else {
            std::printf("connected %s\n", url.c_str());
            std::fflush(stdout);
        }
    });
    io.run();
    (void)closed;
    return status;
}
} // namespace

int main(int argc, char** argv) {
    options o;
    std::string url, autobahn, agent = "sipws";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (a == "--subprotocol") {
            std::string s = next();
            if (s != "none") o.subprotocols.push_back(s);
        } else if (a == "--insecure") o.insecure = true;
        else if (a == "--ca") o.ca_file = next();
        else if (a == "--autobahn") autobahn = next();
        else if (a == "--agent") agent = next();
        else if (!a.empty() && a[0] != '-' && url.empty()) url = a;
        else {
            std::fprintf(stderr, "usage: sipws-echo-client URL [--subprotocol sip] [--insecure] "
                                 "[--ca FILE] | --autobahn URL [--agent NAME]\n");
            return 2;
        }
    }
    if (!autobahn.empty()) {
        while (!autobahn.empty() && autobahn.back() == '/') autobahn.pop_back();
        std::string count_text;
        if (run_one(autobahn + "/getCaseCount", o, &count_text) != 0) return 1;
        int count = std::atoi(count_text.c_str());
        std::printf("cases: %d\n", count);
        for (int i = 1; i <= count; ++i)
            run_one(autobahn + "/runCase?case=" + std::to_string(i) + "&agent=" + agent, o);
        return run_one(autobahn + "/updateReports?agent=" + agent, o);
    }
    if (url.empty()) {
        std::fprintf(stderr, "usage: sipws-echo-client URL [--subprotocol sip] [--insecure]\n");
        return 2;
    }
    return run_one(url, o);
}
