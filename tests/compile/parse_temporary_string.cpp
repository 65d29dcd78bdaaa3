// Compiled twice by ctest: as is it must compile (views of strings that
// outlive them); with SIPWS_EXPECT_ERROR it must not (views of temporary
// std::strings would dangle, so those overloads are deleted).
#include <sipws/sip/name_addr.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/sip/via.hpp>

#include <string>
#include <string_view>
#include <system_error>

int main() {
    std::error_code ec;
    std::string text = "sip:alice@example.com";
    const std::string constant = text;
    std::string msg = "OPTIONS sip:bob@example.com SIP/2.0\r\n\r\n";
    int n = 0;
    n += static_cast<int>(sipws::sip::parse_uri(text, ec).host.size());
    n += static_cast<int>(sipws::sip::parse_uri(constant, ec).host.size());
    n += static_cast<int>(sipws::sip::parse_uri(std::string_view(text), ec).host.size());
    n += static_cast<int>(sipws::sip::parse_uri("sip:bob@example.com", ec).host.size());
    n += static_cast<bool>(sipws::sip::parse(msg));
    n += static_cast<bool>(sipws::sip::parse("OPTIONS sip:bob@example.com SIP/2.0\r\n\r\n"));
#if defined(SIPWS_EXPECT_ERROR) && SIPWS_EXPECT_ERROR == 1
    n += static_cast<int>(sipws::sip::parse_uri(std::string("sip:a@b"), ec).host.size());
#elif defined(SIPWS_EXPECT_ERROR) && SIPWS_EXPECT_ERROR == 2
    n += static_cast<bool>(sipws::sip::parse(msg + ""));
#elif defined(SIPWS_EXPECT_ERROR) && SIPWS_EXPECT_ERROR == 3
    n += static_cast<int>(sipws::sip::parse_via(std::string("SIP/2.0/WSS h;branch=z9hG4bK1"), ec).host.size());
#elif defined(SIPWS_EXPECT_ERROR) && SIPWS_EXPECT_ERROR == 4
    n += static_cast<int>(sipws::sip::parse_name_addr(std::move(text), ec).uri_text.size());
#endif
    return n == 0;
}
