// Fuzzes the auth-param parser behind WWW-Authenticate / Authorization and
// the Digest layers on top: no crash, no overread, bounded output, and what
// serialises must parse back to the same values.
#include <sipws/rfc7118/auth_params.hpp>
#include <sipws/rfc7118/digest.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace sipws::rfc7118;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auth_parse_limits limits;
    std::vector<auth_scheme_params> raw;
    if (!parse_auth_header(text, raw, limits)) {
        if (raw.empty() || raw.size() > limits.max_challenges) std::abort();
        for (auto& r : raw) {
            if (r.params.size() > limits.max_params) std::abort();
            for (auto& p : r.params) {
                if (p.value.size() > limits.max_value_size) std::abort();
                for (std::size_t i = 0; i < r.params.size(); ++i)
                    if (&r.params[i] != &p && r.params[i].name == p.name) std::abort();
            }
        }
    }
    std::vector<digest_challenge> challenges;
    if (!parse_digest_challenges(text, challenges)) {
        for (auto& c : challenges) {
            auto s = to_string(c);
            if (s.empty()) continue; // a value with CR/LF cannot be re-serialised
            std::vector<digest_challenge> again;
            if (parse_digest_challenges(s, again) || again.size() != 1) std::abort();
            if (again[0].realm != c.realm || again[0].nonce != c.nonce ||
                again[0].algorithm != c.algorithm || again[0].opaque != c.opaque)
                std::abort();
        }
    }
    digest_credentials cr;
    if (!parse_digest_credentials(text, cr)) {
        auto s = to_string(cr);
        if (!s.empty()) {
            digest_credentials back;
            if (parse_digest_credentials(s, back)) std::abort();
            if (back.username != cr.username || back.response != cr.response || back.nc != cr.nc ||
                back.uri != cr.uri || back.qop != cr.qop)
                std::abort();
        }
    }
    return 0;
}
