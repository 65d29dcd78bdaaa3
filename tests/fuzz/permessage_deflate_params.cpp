// Fuzzes permessage-deflate negotiation (RFC 7692 section 7): the first
// octet picks the side and the options; the rest is Sec-WebSocket-Extensions
// values, one per line. Oracles: no crash or out-of-bounds access; a server
// agreement stays within the windows zlib can use and within what the offer
// allowed, and the response it builds is one a client accepts; a client
// agreement is within 8..15 and never above what it offered.
#include <sipws/ws/permessage_deflate.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
bool in_range(int bits) {
    return bits >= 8 && bits <= 15;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    using namespace sipws::ws;
    const std::uint8_t cfg = data[0];
    const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
    std::vector<std::string_view> lines;
    std::string_view rest(input);
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        lines.push_back(rest.substr(0, nl));
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
    }
    permessage_deflate_options o;
    o.server_max_window_bits = 8 + ((cfg >> 1) & 7);
    o.client_max_window_bits = 8 + ((cfg >> 4) & 7);
    o.server_no_context_takeover = (cfg & 0x80) != 0;
    o.client_no_context_takeover = (cfg & 0x08) != 0;

    if ((cfg & 1) == 0) {
        std::string response;
        auto a = negotiate_deflate(lines, o, response);
        if (!a) return 0;
        check(a->server_max_window_bits >= 9 && a->server_max_window_bits <= 15);
        check(a->server_max_window_bits <= o.server_max_window_bits ||
              o.server_max_window_bits < 9);
        check(in_range(a->client_max_window_bits));
        // A client that offered everything accepts what the server answered.
        permessage_deflate_options any;
        deflate_agreement seen;
        const std::vector<std::string_view> back{response};
        check(!accept_deflate_response(back, any, seen));
        check(seen.server_max_window_bits == a->server_max_window_bits);
        check(seen.server_no_context_takeover == a->server_no_context_takeover);
        check(seen.client_no_context_takeover == a->client_no_context_takeover);
        return 0;
    }
    deflate_agreement a;
    if (accept_deflate_response(lines, o, a)) return 0;
    check(in_range(a.server_max_window_bits) && in_range(a.client_max_window_bits));
    check(a.server_max_window_bits <= o.server_max_window_bits || o.server_max_window_bits == 15);
    check(a.client_max_window_bits <= o.client_max_window_bits || o.client_max_window_bits == 15);
    if (o.client_no_context_takeover) check(a.client_no_context_takeover);
    // The offer we would send is itself a valid offer.
    const std::string offer = deflate_offer(o);
    check(offer.rfind("permessage-deflate", 0) == 0);
    deflate_params p;
    check(parse_deflate_params(std::string_view(offer).substr(18), false, p));
    return 0;
}
