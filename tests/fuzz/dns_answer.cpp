// Fuzzes the DNS answer parser used by the D2W system resolver: any bytes
// give a result or dns_malformed_answer, never a crash or an overread.
#include <sipws/rfc7118/dns_message.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sipws::rfc7118::dns_answer answer;
    auto ec = sipws::rfc7118::parse_dns_answer(data, size, answer);
    if (!ec) {
        std::size_t records = answer.naptr.size() + answer.srv.size() + answer.addresses.size();
        if (records > size) std::abort(); // every record costs input bytes
        for (auto& s : answer.srv)
            if (s.target.empty() || s.target.size() > 4 * 255) std::abort();
    }
    return 0;
}
