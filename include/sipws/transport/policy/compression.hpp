// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_POLICY_COMPRESSION_HPP
#define SIPWS_TRANSPORT_POLICY_COMPRESSION_HPP

/// \file
/// Compression policies. The default, no_compression, declines every
/// extension offer and offers none (PMD7692-8-a: compression under TLS can
/// leak secrets, CRIME-style, and declining is always legal). A Config opts
/// in with policy::permessage_deflate (<sipws/transport/policy/permessage_deflate.hpp>,
/// which needs zlib).
///
/// A compression policy has `static constexpr bool enabled`; an enabled one
/// derives from ws::permessage_deflate_options and has
/// `make_inflater(const ws::deflate_agreement&, ws::role) const` and
/// `make_deflater(const ws::deflate_agreement&, ws::role) const`; it may
/// have `bool active`, a run-time switch (false: as no_compression).

namespace sipws::transport::policy {

struct no_compression {
    static constexpr bool enabled = false;
};

} // namespace sipws::transport::policy

#endif
