// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_CONFIG_HPP
#define SIPWS_TRANSPORT_CONFIG_HPP

/// \file
/// The Config bundle: the policy types a connection, listener or connector
/// is built with. Users inherit default_config and override what they need:
///
/// \code
///   struct my_config : sipws::transport::default_config {
///       using origin_policy    = sipws::transport::policy::origin_allowlist;
///       using web_auth_policy  = sipws::transport::policy::token_auth;
///       using keepalive_policy = sipws::transport::policy::crlf_keepalive;
///       using compression_policy = sipws::transport::policy::permessage_deflate;
///   };
/// \endcode
///
/// The listener / connector owns one object of each policy (reachable
/// through origin_policy(), web_auth_policy(), ...), so policies may carry
/// state (an allow-list, a token validator). A policy type missing from a
/// Config, or lacking the member the transport calls, is reported by a
/// static_assert naming it.

#include <sipws/transport/flow.hpp>
#include <sipws/transport/policy/compression.hpp>
#include <sipws/transport/policy/framing.hpp>
#include <sipws/transport/policy/keepalive.hpp>
#include <sipws/transport/policy/origin.hpp>
#include <sipws/transport/policy/subprotocol.hpp>
#include <sipws/transport/policy/web_auth.hpp>
#include <sipws/ws/permessage_deflate.hpp>

#include <string_view>
#include <type_traits>

namespace sipws::transport {

struct default_config {
    using origin_policy = policy::allow_any_origin;
    using web_auth_policy = policy::no_web_auth;
    using subprotocol_policy = policy::sip_subprotocol;
    using framing_policy = policy::text_when_utf8;
    using keepalive_policy = policy::no_keepalive;
    /// Off by default (PMD7692-8-a); policy::permessage_deflate turns it on.
    using compression_policy = policy::no_compression;
};

namespace detail {
template <class, class = void> struct has_origin_policy : std::false_type {};
template <class C>
struct has_origin_policy<C, std::void_t<typename C::origin_policy>> : std::true_type {};
template <class, class = void> struct has_web_auth_policy : std::false_type {};
template <class C>
struct has_web_auth_policy<C, std::void_t<typename C::web_auth_policy>> : std::true_type {};
template <class, class = void> struct has_subprotocol_policy : std::false_type {};
template <class C>
struct has_subprotocol_policy<C, std::void_t<typename C::subprotocol_policy>> : std::true_type {};
template <class, class = void> struct has_framing_policy : std::false_type {};
template <class C>
struct has_framing_policy<C, std::void_t<typename C::framing_policy>> : std::true_type {};
template <class, class = void> struct has_keepalive_policy : std::false_type {};
template <class C>
struct has_keepalive_policy<C, std::void_t<typename C::keepalive_policy>> : std::true_type {};

template <class, class = void> struct origin_ok : std::false_type {};
template <class P>
struct origin_ok<P, std::enable_if_t<std::is_convertible_v<
                        decltype(std::declval<const P&>().allow(std::string_view{})), bool>>>
    : std::true_type {};
/// A web-auth policy's check() takes the handshake request, and may take
/// the flow's facts as known so far (addresses, the TLS peer certificate).
template <class, class = void> struct web_auth_takes_flow : std::false_type {};
template <class P>
struct web_auth_takes_flow<
    P, std::enable_if_t<std::is_convertible_v<
           decltype(std::declval<const P&>().check(std::declval<const ws::handshake_request&>(),
                                                   std::declval<const flow_info&>())),
           web_auth_result>>> : std::true_type {};
template <class, class = void> struct web_auth_takes_request : std::false_type {};
template <class P>
struct web_auth_takes_request<
    P, std::enable_if_t<std::is_convertible_v<decltype(std::declval<const P&>().check(
                                                  std::declval<const ws::handshake_request&>())),
                                              web_auth_result>>> : std::true_type {};
template <class P>
struct web_auth_ok
    : std::bool_constant<web_auth_takes_flow<P>::value || web_auth_takes_request<P>::value> {};

template <class P>
web_auth_result check_web_auth(const P& p, const ws::handshake_request& req, const flow_info& info) {
    if constexpr (web_auth_takes_flow<P>::value) return p.check(req, info);
    else return p.check(req);
}
template <class, class = void> struct subprotocol_ok : std::false_type {};
template <class P>
struct subprotocol_ok<P, std::void_t<decltype(std::declval<const P&>().names.begin()),
                                     decltype(std::declval<const P&>().when_none_offered),
                                     decltype(std::declval<const P&>().client_requires)>>
    : std::true_type {};
template <class, class = void> struct framing_ok : std::false_type {};
template <class P>
struct framing_ok<P, std::enable_if_t<std::is_same_v<
                         decltype(std::declval<const P&>().choose(std::string_view{})),
                         ws::message_type>>> : std::true_type {};
template <class, class = void> struct keepalive_ok : std::false_type {};
template <class P>
struct keepalive_ok<P, std::void_t<decltype(std::declval<const P&>().mode),
                                   decltype(std::declval<const P&>().interval),
                                   decltype(std::declval<const P&>().pong_timeout),
                                   decltype(std::declval<const P&>().answer_crlf)>>
    : std::true_type {};

template <class C, class = void> struct origin_of {
    using type = policy::allow_any_origin;
};
template <class C> struct origin_of<C, std::void_t<typename C::origin_policy>> {
    using type = typename C::origin_policy;
};
template <class C, class = void> struct web_auth_of {
    using type = policy::no_web_auth;
};
template <class C> struct web_auth_of<C, std::void_t<typename C::web_auth_policy>> {
    using type = typename C::web_auth_policy;
};
template <class C, class = void> struct subprotocol_of {
    using type = policy::sip_subprotocol;
};
template <class C> struct subprotocol_of<C, std::void_t<typename C::subprotocol_policy>> {
    using type = typename C::subprotocol_policy;
};
template <class C, class = void> struct framing_of {
    using type = policy::text_when_utf8;
};
template <class C> struct framing_of<C, std::void_t<typename C::framing_policy>> {
    using type = typename C::framing_policy;
};
template <class, class = void> struct compression_ok : std::false_type {};
template <class P>
struct compression_ok<P, std::enable_if_t<std::is_same_v<decltype(P::enabled), const bool>>>
    : std::true_type {};
/// An enabled compression policy makes the codecs of an agreement.
template <class, class = void> struct compression_makers_ok : std::false_type {};
template <class P>
struct compression_makers_ok<
    P, std::void_t<decltype(std::declval<const P&>().make_inflater(
                       std::declval<const ws::deflate_agreement&>(), ws::role::server)),
                   decltype(std::declval<const P&>().make_deflater(
                       std::declval<const ws::deflate_agreement&>(), ws::role::server)),
                   decltype(static_cast<const ws::permessage_deflate_options&>(
                       std::declval<const P&>()))>> : std::true_type {};
template <class P, bool = compression_ok<P>::value> struct compression_complete : std::false_type {};
template <class P>
struct compression_complete<P, true>
    : std::bool_constant<!P::enabled || compression_makers_ok<P>::value> {};
/// An enabled compression policy's run-time switch (`bool active`, when it has one).
template <class, class = void> struct has_active_switch : std::false_type {};
template <class P>
struct has_active_switch<P, std::enable_if_t<std::is_same_v<decltype(std::declval<const P&>().active), bool>>>
    : std::true_type {};
template <class P> bool compression_active(const P& p) noexcept {
    if constexpr (has_active_switch<P>::value) return p.active;
    else return true;
}
/// compression_policy may be left out of a Config (then: none).
template <class C, class = void> struct compression_of {
    using type = policy::no_compression;
};
template <class C> struct compression_of<C, std::void_t<typename C::compression_policy>> {
    using type = typename C::compression_policy;
};

template <class C, class = void> struct keepalive_of {
    using type = policy::no_keepalive;
};
template <class C> struct keepalive_of<C, std::void_t<typename C::keepalive_policy>> {
    using type = typename C::keepalive_policy;
};

/// Instantiated by every transport class: checks a Config with messages
/// that say what is missing.
template <class Config> struct check_config {
    static_assert(has_origin_policy<Config>::value,
                  "sipws Config: missing `using origin_policy = ...;` (inherit "
                  "sipws::transport::default_config)");
    static_assert(has_web_auth_policy<Config>::value,
                  "sipws Config: missing `using web_auth_policy = ...;` (inherit "
                  "sipws::transport::default_config)");
    static_assert(has_subprotocol_policy<Config>::value,
                  "sipws Config: missing `using subprotocol_policy = ...;` (inherit "
                  "sipws::transport::default_config)");
    static_assert(has_framing_policy<Config>::value,
                  "sipws Config: missing `using framing_policy = ...;` (inherit "
                  "sipws::transport::default_config)");
    static_assert(has_keepalive_policy<Config>::value,
                  "sipws Config: missing `using keepalive_policy = ...;` (inherit "
                  "sipws::transport::default_config)");
    static_assert(origin_ok<typename origin_of<Config>::type>::value,
                  "sipws Config: origin_policy needs `bool allow(std::string_view origin) const`");
    static_assert(web_auth_ok<typename web_auth_of<Config>::type>::value,
                  "sipws Config: web_auth_policy needs `web_auth_result check(const "
                  "sipws::ws::handshake_request&) const` (or check(request, const flow_info&))");
    static_assert(subprotocol_ok<typename subprotocol_of<Config>::type>::value,
                  "sipws Config: subprotocol_policy needs members `names`, "
                  "`when_none_offered` and `client_requires` (see policy::sip_subprotocol)");
    static_assert(framing_ok<typename framing_of<Config>::type>::value,
                  "sipws Config: framing_policy needs `sipws::ws::message_type "
                  "choose(std::string_view payload) const`");
    static_assert(keepalive_ok<typename keepalive_of<Config>::type>::value,
                  "sipws Config: keepalive_policy needs members `mode`, `interval`, "
                  "`pong_timeout` and `answer_crlf` (see policy::no_keepalive)");
    static_assert(compression_ok<typename compression_of<Config>::type>::value,
                  "sipws Config: compression_policy needs `static constexpr bool enabled` (see "
                  "policy::no_compression and policy::permessage_deflate)");
    static_assert(compression_complete<typename compression_of<Config>::type>::value ||
                      !compression_ok<typename compression_of<Config>::type>::value,
                  "sipws Config: an enabled compression_policy derives from "
                  "ws::permessage_deflate_options and has make_inflater(agreement, role) and "
                  "make_deflater(agreement, role) (see policy::permessage_deflate)");
    static constexpr bool value = true;
};
} // namespace detail

} // namespace sipws::transport

namespace sipws {
using transport::default_config;
} // namespace sipws

#endif
