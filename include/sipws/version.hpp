// sipws — SIP over WebSocket (RFC 7118) for C++17.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_VERSION_HPP
#define SIPWS_VERSION_HPP

// The single source of the version: CMake, pkg-config, the Conan recipe and
// the vcpkg manifest check read these three lines.
#define SIPWS_VERSION_MAJOR 0
#define SIPWS_VERSION_MINOR 1
#define SIPWS_VERSION_PATCH 0

#define SIPWS_VERSION_STRINGIZE_(x) #x
#define SIPWS_VERSION_STRINGIZE(x) SIPWS_VERSION_STRINGIZE_(x)
#define SIPWS_VERSION_STRING                                                                       \
    SIPWS_VERSION_STRINGIZE(SIPWS_VERSION_MAJOR)                                                   \
    "." SIPWS_VERSION_STRINGIZE(SIPWS_VERSION_MINOR) "." SIPWS_VERSION_STRINGIZE(                  \
        SIPWS_VERSION_PATCH)

/// Encoded as MAJOR * 10000 + MINOR * 100 + PATCH, for preprocessor comparisons.
#define SIPWS_VERSION (SIPWS_VERSION_MAJOR * 10000 + SIPWS_VERSION_MINOR * 100 + SIPWS_VERSION_PATCH)

namespace sipws {

struct version_info {
    int major;
    int minor;
    int patch;
    const char* string;
};

/// The version of the headers this translation unit was compiled against.
constexpr version_info version() noexcept {
    return {SIPWS_VERSION_MAJOR, SIPWS_VERSION_MINOR, SIPWS_VERSION_PATCH, SIPWS_VERSION_STRING};
}

} // namespace sipws

#endif
