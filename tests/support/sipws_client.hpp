// Test-side helpers for the sipws-client example program (examples/client):
// where it is, its arguments, a folder for its instance-id files, and
// waits on its output.
#ifndef SIPWS_TEST_SUPPORT_SIPWS_CLIENT_HPP
#define SIPWS_TEST_SUPPORT_SIPWS_CLIENT_HPP

#include "support/peers.hpp"
#include "support/process.hpp"
#include "support/test.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace sipws::test {

/// The program (built by target sipws-client).
inline std::string client_program() {
    return std::string(binary_dir()) + "/examples/client/sipws-client";
}

/// Where the clients of one test keep their instance-id files.
struct client_dir {
    std::string path = make_temp_dir("client");
    ~client_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

/// sipws-client arguments: \p server, \p aor and its instance-id file in
/// \p d, then \p more (options and the command).
inline std::vector<std::string> client_argv(const client_dir& d, const std::string& server,
                                            const std::string& aor, const std::vector<std::string>& more,
                                            const std::string& ca = {}) {
    const std::size_t colon = aor.find(':') + 1;
    const std::string user = aor.substr(colon, aor.find('@') - colon);
    std::vector<std::string> argv{client_program(), "--server", server, "--aor", aor,
                                  "--instance-file", d.path + "/instance-" + user};
    if (!ca.empty()) argv.insert(argv.end(), {"--ca", ca});
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

/// The value of `key=` in a `GRUU pub=... temp=...` line.
inline std::string gruu_field(const std::string& line, const std::string& key) {
    auto at = line.find(key + "=");
    if (at == std::string::npos) return {};
    at += key.size() + 1;
    return line.substr(at, line.find(' ', at) - at);
}

/// Waits until \p needle appears \p n times in the output of \p p.
inline bool wait_for_count(process& p, const std::string& needle, std::size_t n,
                           std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const std::string& out = p.output();
        std::size_t count = 0;
        for (std::size_t at = out.find(needle); at != std::string::npos; at = out.find(needle, at + 1))
            ++count;
        if (count >= n) return true;
        if (std::chrono::steady_clock::now() >= deadline || !p.running()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace sipws::test

#endif
