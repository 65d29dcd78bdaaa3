#include "support/test.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/wait.h>

namespace {

std::string lint_path() { return std::string(sipws::test::binary_dir()) + "/examples/lint/sipws-lint"; }

struct run_result {
    int status;
    std::string out;
};

run_result run(const std::string& args) {
    std::string cmd = lint_path() + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string write_file(const std::string& name, const std::string& content) {
    std::string path = std::string(sipws::test::binary_dir()) + "/lint-test-" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

const std::string invite = "INVITE sip:bob@example.com SIP/2.0\r\n"
                           "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
                           "From: sip:alice@example.com;tag=asdyka899\r\n"
                           "To: sip:bob@example.com\r\n"
                           "Call-ID: asidkj3ss\r\n"
                           "CSeq: 1 INVITE\r\n"
                           "Max-Forwards: 70\r\n"
                           "Contact: <sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1;ob>\r\n"
                           "\r\n";
const std::string ok200 = "SIP/2.0 200 OK\r\n"
                          "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
                          "From: sip:alice@example.com;tag=asdyka899\r\n"
                          "To: sip:bob@example.com;tag=bmqkjhsd\r\n"
                          "Call-ID: asidkj3ss\r\n"
                          "CSeq: 1 INVITE\r\n"
                          "\r\n";

} // namespace

TEST_CASE("sipws-lint: one line per file and exit status", "[lint][sip]") {
    std::string a = write_file("invite.sip", invite);
    std::string b = write_file("ok.sip", ok200);
    auto r = run(a + " " + b);
    CHECK(r.status == 0);
    CHECK(r.out == a + ": OK request INVITE sip:bob@example.com\n" + b + ": OK response 200\n");

    std::string bad_text = invite;
    bad_text.replace(bad_text.find("1 INVITE"), 8, "1 BYE");
    std::string c = write_file("bad.sip", bad_text);
    auto e = run(a + " " + c);
    CHECK(e.status == 1);
    std::size_t off = bad_text.find("CSeq");
    CHECK(e.out == a + ": OK request INVITE sip:bob@example.com\n" + c +
                       ": ERROR CSeq method does not match the request method at " +
                       std::to_string(off) + "\n");

    auto missing = run(std::string(sipws::test::binary_dir()) + "/no-such-file.sip");
    CHECK(missing.status == 1);
    CHECK(missing.out.find("ERROR") != std::string::npos);
}

TEST_CASE("sipws-lint: stdin and --json", "[lint][sip]") {
    std::string a = write_file("stdin.sip", ok200);
    auto r = run("- < " + a);
    CHECK(r.status == 0);
    CHECK(r.out == "-: OK response 200\n");

    std::string b = write_file("json.sip", invite);
    auto j = run("--json " + b);
    CHECK(j.status == 0);
    CHECK(j.out.find("\"type\":\"request\"") != std::string::npos);
    CHECK(j.out.find("\"method\":\"INVITE\"") != std::string::npos);
    CHECK(j.out.find("\"transport\":\"WSS\"") != std::string::npos);
    CHECK(j.out.find("\"branch\":\"z9hG4bK56sdasks\"") != std::string::npos);
    CHECK(j.out.find("\"tag\":\"asdyka899\"") != std::string::npos);
    CHECK(j.out.find("\"cseq\":{\"number\":1,\"method\":\"INVITE\"}") != std::string::npos);
    CHECK(j.out.back() == '\n');

    std::string lf = invite;
    std::string bare;
    for (char ch : lf)
        if (ch != '\r') bare += ch;
    std::string c = write_file("lf.sip", bare);
    auto strict = run(c);
    CHECK(strict.status == 1);
    CHECK(strict.out == c + ": ERROR line ends in a bare LF at " + std::to_string(bare.find('\n')) + "\n");
    auto lenient = run("--lenient " + c);
    CHECK(lenient.status == 0);
    auto bad_json = run("--json " + c);
    CHECK(bad_json.out.find("\"ok\":false") != std::string::npos);
    CHECK(bad_json.out.find("\"offset\":") != std::string::npos);
}
