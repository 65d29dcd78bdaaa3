// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_OUTBOUND_EDGE_HPP
#define SIPWS_RFC7118_OUTBOUND_EDGE_HPP

/// \file
/// The Outbound edge proxy (RFC 5626 section 5, RFC 3327 Path, RFC 5658
/// double Record-Route) as helpers around one flow_token_codec: what to add
/// to requests that leave through the edge, and where a request or a
/// response that comes back must go.
///
/// - Path: a REGISTER from a flow gets `Path: <sip:TOKEN@edge;lr;ob>` on top
///   (`ob` only when the edge is the first hop and the Contact has a reg-id,
///   OB5626-5.1-a; only when the UA sent `Supported: path`, PA3327-5.2-a).
/// - Record-Route: a dialog-forming request gets one Record-Route per side,
///   each with that side's transport, and on a side that is a flow its token
///   (WS7118-8-a, WS7118-B.2-a, OB5626-5.3.2-a). The value facing the next hop
///   is topmost, so each peer's route set names the interface it talks to.
/// - Requests coming back (route()): the top Route values that name the edge
///   are consumed (SIP3261-16.6-a); one whose token names another flow than
///   the source is the target (OB5626-5.3-a/5.3.1-a). A token that fails
///   authentication (forged, altered, or of a retired key) gets 403; a token
///   of a flow that is gone gets 430 Flow Failed.
/// - Responses: the edge's own Via carries the source flow's token inside
///   its branch, so a stateless edge finds the flow a response goes back on
///   (WS7118-5.3-d) without resolving anybody's sent-by.

#include <sipws/crypto/base64.hpp>
#include <sipws/detail/ascii.hpp>
#include <sipws/crypto/hash.hpp>
#include <sipws/rfc7118/flow_token.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/message_builder.hpp>
#include <sipws/sip/uri.hpp>
#include <sipws/transport/flow.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipws::rfc7118 {

/// One side of a proxied request, for Record-Route.
struct route_side {
    std::string_view transport;   ///< "ws", "wss", "udp", "tcp", "tls"
    transport::flow_id flow = 0;  ///< the flow on this side (0: none, no token)
    std::string_view host;        ///< host[:port] of this interface; empty: the edge's
};

/// What route() decided for a request.
struct route_result {
    enum class action : unsigned char {
        local,   ///< no Route of ours names another flow: route by Request-URI
        to_flow, ///< send over `flow`
        reject,  ///< answer `status` / `reason`
    };
    action act = action::local;
    std::size_t own_routes = 0; ///< top Route values naming the edge: remove them
    transport::flow_id flow = 0;
    bool outgoing = false; ///< a consumed Route carried the source flow's token
    bool by_request_uri = false; ///< the target came from the Request-URI (a flow URI)
    unsigned status = 0;
    std::string reason;
};

class outbound_edge {
public:
    /// \p host is host[:port] as the edge writes it in Path, Record-Route
    /// and Via (e.g. "edge.example.com" or "[::1]:8080").
    outbound_edge(flow_token_codec codec, std::string host)
        : codec_(std::move(codec)), host_(std::move(host)) {
        own_.push_back(own_host::of(host_));
    }

    /// Another host[:port] that names this edge in Route values.
    void add_alias(std::string host_port) {
        own_.push_back(own_host::of(host_port));
        aliases_.push_back(std::move(host_port));
    }

    const std::string& host() const noexcept { return host_; }
    flow_token_codec& codec() noexcept { return codec_; }

    /// The flow token of \p flow.
    std::string token(transport::flow_id flow) const { return codec_.encode({flow, 0}); }

    /// True when \p u (a SIP URI) names this edge: its host[:port] is the
    /// edge's or an alias (a URI without port matches any port).
    bool is_own(const sip::uri& u) const {
        if (!u.is_sip()) return false;
        for (const own_host& h : own_)
            if (h.matches(u)) return true;
        return false;
    }

    /// The transport the registrar must use to reach the edge, written as
    /// `;transport=T` in Path (e.g. "tcp" for an edge that talks to its
    /// registrar over TCP); empty (the default): none, which means UDP.
    void set_path_transport(std::string t) {
        for (char& c : t) c = sipws::detail::ascii_lower(c);
        path_transport_ = std::move(t);
    }

    /// `<sip:TOKEN@edge;lr;ob>` for the Path of a REGISTER (with
    /// `;transport=T` after set_path_transport()).
    std::string path_value(transport::flow_id flow, bool ob = true) const {
        std::string uri = make_flow_uri(token(flow), host_, ob);
        if (!path_transport_.empty()) uri += ";transport=" + path_transport_;
        return "<" + uri + ">";
    }

    /// Adds the edge's Path to REGISTER \p req from \p flow (PA3327-5.2-a,
    /// OB5626-5.1-a). Returns 0, or 421 when the UA did not send
    /// `Supported: path` (answer 421 with `Require: path`).
    unsigned add_path(sip::message_builder& b, const sip::message& req, transport::flow_id flow) const {
        if (!req.has_option_tag(sip::header_id::supported, "path")) return 421;
        const bool first_hop = req.values(sip::header_id::via).size() == 1;
        bool reg_id = false;
        for (const sip::name_addr& c : req.contacts()) reg_id = reg_id || c.reg_id() > 0;
        b.prepend_path(path_value(flow, first_hop && reg_id));
        return 0;
    }

    /// A Record-Route value for \p side: `<sip:[TOKEN@]host;transport=T;lr>`
    /// (a wss side is written `transport=ws`, WS7118-5.2-a).
    std::string record_route_value(const route_side& side) const {
        std::string out = "<sip:";
        if (side.flow != 0) {
            out += token(side.flow);
            out += '@';
        }
        out += side.host.empty() ? std::string_view(host_) : side.host;
        std::string_view t = side.transport;
        if (sip::detail::iequals(t, "wss")) t = "ws";
        if (!t.empty()) {
            out += ";transport=";
            for (char c : t) out += sipws::detail::ascii_lower(c);
        }
        out += ";lr>";
        return out;
    }

    /// Record-Routes a dialog-forming request that came in on \p inbound and
    /// leaves on \p outbound: two values (outbound side topmost) when the
    /// sides differ in transport or either is a flow, else one (RFC 5658).
    void add_record_routes(sip::message_builder& b, const route_side& inbound,
                           const route_side& outbound) const {
        std::string in = record_route_value(inbound), out = record_route_value(outbound);
        b.prepend_record_route(in);
        if (out != in) b.prepend_record_route(out);
    }

    /// Where \p req, which arrived on \p source, goes (see the file comment).
    /// \p is_open tells whether a flow is still open.
    route_result route(const sip::message& req, transport::flow_id source,
                       const std::function<bool(transport::flow_id)>& is_open) const {
        route_result r;
        std::size_t total = 0;
        for (const sip::name_addr& na : req.routes()) {
            ++total;
            if (r.act == route_result::action::to_flow || total != r.own_routes + 1) continue;
            std::error_code ec;
            sip::uri u = sip::parse_uri(na.uri_text, ec);
            if (ec || !is_own(u)) continue;
            ++r.own_routes;
            if (!u.has_user) continue; // a plain Route to the edge
            flow_identity id;
            if (codec_.decode(u.user, id)) return reject(r, 403, "Forbidden - invalid flow token");
            if (id.flow_id == source) {
                r.outgoing = true;
                continue;
            }
            r.act = route_result::action::to_flow;
            r.flow = id.flow_id;
        }
        if (r.act != route_result::action::to_flow && r.own_routes == total) {
            // A Request-URI that is a flow URI of ours (a contact reached through Path).
            std::error_code ec;
            sip::uri u = sip::parse_uri(req.request_uri(), ec);
            flow_identity id;
            if (!ec && is_own(u) && u.user.size() == flow_token_codec::token_size) {
                std::error_code te = codec_.decode(u.user, id);
                if (te && te != make_error_code(error::token_malformed))
                    return reject(r, 403, "Forbidden - invalid flow token");
                if (!te) {
                    r.act = route_result::action::to_flow;
                    r.flow = id.flow_id;
                    r.by_request_uri = true;
                }
            }
        }
        if (r.act == route_result::action::to_flow && !(is_open && is_open(r.flow)))
            return reject(r, 430, {});
        return r;
    }

    /// The edge's Via for forwarding \p req that arrived on \p source over
    /// \p transport ("WS", "WSS", "UDP", ...): a branch derived from the
    /// request's own top Via and Call-ID (so a retransmission or its CANCEL
    /// gets the same one, RFC 3261 section 16.11) followed by `.` and the
    /// source flow's token. \p host is the host[:port] of the interface the
    /// request leaves on (the listener of a flow, E2-F9-c; it must be the
    /// edge's host or an alias so that response_flow() knows it); empty:
    /// the edge's. \p fork_branch: the index of the branch of a forked
    /// request (each gets a branch of its own, RFC 3261 section 16.6 step
    /// 8); 0 for the first or only one.
    std::string via_value(const sip::message& req, transport::flow_id source,
                          std::string_view transport, std::string_view host = {},
                          std::size_t fork_branch = 0) const {
        std::string tok = token(source);
        std::string seed;
        seed.reserve(128);
        if (auto v = req.top_via()) {
            seed += v->branch;
            seed += '\n';
            seed += v->sent_by;
        }
        seed += '\n';
        seed += req.call_id();
        seed += '\n';
        seed += tok;
        if (fork_branch != 0) {
            seed += '\n';
            seed += std::to_string(fork_branch);
        }
        std::string h = crypto::hash(crypto::hash_algorithm::sha256, seed);
        char h64[16]; // base64url of the first 12 octets: no padding
        crypto::base64_encode(h.data(), 12, h64);
        for (char& c : h64) c = c == '+' ? '-' : c == '/' ? '_' : c;
        std::string out;
        out.reserve(64 + host_.size() + host.size() + tok.size());
        out += "SIP/2.0/";
        for (char c : transport) out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        out += ' ';
        out += host.empty() ? std::string_view(host_) : host;
        out += ";branch=";
        out += branch_magic_cookie_;
        out.append(h64, sizeof h64);
        out += '.';
        out += tok;
        return out;
    }

    /// The flow a response goes back on: its top Via must be the edge's (own
    /// host, a branch with a valid token); false otherwise (drop it).
    bool response_flow(const sip::message& resp, transport::flow_id& flow) const {
        std::optional<sip::via> v = resp.top_via();
        if (!v || !host_matches(v->sent_by)) return false;
        std::string_view br = v->branch;
        std::size_t dot = br.rfind('.');
        if (br.substr(0, branch_magic_cookie_.size()) != branch_magic_cookie_ ||
            dot == std::string_view::npos)
            return false;
        flow_identity id;
        if (codec_.decode(br.substr(dot + 1), id)) return false;
        flow = id.flow_id;
        return true;
    }

private:
    static constexpr std::string_view branch_magic_cookie_ = "z9hG4bK";

    static route_result& reject(route_result& r, unsigned status, std::string reason) {
        r.act = route_result::action::reject;
        r.status = status;
        r.reason = std::move(reason);
        return r;
    }

    /// One of the edge's names, parsed once: a URI matches it by host
    /// (case-insensitive) and by port when both name one.
    struct own_host {
        std::string host;
        bool valid = false, has_port = false;
        std::uint16_t port = 0;

        static own_host of(std::string_view host_port) {
            own_host h;
            std::error_code ec;
            const std::string text = "sip:" + std::string(host_port); // me views it
            sip::uri me = sip::parse_uri(text, ec);
            if (ec) return h;
            h.host = std::string(me.host);
            h.valid = true;
            h.has_port = me.has_port;
            h.port = me.port;
            return h;
        }
        bool matches(const sip::uri& u) const {
            if (!valid || !sip::detail::iequals(u.host, host)) return false;
            return !u.has_port || !has_port || u.port == port;
        }
    };

    bool host_matches(std::string_view sent_by) const {
        std::error_code ec;
        const std::string text = "sip:" + std::string(sent_by);
        sip::uri u = sip::parse_uri(text, ec);
        return !ec && is_own(u);
    }

    flow_token_codec codec_;
    std::string host_;
    std::vector<std::string> aliases_;
    std::vector<own_host> own_; ///< host_ and the aliases, parsed
    std::string path_transport_;
};

} // namespace sipws::rfc7118

#endif
