// Test-side helpers for tests that talk to real peers: start a program,
// read what it prints, stop it by PID; find a free loopback port.
// POSIX only. Every child is started in its own process group and killed
// (SIGTERM, then SIGKILL) when its handle goes out of scope, so a failing
// test never leaves a peer running.
#ifndef SIPWS_TEST_SUPPORT_PROCESS_HPP
#define SIPWS_TEST_SUPPORT_PROCESS_HPP

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace sipws::test {

namespace detail {
inline bool port_is_free(unsigned short port, bool v6) {
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_storage ss{};
    socklen_t len;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        a->sin6_port = htons(port);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a->sin_port = htons(port);
        len = sizeof *a;
    }
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
    ::close(fd);
    return ok;
}
} // namespace detail

/// A port on 127.0.0.1 (or ::1 with \p v6) that was free a moment ago.
/// It is drawn from 20000-32767, below the kernel's ephemeral range
/// (32768-60999 by default), so that it is never also the source port of
/// some other test's outgoing connection (a capture filter on the port
/// would otherwise see that connection too).
inline unsigned short free_port(bool v6 = false) {
    static std::atomic<unsigned> sequence{static_cast<unsigned>(::getpid()) * 7919U};
    for (int attempt = 0; attempt < 2000; ++attempt) {
        auto port = static_cast<unsigned short>(20000 + (sequence.fetch_add(7) % 12768));
        if (detail::port_is_free(port, v6)) return port;
    }
    throw std::runtime_error("free_port: no free port in 20000-32767");
}

/// A child process with its stdout and stderr merged into one pipe.
class process {
public:
    /// Starts argv[0] (searched in PATH) with the given arguments.
    /// \p env_extra holds "NAME=value" strings added to the environment.
    explicit process(std::vector<std::string> argv, std::vector<std::string> env_extra = {},
                     const std::string& cwd = {}) {
        if (argv.empty()) throw std::invalid_argument("process: empty argv");
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("process: pipe failed");
#ifdef F_SETPIPE_SZ
        // Room for a chatty child (debug logs) while the test waits on another peer and does
        // not read; best effort, the default 64 KiB stays when the system refuses.
        (void)::fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
#endif
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        posix_spawn_file_actions_addclose(&actions, fds[1]);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attr, 0);

        // env_extra wins over the same names in the environment.
        std::vector<std::string> env_strings;
        for (char** e = environ; *e; ++e) {
            const std::string_view entry(*e);
            bool replaced = false;
            for (const auto& x : env_extra)
                replaced = replaced || entry.substr(0, entry.find('=') + 1) == x.substr(0, x.find('=') + 1);
            if (!replaced) env_strings.emplace_back(*e);
        }
        for (auto& e : env_extra) env_strings.push_back(e);
        std::vector<char*> envp;
        for (auto& e : env_strings) envp.push_back(e.data());
        envp.push_back(nullptr);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);

        std::string old_cwd;
        if (!cwd.empty()) {
            char buf[4096];
            if (::getcwd(buf, sizeof buf)) old_cwd = buf;
            if (::chdir(cwd.c_str()) != 0) throw std::runtime_error("process: bad cwd " + cwd);
        }
        int rc = ::posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), envp.data());
        if (!old_cwd.empty() && ::chdir(old_cwd.c_str()) != 0) {
        }
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        ::close(fds[1]);
        if (rc != 0) {
            ::close(fds[0]);
            throw std::runtime_error("process: cannot start " + argv[0] + ": " +
                                     std::strerror(rc));
        }
        out_fd_ = fds[0];
        ::fcntl(out_fd_, F_SETFL, ::fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
        command_ = argv[0];
    }

    process(const process&) = delete;
    process& operator=(const process&) = delete;
    ~process() {
        stop();
        if (out_fd_ >= 0) ::close(out_fd_);
    }

    pid_t pid() const noexcept { return pid_; }

    /// Everything the child printed so far (reads what is pending).
    const std::string& output() {
        drain(std::chrono::milliseconds(0));
        return output_;
    }

    /// Waits until the output contains \p needle; false on timeout or exit.
    bool wait_for_output(const std::string& needle,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (output_.find(needle) == std::string::npos) {
            auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return false;
            if (!drain(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)) &&
                !running())
                return output_.find(needle) != std::string::npos;
        }
        return true;
    }

    bool running() {
        if (exited_) return false;
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) record(status);
        return !exited_;
    }

    /// Waits for the child to exit; its exit status, or nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (running()) {
            if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
            drain(std::chrono::milliseconds(20));
        }
        drain(std::chrono::milliseconds(0));
        return exit_code_;
    }

    /// Sends \p sig to the child's process group.
    void signal(int sig) {
        if (running()) ::kill(-pid_, sig);
    }

    /// SIGTERM, then SIGKILL after \p grace; returns the exit status.
    std::optional<int> stop(std::chrono::milliseconds grace = std::chrono::seconds(5)) {
        if (pid_ <= 0) return std::nullopt;
        if (running()) {
            ::kill(-pid_, SIGTERM);
            if (!wait(grace)) {
                ::kill(-pid_, SIGKILL);
                wait(std::chrono::seconds(5));
            }
        }
        return exit_code_;
    }

    const std::string& command() const noexcept { return command_; }

private:
    // Reads what is available, waiting up to \p timeout for the first bytes.
    bool drain(std::chrono::milliseconds timeout) {
        if (out_fd_ < 0) return false;
        pollfd p{out_fd_, POLLIN, 0};
        int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (ready <= 0) return false;
        bool got = false;
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(out_fd_, buf, sizeof buf);
            if (n > 0) {
                output_.append(buf, static_cast<std::size_t>(n));
                got = true;
                continue;
            }
            if (n == 0) {
                // EOF: the child closed its output; avoid spinning on it.
                ::close(out_fd_);
                out_fd_ = -1;
            }
            break;
        }
        return got;
    }

    void record(int status) {
        exited_ = true;
        if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) exit_code_ = 128 + WTERMSIG(status);
    }

    pid_t pid_ = -1;
    int out_fd_ = -1;
    bool exited_ = false;
    std::optional<int> exit_code_;
    std::string output_;
    std::string command_;
};

/// The resident set size of process \p pid (or of this one) in KiB, from
/// /proc; 0 when it cannot be read.
inline long rss_kb(pid_t pid = 0) {
    std::FILE* f = std::fopen(pid ? ("/proc/" + std::to_string(pid) + "/status").c_str() : "/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long kb = 0;
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, "VmRSS:", 6) == 0) kb = std::atol(line + 6);
    std::fclose(f);
    return kb;
}

/// A fresh directory under the build tree, removed by the caller's choice.
inline std::string make_temp_dir(const std::string& prefix) {
    std::string templ = std::string(binary_dir()) + "/tmp-" + prefix + "-XXXXXX";
    ::mkdir((std::string(binary_dir())).c_str(), 0755);
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed for " + templ);
    return templ;
}

/// The node executable and the folder holding the npm test peers.
inline std::string node_modules_dir() { return std::string(source_dir()) + "/tests/node_modules"; }

} // namespace sipws::test

#endif
