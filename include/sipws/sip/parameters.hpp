// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_PARAMETERS_HPP
#define SIPWS_SIP_PARAMETERS_HPP

/// \file
/// `;name[=value]` parameter lists, as they follow a URI, a Via value or a
/// name-addr. A parameter_list is a view over text that a parser has already
/// checked; iterating it never fails.

#include <sipws/sip/detail/chars.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace sipws::sip {

/// Most parameters one header value or URI may carry. A longer list is
/// rejected (errc::too_many_parameters), which keeps the duplicate check
/// (RFC 3261 7.3.1) linear in the input size.
inline constexpr std::size_t max_parameters = 64;

/// One `name[=value]`. Quoted values keep their quotes (see unquote()).
struct parameter {
    std::string_view name;
    std::string_view value;
    bool has_value = false;
};

/// The text of a quoted-string without its quotes and with quoted-pairs
/// resolved; other values are returned unchanged.
inline std::string unquote(std::string_view v) {
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
    std::string out;
    out.reserve(v.size() - 2);
    for (std::size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] == '\\' && i + 2 < v.size()) ++i;
        out.push_back(v[i]);
    }
    return out;
}

/// The inside of a quoted-string without resolving quoted-pairs (a view);
/// other values unchanged.
constexpr std::string_view strip_quotes(std::string_view v) noexcept {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return detail::sub(v, 1, v.size() - 2);
    return v;
}

namespace detail {
/// Octets that go on a parameter name or unquoted value as parameter_list
/// reads it: all but LWS, ";" and (for the name) "=".
struct param_run_table {
    std::uint8_t v[256];
    constexpr explicit param_run_table(bool name) : v{} {
        for (int c = 0; c < 256; ++c)
            v[c] = !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || (name && c == '='));
    }
};
inline constexpr param_run_table param_name_table{true}, param_value_table{false};
inline constexpr const std::uint8_t* param_name_octets = param_name_table.v;
inline constexpr const std::uint8_t* param_value_octets = param_value_table.v;
} // namespace detail

/// A view over `*( SEMI name [EQUAL value] )`.
class parameter_list {
    /// The parameter at or after \p i of \p text (LWS and ";" skipped) into
    /// \p out; returns where it starts (\p text's size when none is left)
    /// and sets \p next to where the one after it may start.
    static std::size_t read_param(std::string_view text, std::size_t i, parameter& out, std::size_t& next) {
        const std::size_t n = text.size();
        auto run = [&text](std::size_t k, const std::uint8_t* table) {
            return static_cast<std::size_t>(
                detail::skip_class(text.data() + k, text.data() + text.size(), table, 1) - text.data());
        };
        while (i < n && (detail::is_lws(text[i]) || text[i] == ';')) ++i;
        if (i >= n) return n;
        const std::size_t b = i;
        i = run(i, detail::param_name_octets);
        out = parameter{detail::sub(text, b, i - b), {}, false};
        std::size_t j = i;
        while (j < n && detail::is_lws(text[j])) ++j;
        if (j < n && text[j] == '=') {
            ++j;
            while (j < n && detail::is_lws(text[j])) ++j;
            const std::size_t vb = j;
            if (j < n && text[j] == '"') {
                ++j;
                while (j < n && text[j] != '"') j += (text[j] == '\\') ? 2 : 1;
                j = (j < n) ? j + 1 : n;
            } else {
                j = run(j, detail::param_value_octets);
            }
            out.value = detail::sub(text, vb, j - vb);
            out.has_value = true;
            i = j;
        }
        next = i;
        return b;
    }

public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = parameter;
        using difference_type = std::ptrdiff_t;
        using pointer = const parameter*;
        using reference = const parameter&;

        iterator() = default;
        iterator(std::string_view text, std::size_t pos) : text_(text), pos_(pos) { load(); }
        reference operator*() const noexcept { return cur_; }
        pointer operator->() const noexcept { return &cur_; }
        iterator& operator++() {
            pos_ = next_;
            load();
            return *this;
        }
        iterator operator++(int) {
            iterator t = *this;
            ++*this;
            return t;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.pos_ == b.pos_;
        }
        friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

    private:
        void load() {
            pos_ = read_param(text_, pos_, cur_, next_);
            if (pos_ == text_.size()) next_ = pos_;
        }

        std::string_view text_;
        std::size_t pos_ = 0;
        std::size_t next_ = 0;
        parameter cur_{};
    };

    parameter_list() = default;
    explicit parameter_list(std::string_view text) noexcept : text_(text) {}

    iterator begin() const { return iterator(text_, 0); }
    iterator end() const { return iterator(text_, text_.size()); }
    bool empty() const { return begin() == end(); }
    /// The text as written, starting at the first ";" (or empty).
    std::string_view str() const noexcept { return text_; }

    /// The parameter named \p name (case-insensitive), if present.
    const parameter* find(std::string_view name, parameter& storage) const {
        for (std::size_t i = 0, next = 0;; i = next) {
            if (read_param(text_, i, storage, next) == text_.size()) return nullptr;
            if (detail::iequals(storage.name, name)) return &storage;
        }
    }
    bool has(std::string_view name) const {
        parameter p;
        return find(name, p) != nullptr;
    }
    /// The value of \p name ("" when absent or valueless).
    std::string_view get(std::string_view name) const {
        parameter p;
        return find(name, p) ? p.value : std::string_view{};
    }

private:
    std::string_view text_;
};

} // namespace sipws::sip

#endif
