#include <sipws/crypto/random.hpp>

#include "support/test.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

// Tokens (tags, branches, Call-IDs) come from a per-thread reservoir of
// CSPRNG output: it must never hand the same octets to two threads or to a
// parent and its forked child.

TEST_CASE("random: tokens stay unique across reservoir refills and threads", "[random][SIP3261-8.1.1.7-a]") {
    std::set<std::string> seen;
    for (int i = 0; i < 500; ++i) seen.insert(sipws::crypto::random_token(16)); // ~8 refills
    std::vector<std::string> other;
    std::thread t([&] {
        for (int i = 0; i < 500; ++i) other.push_back(sipws::crypto::random_token(16));
    });
    t.join();
    seen.insert(other.begin(), other.end());
    CHECK(seen.size() == 1000);
}

TEST_CASE("random: a forked child does not replay the parent's tokens", "[random][SIP3261-8.1.1.7-a]") {
    (void)sipws::crypto::random_token(8); // the reservoir is filled before fork()
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::string all;
        for (int i = 0; i < 4; ++i) all += sipws::crypto::random_token(16);
        ssize_t n = ::write(fds[1], all.data(), all.size());
        ::_exit(n == static_cast<ssize_t>(all.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string theirs(64, '\0');
    std::size_t got = 0;
    while (got < theirs.size()) {
        ssize_t n = ::read(fds[0], &theirs[got], theirs.size() - got);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(got == theirs.size());
    std::set<std::string> mine;
    for (int i = 0; i < 4; ++i) mine.insert(sipws::crypto::random_token(16));
    for (int i = 0; i < 4; ++i) CHECK(mine.count(theirs.substr(static_cast<std::size_t>(i) * 16, 16)) == 0);
}
