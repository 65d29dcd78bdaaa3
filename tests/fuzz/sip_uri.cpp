// Fuzz target: sip::parse_uri(), comparison and serialisation invariants.
#include <sipws/sip/uri.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sip = sipws::sip;

static void check(bool ok) {
    if (!ok) std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::size_t split = in.find('\n');
    std::string_view a = in.substr(0, split);
    std::string_view b = split == in.npos ? a : in.substr(split + 1);
    std::error_code ea, eb;
    sip::uri x = sip::parse_uri(a, ea);
    sip::uri y = sip::parse_uri(b, eb);
    if (!ea) {
        check(sip::equivalent(x, x));
        std::string s = sip::to_string(x);
        std::error_code ec;
        sip::uri z = sip::parse_uri(s, ec);
        check(!ec);
        check(sip::equivalent(x, z) && sip::equivalent(z, x));
        for (const sip::parameter& p : x.parameters) check(!p.name.empty());
        (void)x.port_or_default();
        (void)sip::unescape(x.user);
    }
    if (!ea && !eb) check(sip::equivalent(x, y) == sip::equivalent(y, x));
    (void)sip::unescape(in);
    (void)sip::escape_user(in);
    return 0;
}
