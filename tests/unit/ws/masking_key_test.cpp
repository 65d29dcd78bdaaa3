#include <sipws/ws/detail/key_reservoir.hpp>
#include <sipws/ws/engine.hpp>

#include "support/test.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

using sipws::ws::masking_key;
using sipws::ws::detail::next_masking_key;

TEST_CASE("masking keys: fresh across reservoir refills and threads", "[ws][mask][WS6455-5.3-a]") {
    std::set<std::uint32_t> keys;
    auto as_int = [](const masking_key& k) {
        return (std::uint32_t(k[0]) << 24) | (std::uint32_t(k[1]) << 16) |
               (std::uint32_t(k[2]) << 8) | k[3];
    };
    // Several refills (256 keys each).
    for (int i = 0; i < 1000; ++i) keys.insert(as_int(next_masking_key()));
    std::vector<std::uint32_t> other;
    std::thread t([&] {
        for (int i = 0; i < 1000; ++i) other.push_back(as_int(next_masking_key()));
    });
    t.join();
    keys.insert(other.begin(), other.end());
    // 2000 draws of 32 bits: a collision has probability ~5e-4; a reservoir
    // shared or replayed between threads would collide 1000 times.
    CHECK(keys.size() >= 1998);
}

TEST_CASE("masking keys: a forked child does not replay the parent's keys",
          "[ws][mask][WS6455-5.3-a]") {
    (void)next_masking_key(); // the reservoir is filled before fork()
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        masking_key k[8];
        for (auto& x : k) x = next_masking_key();
        ssize_t n = ::write(fds[1], k, sizeof k);
        ::_exit(n == static_cast<ssize_t>(sizeof k) ? 0 : 1);
    }
    ::close(fds[1]);
    masking_key theirs[8];
    std::size_t got = 0;
    while (got < sizeof theirs) {
        ssize_t n = ::read(fds[0], reinterpret_cast<char*>(theirs) + got, sizeof theirs - got);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(got == sizeof theirs);
    masking_key mine[8];
    for (auto& x : mine) x = next_masking_key();
    CHECK(std::memcmp(mine, theirs, sizeof mine) != 0);
}
