// Distributed under the Boost Software License, Version 1.0.
// What sipws-proxy and sipws-gateway share as programs: the log line format
// and level, command-line options with values, traffic counters, and the run
// loop (worker threads, SIGINT/SIGTERM for a graceful stop, SIGUSR1 for the
// counters). Not part of the library.
#ifndef SIPWS_EXAMPLES_COMMON_PROGRAM_HPP
#define SIPWS_EXAMPLES_COMMON_PROGRAM_HPP

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sipws_program {

// ---- log lines ----------------------------------------------------------------

enum class level { error = 0, warn = 1, info = 2, debug = 3 };

inline std::atomic<level>& log_threshold() {
    static std::atomic<level> l{level::info};
    return l;
}

inline bool logs(level l) { return l <= log_threshold().load(std::memory_order_relaxed); }

inline std::optional<level> parse_level(std::string_view s) {
    if (s == "error") return level::error;
    if (s == "warn") return level::warn;
    if (s == "info") return level::info;
    if (s == "debug") return level::debug;
    return std::nullopt;
}

/// One line on stdout, `2026-01-01T00:00:00 info text`, written whole even
/// when several threads log at once.
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
inline void log(level l, const char* fmt, ...) {
    if (!logs(l)) return;
    static const char* names[] = {"error", "warn", "info", "debug"};
    char stamp[32];
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string line = std::string(stamp) + " " + names[static_cast<int>(l)] + " ";
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = std::vsnprintf(nullptr, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        std::size_t at = line.size();
        line.resize(at + static_cast<std::size_t>(n) + 1);
        std::vsnprintf(&line[at], static_cast<std::size_t>(n) + 1, fmt, ap2);
        line.resize(at + static_cast<std::size_t>(n));
    }
    va_end(ap2);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

// ---- options ------------------------------------------------------------------

/// Reads `--name VALUE` pairs. \p take gets each one and returns an error
/// text, or nullptr when it accepts it. Returns the program's exit status
/// when it must stop now (2 after a usage error, 0 after --help), or nothing.
inline std::optional<int> read_options(int argc, char** argv, const std::vector<std::string>& names,
                                       const std::function<void(const char*)>& usage,
                                       const std::function<std::string(const std::string&, const std::string&)>& take) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") return usage(nullptr), 0;
        bool known = false;
        for (const auto& n : names) known = known || n == a;
        if (!known) return usage(("unknown option " + a).c_str()), 2;
        if (i + 1 >= argc) return usage((a + " needs a value").c_str()), 2;
        std::string why = take(a, argv[++i]);
        if (!why.empty()) return usage(why.c_str()), 2;
    }
    return std::nullopt;
}

/// A whole number from \p lo to \p hi into \p out; empty text when \p v
/// is one, else why not (\p what: the option and its unit, for the message).
inline std::string parse_number(const std::string& v, unsigned lo, unsigned hi, unsigned& out,
                                const std::string& what) {
    unsigned long n = 0;
    for (char c : v) {
        if (c < '0' || c > '9' || n > hi) break;
        n = n * 10 + static_cast<unsigned long>(c - '0');
    }
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || n < lo || n > hi)
        return what + " from " + std::to_string(lo) + " to " + std::to_string(hi);
    out = static_cast<unsigned>(n);
    return {};
}

/// `--threads N`: 1 to 256 worker threads; empty text when \p v is one.
inline std::string parse_threads(const std::string& v, unsigned& out) {
    return parse_number(v, 1, 256, out, "--threads is a number");
}

// ---- counters (SIGUSR1) -----------------------------------------------------

/// Traffic counters any thread may bump.
class counters {
public:
    std::atomic<std::uint64_t> connections_total{0}, messages_in{0}, messages_out{0}, upstream_in{0},
        upstream_out{0};

    void error(const std::string& kind) {
        std::lock_guard<std::mutex> lk(mu_);
        ++errors_[kind];
    }
    /// ` errors none` or ` errors kind=N kind=N`.
    std::string errors_text() const {
        std::lock_guard<std::mutex> lk(mu_);
        std::string out = " errors";
        if (errors_.empty()) out += " none";
        for (const auto& kv : errors_) out += " " + kv.first + "=" + std::to_string(kv.second);
        return out;
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, std::uint64_t> errors_;
};

inline unsigned long long count(const std::atomic<std::uint64_t>& c) {
    return static_cast<unsigned long long>(c.load(std::memory_order_relaxed));
}

// ---- the run loop -----------------------------------------------------------

/// Starts \p service (start() returns 0 or the exit status) with SIGINT,
/// SIGTERM and SIGUSR1 already caught, then runs \p io on \p threads
/// threads. SIGUSR1 calls print_counters(); SIGINT/SIGTERM call stop(),
/// give the closing handshakes two seconds, then call finish() and stop
/// \p io. Returns start()'s status, or 0 after a stop.
/// The program's io_contexts: the main one (listeners, timers, signals,
/// upstream sockets) and, with --threads N > 1, N - 1 more, each run by a
/// thread of its own. Listeners spread their connections over all N
/// (basic_listener::spread_connections), so that no two threads share one
/// scheduler.
class io_pool {
public:
    explicit io_pool(unsigned threads) : main_(1) {
        for (unsigned i = 1; i < threads; ++i) extra_.push_back(std::make_unique<asio::io_context>(1));
    }
    asio::io_context& main() noexcept { return main_; }
    /// The io_contexts connections run on (empty with one thread: the main one).
    std::vector<asio::io_context*> for_connections() {
        if (extra_.empty()) return {};
        std::vector<asio::io_context*> all{&main_};
        for (auto& e : extra_) all.push_back(e.get());
        return all;
    }
    std::vector<std::unique_ptr<asio::io_context>>& extra() noexcept { return extra_; }

private:
    asio::io_context main_;
    std::vector<std::unique_ptr<asio::io_context>> extra_;
};

/// Starts \p service and runs \p pool until SIGINT/SIGTERM: then
/// service.stop(), 2 s of grace, service.finish(). SIGUSR1 prints counters.
template <class Service> int run(io_pool& pool, Service& service) {
    asio::io_context& io = pool.main();
    std::signal(SIGPIPE, SIG_IGN);
    asio::signal_set stop_signals(io, SIGINT, SIGTERM);
    asio::signal_set usr1(io, SIGUSR1);
    if (int rc = service.start()) return rc;

    std::function<void()> wait_usr1 = [&] {
        usr1.async_wait([&](std::error_code ec, int) {
            if (ec) return;
            service.print_counters();
            wait_usr1();
        });
    };
    wait_usr1();
    asio::steady_timer grace(io);
    stop_signals.async_wait([&](std::error_code ec, int) {
        if (ec) return;
        service.stop();
        usr1.cancel();
        grace.expires_after(std::chrono::seconds(2));
        grace.async_wait([&](std::error_code) {
            service.finish();
            io.stop();
        });
    });
    using guard = asio::executor_work_guard<asio::io_context::executor_type>;
    std::vector<guard> guards;
    std::vector<std::thread> workers;
    for (auto& e : pool.extra()) {
        guards.emplace_back(e->get_executor());
        workers.emplace_back([c = e.get()] { c->run(); });
    }
    io.run();
    // The flows finish() aborted wind down on their own threads, then those stop.
    guards.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (auto& e : pool.extra()) e->stop();
    for (auto& w : workers) w.join();
    service.print_counters();
    return 0;
}

} // namespace sipws_program

#endif
