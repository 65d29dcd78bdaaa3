// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_DETAIL_TEMPORARY_STRING_HPP
#define SIPWS_SIP_DETAIL_TEMPORARY_STRING_HPP

// Internal: the parsers return views into their input. Handing them a
// temporary std::string would leave those views dangling at the end of the
// statement, so each parser has a deleted overload for exactly that case,
// selected through this trait (lvalue strings, string_views and literals
// are unaffected).

#include <string>
#include <type_traits>

namespace sipws::sip::detail {

template <class S>
inline constexpr bool is_temporary_string_v =
    std::is_same_v<std::remove_cv_t<std::remove_reference_t<S>>, std::string> && !std::is_lvalue_reference_v<S>;

} // namespace sipws::sip::detail

#endif
