// sipws-ws-accept: prints the Sec-WebSocket-Accept value (RFC 6455 section
// 4.2.2) for each Sec-WebSocket-Key given, or for a fresh random key.
//
//   sipws-ws-accept [KEY...]
//
// Exit status 1 when a key is not base64 of 16 octets.
#include <sipws/ws/accept_key.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
    int status = 0;
    auto show = [&](const std::string& key) {
        if (!sipws::ws::is_valid_key(key)) {
            std::fprintf(stderr, "%s: not a valid Sec-WebSocket-Key (base64 of 16 octets)\n",
                         key.c_str());
            status = 1;
            return;
        }
        std::printf("Sec-WebSocket-Key: %s\nSec-WebSocket-Accept: %s\n", key.c_str(),
                    sipws::ws::compute_accept(key).c_str());
    };
    if (argc < 2) show(sipws::ws::generate_key());
    for (int i = 1; i < argc; ++i) show(argv[i]);
    return status;
}
