#include <sipws/rfc7118/flow_token.hpp>

#include "support/test.hpp"

#include <set>
#include <string>
#include <vector>

using namespace sipws::rfc7118;

namespace {
bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' ||
           c == ')';
}
const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
} // namespace

TEST_CASE("flow token: round trip, URI-safe, unique per flow",
          "[rfc7118][outbound][OB5626-5.2-a][E2-F3-g]") {
    flow_token_codec codec(flow_token_key::generate(1));
    std::set<std::string> seen;
    for (std::uint64_t id : {0ull, 1ull, 42ull, 0xffffffffffffffffull, 0x0123456789abcdefull}) {
        for (std::uint32_t gen : {0u, 1u, 0xffffffffu}) {
            auto token = codec.encode({id, gen});
            CHECK(token.size() == flow_token_codec::token_size);
            for (char c : token) CHECK(is_unreserved(c));
            CHECK(seen.insert(token).second);
            flow_identity back;
            REQUIRE_FALSE(codec.decode(token, back));
            CHECK(back.flow_id == id);
            CHECK(back.generation == gen);
        }
    }
    CHECK(make_flow_uri(codec.encode({7, 1}), "edge.example.com:443").rfind("sip:", 0) == 0);
    CHECK(make_flow_uri("T", "edge.example.com") == "sip:T@edge.example.com;lr;ob");
    CHECK(make_flow_uri("T", "e", false, true) == "sips:T@e;lr");
}

TEST_CASE("flow token: changing any one character fails",
          "[rfc7118][outbound][OB5626-5.2-a][E2-F3-g]") {
    flow_token_codec codec(flow_token_key::generate(1));
    const auto token = codec.encode({0x1122334455667788ull, 3});
    std::size_t tried = 0;
    for (std::size_t i = 0; i < token.size(); ++i) {
        for (char c : alphabet) {
            if (c == token[i]) continue;
            auto altered = token;
            altered[i] = c;
            flow_identity out{99, 99};
            auto ec = codec.decode(altered, out);
            CHECK(ec);
            CHECK(out == flow_identity{99, 99}); // untouched on failure
            ++tried;
        }
    }
    CHECK(tried == token.size() * 63);
    flow_identity out;
    CHECK(codec.decode(token.substr(1), out) == error::token_malformed);
    CHECK(codec.decode(token + "A", out) == error::token_malformed);
    CHECK(codec.decode("", out) == error::token_malformed);
    CHECK(codec.decode(std::string(35, '='), out) == error::token_malformed);
}

TEST_CASE("flow token: forged, other key, key rotation", "[rfc7118][outbound][OB5626-5.2-a]") {
    auto k1 = flow_token_key::generate(1);
    auto k2 = flow_token_key::generate(2);
    flow_token_codec server(k1);
    flow_token_codec other_server(flow_token_key::generate(1)); // same id, other secret
    flow_identity out;
    CHECK(server.decode(other_server.encode({5, 0}), out) == error::token_forged);

    // A key id this server does not hold: unknown key, not forged.
    flow_token_codec third(flow_token_key::generate(9));
    CHECK(server.decode(third.encode({5, 0}), out) == error::token_unknown_key);

    auto old_token = server.encode({77, 2});
    server.rotate(k2);
    CHECK(server.current_key_id() == 2);
    REQUIRE_FALSE(server.decode(old_token, out)); // previous key still accepted
    CHECK(out == flow_identity{77, 2});
    auto new_token = server.encode({77, 2});
    CHECK(new_token != old_token);
    REQUIRE_FALSE(server.decode(new_token, out));
    server.rotate(flow_token_key::generate(3));
    CHECK(server.decode(old_token, out) == error::token_unknown_key); // retired
    REQUIRE_FALSE(server.decode(new_token, out));

    CHECK_THROWS_AS(flow_token_codec(flow_token_key{1, "short"}), std::invalid_argument);
    CHECK_THROWS_AS(flow_token_codec(k1, k1), std::invalid_argument);
}

TEST_CASE("flow token: tokens decoded again and again, copies, many flows",
          "[rfc7118][outbound][OB5626-5.2-a]") {
    flow_token_codec codec(flow_token_key::generate(1));
    flow_token_codec copy = codec; // same keys: accepts the same tokens
    flow_token_codec stranger(flow_token_key::generate(1));
    std::vector<std::string> tokens;
    for (std::uint64_t id = 1; id <= 2000; ++id) tokens.push_back(codec.encode({id, 7}));
    for (int round = 0; round < 3; ++round) {
        for (std::uint64_t id = 1; id <= 2000; ++id) {
            const std::string& t = tokens[id - 1];
            CHECK(codec.encode({id, 7}) == t);
            flow_identity out;
            REQUIRE_FALSE(codec.decode(t, out));
            CHECK(out == flow_identity{id, 7});
            REQUIRE_FALSE(copy.decode(t, out));
            CHECK(out == flow_identity{id, 7});
            CHECK(stranger.decode(t, out) == error::token_forged);
            auto altered = t;
            altered[20] = altered[20] == 'A' ? 'B' : 'A';
            CHECK(codec.decode(altered, out));
        }
    }
    copy.rotate(flow_token_key::generate(2));
    flow_identity out;
    REQUIRE_FALSE(copy.decode(tokens[0], out)); // now its previous key
    CHECK(copy.encode({1, 7}) != tokens[0]);
    CHECK(codec.decode(copy.encode({1, 7}), out) == error::token_unknown_key); // key 2: not the original's
}
