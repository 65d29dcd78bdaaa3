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
            std::size_t n = text_.size();
            std::size_t i = pos_;
            while (i < n && (detail::is_lws(text_[i]) || text_[i] == ';')) ++i;
            if (i >= n) {
                pos_ = next_ = n;
                return;
            }
            pos_ = i;
            std::size_t b = i;
            i = run(i, detail::param_name_octets);
            cur_ = parameter{detail::sub(text_, b, i - b), {}, false};
            std::size_t j = i;
            while (j < n && detail::is_lws(text_[j])) ++j;
            if (j < n && text_[j] == '=') {
                ++j;
                while (j < n && detail::is_lws(text_[j])) ++j;
                std::size_t vb = j;
                if (j < n && text_[j] == '"') {
                    ++j;
                    while (j < n && text_[j] != '"') j += (text_[j] == '\\') ? 2 : 1;
                    j = (j < n) ? j + 1 : n;
                } else {
                    j = run(j, detail::param_value_octets);
                }
                cur_.value = detail::sub(text_, vb, j - vb);
                cur_.has_value = true;
                i = j;
            }
            next_ = i;
        }

        /// End of the run from \p i of octets whose entry in \p table is set.
        std::size_t run(std::size_t i, const std::uint8_t* table) const noexcept {
            return static_cast<std::size_t>(
                detail::skip_class(text_.data() + i, text_.data() + text_.size(), table, 1) -
                text_.data());
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

    /// The parameter named \p name (case-insensitive), if present: the
    /// walk of the iterator, with each name compared before its value is
    /// read and no parameter built but the one found.
    const parameter* find(std::string_view name, parameter& storage) const {
        const char* const b = text_.data();
        const char* const e = b + text_.size();
        const char* p = b;
        for (;;) {
            while (p < e && (detail::is_lws(*p) || *p == ';')) ++p;
            if (p == e) return nullptr;
            const char* nb = p;
            p = detail::skip_class(p, e, detail::param_name_octets, 1);
            bool match = static_cast<std::size_t>(p - nb) == name.size() &&
                         detail::iequals(std::string_view(nb, name.size()), name);
            const char* j = p;
            while (j < e && detail::is_lws(*j)) ++j;
            if (j < e && *j == '=') {
                ++j;
                while (j < e && detail::is_lws(*j)) ++j;
                const char* vb = j;
                if (j < e && *j == '"') {
                    ++j;
                    while (j < e && *j != '"') j += *j == '\\' ? (e - j >= 2 ? 2 : 1) : 1;
                    if (j < e) ++j;
                } else {
                    j = detail::skip_class(j, e, detail::param_value_octets, 1);
                }
                if (match) {
                    storage = parameter{std::string_view(nb, name.size()),
                                        std::string_view(vb, static_cast<std::size_t>(j - vb)), true};
                    return &storage;
                }
                p = j;
            } else if (match) {
                storage = parameter{std::string_view(nb, name.size()), {}, false};
                return &storage;
            }
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
