// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_MESSAGE_HPP
#define SIPWS_SIP_MESSAGE_HPP

/// \file
/// A parsed SIP message: a view into the caller's buffer plus an index of its
/// header fields in a fixed-capacity array (no heap). `message` is the
/// capacity-independent interface; `basic_message<N>` owns room for N header
/// fields. Produced by sip::parse() (parser.hpp).

#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/header_id.hpp>
#include <sipws/sip/name_addr.hpp>
#include <sipws/sip/scalar_headers.hpp>
#include <sipws/sip/via.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string_view>
#include <system_error>

namespace sipws::sip {

/// Default capacity of the header index (parse_options::max_headers may lower it).
inline constexpr std::size_t default_max_headers = 128;

/// One header field row as written.
struct header_field {
    header_id id = header_id::unknown;
    std::string_view name;  ///< as written (long or compact form, any case)
    /// Trimmed value. A folded value keeps its line breaks (CRLF followed by
    /// SP/HTAB), which every typed parser treats as white space.
    std::string_view value;
    bool folded = false;
    std::size_t offset = 0; ///< offset of the name in the message
};

namespace detail {
struct header_slot {
    std::uint32_t name_off;
    std::uint32_t value_off;
    std::uint32_t value_len;
    std::uint16_t name_len;
    header_id id;
    std::uint8_t folded;
};

/// Typed values kept by the validation pass; a bit of `have` says which are set.
struct typed_values {
    enum : std::uint8_t { has_via = 1, has_from = 2, has_to = 4, has_cseq = 8, has_contact = 16 };
    std::uint8_t have = 0;
    sip::via top_via;
    name_addr from, to, contact;
    sip::cseq cseq;
    /// Room for the values checked and not kept (a further Via, a Route
    /// element, the Request-URI): reused from parse to parse, so that no
    /// object is built (and cleared whole) per value.
    sip::via other_via;
    name_addr other;
};

/// Next element of a comma list starting at \p pos: commas inside quoted
/// strings and <...> do not separate (SIP3261-7.3-c). Returns false at the
/// end; \p out is the trimmed element (possibly empty).
inline bool next_list_element(std::string_view s, std::size_t& pos, std::string_view& out) noexcept {
    if (pos > s.size()) return false;
    std::size_t b = pos, i = pos;
    bool angle = false;
    while (i < s.size()) {
        char c = s[i];
        if (!list_delims(c)) {
            i = static_cast<std::size_t>(
                find_any_of(s.data() + i, s.data() + s.size(), list_delims, '"', '<', '>', ',') -
                s.data());
            continue;
        }
        if (c == '"') {
            std::size_t e = scan_quoted(s, i);
            i = e == s.npos ? s.size() : e;
            continue;
        }
        if (c == '<') angle = true;
        else if (c == '>') angle = false;
        else if (c == ',' && !angle) break;
        ++i;
    }
    out = trim_lws(detail::sub(s, b, i - b));
    pos = i + 1;
    return true;
}
} // namespace detail

class message;

/// Iterates the values of one header across all its rows, in order; rows of a
/// list header (Via, Contact, Route...) are split at top-level commas
/// (SIP3261-7.3-c). Empty elements are skipped.
class value_range {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        using pointer = const std::string_view*;
        using reference = const std::string_view&;

        iterator() = default;
        reference operator*() const noexcept { return cur_; }
        pointer operator->() const noexcept { return &cur_; }
        iterator& operator++() {
            advance();
            return *this;
        }
        iterator operator++(int) {
            iterator t = *this;
            advance();
            return t;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.row_ == b.row_ && a.pos_ == b.pos_;
        }
        friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

    private:
        friend class value_range;
        iterator(const value_range& r, std::size_t row)
            : m_(r.m_), id_(r.id_), name_(r.name_), split_(r.split_), row_(row) {}
        inline void advance();
        inline void seek_row(std::size_t from);

        const message* m_ = nullptr;
        header_id id_ = header_id::unknown;
        std::string_view name_;
        bool split_ = false;
        std::size_t row_ = 0;
        std::size_t pos_ = 0;
        std::string_view row_value_;
        std::string_view cur_;
    };

    value_range(const message& m, header_id id, std::string_view name, bool split)
        : m_(&m), id_(id), name_(name), split_(split) {}
    inline iterator begin() const;
    inline iterator end() const;
    bool empty() const { return begin() == end(); }
    /// Number of values.
    std::size_t size() const {
        std::size_t n = 0;
        for (auto it = begin(); it != end(); ++it) ++n;
        return n;
    }
    /// The first value, or "" when there is none.
    std::string_view front() const {
        auto it = begin();
        return it == end() ? std::string_view{} : *it;
    }

private:
    const message* m_;
    header_id id_;
    std::string_view name_;
    bool split_;
};

/// A range of name_addr values (Contact, Route, Record-Route, Path). A value
/// that does not parse yields a name_addr whose uri_text is empty and whose
/// raw holds the text.
class name_addr_range {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = name_addr;
        using difference_type = std::ptrdiff_t;
        using pointer = const name_addr*;
        using reference = name_addr;
        iterator() = default;
        iterator(value_range::iterator it, name_addr_options o) : it_(it), opt_(o) {}
        name_addr operator*() const {
            std::error_code ec;
            name_addr na = parse_name_addr(*it_, ec, opt_);
            if (ec) na.raw = *it_;
            return na;
        }
        iterator& operator++() {
            ++it_;
            return *this;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.it_ == b.it_;
        }
        friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

    private:
        value_range::iterator it_;
        name_addr_options opt_;
    };
    name_addr_range(value_range r, name_addr_options o) : r_(r), opt_(o) {}
    iterator begin() const { return iterator(r_.begin(), opt_); }
    iterator end() const { return iterator(r_.end(), opt_); }
    bool empty() const { return r_.empty(); }
    std::size_t size() const { return r_.size(); }

private:
    value_range r_;
    name_addr_options opt_;
};

/// The parsed view of one SIP message. Every string_view points into the
/// buffer that was parsed, which must outlive the message.
class message {
public:
    // ---- start line --------------------------------------------------------
    bool is_request() const noexcept { return status_ == 0; }
    bool is_response() const noexcept { return status_ != 0; }
    std::string_view start_line() const noexcept { return start_line_; }
    /// Request method as written (case-sensitive token), "" for responses.
    std::string_view method() const noexcept { return method_; }
    /// Request-URI text ("" for responses); see parse_uri() and request_uri_parsed().
    std::string_view request_uri() const noexcept { return request_uri_; }
    /// SIP-Version as written ("SIP/2.0").
    std::string_view version() const noexcept { return version_; }
    /// Status code (100..699), 0 for requests.
    unsigned status_code() const noexcept { return status_; }
    std::string_view reason_phrase() const noexcept { return reason_; }

    // ---- whole message -----------------------------------------------------
    /// The message octets: start line, headers and body (without any surplus
    /// beyond Content-Length).
    std::string_view data() const noexcept { return {data_, size_}; }
    /// The header section: start line and header rows up to and including the
    /// empty line.
    std::string_view head() const noexcept { return {data_, head_size_}; }
    /// Octets following the empty line; with Content-Length, exactly that many
    /// (SIP3261-18.3-a).
    std::string_view body() const noexcept { return body_; }
    bool has_content_length() const noexcept { return has_content_length_; }
    std::size_t content_length() const noexcept { return content_length_; }
    /// Octets after the Content-Length body that were discarded (WS7118-5-d).
    std::size_t surplus() const noexcept { return surplus_; }

    // ---- header rows -------------------------------------------------------
    std::size_t header_count() const noexcept { return count_; }
    /// Capacity of the header index.
    std::size_t header_capacity() const noexcept { return capacity_; }
    header_field header(std::size_t i) const noexcept {
        const detail::header_slot& s = slots_[i];
        return header_field{s.id, {data_ + s.name_off, s.name_len},
                            {data_ + s.value_off, s.value_len}, s.folded != 0, s.name_off};
    }
    /// The first row of \p id, if any (O(1)).
    std::optional<header_field> find(header_id id) const noexcept {
        std::uint16_t f = first_[static_cast<std::size_t>(id)];
        if (id == header_id::unknown || f == 0) return std::nullopt;
        return header(f - 1u);
    }
    /// The first row named \p name (case-insensitive, long or compact form).
    std::optional<header_field> find(std::string_view name) const noexcept {
        header_id id = detail::is_token(name) ? lookup_header(name) : header_id::unknown;
        if (id != header_id::unknown) return find(id);
        for (std::size_t i = 0; i < count_; ++i)
            if (slots_[i].id == header_id::unknown && detail::iequals(header(i).name, name))
                return header(i);
        return std::nullopt;
    }
    bool has(header_id id) const noexcept { return find(id).has_value(); }
    bool has(std::string_view name) const noexcept { return find(name).has_value(); }
    /// Number of rows of \p id.
    std::size_t count(header_id id) const noexcept {
        std::size_t n = 0;
        for (std::size_t i = 0; i < count_; ++i) n += slots_[i].id == id;
        return n;
    }
    /// Trimmed value of the first row of \p id ("" when absent).
    std::string_view value(header_id id) const noexcept {
        auto f = find(id);
        return f ? f->value : std::string_view{};
    }
    /// Trimmed value of the first row named \p name ("" when absent).
    std::string_view value(std::string_view name) const noexcept {
        auto f = find(name);
        return f ? f->value : std::string_view{};
    }
    /// All values of \p id across rows (list headers split at commas).
    value_range values(header_id id) const {
        return value_range(*this, id, canonical_name(id), info(id).is_list);
    }
    /// All values of the header named \p name. Known names behave as
    /// values(header_id); unknown headers are not split at commas unless
    /// \p split is true.
    value_range values(std::string_view name, bool split = false) const {
        header_id id = detail::is_token(name) ? lookup_header(name) : header_id::unknown;
        if (id != header_id::unknown) return values(id);
        return value_range(*this, header_id::unknown, name, split);
    }
    /// Alias of values(): `for (auto v : msg.headers(header_id::via))`.
    value_range headers(header_id id) const { return values(id); }

    // ---- typed access --------------------------------------------------------
    // The validation pass of parse() keeps the values below as it checks them
    // (top Via, From, To, CSeq, first Contact): these accessors then return
    // them without parsing again. Otherwise they parse on each call.

    /// Topmost Via value.
    via top_via(std::error_code& ec) const {
        if (typed_.have & detail::typed_values::has_via) return ec.clear(), typed_.top_via;
        std::string_view v = values(header_id::via).front();
        if (v.empty()) return ec = errc::missing_header, via{};
        via out;
        detail::parse_via_into(v, out, ec, data_ + size_, true);
        return out;
    }
    std::optional<via> top_via() const {
        std::error_code ec;
        return opt(top_via(ec), ec);
    }
    std::string_view call_id() const { return detail::trim_lws(value(header_id::call_id)); }
    sip::cseq cseq(std::error_code& ec) const {
        if (typed_.have & detail::typed_values::has_cseq) return ec.clear(), typed_.cseq;
        auto f = find(header_id::cseq);
        if (!f) return ec = errc::missing_header, sip::cseq{};
        return parse_cseq(f->value, ec);
    }
    std::optional<sip::cseq> cseq() const {
        std::error_code ec;
        return opt(cseq(ec), ec);
    }
    name_addr from(std::error_code& ec) const {
        if (typed_.have & detail::typed_values::has_from) return ec.clear(), typed_.from;
        return addr(header_id::from, ec);
    }
    std::optional<name_addr> from() const {
        std::error_code ec;
        return opt(from(ec), ec);
    }
    name_addr to(std::error_code& ec) const {
        if (typed_.have & detail::typed_values::has_to) return ec.clear(), typed_.to;
        return addr(header_id::to, ec);
    }
    std::optional<name_addr> to() const {
        std::error_code ec;
        return opt(to(ec), ec);
    }
    /// The first Contact value (`*` included as is_star()); errc::missing_header
    /// when there is none.
    name_addr contact(std::error_code& ec) const {
        if (typed_.have & detail::typed_values::has_contact) return ec.clear(), typed_.contact;
        std::string_view v = values(header_id::contact).front();
        if (v.empty()) return ec = errc::missing_header, name_addr{};
        name_addr out;
        detail::parse_name_addr_into(v, out, ec, {false, true}, data_ + size_, true);
        return out;
    }
    std::optional<name_addr> contact() const {
        std::error_code ec;
        return opt(contact(ec), ec);
    }
    /// Contact values (`*` included as is_star()).
    name_addr_range contacts() const { return {values(header_id::contact), {false, true}}; }
    name_addr_range routes() const { return {values(header_id::route), {true, false}}; }
    name_addr_range record_routes() const {
        return {values(header_id::record_route), {true, false}};
    }
    name_addr_range paths() const { return {values(header_id::path), {true, false}}; }
    std::optional<unsigned> max_forwards() const {
        auto f = find(header_id::max_forwards);
        if (!f) return std::nullopt;
        std::error_code ec;
        return opt(parse_max_forwards(f->value, ec), ec);
    }
    std::optional<std::uint32_t> expires() const {
        auto f = find(header_id::expires);
        if (!f) return std::nullopt;
        std::error_code ec;
        return opt(parse_delta_seconds(f->value, ec), ec);
    }
    std::optional<media_type> content_type() const {
        auto f = find(header_id::content_type);
        if (!f) return std::nullopt;
        std::error_code ec;
        return opt(parse_media_type(f->value, ec), ec);
    }
    /// An option tag listed in Supported, Require, Proxy-Require or Unsupported
    /// (case-insensitive).
    bool has_option_tag(header_id id, std::string_view tag) const {
        for (std::string_view v : values(id))
            if (detail::iequals(v, tag)) return true;
        return false;
    }
    /// The Request-URI parsed (requests only).
    uri request_uri_parsed(std::error_code& ec) const {
        return parse_uri(request_uri_, ec, {false});
    }

protected:
    message(detail::header_slot* slots, std::size_t capacity) noexcept
        : slots_(slots), capacity_(capacity) {}
    message(const message&) = default;
    message& operator=(const message&) = default;
    ~message() = default;

    void copy_index(const message& o) noexcept {
        std::memcpy(static_cast<void*>(slots_), o.slots_, o.count_ * sizeof(detail::header_slot));
    }

private:
    friend struct detail_parser_access;
    friend class value_range;

    name_addr addr(header_id id, std::error_code& ec) const {
        auto f = find(id);
        if (!f) return ec = errc::missing_header, name_addr{};
        name_addr out;
        detail::parse_name_addr_into(f->value, out, ec, {}, data_ + size_, true);
        return out;
    }
    template <class T>
    static std::optional<T> opt(T v, const std::error_code& ec) {
        if (ec) return std::nullopt;
        return v;
    }

    const char* data_ = "";
    std::size_t size_ = 0;
    std::size_t head_size_ = 0;
    std::string_view start_line_, method_, request_uri_, version_, reason_, body_;
    unsigned status_ = 0;
    bool has_content_length_ = false;
    std::size_t content_length_ = 0;
    std::size_t surplus_ = 0;
    std::uint16_t first_[static_cast<std::size_t>(header_id::count_)] = {};
    detail::typed_values typed_;
    detail::header_slot* slots_;
    std::size_t capacity_;
    std::size_t count_ = 0;
};

/// A message with room for \p MaxHeaders header rows (the fixed-capacity
/// index; MaxHeaders <= 65535).
template <std::size_t MaxHeaders = default_max_headers>
class basic_message : public message {
    static_assert(MaxHeaders > 0 && MaxHeaders < 65536, "header capacity must be 1..65535");

public:
    basic_message() noexcept : message(storage_, MaxHeaders) {}
    basic_message(const basic_message& o) noexcept : message(o) {
        rebind();
        copy_index(o);
    }
    basic_message& operator=(const basic_message& o) noexcept {
        if (this != &o) {
            message::operator=(o);
            rebind();
            copy_index(o);
        }
        return *this;
    }
    ~basic_message() = default;

private:
    void rebind() noexcept;
    detail::header_slot storage_[MaxHeaders];
};

/// Grants the parser write access to message internals.
struct detail_parser_access {
    static const char*& data(message& m) noexcept { return m.data_; }
    static std::size_t& size(message& m) noexcept { return m.size_; }
    static std::size_t& head_size(message& m) noexcept { return m.head_size_; }
    static std::string_view& start_line(message& m) noexcept { return m.start_line_; }
    static std::string_view& method(message& m) noexcept { return m.method_; }
    static std::string_view& request_uri(message& m) noexcept { return m.request_uri_; }
    static std::string_view& version(message& m) noexcept { return m.version_; }
    static std::string_view& reason(message& m) noexcept { return m.reason_; }
    static std::string_view& body(message& m) noexcept { return m.body_; }
    static unsigned& status(message& m) noexcept { return m.status_; }
    static bool& has_content_length(message& m) noexcept { return m.has_content_length_; }
    static std::size_t& content_length(message& m) noexcept { return m.content_length_; }
    static std::size_t& surplus(message& m) noexcept { return m.surplus_; }
    static std::uint16_t* first(message& m) noexcept { return m.first_; }
    static detail::header_slot* slots(message& m) noexcept { return m.slots_; }
    static std::size_t capacity(const message& m) noexcept { return m.capacity_; }
    static std::size_t& count(message& m) noexcept { return m.count_; }
    static detail::typed_values& typed(message& m) noexcept { return m.typed_; }
    static void rebind(message& m, detail::header_slot* s) noexcept { m.slots_ = s; }
};

template <std::size_t N>
void basic_message<N>::rebind() noexcept {
    detail_parser_access::rebind(*this, storage_);
}

// ---- value_range ----------------------------------------------------------------

inline void value_range::iterator::seek_row(std::size_t from) {
    const message& m = *m_;
    for (std::size_t i = from; i < m.count_; ++i) {
        const detail::header_slot& s = m.slots_[i];
        bool match = id_ != header_id::unknown
                         ? s.id == id_
                         : s.id == header_id::unknown &&
                               detail::iequals({m.data_ + s.name_off, s.name_len}, name_);
        if (match) {
            row_ = i;
            pos_ = 0;
            row_value_ = {m.data_ + s.value_off, s.value_len};
            return;
        }
    }
    row_ = m.count_;
    pos_ = 0;
}

inline void value_range::iterator::advance() {
    const message& m = *m_;
    while (row_ < m.count_) {
        if (!split_) {
            if (pos_ == 0) {
                pos_ = 1;
                cur_ = row_value_;
                return;
            }
        } else {
            std::string_view el;
            while (pos_ <= row_value_.size() && detail::next_list_element(row_value_, pos_, el)) {
                if (!el.empty()) {
                    cur_ = el;
                    return;
                }
            }
        }
        seek_row(row_ + 1);
    }
}

inline value_range::iterator value_range::begin() const {
    iterator it(*this, 0);
    it.seek_row(0);
    it.advance();
    return it;
}

inline value_range::iterator value_range::end() const {
    return iterator(*this, m_->count_);
}

} // namespace sipws::sip

#endif
