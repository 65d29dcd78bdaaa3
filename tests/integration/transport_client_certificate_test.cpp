// TLS client certificates on wss (RFC 7118 section 7: client authentication
// follows HTTP rules, not SIP rules): a listener whose TLS context requires
// them refuses clients without one, and the verified certificate's SIP URI
// becomes the flow's web identity through policy::client_certificate_auth.
#include "support/process.hpp"
#include "support/test.hpp"

#include "integration/transport_support.hpp"

#include <sipws/transport/policy/client_certificate_auth.hpp>

#include <asio/use_future.hpp>

#include <future>

using namespace sipws::test;
namespace tr = sipws::transport;

namespace {

struct certificate_config : tr::default_config {
    using web_auth_policy = tr::policy::client_certificate_auth;
};

/// A fresh test CA with a server certificate, and client certificates:
/// alice (SAN URI sip:alice@sipws.test), nouri (no SAN at all), and
/// mallory, signed by another CA.
struct test_pki {
    test_pki() {
        dir = make_temp_dir("client-cert");
        other = make_temp_dir("client-cert-other");
        run({"bash", script(), dir, "sipws.test"});
        run({"bash", script(), "--client", dir, "alice", "alice", "https://alice.example",
             "sip:alice@sipws.test"});
        run({"bash", script(), "--client", dir, "nouri", "nouri"});
        run({"bash", script(), other});
        run({"bash", script(), "--client", other, "mallory", "mallory", "sip:alice@sipws.test"});
    }
    static std::string script() { return std::string(source_dir()) + "/tests/peers/make-test-ca.sh"; }
    static void run(std::vector<std::string> argv) {
        process p(std::move(argv));
        auto rc = p.wait(std::chrono::seconds(30));
        INFO(p.output());
        REQUIRE(rc);
        REQUIRE(*rc == 0);
    }
    std::string dir, other;
};

struct client_result {
    std::error_code ec;
    tr::flow_id flow = 0;
};

/// Connects a sipws client presenting \p name's certificate ("" for none).
client_result connect_with(io_runner& run, const test_pki& pki, const std::string& dir,
                           const std::string& name, unsigned short port, inbox& cbox) {
    asio::ssl::context tls = tr::make_client_tls_context(pki.dir + "/ca.pem");
    if (!name.empty()) tr::use_certificate(tls, dir + "/" + name + ".pem", dir + "/" + name + ".key");
    tr::connector<> client(run.io);
    client.set_tls_context(tls);
    client.on_open(cbox.open_handler());
    std::promise<client_result> done;
    auto fut = done.get_future();
    client.async_connect("wss://127.0.0.1:" + std::to_string(port) + "/",
                         [&done](std::error_code ec, tr::flow_id f) { done.set_value({ec, f}); });
    REQUIRE(fut.wait_for(std::chrono::seconds(15)) == std::future_status::ready);
    client_result r = fut.get();
    if (!r.ec) {
        client.registry().close(r.flow, 1000);
        REQUIRE(wait_until([&] { return client.registry().size() == 0; }));
    }
    return r;
}

} // namespace

TEST_CASE("transport: wss client certificates give the flow its identity",
          "[transport][tls][WS7118-7-c][WS7118-A-b]") {
    test_pki pki;
    asio::ssl::context server_tls =
        tr::make_server_tls_context(pki.dir + "/server-chain.pem", pki.dir + "/server.key");
    tr::require_client_certificates(server_tls, pki.dir + "/ca.pem");
    inbox sbox;
    io_runner run{2};
    tr::basic_listener<tr::tls_stream, certificate_config> listener(run.io, server_tls);
    listener.on_open(sbox.open_handler());
    listener.on_close(sbox.close_handler());
    REQUIRE_FALSE(listener.listen(loopback()));
    listener.start();
    const unsigned short port = listener.local_endpoint().port();

    SECTION("a certificate of the trusted CA: open, with subject, URIs and the SIP identity") {
        inbox cbox;
        client_result r = connect_with(run, pki, pki.dir, "alice", port, cbox);
        REQUIRE_FALSE(r.ec);
        REQUIRE(wait_until([&] { return sbox.open_count() == 1; }));
        const tr::flow_info& s = sbox.opens[0];
        CHECK(s.secure);
        CHECK(s.certificate.subject == "CN=alice");
        CHECK(s.certificate.uris == std::vector<std::string>{"https://alice.example", "sip:alice@sipws.test"});
        CHECK(s.auth == tr::web_auth_verdict::authenticated);
        CHECK(s.identity == "sip:alice@sipws.test"); // the first sip: URI, not the first URI
        // The client's flow knows the server's verified certificate.
        REQUIRE(cbox.open_count() == 1);
        CHECK(cbox.opens[0].certificate.subject == "CN=localhost");
        CHECK(cbox.opens[0].certificate.dns == std::vector<std::string>{"localhost", "sipws.test"});
        CHECK(cbox.opens[0].identity.empty());
    }

    SECTION("no certificate, or one of another CA: the TLS handshake fails and no flow opens") {
        for (const auto& [dir, name] : {std::pair{pki.dir, std::string()}, std::pair{pki.other, std::string("mallory")}}) {
            INFO("certificate '" << name << "'");
            inbox cbox;
            client_result r = connect_with(run, pki, dir, name, port, cbox);
            CHECK(r.ec);
            CHECK(cbox.open_count() == 0);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            CHECK(sbox.open_count() == 0);
        }
    }

    SECTION("a trusted certificate naming no SIP identity: the upgrade is refused with 403") {
        inbox cbox;
        client_result r = connect_with(run, pki, pki.dir, "nouri", port, cbox);
        CHECK(r.ec == make_error_code(tr::error::handshake_refused));
        CHECK(cbox.open_count() == 0);
        CHECK(sbox.open_count() == 0);
    }

    SECTION("a user mapping: the subject's CN in the listener's domain") {
        listener.web_auth_policy().set_mapper([](const tr::peer_certificate& c) -> std::optional<std::string> {
            if (c.subject.rfind("CN=", 0) != 0) return std::nullopt;
            return "sip:" + c.subject.substr(3) + "@example.org";
        });
        inbox cbox;
        client_result r = connect_with(run, pki, pki.dir, "nouri", port, cbox);
        REQUIRE_FALSE(r.ec);
        REQUIRE(wait_until([&] { return sbox.open_count() == 1; }));
        CHECK(sbox.opens[0].identity == "sip:nouri@example.org");
    }
}

TEST_CASE("transport: client_certificate_auth refuses flows without a certificate",
          "[transport][WS7118-7-c]") {
    tr::policy::client_certificate_auth p;
    sipws::ws::handshake_request req;
    tr::flow_info plain;
    CHECK(p.check(req, plain).status == 403);
    tr::flow_info with;
    with.certificate.subject = "CN=bob";
    with.certificate.uris = {"mailto:bob@example.com", "SIPS:bob@example.com"};
    auto ok = p.check(req, with);
    CHECK(ok.verdict == tr::web_auth_verdict::authenticated);
    CHECK(ok.identity == "SIPS:bob@example.com");
    with.certificate.uris = {"sip:"}; // a scheme and nothing else names no one
    CHECK(p.check(req, with).refused());
}
