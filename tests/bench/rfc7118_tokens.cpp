// Costs of the per-request security work an edge proxy / registrar does:
// Digest verification (parse + HMAC nonce check + hash + replay window),
// flow token encode/decode, temporary GRUU mint/resolve, D2W ordering.
// No peer library offers these as separate functions, so the figures are
// absolute; the ratio printed at the end compares Digest verification with
// the bare response hash it cannot avoid.
#include <sipws/rfc7118/digest.hpp>
#include <sipws/rfc7118/digest_client.hpp>
#include <sipws/rfc7118/digest_server.hpp>
#include <sipws/rfc7118/dns.hpp>
#include <sipws/rfc7118/flow_token.hpp>
#include <sipws/rfc7118/gruu.hpp>

#include <benchmark/benchmark.h>

#include <optional>
#include <string>
#include <vector>

using namespace sipws::rfc7118;

namespace {

struct one_user {
    std::optional<digest_secret> operator()(const digest_credentials&) const {
        return digest_secret{"alice", "s3cret", {}};
    }
};

void bm_digest_response_sha256(benchmark::State& state) {
    digest_input in;
    in.algorithm = digest_algorithm::sha256;
    in.method = "REGISTER";
    in.uri = "sip:example.com";
    in.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    for (auto _ : state)
        benchmark::DoNotOptimize(digest_response("alice", "example.com", "s3cret", in));
}
BENCHMARK(bm_digest_response_sha256);

void bm_digest_parse_credentials(benchmark::State& state) {
    const std::string h =
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
        "algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
        "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
        "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
        "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    digest_credentials c;
    for (auto _ : state) benchmark::DoNotOptimize(parse_digest_credentials(h, c));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * h.size()));
}
BENCHMARK(bm_digest_parse_credentials);

void bm_digest_verify_sha256(benchmark::State& state) {
    digest_server_options o("example.com");
    o.algorithms = {digest_algorithm::sha256};
    digest_server server(o);
    digest_client client("alice", "s3cret");
    auto ch = server.challenges();
    client.on_challenge({ch.begin(), ch.end()}, false);
    // Pre-build headers with increasing nc so every verify is a success.
    std::vector<std::string> headers;
    for (int i = 0; i < 4096; ++i)
        headers.push_back(client.authorize("REGISTER", "sip:example.com")[0].value);
    std::size_t i = 0, ok = 0;
    for (auto _ : state) {
        auto v = server.verify(headers[i % headers.size()], "REGISTER", one_user{});
        ok += v.status == digest_status::ok;
        ++i;
    }
    state.counters["ok_fraction"] = static_cast<double>(ok) / static_cast<double>(i ? i : 1);
}
BENCHMARK(bm_digest_verify_sha256)->Iterations(4096);

void bm_flow_token_encode(benchmark::State& state) {
    flow_token_codec codec(flow_token_key::generate(1));
    std::uint64_t id = 0;
    for (auto _ : state) benchmark::DoNotOptimize(codec.encode({++id, 1}));
}
BENCHMARK(bm_flow_token_encode);

void bm_flow_token_decode(benchmark::State& state) {
    flow_token_codec codec(flow_token_key::generate(1));
    auto token = codec.encode({42, 1});
    flow_identity f;
    for (auto _ : state) benchmark::DoNotOptimize(codec.decode(token, f));
}
BENCHMARK(bm_flow_token_decode);

void bm_temp_gruu_mint(benchmark::State& state) {
    temp_gruu_codec codec(temp_gruu_codec::key::generate(1));
    for (auto _ : state)
        benchmark::DoNotOptimize(codec.mint("sip:alice@example.com",
                                            "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
                                            "aiuy7k9njasd", "example.com"));
}
BENCHMARK(bm_temp_gruu_mint);

void bm_temp_gruu_resolve(benchmark::State& state) {
    temp_gruu_codec codec(temp_gruu_codec::key::generate(1));
    auto g = codec.mint("sip:alice@example.com", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
                        "aiuy7k9njasd", "example.com");
    temp_gruu_content c;
    for (auto _ : state) benchmark::DoNotOptimize(codec.resolve(g, c));
}
BENCHMARK(bm_temp_gruu_resolve);

void bm_d2w_static(benchmark::State& state) {
    static_resolver r;
    r.add_naptr("example.com", {10, 10, "s", "SIPS+D2W", "", "_sips._ws.example.com"});
    r.add_naptr("example.com", {10, 20, "s", "SIP+D2W", "", "_sip._ws.example.com"});
    for (std::uint16_t i = 0; i < 4; ++i) {
        r.add_srv("_sips._ws.example.com",
                  {i, 10, 443, "wss" + std::to_string(i) + ".example.com"});
        r.add_address("wss" + std::to_string(i) + ".example.com", "192.0.2." + std::to_string(i));
    }
    std::vector<ws_target> out;
    for (auto _ : state)
        benchmark::DoNotOptimize(resolve_d2w({false, "example.com", {}, ""}, r, out));
}
BENCHMARK(bm_d2w_static);

} // namespace

BENCHMARK_MAIN();
