// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_MESSAGE_BUILDER_HPP
#define SIPWS_SIP_MESSAGE_BUILDER_HPP

/// \file
/// message_builder: new wire bytes from a parsed message and a list of edits
/// (push/pop Via, Via parameters, Record-Route/Path prepends, Route removal,
/// Request-URI, Max-Forwards, header set/remove/add, body, Content-Length).
/// The edits are recorded and applied in one pass over the header index when
/// str() is called; untouched rows are copied byte for byte and nothing is
/// re-parsed except the few values an edit touches.

#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/header_id.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/via.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipws::sip {

namespace detail {

/// The row text of header \p i: from its name to after its line end.
inline std::string_view row_text(const message& m, std::size_t i) {
    header_field h = m.header(i);
    std::string_view all = m.data(); // head() is empty while a failed parse is indexed
    std::size_t e = static_cast<std::size_t>(h.value.data() + h.value.size() - all.data());
    while (e < all.size() && all[e] != '\n') ++e;
    if (e < all.size()) ++e;
    return all.substr(h.offset, e - h.offset);
}

/// Sets (or adds) `;name[=value]` on one Via value given as text.
inline std::string with_via_param(std::string_view via_text, std::string_view name,
                                  std::string_view value, bool has_value) {
    std::error_code ec;
    via v = parse_via(via_text, ec);
    std::string out;
    if (!ec) {
        for (const parameter& p : v.parameters) {
            if (!iequals(p.name, name)) continue;
            std::size_t name_end = static_cast<std::size_t>(p.name.data() + p.name.size() - via_text.data());
            std::size_t tail = p.has_value
                                   ? static_cast<std::size_t>(p.value.data() + p.value.size() - via_text.data())
                                   : name_end;
            out.append(via_text.substr(0, name_end));
            if (has_value) {
                out += '=';
                out += value;
            }
            out.append(via_text.substr(tail));
            return out;
        }
    }
    out.append(trim_lws(via_text));
    out += ';';
    out += name;
    if (has_value) {
        out += '=';
        out += value;
    }
    return out;
}

} // namespace detail

class message_builder {
public:
    explicit message_builder(const message& m) : m_(&m) {}

    /// Replaces the Request-URI (requests only).
    message_builder& set_request_uri(std::string_view u) {
        request_uri_ = std::string(u);
        return *this;
    }
    /// Adds a new topmost Via value (e.g. "SIP/2.0/WSS proxy.example.com;branch=z9hG4bK...").
    message_builder& push_via(std::string_view value) {
        pushed_vias_.emplace_back(value);
        return *this;
    }
    /// Removes the topmost Via value (a pushed one first).
    message_builder& pop_via() {
        if (!pushed_vias_.empty()) pushed_vias_.pop_back();
        else ++popped_vias_;
        return *this;
    }
    /// Sets a parameter on the topmost Via of the result (replacing its value
    /// when present), e.g. received=192.0.2.1 or rport=5060.
    message_builder& set_via_param(std::string_view name, std::string_view value) {
        via_params_.push_back({std::string(name), std::string(value), true});
        return *this;
    }
    /// Sets a valueless parameter (e.g. "rport") on the topmost Via.
    message_builder& set_via_flag(std::string_view name) {
        via_params_.push_back({std::string(name), {}, false});
        return *this;
    }
    /// Adds a topmost Record-Route value, e.g. "<sip:proxy.example.com;lr>".
    message_builder& prepend_record_route(std::string_view value) {
        rr_.emplace_back(value);
        return *this;
    }
    /// Adds a topmost Path value (RFC 3327).
    message_builder& prepend_path(std::string_view value) {
        path_.emplace_back(value);
        return *this;
    }
    /// Removes the topmost Route value.
    message_builder& remove_top_route() {
        ++popped_routes_;
        return *this;
    }
    /// Sets Max-Forwards (replacing it or adding it).
    message_builder& set_max_forwards(unsigned n) { return set_header(header_id::max_forwards, std::to_string(n)); }
    /// Replaces every row of \p id with one row holding \p value (or adds it).
    message_builder& set_header(header_id id, std::string_view value) {
        set_.push_back({id, std::string(canonical_name(id)), std::string(value)});
        return *this;
    }
    /// Replaces every row named \p name (any case or form) with one row.
    message_builder& set_header(std::string_view name, std::string_view value) {
        header_id id = detail::is_token(name) ? lookup_header(name) : header_id::unknown;
        set_.push_back({id, std::string(id == header_id::unknown ? name : canonical_name(id)), std::string(value)});
        return *this;
    }
    /// Removes every row of \p id.
    message_builder& remove_header(header_id id) {
        set_.push_back({id, std::string(canonical_name(id)), std::nullopt});
        return *this;
    }
    message_builder& remove_header(std::string_view name) {
        header_id id = detail::is_token(name) ? lookup_header(name) : header_id::unknown;
        set_.push_back({id, std::string(id == header_id::unknown ? name : canonical_name(id)), std::nullopt});
        return *this;
    }
    /// Appends a row at the end of the header section.
    message_builder& add_header(std::string_view name, std::string_view value) {
        added_.emplace_back(std::string(name), std::string(value));
        return *this;
    }
    /// Replaces the body (Content-Length is then always written).
    message_builder& set_body(std::string_view body) {
        body_ = std::string(body);
        fix_content_length_ = true;
        return *this;
    }
    /// Writes a correct Content-Length (replacing or inserting it), as a
    /// stream transport requires (WS7118-5-e, WS7118-5-f).
    message_builder& update_content_length(bool on = true) {
        fix_content_length_ = on;
        return *this;
    }

    /// The edited message.
    std::string str() const {
        std::string out;
        write(out);
        return out;
    }

    /// Appends the edited message to \p out.
    void write(std::string& out) const {
        const message& m = *m_;
        out.reserve(out.size() + m.data().size() + 256);
        // start line
        if (m.is_request() && request_uri_) {
            out += m.method();
            out += ' ';
            out += *request_uri_;
            out += ' ';
            out += m.version();
        } else {
            out += m.start_line();
        }
        out += "\r\n";

        std::string_view body = body_ ? std::string_view(*body_) : m.body();
        std::size_t via_left = popped_vias_, route_left = popped_routes_;
        bool vias_done = false, rr_done = false, path_done = false, cl_written = false;
        std::vector<bool> set_done(set_.size(), false);
        bool top_via_pending = !via_params_.empty();

        auto emit_pushed = [&] {
            if (vias_done) return;
            vias_done = true;
            for (std::size_t k = pushed_vias_.size(); k-- > 0;) {
                std::string v = pushed_vias_[k];
                if (top_via_pending && k + 1 == pushed_vias_.size()) {
                    v = apply_via_params(v);
                    top_via_pending = false;
                }
                out += "Via: ";
                out += v;
                out += "\r\n";
            }
        };
        auto emit_list = [&](std::string_view name, const std::vector<std::string>& vals, bool& done) {
            if (done) return;
            done = true;
            for (std::size_t k = vals.size(); k-- > 0;) {
                out += name;
                out += ": ";
                out += vals[k];
                out += "\r\n";
            }
        };
        std::size_t last_via_row = m.header_count();
        for (std::size_t i = 0; i < m.header_count(); ++i)
            if (m.header(i).id == header_id::via) last_via_row = i;
        if (last_via_row == m.header_count()) emit_pushed();

        for (std::size_t i = 0; i < m.header_count(); ++i) {
            header_field h = m.header(i);
            std::string_view row = detail::row_text(m, i);
            int set_index = find_set(h);
            if (set_index >= 0) {
                if (!set_done[static_cast<std::size_t>(set_index)] && set_[static_cast<std::size_t>(set_index)].value) {
                    const auto& s = set_[static_cast<std::size_t>(set_index)];
                    out += s.name;
                    out += ": ";
                    out += *s.value;
                    out += "\r\n";
                }
                set_done[static_cast<std::size_t>(set_index)] = true;
            } else if (h.id == header_id::via) {
                emit_pushed();
                write_list_row(out, h, row, via_left, top_via_pending);
            } else if (h.id == header_id::route && route_left > 0) {
                bool dummy = false;
                write_list_row(out, h, row, route_left, dummy);
            } else if (h.id == header_id::record_route) {
                emit_list("Record-Route", rr_, rr_done);
                out += row;
            } else if (h.id == header_id::path) {
                emit_list("Path", path_, path_done);
                out += row;
            } else if (h.id == header_id::content_length && fix_content_length_) {
                if (!cl_written) {
                    out += "Content-Length: ";
                    out += std::to_string(body.size());
                    out += "\r\n";
                    cl_written = true;
                }
            } else {
                out += row;
            }
            if (i == last_via_row) {
                emit_list("Record-Route", rr_, rr_done);
                emit_list("Path", path_, path_done);
            }
        }
        emit_pushed();
        emit_list("Record-Route", rr_, rr_done);
        emit_list("Path", path_, path_done);
        for (std::size_t k = 0; k < set_.size(); ++k) {
            if (set_done[k] || !set_[k].value) continue;
            bool later = false; // a later set_ of the same header wins
            for (std::size_t j = k + 1; j < set_.size(); ++j) later |= same_header(set_[k], set_[j]);
            if (later) continue;
            out += set_[k].name;
            out += ": ";
            out += *set_[k].value;
            out += "\r\n";
        }
        for (const auto& a : added_) {
            out += a.first;
            out += ": ";
            out += a.second;
            out += "\r\n";
        }
        if (fix_content_length_ && !cl_written) {
            out += "Content-Length: ";
            out += std::to_string(body.size());
            out += "\r\n";
        }
        out += "\r\n";
        out += body;
    }

private:
    struct via_param_edit {
        std::string name, value;
        bool has_value;
    };
    struct set_edit {
        header_id id;
        std::string name;
        std::optional<std::string> value;
    };

    static bool same_header(const set_edit& a, const set_edit& b) {
        return a.id == b.id && (a.id != header_id::unknown || detail::iequals(a.name, b.name));
    }

    int find_set(const header_field& h) const {
        // the last edit for this header wins
        for (std::size_t k = set_.size(); k-- > 0;) {
            const set_edit& s = set_[k];
            if (s.id != header_id::unknown ? s.id == h.id
                                           : h.id == header_id::unknown && detail::iequals(s.name, h.name))
                return static_cast<int>(k);
        }
        return -1;
    }

    std::string apply_via_params(std::string v) const {
        for (const auto& e : via_params_) v = detail::with_via_param(v, e.name, e.value, e.has_value);
        return v;
    }

    /// Copies a list row, dropping its first \p drop values (decrementing it)
    /// and applying the Via parameter edits to its first surviving value when
    /// \p top_pending.
    void write_list_row(std::string& out, const header_field& h, std::string_view row,
                        std::size_t& drop, bool& top_pending) const {
        if (drop == 0 && !top_pending) {
            out += row;
            return;
        }
        std::string_view v = h.value;
        std::size_t pos = 0;
        std::string_view el;
        std::string rest;
        bool first_kept = true;
        std::size_t kept = 0;
        while (pos <= v.size() && detail::next_list_element(v, pos, el)) {
            if (el.empty()) continue;
            if (drop > 0) {
                --drop;
                continue;
            }
            if (kept++) rest += ", ";
            if (first_kept && top_pending) {
                rest += apply_via_params(std::string(el));
                top_pending = false;
            } else {
                rest += el;
            }
            first_kept = false;
        }
        if (kept == 0) return;
        out += h.name;
        out += ": ";
        out += rest;
        out += "\r\n";
    }

    const message* m_;
    std::optional<std::string> request_uri_;
    std::vector<std::string> pushed_vias_;
    std::size_t popped_vias_ = 0;
    std::vector<via_param_edit> via_params_;
    std::vector<std::string> rr_, path_;
    std::size_t popped_routes_ = 0;
    std::vector<set_edit> set_;
    std::vector<std::pair<std::string, std::string>> added_;
    std::optional<std::string> body_;
    bool fix_content_length_ = false;
};

} // namespace sipws::sip

#endif
