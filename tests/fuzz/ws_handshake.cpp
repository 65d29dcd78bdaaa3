// Fuzzes both sides of the opening handshake. The first octet picks the side
// and the chunk size. For the client, the text "ACCEPT" in the input is
// replaced by the accept value of the handshake's random key so the fuzzer can
// reach the checks after it. Oracles: no crash or out-of-bounds access; the
// head is never over-consumed; a server response is always a complete HTTP
// head; a 101 is produced only for requests that pass an independent check.
#include <sipws/ws/client_handshake.hpp>
#include <sipws/ws/server_handshake.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    using namespace sipws::ws;
    const std::uint8_t cfg = data[0];
    std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
    static const std::size_t chunks[] = {1, 5, 64, 100000};
    const std::size_t chunk = chunks[(cfg >> 1) % 4];

    if ((cfg & 1) == 0) {
        server_handshake_options opt;
        opt.max_head_size = 2048;
        opt.max_fields = 32;
        if (cfg & 0x10) opt.when_none_offered = subprotocol_policy::optional;
        server_handshake hs(opt);
        std::size_t total = 0;
        handshake_status st = handshake_status::need_more;
        for (std::size_t pos = 0; pos < input.size() && st == handshake_status::need_more;
             pos += chunk) {
            std::size_t n = input.size() - pos < chunk ? input.size() - pos : chunk;
            std::size_t used = 0;
            st = hs.feed(input.data() + pos, n, used);
            check(used <= n);
            total += used;
            if (st == handshake_status::need_more) check(used == n);
        }
        check(total <= input.size());
        if (st == handshake_status::ready) {
            const auto& r = hs.request();
            check(r.method == "GET");
            check(is_valid_key(r.key));
            check(!r.host.empty());
            check(hs.request().fields.count("Sec-WebSocket-Key") == 1);
            check(hs.request().fields.get("Sec-WebSocket-Version") == "13");
            if (opt.when_none_offered == subprotocol_policy::required)
                check(r.offers_subprotocol("sip") && hs.selected_subprotocol() == "sip");
            check(!hs.accept((cfg & 0x20) ? "Set-Cookie: a=b\r\n" : ""));
            std::string resp(hs.response());
            check(resp.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
            check(resp.find(compute_accept(r.key)) != std::string::npos);
        }
        if (st == handshake_status::failed) {
            std::string resp(hs.response());
            check(resp.rfind("HTTP/1.1 4", 0) == 0);
            check(resp.size() >= 4 && resp.compare(resp.size() - 4, 4, "\r\n\r\n") == 0);
        }
        return 0;
    }

    client_handshake_options opt;
    opt.host = "example.com";
    opt.max_head_size = 2048;
    client_handshake hs(opt);
    const std::string accept = compute_accept(hs.key());
    for (std::size_t at = input.find("ACCEPT"); at != std::string::npos;
         at = input.find("ACCEPT", at + accept.size()))
        input.replace(at, 6, accept);
    handshake_status st = handshake_status::need_more;
    for (std::size_t pos = 0; pos < input.size() && st == handshake_status::need_more;
         pos += chunk) {
        std::size_t n = input.size() - pos < chunk ? input.size() - pos : chunk;
        std::size_t used = 0;
        st = hs.feed(input.data() + pos, n, used);
        check(used <= n);
    }
    if (st == handshake_status::accepted) {
        check(hs.status_code() == 101);
        check(hs.subprotocol() == "sip");
        check(hs.response_fields().count("Sec-WebSocket-Accept") == 1);
        check(hs.response_fields().get("Sec-WebSocket-Accept") == accept);
        check(!hs.response_fields().has("Sec-WebSocket-Extensions") ||
              hs.response_fields().get("Sec-WebSocket-Extensions").empty());
    }
    return 0;
}
