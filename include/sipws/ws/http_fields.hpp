// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_HTTP_FIELDS_HPP
#define SIPWS_WS_HTTP_FIELDS_HPP

/// \file
/// The header fields of an HTTP/1.1 head as views into the bytes received
/// (RFC 9110 / RFC 9112 syntax), with case-insensitive lookup (WS6455-4.1-l)
/// and comma-separated token lists (`Connection: keep-alive, Upgrade`).

#include <sipws/detail/ascii.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

namespace sipws::ws {

/// One field line: name and value with surrounding white space removed.
struct http_field {
    std::string_view name;
    std::string_view value;
};

namespace detail {
/// RFC 9110 tchar.
constexpr bool is_tchar(char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}
constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
} // namespace detail

/// Case-insensitive ASCII comparison.
using sipws::detail::iequals;

/// True when \p s is a non-empty RFC 9110 token.
constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!detail::is_tchar(c)) return false;
    return true;
}

/// Calls f(element) for each non-empty element of a comma-separated list
/// (`#element`, RFC 9110 section 5.6.1), trimmed. Stops early and returns
/// false when f returns false.
template <class F>
bool for_each_list_element(std::string_view list, F&& f) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view elem = detail::trim_ows(list.substr(0, comma));
        if (!elem.empty() && !f(elem)) return false;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return true;
}

/// True when the comma-separated \p list contains \p token (case-insensitive).
inline bool list_contains(std::string_view list, std::string_view token) {
    bool found = false;
    for_each_list_element(list, [&](std::string_view e) {
        found = iequals(e, token);
        return !found;
    });
    return found;
}

/// The field lines of one HTTP head, in order.
class http_fields {
public:
    const std::vector<http_field>& all() const noexcept { return fields_; }
    std::size_t size() const noexcept { return fields_.size(); }

    /// Number of lines named \p name.
    std::size_t count(std::string_view name) const noexcept {
        std::size_t n = 0;
        for (const auto& f : fields_) n += iequals(f.name, name) ? 1 : 0;
        return n;
    }
    /// Value of the first line named \p name (empty view when absent).
    std::string_view get(std::string_view name) const noexcept {
        for (const auto& f : fields_)
            if (iequals(f.name, name)) return f.value;
        return {};
    }
    bool has(std::string_view name) const noexcept { return count(name) != 0; }
    /// True when any line named \p name lists \p token.
    bool list_has(std::string_view name, std::string_view token) const {
        for (const auto& f : fields_)
            if (iequals(f.name, name) && list_contains(f.value, token)) return true;
        return false;
    }
    /// Calls f(element) for each list element of every line named \p name.
    template <class F>
    bool for_each_element(std::string_view name, F&& f) const {
        for (const auto& fl : fields_)
            if (iequals(fl.name, name) && !for_each_list_element(fl.value, f)) return false;
        return true;
    }

    void clear() noexcept { fields_.clear(); }
    void add(std::string_view name, std::string_view value) { fields_.push_back({name, value}); }

private:
    std::vector<http_field> fields_;
};

} // namespace sipws::ws

#endif
