#include <sipws/ws/utf8.hpp>

#include "support/test.hpp"

#include <string>

using sipws::test::from_hex;
using sipws::ws::is_valid_utf8;
using sipws::ws::utf8_validator;

TEST_CASE("utf8: valid text of every sequence length", "[ws][utf8][WS6455-5.6-a][WS7118-4.2-d]") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("INVITE sip:bob@example.com SIP/2.0\r\n"));
    CHECK(is_valid_utf8(from_hex("c2 80")));       // U+0080
    CHECK(is_valid_utf8(from_hex("df bf")));       // U+07FF
    CHECK(is_valid_utf8(from_hex("e0 a0 80")));    // U+0800
    CHECK(is_valid_utf8(from_hex("ed 9f bf")));    // U+D7FF
    CHECK(is_valid_utf8(from_hex("ee 80 80")));    // U+E000
    CHECK(is_valid_utf8(from_hex("ef bf bf")));    // U+FFFF
    CHECK(is_valid_utf8(from_hex("f0 90 80 80"))); // U+10000
    CHECK(is_valid_utf8(from_hex("f4 8f bf bf"))); // U+10FFFF
    CHECK(is_valid_utf8("κόσμε Grüße 日本語 😀"));
}

TEST_CASE("utf8: RFC 3629 rejects overlongs, surrogates, >U+10FFFF, 5/6-octet forms",
          "[ws][utf8][WS7118-4.2-d][WS6455-8.1-a]") {
    const char* bad[] = {
        "80",                // lone continuation
        "bf",                //
        "c0 80",             // overlong NUL
        "c1 bf",             // overlong
        "e0 80 80",          // overlong 3-octet
        "e0 9f bf",          // overlong 3-octet
        "ed a0 80",          // U+D800 surrogate
        "ed bf bf",          // U+DFFF surrogate
        "f0 80 80 80",       // overlong 4-octet
        "f0 8f bf bf",       // overlong 4-octet
        "f4 90 80 80",       // U+110000
        "f5 80 80 80",       // beyond
        "f8 88 80 80 80",    // 5-octet form (RFC 2279)
        "fc 84 80 80 80 80", // 6-octet form
        "fe",
        "ff",
        "c2",       // truncated
        "e0 a0",    // truncated
        "f0 90 80", // truncated
        "c2 41",    // continuation expected
        "e1 80 41",
    };
    for (const char* hex : bad) {
        INFO(hex);
        CHECK_FALSE(is_valid_utf8(from_hex(hex)));
        CHECK_FALSE(is_valid_utf8("abc" + from_hex(hex) + "def"));
    }
}

TEST_CASE("utf8: incremental validation across piece boundaries", "[ws][utf8][WS6455-5.6-a]") {
    const std::string text = "a" + from_hex("f0 9f 98 80") + "b" + from_hex("e6 97 a5") + "c";
    // Every split point, byte by byte, must give the same verdict.
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        utf8_validator v;
        CHECK(v.feed(text.substr(0, cut)));
        CHECK(v.feed(text.substr(cut)));
        CHECK(v.finish());
    }
    utf8_validator v;
    for (char c : text) CHECK(v.feed(&c, 1));
    CHECK(v.finish());

    // Incomplete at the end of a piece is fine, not at the end of the text.
    utf8_validator w;
    CHECK(w.feed(from_hex("e6 97")));
    CHECK(w.incomplete());
    CHECK_FALSE(w.finish());
}

TEST_CASE("utf8: fails fast on the first impossible octet, also across pieces",
          "[ws][utf8][WS6455-5.6-a]") {
    utf8_validator v;
    CHECK(v.feed(from_hex("ce ba e1 bd b9 cf 83 ce bc ce b5"))); // κόσμε
    CHECK(v.feed(from_hex("ed")));                               // could start U+D000..U+D7FF
    CHECK_FALSE(v.feed(from_hex("a0")));                         // surrogate: fail now
    CHECK(v.failed());
    CHECK_FALSE(v.feed("abc")); // stays failed
    v.reset();
    CHECK(v.feed("abc"));
    CHECK(v.finish());

    // The failure is reported in the piece with the bad octet even when more follows.
    utf8_validator w;
    CHECK_FALSE(w.feed(std::string(1000, 'x') + from_hex("f5") + std::string(1000, 'y')));
}

TEST_CASE("utf8: ASCII fast path sees a non-ASCII octet at every position",
          "[ws][utf8][WS7118-4.2-b]") {
    for (std::size_t len : {1u, 15u, 16u, 17u, 63u, 64u, 65u, 200u, 256u, 300u, 700u}) {
        for (std::size_t at = 0; at < len; ++at) {
            std::string s(len, 'a');
            s[at] = static_cast<char>(0x80);
            INFO("len " << len << " at " << at);
            CHECK_FALSE(is_valid_utf8(s));
            if (at + 1 < len) {
                s[at] = static_cast<char>(0xC3); // "é" = C3 A9
                s[at + 1] = static_cast<char>(0xA9);
                CHECK(is_valid_utf8(s));
            }
        }
    }
}

TEST_CASE("utf8: exhaustive check of all 1-, 2- and 3-octet sequences against a reference",
          "[ws][utf8][WS7118-4.2-d]") {
    // Reference: decode character by character, check each code point by arithmetic.
    auto reference = [](const unsigned char* p, std::size_t n) {
        std::size_t i = 0;
        while (i < n) {
            unsigned cp;
            std::size_t need;
            if (p[i] < 0x80) {
                cp = p[i];
                need = 1;
            } else if ((p[i] & 0xE0) == 0xC0) {
                cp = p[i] & 0x1Fu;
                need = 2;
            } else if ((p[i] & 0xF0) == 0xE0) {
                cp = p[i] & 0x0Fu;
                need = 3;
            } else if ((p[i] & 0xF8) == 0xF0) {
                cp = p[i] & 0x07u;
                need = 4;
            } else
                return false;
            if (n - i < need) return false;
            for (std::size_t k = 1; k < need; ++k) {
                if ((p[i + k] & 0xC0) != 0x80) return false;
                cp = (cp << 6) | (p[i + k] & 0x3Fu);
            }
            static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
            if (cp < min[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
            i += need;
        }
        return true;
    };
    unsigned char b[3];
    std::size_t mismatches = 0;
    for (unsigned a = 0; a < 256; ++a) {
        b[0] = static_cast<unsigned char>(a);
        mismatches += is_valid_utf8(b, 1) != reference(b, 1);
        for (unsigned c = 0; c < 256; ++c) {
            b[1] = static_cast<unsigned char>(c);
            mismatches += is_valid_utf8(b, 2) != reference(b, 2);
            if (a >= 0xC0)
                for (unsigned d = 0; d < 256; ++d) {
                    b[2] = static_cast<unsigned char>(d);
                    mismatches += is_valid_utf8(b, 3) != reference(b, 3);
                }
        }
    }
    CHECK(mismatches == 0);

    // The same with octets after them (the whole-sequence path needs 4
    // remaining octets) and 4-octet sequences.
    std::size_t padded_mismatches = 0;
    unsigned char q[8] = {0, 0, 0, 0, 'w', 'x', 'y', 'z'};
    for (unsigned a = 0x80; a < 256; ++a) {
        q[0] = static_cast<unsigned char>(a);
        for (unsigned c = 0; c < 256; ++c) {
            q[1] = static_cast<unsigned char>(c);
            for (unsigned d : {0x00u, 0x41u, 0x7Fu, 0x80u, 0x9Fu, 0xA0u, 0xBFu, 0xC0u, 0xFFu}) {
                q[2] = static_cast<unsigned char>(d);
                for (unsigned e : {0x41u, 0x80u, 0xBFu, 0xC0u}) {
                    q[3] = static_cast<unsigned char>(e);
                    padded_mismatches += is_valid_utf8(q, 8) != reference(q, 8);
                    padded_mismatches += is_valid_utf8(q, 4) != reference(q, 4);
                }
            }
        }
    }
    CHECK(padded_mismatches == 0);
}
