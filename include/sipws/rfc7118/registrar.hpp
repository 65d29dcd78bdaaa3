// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_REGISTRAR_HPP
#define SIPWS_RFC7118_REGISTRAR_HPP

/// \file
/// A registrar's REGISTER processing (RFC 3261 section 10.3) with Outbound
/// (RFC 5626 section 6), Path (RFC 3327) and GRUU (RFC 5627), on top of a
/// binding_store. It decides and records; the caller checks that the
/// Request-URI names one of its domains, authenticates, and sends the
/// response (outcome::response()) on the flow the REGISTER came on.
///
/// \code
///   sipws::rfc7118::memory_binding_store store;
///   sipws::rfc7118::registrar reg(store, {}, temp_gruu_codec(temp_gruu_codec::key::generate(1)));
///   auto out = reg.handle(request, flow, binding_clock::now());
///   registry.send(flow, out.response(request, make_tag()));
/// \endcode

#include <sipws/rfc7118/aor.hpp>
#include <sipws/rfc7118/binding_store.hpp>
#include <sipws/rfc7118/gruu.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/response.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipws::rfc7118 {

struct registrar_options {
    std::chrono::seconds default_expires{3600};
    std::chrono::seconds min_expires{60};   ///< shorter non-zero expiries get 423
    std::chrono::seconds max_expires{86400}; ///< longer ones are shortened
    bool outbound = true; ///< RFC 5626 registrar support
    bool gruu = true;     ///< RFC 5627: pub-gruu/temp-gruu when the UA supports gruu
    /// RFC 5626 5.4 (OB5626-5.4-b): a registrar that is the first hop may
    /// give Outbound clients a `Flow-Timer: N` (seconds) in the 2xx that
    /// carries `Require: outbound`; the client then sends keep-alives at
    /// least every N s, and the server must wait longer than N before it
    /// declares the flow dead (flow_timeout()). Unset: no Flow-Timer.
    std::optional<std::chrono::seconds> flow_timer;
};

/// How long a server waits for a keep-alive before it declares dead the flow
/// of a client it gave `Flow-Timer: N`: longer than N (OB5626-5.4-b), by half
/// of N and at least 2 s for the network's delays.
inline std::chrono::milliseconds flow_timeout(std::chrono::seconds flow_timer) {
    std::chrono::milliseconds grace = std::chrono::duration_cast<std::chrono::milliseconds>(flow_timer) / 2;
    if (grace < std::chrono::seconds(2)) grace = std::chrono::seconds(2);
    return flow_timer + grace;
}

/// The decision for one REGISTER.
struct register_outcome {
    unsigned status = 200;
    std::string reason;  ///< empty: the default phrase
    std::string headers; ///< rows for the response, each "Name: value\r\n"
    std::string aor;     ///< the AOR of To (empty when it did not parse)
    std::vector<binding_change> changes;
    bool outbound = false; ///< Outbound processing applied (Require: outbound sent)
    /// The Flow-Timer sent with it: hold the flow to flow_timeout() of it.
    std::optional<std::chrono::seconds> flow_timer;

    /// The response to \p req (To tag \p to_tag added).
    std::string response(const sip::message& req, std::string_view to_tag) const {
        sip::response_options o;
        o.to_tag = to_tag;
        o.extra_headers = headers;
        return sip::make_response(req, status, reason, o);
    }
};

/// Where a GRUU Request-URI leads (RFC 5627 section 6.1).
struct gruu_target {
    enum class kind : unsigned char {
        not_gruu,    ///< no `gr` parameter: route by AOR
        unknown,     ///< not a valid GRUU of ours (404)
        unavailable, ///< valid, nothing bound now (480)
        found,
    };
    kind k = kind::not_gruu;
    std::string aor, instance;
    std::vector<binding> bindings; ///< found: most recently refreshed first
};

/// What contact_gruu_owner() found.
enum class contact_gruu : unsigned char {
    not_gruu, ///< no `gr` parameter
    own,      ///< a GRUU of the given AOR
    foreign,  ///< a GRUU of another AOR (GR5627-6.2-a: 403)
    unknown,  ///< a `gr` URI that is not a valid GRUU of this registrar
};

class registrar {
public:
    explicit registrar(binding_store& store, registrar_options options = {},
                       std::optional<temp_gruu_codec> temp_gruu = std::nullopt)
        : store_(&store), opt_(options), temp_(std::move(temp_gruu)) {}

    binding_store& store() const noexcept { return *store_; }
    const registrar_options& options() const noexcept { return opt_; }

    /// Processes REGISTER \p req that arrived on \p flow (0 when not on a
    /// direct flow) at \p now.
    register_outcome handle(const sip::message& req, transport::flow_id flow,
                            binding_clock::time_point now) const {
        register_outcome out;
        auto fail = [&](unsigned status, std::string reason, std::string headers = {}) {
            out.status = status;
            out.reason = std::move(reason);
            out.headers = std::move(headers);
            out.changes.clear();
            return out;
        };
        if (!req.is_request() || req.method() != "REGISTER")
            return fail(400, "Bad Request - not a REGISTER");
        std::error_code ec;
        sip::name_addr to = req.to(ec);
        std::optional<std::string> aor = ec ? std::nullopt : aor_of(to);
        if (!aor) return fail(404, "Not Found - To is not a SIP AOR");
        out.aor = *aor;

        bool ua_outbound = false, ua_path = false, ua_gruu = false; // Supported, in one pass
        for (std::string_view v : req.values(sip::header_id::supported)) {
            ua_outbound = ua_outbound || sip::detail::iequals(v, "outbound");
            ua_path = ua_path || sip::detail::iequals(v, "path");
            ua_gruu = ua_gruu || sip::detail::iequals(v, "gruu");
        }

        // Path (RFC 3327 section 5.3, PA3327-5.3-a).
        std::vector<std::string> path;
        bool path_ob = false;
        for (const sip::name_addr& p : req.paths()) {
            if (path.empty()) {
                std::error_code pe;
                sip::uri pu = sip::parse_uri(p.uri_text, pe);
                path_ob = !pe && pu.ob();
            }
            path.emplace_back(p.raw);
        }
        if (!path.empty() && !ua_path)
            return fail(420, "Bad Extension", "Unsupported: path\r\n");

        // Outbound applies on a direct flow (one Via: we are the first hop)
        // or behind an edge proxy whose Path URI carries `ob` (OB5626-6-a).
        const bool first_hop = req.values(sip::header_id::via).size() == 1;
        const bool outbound_ok = opt_.outbound && ((first_hop && flow != 0) || path_ob);

        std::optional<std::uint32_t> expires_header = req.expires();
        const bool has_contact = req.has(sip::header_id::contact);

        struct pending {
            binding b;
            bool remove;
        };
        std::vector<pending> ops;
        if (has_contact) {
            std::size_t nonzero_with_reg = 0, nonzero = 0;
            bool star = false;
            std::vector<sip::name_addr> contacts; // each Contact parsed once
            contacts.reserve(4);
            for (const sip::name_addr& c : req.contacts()) {
                contacts.push_back(c);
                if (c.is_star()) star = true;
            }
            const std::size_t n = contacts.size();
            if (star) {
                // RFC 3261 10.3 step 6.
                if (n != 1 || !expires_header || *expires_header != 0)
                    return fail(400, "Bad Request - Contact: * needs Expires: 0 and no other Contact");
                for (binding& b : store_->remove_aor(*aor))
                    out.changes.push_back({binding_event::removed, std::move(b), std::nullopt});
                out.headers = contact_rows(*aor, req, ua_gruu, now);
                return out;
            }
            ops.reserve(n);
            for (const sip::name_addr& c : contacts) {
                if (c.uri_text.empty()) return fail(400, "Bad Request - malformed Contact");
                contact_fields cf = read_contact(c);
                std::uint32_t e = expiry_of(cf.expires, expires_header);
                const std::int64_t reg_id = cf.reg_id;
                if (e != 0) {
                    ++nonzero;
                    if (reg_id > 0) ++nonzero_with_reg;
                }
                pending p{make_binding(*aor, c, std::move(cf), req, flow, now, e, path), e == 0};
                if (reg_id > 0 && p.b.instance.empty()) p.b.reg_id = 0; // OB5626-6-b
                if (p.b.reg_id != 0 && !outbound_ok) {
                    if (ua_outbound) return fail(439, {});
                    p.b.reg_id = 0; // OB5626-6-a: ignore the reg-id
                }
                p.b.outbound = p.b.reg_id != 0;
                if (e != 0 && e < opt_.min_expires.count())
                    return fail(423, {}, "Min-Expires: " + std::to_string(opt_.min_expires.count()) + "\r\n");
                if (e != 0 && !p.b.instance.empty()) {
                    // GR5627-5.1-a.
                    const sip::uri& cu = c.uri;
                    if (!cu.is_sip())
                        return fail(403, "Forbidden - the Contact of an instance must be a SIP URI");
                    if (sip::equivalent(cu, to.uri) || // both parsed with their name-addr
                        (cu.is_gruu() && aor_of(cu) == *aor))
                        return fail(403, "Forbidden - the Contact is the AOR or one of its GRUUs");
                }
                // RFC 3261 10.3 step 7: same Call-ID needs a higher CSeq.
                bool stale = false;
                store_->visit_same_key(p.b, [&](const binding& cur) {
                    stale = cur.call_id == p.b.call_id && p.b.cseq <= cur.cseq;
                });
                if (stale) return fail(500, "Server Internal Error - CSeq not higher than the last REGISTER");
                ops.push_back(std::move(p));
            }
            if (nonzero > 1 && nonzero_with_reg > 0) // OB5626-6-b (SHOULD)
                return fail(400, "Bad Request - several Contacts with a reg-id");
        }
        for (pending& p : ops) {
            if (p.remove) {
                if (auto old = store_->remove(p.b))
                    out.changes.push_back({binding_event::removed, std::move(*old), std::nullopt});
            } else {
                out.outbound = out.outbound || p.b.outbound;
                out.changes.push_back(store_->put(std::move(p.b)));
            }
        }
        out.headers = contact_rows(*aor, req, ua_gruu, now);
        if (out.outbound && ua_outbound) {
            out.headers += "Require: outbound\r\n"; // OB5626-6-c
            // OB5626-5.4-b: from the first hop only, which holds the flow.
            if (first_hop && flow != 0 && opt_.flow_timer && opt_.flow_timer->count() > 0) {
                out.flow_timer = opt_.flow_timer;
                out.headers += "Flow-Timer: " + std::to_string(opt_.flow_timer->count()) + "\r\n";
            }
        }
        for (const auto& p : path) out.headers += "Path: " + p + "\r\n";     // PA3327-5.3-a
        return out;
    }

    /// Resolves a Request-URI that may be a GRUU of ours (GR5627-6.1-a).
    gruu_target resolve_gruu(std::string_view request_uri, binding_clock::time_point now) const {
        gruu_target t;
        std::optional<std::string_view> gr = gr_param(request_uri);
        if (!gr) return t;
        t.k = gruu_target::kind::unknown;
        if (!gr->empty()) { // public GRUU: AOR;gr=instance
            auto aor = aor_of(request_uri);
            if (!aor) return t;
            t.aor = *aor;
            t.instance = sip::unescape(*gr);
            for (binding& b : store_->lookup(t.aor, now))
                if (b.instance == t.instance) t.bindings.push_back(std::move(b));
            // A public GRUU stays valid without bindings (GR5627-5.3-a).
            t.k = t.bindings.empty() ? gruu_target::kind::unavailable : gruu_target::kind::found;
            return t;
        }
        temp_gruu_content content;
        if (!temp_ || temp_->resolve(request_uri, content)) return t;
        t.aor = content.aor;
        t.instance = content.instance;
        for (binding& b : store_->lookup(t.aor, now))
            if (b.instance == t.instance && temp_gruu_codec::call_id_matches(content, b.call_id))
                t.bindings.push_back(std::move(b));
        // A temporary GRUU dies with its bindings or a new Call-ID (GR5627-5.1-c, 5.3-a).
        if (!t.bindings.empty()) t.k = gruu_target::kind::found;
        return t;
    }

    /// Whose GRUU the Contact URI \p contact_uri of a dialog-forming request
    /// is, for an originating proxy whose user is \p aor (canonical, see
    /// aor_of): not a GRUU; a GRUU of \p aor (record-route and forward,
    /// GR5627-6.2-a); a GRUU of another AOR (answer 403); or a `gr` URI
    /// that is no valid GRUU of ours (unknown). The caller checks that the
    /// URI's domain is one of its own.
    contact_gruu contact_gruu_owner(std::string_view contact_uri, std::string_view aor) const {
        std::optional<std::string_view> gr = gr_param(contact_uri);
        if (!gr) return contact_gruu::not_gruu;
        std::string owner;
        if (!gr->empty()) {
            auto a = aor_of(contact_uri);
            if (!a) return contact_gruu::unknown;
            owner = std::move(*a);
        } else {
            temp_gruu_content content;
            if (!temp_ || temp_->resolve(contact_uri, content)) return contact_gruu::unknown;
            owner = std::move(content.aor);
        }
        return owner == aor ? contact_gruu::own : contact_gruu::foreign;
    }

private:
    /// A Contact's header parameters, read in one walk: `expires`,
    /// `reg-id` and the instance-id as name_addr::expires(), reg_id() and
    /// instance_id() read them (the first parameter of each name), and the
    /// others as the binding keeps them.
    struct contact_fields {
        std::int64_t expires = -1;
        std::int64_t reg_id = -1;
        std::string_view instance;
        std::string params; ///< `;name[=value]`... without expires, pub-gruu, temp-gruu
    };

    static contact_fields read_contact(const sip::name_addr& c) {
        contact_fields f;
        bool seen_expires = false, seen_reg_id = false, seen_instance = false;
        for (const sip::parameter& p : c.parameters) {
            std::uint64_t v = 0;
            if (sip::detail::iequals(p.name, "expires")) {
                if (!seen_expires && sip::detail::parse_uint(p.value, 0xffffffffu, v))
                    f.expires = static_cast<std::int64_t>(v);
                seen_expires = true;
                continue;
            }
            // The registrar mints GRUUs itself (GR5627-5.1-b).
            if (sip::detail::iequals(p.name, "pub-gruu") || sip::detail::iequals(p.name, "temp-gruu")) continue;
            if (sip::detail::iequals(p.name, "reg-id")) {
                if (!seen_reg_id && sip::detail::parse_uint(p.value, 0xffffffffu, v) && v != 0)
                    f.reg_id = static_cast<std::int64_t>(v);
                seen_reg_id = true;
            } else if (sip::detail::iequals(p.name, "+sip.instance")) {
                std::string_view i = sip::strip_quotes(p.value);
                if (!seen_instance && i.size() >= 2 && i.front() == '<' && i.back() == '>')
                    f.instance = i.substr(1, i.size() - 2);
                seen_instance = true;
            }
            f.params += ';';
            f.params += p.name;
            if (p.has_value) {
                f.params += '=';
                f.params += p.value;
            }
        }
        return f;
    }

    std::uint32_t expiry_of(std::int64_t contact_expires, std::optional<std::uint32_t> header) const {
        std::int64_t e = contact_expires;
        std::int64_t v = e >= 0 ? e : header ? static_cast<std::int64_t>(*header)
                                             : static_cast<std::int64_t>(opt_.default_expires.count());
        if (v > opt_.max_expires.count()) v = opt_.max_expires.count();
        return static_cast<std::uint32_t>(v);
    }

    static binding make_binding(const std::string& aor, const sip::name_addr& c, contact_fields cf,
                                const sip::message& req, transport::flow_id flow,
                                binding_clock::time_point now, std::uint32_t e,
                                const std::vector<std::string>& path) {
        binding b;
        b.aor = aor;
        b.contact = std::string(c.uri_text);
        b.contact_params = std::move(cf.params);
        b.instance = std::string(cf.instance);
        b.reg_id = cf.reg_id > 0 ? static_cast<std::uint32_t>(cf.reg_id) : 0;
        b.call_id = std::string(req.call_id());
        if (auto cs = req.cseq()) b.cseq = cs->number;
        // With a Path, requests reach the UA through it, not over a flow of ours.
        b.flow = path.empty() ? flow : 0;
        b.path = path;
        b.updated_at = now;
        b.expires_at = now + std::chrono::seconds(e);
        return b;
    }

    /// Every live binding of \p aor as a Contact row of the 2xx, with GRUUs
    /// for instances when the UA supports them (GR5627-5.2-a).
    std::string contact_rows(const std::string& aor, const sip::message& req, bool ua_gruu,
                             binding_clock::time_point now) const {
        std::string out;
        store_->visit(aor, now, [&](const binding& b) {
            out += "Contact: <";
            out += b.contact;
            out += '>';
            out += b.contact_params;
            out += ";expires=";
            out += std::to_string(b.seconds_left(now));
            if (opt_.gruu && ua_gruu && !b.instance.empty()) {
                out += ";pub-gruu=";
                out += quote_gruu(make_pub_gruu(aor, b.instance));
                if (temp_) {
                    std::string_view domain = aor_domain(aor);
                    out += ";temp-gruu=";
                    out += quote_gruu(temp_->mint(aor, b.instance, b.call_id, domain, aor.rfind("sips:", 0) == 0));
                }
            }
            out += "\r\n";
        });
        (void)req;
        return out;
    }

    binding_store* store_;
    registrar_options opt_;
    std::optional<temp_gruu_codec> temp_;
};

} // namespace sipws::rfc7118

#endif
