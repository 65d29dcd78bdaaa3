#include <sipws/sipws.hpp>

#include <cstdio>

int main() {
    // RFC 6455 section 1.3: the sample key and its accept value.
    auto accept = sipws::ws::compute_accept("dGhlIHNhbXBsZSBub25jZQ==");
    if (accept != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") {
        std::printf("sipws %s wrong accept %s\n", sipws::version().string, accept.c_str());
        return 1;
    }
    std::printf("sipws %s ok\n", sipws::version().string);
    return 0;
}
