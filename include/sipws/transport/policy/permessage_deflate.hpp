// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_POLICY_PERMESSAGE_DEFLATE_HPP
#define SIPWS_TRANSPORT_POLICY_PERMESSAGE_DEFLATE_HPP

/// \file
/// permessage-deflate (RFC 7692) for a Config that opts in:
///
/// \code
///   struct my_config : sipws::transport::default_config {
///       using compression_policy = sipws::transport::policy::permessage_deflate;
///   };
///   listener.compression_policy().server_no_context_takeover = true;  // before listening
/// \endcode
///
/// A listener accepts the first offer it can honour (and declines the
/// others, PMD7692-7-b); a connector offers it and checks the answer
/// (PMD7692-7-c). Messages of min_size octets or more are compressed.
/// Each compressing connection holds a zlib compressor (about
/// 2^(server_max_window_bits + 2) + 2^(mem_level + 9) octets) and an
/// inflater (a window of up to 32 KiB). Needs zlib (ZLIB::ZLIB).

#include <sipws/transport/policy/compression.hpp>
#include <sipws/ws/deflate.hpp>

#include <memory>

namespace sipws::transport::policy {

struct permessage_deflate : ws::permessage_deflate_options {
    static constexpr bool enabled = true;
    /// Run-time switch: false declines every offer and makes none, as
    /// no_compression does (a program's command-line option). Read when a
    /// connection starts its handshake.
    bool active = true;

    std::unique_ptr<ws::message_inflater> make_inflater(const ws::deflate_agreement& a,
                                                        ws::role r) const {
        return ws::make_inflater(a, r);
    }
    std::unique_ptr<ws::message_deflater> make_deflater(const ws::deflate_agreement& a,
                                                        ws::role r) const {
        return ws::make_deflater(a, r, *this);
    }
};

} // namespace sipws::transport::policy

#endif
