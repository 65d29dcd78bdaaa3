// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_GRUU_HPP
#define SIPWS_RFC7118_UA_GRUU_HPP

/// \file
/// The GRUUs a client learns from its registrar (RFC 5627 section 4) and
/// uses as its Contact, since its own `.invalid` Contact cannot be reached
/// from anywhere else (WS7118-B-b).
///
/// - In a 2xx to REGISTER the Contact whose `+sip.instance` is ours may
///   carry `pub-gruu`, `temp-gruu`, both or neither (GR5627-4.2-a); the
///   values are quoted URIs, unquoted here and otherwise kept as they are
///   (GR5627-4.2-d).
/// - A non-2xx leaves what was learned untouched; a new Call-ID drops the
///   temporary GRUUs learned under the old one (GR5627-4.2-b).
/// - Only GRUUs of an active registration are used (GR5627-4.4-b): clear()
///   when the registration lapses or is removed.
/// - contact_uri() picks the GRUU for a dialog-forming request or a
///   MESSAGE: the public one, or the temporary one for anonymous requests
///   (GR5627-4.4-a, GR5627-4.4-b).
/// - A GRUU is used exactly as received: nothing here rewrites ("fixes
///   up") a Contact URI that carries `gr`. gruu_display_form() strips
///   `gr` for showing a GRUU to a person, never for use on the wire
///   (GR5627-4.5-a).

#include <sipws/rfc7118/gruu.hpp>
#include <sipws/rfc7118/instance_id.hpp>
#include <sipws/sip/message.hpp>

#include <string>
#include <string_view>

namespace sipws::rfc7118 {

struct ua_gruus {
    std::string pub;  ///< public GRUU ("" when none)
    std::string temp; ///< temporary GRUU ("" when none)
    bool empty() const noexcept { return pub.empty() && temp.empty(); }
};

/// The GRUUs of the binding of \p instance_id in the Contacts of \p rsp
/// (empty when there is no such binding or it carries none). A value that
/// is not one quoted-string or not a GRUU (no `gr` parameter) is ignored.
inline ua_gruus gruus_for_instance(const sip::message& rsp, std::string_view instance_id) {
    ua_gruus out;
    if (instance_id.empty()) return out;
    for (const sip::name_addr& c : rsp.contacts()) {
        if (c.uri_text.empty() || c.is_star()) continue;
        auto urn = c.instance_id();
        if (urn.empty() || !instance_ids_equal(urn, instance_id)) continue;
        if (auto p = unquote_gruu(c.param("pub-gruu")); p && is_gruu(*p)) out.pub = *p;
        if (auto t = unquote_gruu(c.param("temp-gruu")); t && is_gruu(*t)) out.temp = *t;
        break;
    }
    return out;
}

/// \p gruu as a person should see it: the URI without its `gr` parameter
/// (GR5627-4.5-a), e.g. `sip:alice@example.com;gr=urn:uuid:f81d...` gives
/// `sip:alice@example.com`. Other parameters and `?headers` stay. For
/// display only: the wire form is the GRUU itself.
inline std::string gruu_display_form(std::string_view gruu) {
    std::size_t params = 0, headers = 0;
    detail::uri_sections(gruu, params, headers);
    if (params == std::string_view::npos) return std::string(gruu);
    std::string out(gruu.substr(0, params));
    std::string_view rest = gruu.substr(
        params, headers == std::string_view::npos ? std::string_view::npos : headers - params);
    while (!rest.empty()) {
        rest.remove_prefix(1); // ';'
        const std::size_t end = rest.find(';');
        const std::string_view p = rest.substr(0, end);
        if (!detail::iequals(p.substr(0, p.find('=')), "gr")) {
            out += ';';
            out += p;
        }
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end);
    }
    if (headers != std::string_view::npos) out += gruu.substr(headers);
    return out;
}

class gruu_state {
public:
    /// Feeds a final response to one of our REGISTERs, sent with
    /// \p call_id from the instance \p instance_id.
    void on_register_response(const sip::message& rsp, std::string_view call_id,
                              std::string_view instance_id) {
        unsigned code = rsp.status_code();
        if (code < 200 || code >= 300) return; // GR5627-4.2-b
        if (call_id != call_id_) {
            temp_.clear();
            call_id_ = std::string(call_id);
        }
        ua_gruus g = gruus_for_instance(rsp, instance_id);
        pub_ = g.pub; // may change or vanish with each registration
        if (!g.temp.empty()) temp_ = g.temp;
    }

    /// The registration lapsed or was removed: nothing may be used any more.
    void clear() {
        pub_.clear();
        temp_.clear();
    }

    const std::string& pub() const noexcept { return pub_; }
    const std::string& temp() const noexcept { return temp_; }
    bool empty() const noexcept { return pub_.empty() && temp_.empty(); }

    /// The URI to put in the Contact of a dialog-forming request, a
    /// target-refresh or a MESSAGE: the public GRUU (the temporary one when
    /// \p anonymous or when there is no public one), else \p fallback.
    std::string contact_uri(std::string_view fallback, bool anonymous = false) const {
        if (anonymous && !temp_.empty()) return temp_;
        if (!pub_.empty()) return pub_;
        if (!temp_.empty()) return temp_;
        return std::string(fallback);
    }

private:
    std::string call_id_;
    std::string pub_;
    std::string temp_;
};

} // namespace sipws::rfc7118

#endif
