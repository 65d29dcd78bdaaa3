// Distributed under the Boost Software License, Version 1.0.
// sipws-gateway: an RFC 7118 Outbound edge proxy in front of an existing SIP
// server that speaks UDP, built from sipws's public API only. WebSocket
// clients (ws/wss) register through it (Path with a flow token, RFC 3327 and
// RFC 5626); dialogs get one Record-Route per side (RFC 5658) carrying the
// flow token; requests from the server find their flow by token (430 when it
// is gone) and responses find it from the gateway's own Via branch, so the
// gateway keeps no transaction state. See README.md.
#include <sipws/rfc7118/flow_token.hpp>
#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/outbound_edge.hpp>
#include <sipws/rfc7118/proxy_checks.hpp>
#include <sipws/rfc7118/via_stamp.hpp>
#include <sipws/sip/message_builder.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/sip/response.hpp>
#include <sipws/sip/stream_framing.hpp>
#include <sipws/transport/listener.hpp>
#include <sipws/transport/tls.hpp>
#include <sipws/ws/url.hpp>

#include <asio/connect.hpp>
#include <asio/ip/udp.hpp>
#include <asio/write.hpp>
#include <asio/steady_timer.hpp>

#include "../common/pending_requests.hpp"
#include "../common/program.hpp"

#include <array>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <unistd.h>

namespace tr = sipws::transport;
namespace sip = sipws::sip;
namespace r7 = sipws::rfc7118;

namespace {

// ---- configuration ---------------------------------------------------------

using sipws_program::level;
using sipws_program::log;

struct options {
    std::vector<std::string> listen;
    std::string upstream, cert, key;
    unsigned threads = 1;
};

void usage(const char* why) {
    if (why) std::fprintf(stderr, "sipws-gateway: %s\n", why);
    std::fprintf(why ? stderr : stdout,
                 "usage: sipws-gateway [--listen URL]... --upstream udp://HOST:PORT|tcp://HOST:PORT\n"
                 "                     [--cert FILE --key FILE] [--threads N]\n"
                 "                     [--log-level error|warn|info|debug]\n"
                 "defaults: --listen ws://127.0.0.1:8080 --threads 1\n");
}

struct upstream_address {
    bool tcp = false;
    asio::ip::address address;
    unsigned short port = 0;
};

/// `udp://HOST:PORT` or `tcp://HOST:PORT` with HOST an IP address (IPv6 in brackets).
std::optional<upstream_address> parse_upstream(const std::string& url, std::string& why) {
    upstream_address out;
    out.tcp = url.compare(0, 6, "tcp://") == 0;
    if (!out.tcp && url.compare(0, 6, "udp://") != 0) {
        why = "the upstream must be udp://HOST:PORT or tcp://HOST:PORT";
        return std::nullopt;
    }
    std::string rest = url.substr(6);
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon + 1 == rest.size()) {
        why = "the upstream needs a port";
        return std::nullopt;
    }
    std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned long p = 0;
    for (char c : port) {
        if (c < '0' || c > '9' || p > 65535) {
            why = "bad upstream port";
            return std::nullopt;
        }
        p = p * 10 + static_cast<unsigned long>(c - '0');
    }
    if (p == 0 || p > 65535) {
        why = "bad upstream port";
        return std::nullopt;
    }
    std::error_code ec;
    out.address = asio::ip::make_address(host, ec);
    if (ec) {
        why = "the upstream host must be an IP address";
        return std::nullopt;
    }
    out.port = static_cast<unsigned short>(p);
    return out;
}

std::string host_port(const asio::ip::address& a, unsigned short port) {
    std::string h = a.to_string();
    if (a.is_v6()) h = "[" + h + "]";
    return h + ":" + std::to_string(port);
}

struct gateway_config : tr::default_config {
    using keepalive_policy = tr::policy::ws_ping_keepalive; // finds dead browser tabs
};

// ---- the gateway -------------------------------------------------------------

/// The upstream server is "flow 0": tokens of flow 0 in our Via branches
/// send responses back to it.
constexpr tr::flow_id upstream_flow = 0;

struct flow_state {
    bool secure = false;
    std::string host; ///< host:port of the listener, as written in Record-Route
};

bool dialog_forming(std::string_view method) {
    return method == "INVITE" || method == "SUBSCRIBE" || method == "REFER" || method == "NOTIFY";
}

class gateway {
public:
    gateway(asio::io_context& io, options o, upstream_address upstream,
            std::vector<asio::io_context*> connection_contexts = {})
        : io_(io), opt_(std::move(o)), connection_contexts_(std::move(connection_contexts)), upstream_(upstream), registry_(std::make_shared<tr::flow_registry>()),
          udp_(io), tcp_(io), reconnect_(io), purge_timer_(io),
          edge_(r7::flow_token_codec(r7::flow_token_key::generate(1)), "127.0.0.1") {}

    int start() {
        std::error_code ec;
        if (upstream_.tcp) {
            tcp_.connect({upstream_.address, upstream_.port}, ec);
        } else {
            const asio::ip::udp::endpoint ep(upstream_.address, upstream_.port);
            udp_.open(ep.protocol(), ec);
            // Answers to a burst of requests from many clients arrive at once:
            // ask for 4 MiB (the kernel caps it at net.core.rmem_max).
            std::error_code ignored;
            if (!ec) udp_.set_option(asio::socket_base::receive_buffer_size(4 << 20), ignored);
            if (!ec) udp_.connect(ep, ec); // only the upstream may send to us
        }
        if (ec) return fail_start("upstream", ec.message());
        // Path, the upstream side's Record-Route and our Via name our end of
        // the upstream socket (over TCP the upstream finds our connection by it).
        ec = name_upstream_side();
        if (ec) return fail_start("upstream", ec.message());
        registry_->on_flow_closed([this](tr::flow_id f, const tr::close_info&) { flow_closed(f); });
        for (const auto& u : opt_.listen) {
            auto url = sipws::ws::parse_url(u);
            if (!url) return fail_start(u, "not a ws:// or wss:// URL");
            auto addr = asio::ip::make_address(std::string(url->address()), ec);
            if (ec) return fail_start(u, "the host must be an IP address");
            asio::ip::tcp::endpoint ep(addr, url->port);
            if (url->secure) {
                if (opt_.cert.empty() || opt_.key.empty())
                    return fail_start(u, "wss needs --cert FILE and --key FILE");
                if (!tls_) {
                    try {
                        tls_ = std::make_unique<asio::ssl::context>(
                            tr::make_server_tls_context(opt_.cert, opt_.key));
                    } catch (const std::exception& e) {
                        return fail_start(u, std::string("TLS: ") + e.what());
                    }
                }
                secure_.push_back(std::make_unique<tr::basic_listener<tr::tls_stream, gateway_config>>(
                    io_, *tls_, registry_));
                ec = setup(*secure_.back(), ep);
            } else {
                plain_.push_back(std::make_unique<tr::basic_listener<asio::ip::tcp::socket, gateway_config>>(
                    io_, registry_));
                ec = setup(*plain_.back(), ep);
            }
            if (ec) return fail_start(u, ec.message());
            std::string host = url->host + ":" + std::to_string(ep.port());
            hosts_[ep.port()] = host;
            edge_.add_alias(host);
            aliases_.push_back(host);
            std::printf("sipws-gateway: listening on %s://%s/\n", url->secure ? "wss" : "ws", host.c_str());
        }
        std::printf("sipws-gateway: upstream %s://%s from %s\n", upstream_.tcp ? "tcp" : "udp",
                    host_port(upstream_.address, upstream_.port).c_str(), edge_.host().c_str());
        std::printf("sipws-gateway: ready (pid %ld)\n", static_cast<long>(::getpid()));
        std::fflush(stdout);
        receive();
        schedule_purge();
        return 0;
    }

    void stop() {
        log(level::info, "shutting down");
        for (auto& l : plain_) l->stop();
        for (auto& l : secure_) l->stop();
        {
            guard lk(mu_);
            purge_stopped_ = true;
            purge_timer_.cancel();
        }
        registry_->close_all(sipws::ws::close_code::going_away, "shutting down");
    }

    /// After stop()'s grace period: drops whatever is still open and the upstream.
    void finish() {
        registry_->abort_all();
        guard lk(mu_);
        std::error_code ec;
        stopping_ = true;
        reconnect_.cancel();
        udp_.close(ec);
        tcp_.close(ec);
    }

    void print_counters() const {
        using sipws_program::count;
        std::size_t pending = 0;
        {
            guard lk(mu_);
            pending = pending_.size();
        }
        std::printf("counters: connections open=%zu total=%llu messages in=%llu out=%llu upstream in=%llu "
                    "out=%llu pending=%zu%s\n",
                    registry_->size(), count(c_.connections_total), count(c_.messages_in),
                    count(c_.messages_out), count(c_.upstream_in), count(c_.upstream_out), pending,
                    c_.errors_text().c_str());
        std::fflush(stdout);
    }

private:
    int fail_start(const std::string& what, const std::string& why) {
        std::fprintf(stderr, "sipws-gateway: %s: %s\n", what.c_str(), why.c_str());
        return 1;
    }

    template <class L> std::error_code setup(L& l, const asio::ip::tcp::endpoint& ep) {
        l.spread_connections(connection_contexts_);
        l.on_open([this](const tr::flow_info& i) { flow_opened(i); });
        l.on_message([this](tr::flow_id f, sipws::ws::message_type, std::string_view m) { on_ws_message(f, m); });
        std::error_code ec = l.listen(ep);
        if (!ec) l.start();
        return ec;
    }

    // ---- flows ----------------------------------------------------------

    // Threads: listeners, flows and the upstream socket's handlers call in
    // from any worker thread; each entry point takes mu_ (recursive: the
    // handlers of the upstream reach on_message, which takes it too).

    void flow_opened(const tr::flow_info& i) {
        ++c_.connections_total;
        flow_state s;
        s.secure = i.secure;
        auto h = hosts_.find(i.local.port());
        s.host = h != hosts_.end() ? h->second : edge_.host();
        log(level::debug, "flow %llu open from %s", static_cast<unsigned long long>(i.id),
            host_port(i.remote.address(), i.remote.port()).c_str());
        guard lk(mu_);
        flows_[i.id] = std::move(s);
    }

    void flow_closed(tr::flow_id f) {
        guard lk(mu_);
        flows_.erase(f);
        log(level::debug, "flow %llu closed", static_cast<unsigned long long>(f));
        answer_pending(pending_.take_flow(f), 430);
    }

    // ---- requests from the upstream without a final response yet ---------

    /// Requests (but ACK) relayed from the upstream to a flow are tracked
    /// until their final response: when the flow closes first the upstream
    /// gets 430 Flow Failed (RFC 5626 section 5.3.1), after Timer F (an
    /// INVITE: Timer B, or Timer C once a provisional response came) 408
    /// (RFC 3261 section 16.7 step 10), instead of silence.
    static bool tracked(tr::flow_id in, tr::flow_id out, std::string_view method) {
        return in == upstream_flow && out != upstream_flow && method != "ACK";
    }

    /// Answers each of \p gone to the upstream with \p code (mu_ held).
    void answer_pending(std::vector<sipws_program::pending_requests::entry> gone, unsigned code) {
        for (const auto& e : gone) {
            auto req = sip::parse(e.request);
            if (!req) continue; // it parsed when it came in
            log(level::info, "%s %.*s relayed to flow %llu: %u to the upstream",
                code == 430 ? "flow closed before the final response to" : "no final response to",
                static_cast<int>(req->method().size()), req->method().data(),
                static_cast<unsigned long long>(e.downstream), code);
            reply(e.upstream, *req, code);
        }
    }

    /// Once a second: the requests whose timer fired get 408.
    void schedule_purge() {
        purge_timer_.expires_after(std::chrono::seconds(1));
        purge_timer_.async_wait([this](std::error_code ec) {
            if (ec) return;
            guard lk(mu_);
            if (purge_stopped_) return;
            answer_pending(pending_.take_expired(sipws_program::pending_requests::clock::now()), 408);
            schedule_purge();
        });
    }

    std::error_code name_upstream_side() {
        std::error_code ec;
        std::string host;
        if (upstream_.tcp) {
            auto local = tcp_.local_endpoint(ec);
            if (!ec) host = host_port(local.address(), local.port());
        } else {
            auto local = udp_.local_endpoint(ec);
            if (!ec) host = host_port(local.address(), local.port());
        }
        if (ec) return ec;
        edge_ = r7::outbound_edge(edge_.codec(), host);
        for (const auto& a : aliases_) edge_.add_alias(a);
        if (upstream_.tcp) edge_.set_path_transport("tcp");
        return {};
    }

    bool is_open(tr::flow_id f) const { return f != upstream_flow && registry_->contains(f); }

    // ---- sending ----------------------------------------------------------

    /// Sends \p msg over flow \p f, or to the upstream when \p f is 0.
    bool send(tr::flow_id f, std::string_view msg) {
        std::error_code ec;
        if (f == upstream_flow && upstream_.tcp) {
            if (!tcp_.is_open()) ec = asio::error::not_connected;
            else tcp_write(std::string(msg));
            if (!ec) ++c_.upstream_out;
        } else if (f == upstream_flow) {
            udp_.send(asio::buffer(msg.data(), msg.size()), 0, ec);
            if (!ec) ++c_.upstream_out;
        } else {
            ec = registry_->send(f, msg);
            if (!ec) ++c_.messages_out;
        }
        if (ec) {
            c_.error(f == upstream_flow ? "upstream_send_failed"
                     : ec == tr::error::flow_failed ? "flow_failed" : "send_failed");
            log(level::warn, "send to %s failed: %s", where(f).c_str(), ec.message().c_str());
            return false;
        }
        log(level::debug, "%s <<\n%.*s", where(f).c_str(), static_cast<int>(msg.size()), msg.data());
        return true;
    }

    std::string where(tr::flow_id f) const {
        return f == upstream_flow ? "upstream" : "flow " + std::to_string(f);
    }

    void reply(tr::flow_id f, const sip::message& req, unsigned code, std::string_view reason = {},
               std::string_view extra = {}) {
        if (req.method() == "ACK") return; // never answered
        if (code >= 300) c_.error(std::to_string(code));
        sip::response_options o;
        std::string tag = r7::make_tag();
        o.to_tag = tag;
        o.extra_headers = extra;
        send(f, sip::make_response(req, code, reason, o));
    }

    // ---- receiving --------------------------------------------------------

    void tcp_write(std::string msg) {
        tcp_out_.push_back(std::move(msg));
        if (tcp_out_.size() == 1) tcp_write_next();
    }

    void tcp_write_next() {
        asio::async_write(tcp_, asio::buffer(tcp_out_.front()), [this](std::error_code ec, std::size_t) {
            guard lk(mu_);
            if (ec) return upstream_lost(ec);
            tcp_out_.pop_front();
            if (!tcp_out_.empty()) tcp_write_next();
        });
    }

    void tcp_receive() {
        tcp_.async_read_some(asio::buffer(buffer_), [this](std::error_code ec, std::size_t n) {
            guard lk(mu_);
            if (ec) return upstream_lost(ec);
            tcp_in_.append(buffer_.data(), n);
            std::size_t used = 0;
            for (;;) {
                sip::stream_frame fr = sip::next_stream_frame(std::string_view(tcp_in_).substr(used), ec);
                if (ec) {
                    c_.error("upstream_framing");
                    return upstream_lost(ec);
                }
                used += fr.skip;
                if (fr.size == 0) break;
                ++c_.upstream_in;
                on_message(upstream_flow, std::string_view(tcp_in_).substr(used, fr.size));
                used += fr.size;
            }
            tcp_in_.erase(0, used);
            tcp_receive();
        });
    }

    /// The TCP connection to the upstream ended: reconnect every second.
    void upstream_lost(std::error_code why) {
        if (stopping_ || !tcp_.is_open()) return;
        c_.error("upstream_lost");
        log(level::warn, "upstream connection lost: %s", why.message().c_str());
        std::error_code ec;
        tcp_.close(ec);
        tcp_in_.clear();
        tcp_out_.clear();
        reconnect();
    }

    void reconnect() {
        reconnect_.expires_after(std::chrono::seconds(1));
        reconnect_.async_wait([this](std::error_code ec) {
            guard lk(mu_);
            if (ec || stopping_) return;
            tcp_.async_connect({upstream_.address, upstream_.port}, [this](std::error_code cec) {
                guard lk2(mu_);
                if (stopping_) return;
                if (cec || name_upstream_side()) {
                    std::error_code ignore;
                    tcp_.close(ignore);
                    return reconnect();
                }
                // Registrations made through the old connection name its address in their Path.
                log(level::info, "upstream connection restored from %s", edge_.host().c_str());
                tcp_receive();
            });
        });
    }

    void receive() {
        if (upstream_.tcp) return tcp_receive();
        udp_.async_receive(asio::buffer(buffer_), [this](std::error_code ec, std::size_t n) {
            guard lk(mu_);
            if (ec == asio::error::operation_aborted || !udp_.is_open()) return;
            if (!ec) {
                ++c_.upstream_in;
                on_message(upstream_flow, std::string_view(buffer_.data(), n));
            } else {
                // ICMP port unreachable and the like: the upstream is down for now.
                c_.error("upstream_receive");
                log(level::warn, "upstream: %s", ec.message().c_str());
            }
            receive();
        });
    }

    void on_ws_message(tr::flow_id f, std::string_view bytes) {
        ++c_.messages_in;
        guard lk(mu_);
        on_message(f, bytes);
    }

    void on_message(tr::flow_id f, std::string_view bytes) {
        log(level::debug, "%s >>\n%.*s", where(f).c_str(), static_cast<int>(bytes.size()), bytes.data());
        auto r = sip::parse(bytes);
        if (!r) {
            c_.error("parse");
            log(level::warn, "%s: unparseable message: %.*s", where(f).c_str(),
                static_cast<int>(r.error.what.size()), r.error.what.data());
            if (auto resp = sip::make_error_response(*r, r.error)) send(f, *resp);
            return;
        }
        if (r->is_response()) return on_response(f, *r);
        on_request(f, *r);
    }

    /// A response goes back where our Via branch says (a flow or the upstream).
    void on_response(tr::flow_id from, const sip::message& resp) {
        tr::flow_id back = 0;
        if (!edge_.response_flow(resp, back) || back == from) {
            c_.error("stray_response");
            log(level::debug, "%s: response without our Via dropped", where(from).c_str());
            return;
        }
        if (back == upstream_flow) track_response(resp);
        sip::message_builder b(resp);
        b.pop_via();
        send(back, b.str()); // a gone flow: nothing to do, the response is dropped
    }

    /// A response from a flow to a request of the upstream: the end of its
    /// tracking when final, Timer C for an INVITE when provisional.
    void track_response(const sip::message& resp) {
        auto via = resp.top_via();
        auto cseq = resp.cseq();
        if (!via || !cseq) return;
        const std::string key = sipws_program::pending_requests::key(via->branch, cseq->method);
        if (resp.status_code() >= 200) pending_.answered(key);
        else if (cseq->method == "INVITE") pending_.proceeding(key, sipws_program::pending_requests::clock::now());
    }

    void on_request(tr::flow_id f, const sip::message& req) {
        if (f != upstream_flow && flows_.find(f) == flows_.end()) return; // closed meanwhile
        // RFC 3261 16.3: Request-URI scheme (416), Max-Forwards (483), Proxy-Require (420).
        if (auto bad = r7::check_proxied_request(req)) return reply(f, req, bad->status, bad->reason, bad->headers);

        r7::route_result rr = edge_.route(req, f, [this](tr::flow_id x) { return is_open(x); });
        if (rr.act == r7::route_result::action::reject) {
            if (rr.status == 403) c_.error("bad_flow_token");
            log(level::info, "%.*s from %s: %u%s%s", static_cast<int>(req.method().size()),
                req.method().data(), where(f).c_str(), rr.status,
                rr.status == 430 ? " (flow gone)" : "", rr.status == 403 ? " (bad flow token)" : "");
            return reply(f, req, rr.status, rr.reason);
        }
        auto to = req.to();
        const bool initial = !(to && to->has_tag());
        const bool record_route = initial && dialog_forming(req.method());
        if (rr.act == r7::route_result::action::to_flow)
            return forward(f, req, rr.flow, rr.own_routes, record_route);
        if (f != upstream_flow) return forward(f, req, upstream_flow, rr.own_routes, record_route);

        // From the upstream with no flow of ours to go to.
        std::error_code ec;
        sip::uri ruri = req.request_uri_parsed(ec);
        if (!ec && edge_.is_own(ruri) && !ruri.has_user && req.method() == "OPTIONS")
            return reply(f, req, 200);
        reply(f, req, 404, "Not Found - no flow for this request");
    }

    r7::route_side side(tr::flow_id f) const {
        if (f == upstream_flow) return {upstream_.tcp ? "tcp" : "udp", 0, {}};
        const flow_state& s = flows_.at(f);
        return {s.secure ? "wss" : "ws", f, s.host};
    }

    void forward(tr::flow_id in, const sip::message& req, tr::flow_id out, std::size_t own_routes,
                 bool record_route) {
        if ((in != upstream_flow && !flows_.count(in)) || (out != upstream_flow && !flows_.count(out)))
            return reply(in, req, 430);
        if (out != upstream_flow)
            if (auto bad = r7::check_hop_security(req, flows_[out].secure))
                return reply(in, req, bad->status, bad->reason);
        std::string stamped;
        const sip::message* src = &req;
        std::optional<sip::parse_result<>> reparsed;
        if (in == upstream_flow && !upstream_.tcp) {
            // RFC 3261 18.2.1 on the UDP side; a WebSocket flow needs no received.
            sip::message_builder s(req);
            std::string addr = upstream_.address.to_string();
            r7::stamp_via(s, req, addr, upstream_.port, r7::received_policy::when_differs);
            stamped = s.str();
            reparsed.emplace(sip::parse(stamped));
            if (!*reparsed) return reply(in, req, 400);
            src = &**reparsed;
        }
        sip::message_builder b(*src);
        for (std::size_t k = 0; k < own_routes; ++k) b.remove_top_route();
        std::optional<unsigned> mf = req.max_forwards();
        b.set_max_forwards(mf ? *mf - 1 : 70);
        const r7::route_side in_side = side(in), out_side = side(out);
        const char* transport = out == upstream_flow ? (upstream_.tcp ? "TCP" : "UDP")
                                : out_side.transport == "wss"      ? "WSS"
                                                                   : "WS";
        // Toward a flow, the Via names the listener that flow came in on (E2-F9-c).
        const std::string via = edge_.via_value(req, in, transport, out_side.host);
        b.push_via(via);
        if (req.method() == "REGISTER" && in != upstream_flow && out == upstream_flow) {
            if (edge_.add_path(b, req, in) == 421) return reply(in, req, 421, {}, "Require: path\r\n");
        }
        if (record_route) edge_.add_record_routes(b, in_side, out_side);
        b.update_content_length();
        log(level::debug, "%.*s from %s to %s", static_cast<int>(req.method().size()), req.method().data(),
            where(in).c_str(), where(out).c_str());
        if (!send(out, b.str())) {
            if (out != upstream_flow) reply(in, req, 430);
            return;
        }
        if (!tracked(in, out, req.method())) return;
        // Tracked once sent: its answer waits for mu_, which is held.
        const auto now = sipws_program::pending_requests::clock::now();
        std::string key = sipws_program::pending_requests::key(sipws_program::pending_requests::branch_of(via),
                                                               req.method());
        if (req.method() == "INVITE") pending_.add_invite(std::move(key), out, in, std::string(req.data()), {}, {}, now);
        else pending_.add(std::move(key), out, in, std::string(req.data()), now);
    }

    asio::io_context& io_;
    options opt_;
    std::vector<asio::io_context*> connection_contexts_; // --threads N: one per thread
    upstream_address upstream_;
    std::shared_ptr<tr::flow_registry> registry_;
    asio::ip::udp::socket udp_;
    asio::ip::tcp::socket tcp_;
    std::string tcp_in_;
    std::deque<std::string> tcp_out_;
    asio::steady_timer reconnect_;
    asio::steady_timer purge_timer_;
    sipws_program::pending_requests pending_;
    bool stopping_ = false, purge_stopped_ = false;
    std::vector<std::string> aliases_;
    std::array<char, 65536> buffer_{};
    std::unique_ptr<asio::ssl::context> tls_;
    std::vector<std::unique_ptr<tr::basic_listener<asio::ip::tcp::socket, gateway_config>>> plain_;
    std::vector<std::unique_ptr<tr::basic_listener<tr::tls_stream, gateway_config>>> secure_;
    r7::outbound_edge edge_;
    std::unordered_map<tr::flow_id, flow_state> flows_;
    std::map<unsigned short, std::string> hosts_;
    sipws_program::counters c_;
    using guard = std::lock_guard<std::recursive_mutex>;
    mutable std::recursive_mutex mu_;
};

} // namespace

int main(int argc, char** argv) {
    options o;
    auto done = sipws_program::read_options(
        argc, argv, {"--listen", "--upstream", "--cert", "--key", "--log-level", "--threads"}, usage,
        [&](const std::string& a, const std::string& v) -> std::string {
            if (a == "--listen") o.listen.push_back(v);
            else if (a == "--upstream") o.upstream = v;
            else if (a == "--cert") o.cert = v;
            else if (a == "--key") o.key = v;
            else if (a == "--threads") return sipws_program::parse_threads(v, o.threads);
            else if (auto l = sipws_program::parse_level(v)) sipws_program::log_threshold() = *l;
            else return "--log-level is error, warn, info or debug";
            return {};
        });
    if (done) return *done;
    if (o.upstream.empty()) return usage("--upstream udp://HOST:PORT or tcp://HOST:PORT is required"), 2;
    std::string why;
    auto upstream = parse_upstream(o.upstream, why);
    if (!upstream) return usage(why.c_str()), 2;
    if (o.listen.empty()) o.listen.push_back("ws://127.0.0.1:8080");

    sipws_program::io_pool pool(o.threads);
    gateway g(pool.main(), o, *upstream, pool.for_connections());
    int rc = sipws_program::run(pool, g);
    if (rc == 0) std::printf("sipws-gateway: stopped\n");
    return rc;
}
