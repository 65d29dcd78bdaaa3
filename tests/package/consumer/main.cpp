#include <sipws/sipws.hpp>
#if defined(SIPWS_HAS_ZLIB)
#include <sipws/ws/deflate.hpp>
#endif

#include <cstdio>

int main() {
#if defined(SIPWS_HAS_ZLIB)
    // the consumer links zlib when the package says it has it
    if (zlibVersion()[0] == '\0') return 1;
#endif
    // RFC 6455 section 1.3: the sample key and its accept value.
    auto accept = sipws::ws::compute_accept("dGhlIHNhbXBsZSBub25jZQ==");
    if (accept != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") {
        std::printf("sipws %s wrong accept %s\n", sipws::version().string, accept.c_str());
        return 1;
    }
    std::printf("sipws %s ok\n", sipws::version().string);
    return 0;
}
