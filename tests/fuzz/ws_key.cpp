// Fuzzes the strict base64 decoder behind Sec-WebSocket-Key validation:
// decode must never write past its bound and must round-trip what it accepts.
#include <sipws/crypto/base64.hpp>
#include <sipws/ws/accept_key.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto decoded = sipws::crypto::base64_decode(text)) {
        if (sipws::crypto::base64_encode(*decoded) != text) std::abort();
    }
    if (auto decoded = sipws::crypto::base64url_decode(text)) {
        if (sipws::crypto::base64url_encode(*decoded) != text) std::abort();
    }
    (void)sipws::ws::is_valid_key(text);
    return 0;
}
