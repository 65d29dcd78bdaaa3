#include <sipws/ws/frame.hpp>
#include <sipws/ws/mask.hpp>

#include "support/test.hpp"

#include <string>

using sipws::test::from_hex;
using sipws::ws::masking_key;

TEST_CASE("mask: RFC 6455 section 5.7 vector", "[ws][mask][WS6455-5.3-b][WS6455-6.2-a]") {
    const masking_key key{0x37, 0xfa, 0x21, 0x3d};
    std::string hello = "Hello";
    sipws::ws::mask_in_place(hello.data(), hello.size(), key);
    CHECK(hello == from_hex("7f 9f 4d 51 58"));
    sipws::ws::mask_in_place(hello.data(), hello.size(), key);
    CHECK(hello == "Hello");
}

TEST_CASE("mask: word-wise result equals the byte-wise definition for every length and offset",
          "[ws][mask][WS6455-5.3-a]") {
    const masking_key key{0xa1, 0x02, 0xf3, 0x64};
    std::string src(300, '\0');
    for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<char>(i * 7 + 3);
    for (std::size_t len :
         {0u, 1u, 3u, 7u, 8u, 9u, 15u, 16u, 17u, 63u, 64u, 65u, 130u, 256u, 300u}) {
        for (std::size_t offset = 0; offset < 6; ++offset) {
            for (std::size_t start = 0; start < 3 && start + len <= src.size(); ++start) {
                std::string expect(len, '\0');
                for (std::size_t i = 0; i < len; ++i)
                    expect[i] = static_cast<char>(static_cast<unsigned char>(src[start + i]) ^
                                                  key[(offset + i) % 4]);
                std::string in_place = src.substr(start, len);
                auto next = sipws::ws::mask_in_place(in_place.data(), len, key, offset);
                CHECK(next == offset + len);
                std::string copied(len, '\0');
                sipws::ws::mask_copy(copied.data(), src.data() + start, len, key, offset);
                INFO("len " << len << " offset " << offset << " start " << start);
                CHECK(in_place == expect);
                CHECK(copied == expect);
            }
        }
    }
}

TEST_CASE("mask: unmasking in pieces equals unmasking at once", "[ws][mask][WS6455-6.2-a]") {
    const masking_key key{1, 2, 3, 4};
    std::string data(1000, 'q');
    std::string whole = data;
    sipws::ws::mask_in_place(whole.data(), whole.size(), key);
    std::string pieces = data;
    std::size_t off = 0;
    for (std::size_t step : {1u, 5u, 33u, 100u, 861u}) {
        off = sipws::ws::mask_in_place(pieces.data() + off, step, key, off);
    }
    CHECK(off == 1000);
    CHECK(pieces == whole);
}

TEST_CASE("frame: header encodings use the shortest form",
          "[ws][frame][WS6455-5.2-c][WS6455-5.3-b]") {
    unsigned char h[sipws::ws::max_header_size];
    using sipws::ws::opcode;
    auto hex = [&](std::size_t n) { return std::string(reinterpret_cast<char*>(h), n); };
    CHECK(hex(sipws::ws::write_frame_header(h, true, opcode::text, 5)) == from_hex("81 05"));
    CHECK(hex(sipws::ws::write_frame_header(h, true, opcode::binary, 125)) == from_hex("82 7d"));
    CHECK(hex(sipws::ws::write_frame_header(h, true, opcode::binary, 126)) ==
          from_hex("82 7e 00 7e"));
    CHECK(hex(sipws::ws::write_frame_header(h, true, opcode::binary, 256)) ==
          from_hex("82 7E 01 00"));
    CHECK(hex(sipws::ws::write_frame_header(h, true, opcode::binary, 65535)) ==
          from_hex("82 7e ff ff"));
    CHECK(hex(sipws::ws::write_frame_header(h, true, opcode::binary, 65536)) ==
          from_hex("82 7F 00 00 00 00 00 01 00 00"));
    const masking_key key{0x37, 0xfa, 0x21, 0x3d};
    CHECK(hex(sipws::ws::write_frame_header(h, true, opcode::text, 5, &key)) ==
          from_hex("81 85 37 fa 21 3d"));
    CHECK(hex(sipws::ws::write_frame_header(h, false, opcode::continuation, 0)) ==
          from_hex("00 00"));
    CHECK(sipws::ws::header_size(125, false) == 2);
    CHECK(sipws::ws::header_size(126, true) == 8);
    CHECK(sipws::ws::header_size(65536, true) == 14);
}

TEST_CASE("mask: fused unmask + ASCII check sees a high octet at every position",
          "[ws][mask][WS6455-5.6-a][WS6455-6.2-a]") {
    const masking_key key{0x5a, 0x00, 0xff, 0x81};
    // Lengths past 256 take the 32-octet (AVX2) kernels where the CPU has them.
    for (std::size_t len : {1u, 7u, 8u, 15u, 16u, 17u, 64u, 65u, 130u, 256u, 300u, 511u, 777u}) {
        for (std::size_t offset = 0; offset < 4; ++offset) {
            std::string plain(len, 'a');
            auto masked_of = [&](const std::string& p) {
                std::string m = p;
                sipws::ws::mask_in_place(m.data(), m.size(), key, offset);
                return m;
            };
            std::string out(len, '\0');
            std::string m = masked_of(plain);
            CHECK(sipws::ws::detail::mask_run_ascii(
                reinterpret_cast<unsigned char*>(out.data()),
                reinterpret_cast<const unsigned char*>(m.data()), len, key, offset));
            CHECK(out == plain);
            for (std::size_t at = 0; at < len; ++at) {
                std::string p = plain;
                p[at] = static_cast<char>(0xC3);
                std::string mm = masked_of(p);
                INFO("len " << len << " offset " << offset << " at " << at);
                CHECK_FALSE(sipws::ws::detail::mask_run_ascii(
                    reinterpret_cast<unsigned char*>(mm.data()),
                    reinterpret_cast<const unsigned char*>(mm.data()), len, key, offset));
                CHECK(mm == p); // in place
            }
        }
    }
}
