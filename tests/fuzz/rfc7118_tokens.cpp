// Fuzzes what an edge proxy / registrar reads from untrusted URIs and
// Contact parameters: flow tokens, temporary GRUUs, `gr` detection,
// pub-gruu / +sip.instance unquoting. Nothing may crash, and nothing
// random may authenticate.
#include <sipws/rfc7118/flow_token.hpp>
#include <sipws/rfc7118/gruu.hpp>
#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/instance_id.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace sipws::rfc7118;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const flow_token_codec flows(flow_token_key{1, std::string(32, 'k')});
    static const temp_gruu_codec gruus(temp_gruu_codec::key{1, std::string(32, 'g')});
    std::string_view text(reinterpret_cast<const char*>(data), size);

    flow_identity f;
    if (!flows.decode(text, f)) {
        // Only a token we made can decode: re-encoding gives it back.
        if (flows.encode(f) != text) std::abort();
    }
    temp_gruu_content c;
    if (!gruus.resolve_user(text, c)) {
        // Authenticated by AES-GCM: fuzzing cannot get here without the key.
        std::abort();
    }
    (void)gruus.resolve(text, c);
    (void)is_gruu(text);
    (void)gr_param(text);
    if (auto u = unquote_gruu(text)) {
        auto q = quote_gruu(*u);
        if (!q.empty() && unquote_gruu(q) != u) std::abort();
    }
    if (auto urn = parse_sip_instance_value(text)) {
        if (parse_sip_instance_value(sip_instance_value(*urn)) != urn) std::abort();
    }
    (void)is_uuid_urn(text);
    (void)is_rfc3261_branch(text);
    (void)is_invalid_host(text);
    if (size > 0 && size < 200 && text.find('\0') == std::string_view::npos) {
        try {
            auto pub = make_pub_gruu("sip:alice@example.com", text);
            auto v = gr_param(pub);
            if (!v || v->empty()) std::abort();
        } catch (const std::invalid_argument&) {
        }
    }
    return 0;
}
