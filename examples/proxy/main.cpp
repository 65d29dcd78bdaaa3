// Distributed under the Boost Software License, Version 1.0.
// sipws-proxy: an RFC 7118 registrar and Outbound edge proxy for SIP over
// WebSocket, built from sipws's public API only. Users register over ws/wss,
// then reach each other by AOR or GRUU; dialogs stay on the proxy through
// Record-Route values that carry flow tokens. It serves a web page (the
// browser demo) and /online on the same port. See README.md.
#include <sipws/crypto/hash.hpp>
#include <sipws/crypto/hmac.hpp>
#include <sipws/rfc7118/digest_server.hpp>
#include <sipws/rfc7118/flow_token.hpp>
#include <sipws/rfc7118/gruu.hpp>
#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/outbound_edge.hpp>
#include <sipws/rfc7118/proxy_checks.hpp>
#include <sipws/rfc7118/registrar.hpp>
#include <sipws/rfc7118/response_context.hpp>
#include <sipws/rfc7118/retarget.hpp>
#include <sipws/rfc7118/via_stamp.hpp>
#include <sipws/rfc7118/web_identity.hpp>
#include <sipws/sip/message_builder.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/sip/response.hpp>
#include <sipws/sip/transaction_id.hpp>
#include <sipws/transport/listener.hpp>
#include <sipws/transport/policy/client_certificate_auth.hpp>
#if defined(SIPWS_HAS_ZLIB)
#include <sipws/transport/policy/permessage_deflate.hpp>
#endif
#include <sipws/transport/tls.hpp>
#include <sipws/ws/url.hpp>

#include <asio/steady_timer.hpp>

#include "../common/pending_requests.hpp"
#include "../common/program.hpp"

#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <unistd.h>

#ifndef SIPWS_PROXY_DEFAULT_HTTP_ROOT
#define SIPWS_PROXY_DEFAULT_HTTP_ROOT ""
#endif

namespace tr = sipws::transport;
namespace sip = sipws::sip;
namespace r7 = sipws::rfc7118;

namespace {

// ---- configuration ---------------------------------------------------------

using sipws_program::level;
using sipws_program::log;

struct options {
    std::vector<std::string> listen;
    std::vector<std::string> domains;
    std::string cert, key, client_ca, auth_file, web_token, http_root = SIPWS_PROXY_DEFAULT_HTTP_ROOT;
    unsigned threads = 1;
    unsigned flow_timer = 0; ///< seconds; 0: no Flow-Timer
    unsigned t1_ms = 500;    ///< RFC 3261 T1 (Timer B and F are 64*T1)
    bool deflate = false;    ///< accept permessage-deflate offers (RFC 7692)
};

void usage(const char* why) {
    if (why) std::fprintf(stderr, "sipws-proxy: %s\n", why);
    std::fprintf(why ? stderr : stdout,
                 "usage: sipws-proxy [--listen URL]... [--cert FILE --key FILE] [--client-ca FILE]\n"
                 "                   [--domain NAME]... [--auth FILE] [--web-token SECRET] [--http-root DIR]\n"
                 "                   [--flow-timer S] [--threads N] [--deflate on|off] [--t1 MS]\n"
                 "                   [--log-level error|warn|info|debug]\n"
                 "       sipws-proxy --web-token SECRET --print-web-token USER\n"
                 "defaults: --listen ws://127.0.0.1:8080 --domain sipws.test --threads 1 --deflate off\n");
}

/// The web token of USER under SECRET: `USER.` + base64url(HMAC-SHA-256).
std::string web_token_for(const std::string& secret, const std::string& user) {
    auto mac = sipws::crypto::hmac_sha256(secret, "sipws-proxy web token\n" + user);
    return user + "." +
           sipws::crypto::base64url_encode(
               std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

// Web-level authentication (RFC 7118 Appendix A.2) that can be switched on
// at run time: the handshake carries ?token=USER.MAC (or a `token` cookie or
// an `Authorization: Bearer` field); on wss with --client-ca, the client
// certificate's SIP URI is the identity (RFC 7118 section 7).
struct proxy_web_auth {
    bool enabled = false;
    bool certificates = false;
    tr::policy::token_auth tokens;
    tr::policy::client_certificate_auth certificate;
    tr::web_auth_result check(const sipws::ws::handshake_request& req, const tr::flow_info& flow) const {
        if (certificates && flow.secure) return certificate.check(req, flow);
        return enabled ? tokens.check(req) : tr::web_auth_result{};
    }
};

struct proxy_config : tr::default_config {
    using web_auth_policy = proxy_web_auth;
    using keepalive_policy = tr::policy::ws_ping_keepalive; // finds dead browser tabs
#if defined(SIPWS_HAS_ZLIB)
    // browsers offer permessage-deflate; accepted with --deflate on
    using compression_policy = tr::policy::permessage_deflate;
#endif
};

// ---- the proxy ---------------------------------------------------------------

struct flow_state {
    bool secure = false;
    std::string host;  ///< host:port of the listener, as written in URIs
    std::string remote_address;
    std::uint16_t remote_port = 0;
    tr::web_auth_verdict verdict = tr::web_auth_verdict::not_checked;
    std::string identity;
};

using r7::dialog_forming;

/// A request sent to the bindings of an AOR or a GRUU: its response
/// context (RFC 3261 section 16.7) and what its branches need.
struct fork_state {
    explicit fork_state(bool invite) : rc(invite) {}
    r7::response_context rc;
    tr::flow_id upstream = 0;      ///< the flow it came from (responses go there)
    std::string transaction;       ///< INVITE: its upstream server transaction (a CANCEL names it)
    std::vector<std::string> keys; ///< by branch: its key in pending_requests (our Via branch)
};

/// One branch to start: a binding and the other flows of its instance.
struct branch_target {
    r7::binding b;
    std::vector<r7::binding> alternatives;
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

class proxy {
public:
    proxy(asio::io_context& io, options o, std::vector<asio::io_context*> connection_contexts = {})
        : io_(io), opt_(std::move(o)), connection_contexts_(std::move(connection_contexts)), registry_(std::make_shared<tr::flow_registry>()),
          edge_(r7::flow_token_codec(r7::flow_token_key::generate(1)), "127.0.0.1"),
          registrar_(store_, registrar_options(opt_),
                     r7::temp_gruu_codec(r7::temp_gruu_codec::key::generate(1))),
          purge_timer_(io) {
        pending_.set_t1(std::chrono::milliseconds(opt_.t1_ms));
    }

    int start() {
        if (!opt_.auth_file.empty() && !load_users()) return 1;
        if (!users_.empty()) {
            r7::digest_server_options d;
            d.realm = opt_.domains.front();
            // SHA-256 first, MD5 for the browsers' SIP stacks that have nothing else.
            d.algorithms = {r7::digest_algorithm::sha256, r7::digest_algorithm::md5};
            digest_.emplace(d);
        }
        registry_->on_flow_closed([this](tr::flow_id f, const tr::close_info&) { flow_closed(f); });
        bool first = true;
        for (const auto& u : opt_.listen) {
            auto url = sipws::ws::parse_url(u);
            if (!url) return fail_start(u, "not a ws:// or wss:// URL");
            std::error_code ec;
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
                        if (!opt_.client_ca.empty()) tr::require_client_certificates(*tls_, opt_.client_ca);
                    } catch (const std::exception& e) {
                        return fail_start(u, std::string("TLS: ") + e.what());
                    }
                }
                secure_.push_back(std::make_unique<tr::basic_listener<tr::tls_stream, proxy_config>>(
                    io_, *tls_, registry_));
                secure_.back()->web_auth_policy().certificates = !opt_.client_ca.empty();
                ec = setup(*secure_.back(), ep);
            } else {
                plain_.push_back(
                    std::make_unique<tr::basic_listener<asio::ip::tcp::socket, proxy_config>>(io_, registry_));
                ec = setup(*plain_.back(), ep);
            }
            if (ec) return fail_start(u, ec.message());
            std::string host = url->host + ":" + std::to_string(ep.port());
            hosts_[ep.port()] = host;
            if (first) edge_ = r7::outbound_edge(edge_.codec(), host);
            else edge_.add_alias(host);
            first = false;
            std::printf("sipws-proxy: listening on %s://%s/ (domain%s", url->secure ? "wss" : "ws",
                        host.c_str(), opt_.domains.size() > 1 ? "s" : "");
            for (const auto& d : opt_.domains) std::printf(" %s", d.c_str());
            std::printf(")\n");
            if (!opt_.http_root.empty())
                std::printf("sipws-proxy: web page at %s://%s/ (from %s)\n",
                            url->secure ? "https" : "http", host.c_str(), opt_.http_root.c_str());
        }
        std::printf("sipws-proxy: ready (pid %ld)\n", static_cast<long>(::getpid()));
        std::fflush(stdout);
        schedule_purge();
        return 0;
    }

    void stop() {
        log(level::info, "shutting down");
        for (auto& l : plain_) l->stop();
        for (auto& l : secure_) l->stop();
        {
            std::lock_guard<std::mutex> lk(mu_);
            stopping_ = true;
            purge_timer_.cancel();
        }
        registry_->close_all(sipws::ws::close_code::going_away, "shutting down");
    }

    /// After stop()'s grace period: drops whatever is still open.
    void finish() { registry_->abort_all(); }

    void print_counters() const {
        std::size_t bindings = 0, aors = 0, pending = 0;
        {
            std::lock_guard<std::mutex> lk(mu_);
            bindings = store_.size();
            pending = pending_.size();
            aors = store_.aors(r7::binding_clock::now()).size();
        }
        std::printf("counters: connections open=%zu total=%llu bindings=%zu aors=%zu messages in=%llu out=%llu "
                    "pending=%zu%s\n",
                    registry_->size(), sipws_program::count(c_.connections_total), bindings, aors,
                    sipws_program::count(c_.messages_in), sipws_program::count(c_.messages_out),
                    pending, c_.errors_text().c_str());
        std::fflush(stdout);
    }

private:
    int fail_start(const std::string& url, const std::string& why) {
        std::fprintf(stderr, "sipws-proxy: %s: %s\n", url.c_str(), why.c_str());
        return 1;
    }

    template <class L> std::error_code setup(L& l, const asio::ip::tcp::endpoint& ep) {
        if (!opt_.web_token.empty()) {
            auto& wa = l.web_auth_policy();
            wa.enabled = true;
            wa.tokens.set_validator([secret = opt_.web_token](std::string_view token) -> std::optional<std::string> {
                std::size_t dot = token.rfind('.');
                if (dot == std::string_view::npos || dot == 0) return std::nullopt;
                std::string user(token.substr(0, dot));
                std::string want = web_token_for(secret, user);
                if (want.size() != token.size() ||
                    !sipws::crypto::constant_time_equal(want.data(), token.data(), want.size()))
                    return std::nullopt;
                return user;
            });
        }
#if defined(SIPWS_HAS_ZLIB)
        l.compression_policy().active = opt_.deflate;
#endif
        listener_limits_ = l.get_limits();
        l.spread_connections(connection_contexts_);
        l.on_open([this](const tr::flow_info& i) { flow_opened(i); });
        l.on_message([this](tr::flow_id f, sipws::ws::message_type, std::string_view m) { on_message(f, m); });
        l.on_http([this](const sipws::ws::handshake_request& r) { return http(r); });
        std::error_code ec = l.listen(ep);
        if (!ec) l.start();
        return ec;
    }

    bool load_users() {
        std::ifstream in(opt_.auth_file);
        if (!in) {
            std::fprintf(stderr, "sipws-proxy: cannot read %s\n", opt_.auth_file.c_str());
            return false;
        }
        std::string line;
        int n = 0;
        while (std::getline(in, line)) {
            ++n;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line[0] == '#') continue;
            std::size_t colon = line.find(':');
            if (colon == std::string::npos || colon == 0) {
                std::fprintf(stderr, "sipws-proxy: %s:%d: expected user:password\n", opt_.auth_file.c_str(), n);
                return false;
            }
            users_[line.substr(0, colon)] = line.substr(colon + 1);
        }
        if (users_.empty()) {
            std::fprintf(stderr, "sipws-proxy: %s: no users\n", opt_.auth_file.c_str());
            return false;
        }
        return true;
    }

    // ---- flows ----------------------------------------------------------

    // Threads: listeners, flows and the purge timer call in from any worker
    // thread; mu_ guards flows_, store_, registrar_ and digest_.

    void flow_opened(const tr::flow_info& i) {
        ++c_.connections_total;
        flow_state s;
        s.secure = i.secure;
        auto h = hosts_.find(i.local.port());
        s.host = h != hosts_.end() ? h->second : edge_.host();
        s.remote_address = i.remote.address().to_string();
        s.remote_port = i.remote.port();
        s.verdict = i.auth;
        s.identity = i.identity;
        log(level::debug, "flow %llu open from %s:%u%s%s", static_cast<unsigned long long>(i.id),
            s.remote_address.c_str(), s.remote_port, s.identity.empty() ? "" : " web identity ",
            s.identity.c_str());
        std::lock_guard<std::mutex> lk(mu_);
        flows_[i.id] = std::move(s);
    }

    void flow_closed(tr::flow_id f) {
        std::lock_guard<std::mutex> lk(mu_);
        flows_.erase(f);
        for (const r7::binding& b : store_.remove_flow(f)) log_binding(r7::binding_event::flow_closed, b);
        log(level::debug, "flow %llu closed", static_cast<unsigned long long>(f));
        answer_pending(pending_.take_flow(f), 430);
    }

    // ---- forwarded requests without a final response yet --------------------

    /// The branch of the edge's own Via value \p via (what via_value() wrote).
    static std::string_view branch_of(std::string_view via) {
        return sipws_program::pending_requests::branch_of(via);
    }

    /// Requests (but ACK) are tracked until their final response: when their
    /// flow closes first the sender gets 430 Flow Failed (RFC 5626 section
    /// 5.3.1) unless another flow of the target's instance is left to try
    /// (RFC 5626 section 7); after Timer F (an INVITE: Timer B, or Timer C
    /// once a provisional response came) 408 (RFC 3261 section 16.7 step 10).
    static bool tracked(std::string_view method) { return method != "ACK"; }

    /// Answers each of \p gone with \p code: to its sender, or as the
    /// final response of its branch of a fork; for 430 the next flow of the
    /// target's instance is tried first (mu_ held).
    void answer_pending(std::vector<sipws_program::pending_requests::entry> gone, unsigned code) {
        for (auto& e : gone) {
            auto req = sip::parse(e.request);
            if (!req) continue; // it parsed when it came in
            if (code == 430 && !e.alternatives.empty() &&
                retry(e.upstream, *req, std::move(e.alternatives), e.context, e.branch))
                continue;
            // Timer C: the INVITE is cancelled downstream as well (RFC 3261 section 16.8).
            if (code == 408 && e.invite && e.proceeding) send_cancel(e);
            // A final response may still come (after Timer B, or a 487 to
            // that CANCEL): it is ACKed here and goes no further.
            if (code == 408 && e.invite)
                if (std::string key = invite_branch(e); !key.empty()) remember_finished(key, &e);
            log(level::info, "%s %.*s forwarded on flow %llu: %u to flow %llu",
                code == 430 ? "flow closed before the final response to" : "no final response to",
                static_cast<int>(req->method().size()), req->method().data(),
                static_cast<unsigned long long>(e.downstream), code, static_cast<unsigned long long>(e.upstream));
            fail(e.upstream, *req, e.context, e.branch, code);
        }
    }

    /// \p req from \p in gets \p code: answered to its sender, or when it
    /// is branch \p branch of fork \p ctx, that branch's final response
    /// (its own answers, should any come later, are then dropped) (mu_ held).
    void fail(tr::flow_id in, const sip::message& req, std::uint64_t ctx, std::size_t branch, unsigned code,
              std::string_view reason = {}) {
        auto it = ctx ? forks_.find(ctx) : forks_.end();
        if (it == forks_.end()) return reply(in, req, code, reason);
        if (branch < it->second.keys.size() && !it->second.keys[branch].empty())
            remember_finished(it->second.keys[branch]);
        fork_response(ctx, branch, code, local_response(req, code, reason));
    }

    // ---- forks: one request to several bindings (RFC 3261 section 16.7) ---

    /// Sends \p req from \p in to each of \p targets at once, each a
    /// branch of one response context (mu_ held).
    void start_fork(tr::flow_id in, const sip::message& req, std::size_t own_routes,
                    std::vector<branch_target> targets) {
        const bool invite = req.method() == "INVITE";
        const std::uint64_t id = ++last_fork_;
        fork_state& fs = forks_.emplace(id, fork_state(invite)).first->second;
        fs.upstream = in;
        if (invite) {
            std::error_code ec;
            fs.transaction = sip::server_transaction_id(req, ec);
            if (ec) fs.transaction.clear();
            else fork_of_transaction_[fs.transaction] = id;
            reply(in, req, 100); // E2-F2, once for all branches
        }
        // Every branch exists before the first is sent, so that one failing
        // at once does not end the context early.
        for (std::size_t i = 0; i < targets.size(); ++i) fs.rc.add_branch();
        fs.keys.resize(targets.size());
        if (targets.size() > 1)
            log(level::info, "%.*s for %s: forked to %zu instances", static_cast<int>(req.method().size()),
                req.method().data(), targets.front().b.aor.c_str(), targets.size());
        for (std::size_t i = 0; i < targets.size(); ++i) {
            if (forks_.find(id) == forks_.end()) return; // ended (e.g. every flow failed)
            const r7::binding& b = targets[i].b;
            forward(in, req, b.flow, own_routes, b.contact, r7::record_route_to(req, b, b.flow != 0), &b,
                    std::move(targets[i].alternatives), false, id, i);
        }
    }

    /// A response with \p status on branch \p branch of fork \p ctx
    /// (\p text: as it goes upstream): forwarded, kept, or the best one
    /// sent as the response context decides; pending branches cancelled
    /// (mu_ held).
    void fork_response(std::uint64_t ctx, std::size_t branch, unsigned status, const std::string& text) {
        auto it = forks_.find(ctx);
        if (it == forks_.end()) return;
        fork_state& fs = it->second;
        r7::response_context::action a = fs.rc.on_response(branch, status, text);
        if (a.ignored) return;
        if (a.forward) send(fs.upstream, text);
        if (a.cancel_branch) cancel_branch(fs, branch);
        for (std::size_t p : a.cancel) cancel_branch(fs, p);
        if (a.send_best) {
            std::string best = fs.rc.best();
            if (!best.empty()) {
                if (fs.rc.size() > 1) log(level::info, "fork %llu: best of %zu final responses goes up",
                                          static_cast<unsigned long long>(ctx), fs.rc.size());
                send(fs.upstream, best);
            }
        }
        if (!fs.rc.complete()) return;
        if (!fs.transaction.empty()) {
            fork_of_transaction_.erase(fs.transaction);
            remember_finished(fs.transaction); // its ACK (of a non-2xx) stops here
        }
        forks_.erase(it);
    }

    /// CANCEL of branch \p branch of \p fs, when it is a pending INVITE.
    void cancel_branch(const fork_state& fs, std::size_t branch) {
        if (branch >= fs.keys.size()) return;
        if (const auto* e = pending_.find(fs.keys[branch]); e && e->invite) send_cancel(*e);
    }

    /// A response on our Via branch \p key that is (or was) a fork's
    /// branch the proxy ended: drop it unless it is a 2xx to an INVITE.
    /// \p invite: the INVITE that went out on that branch (a late non-2xx
    /// final response to it is then ACKed, RFC 3261 17.1.1.3).
    void remember_finished(const std::string& key, const sipws_program::pending_requests::entry* invite = nullptr) {
        auto [it, fresh] = finished_.try_emplace(key);
        if (invite && it->second.forwarded.empty()) {
            it->second.downstream = invite->downstream;
            it->second.forwarded = invite->forwarded;
        }
        if (!fresh) return;
        finished_order_.emplace_back(sipws_program::pending_requests::clock::now() + pending_.timer_f(), key);
    }
    /// Our branch of the INVITE of \p e (its key among the pending requests).
    static std::string invite_branch(const sipws_program::pending_requests::entry& e) {
        auto inv = sip::parse(e.forwarded);
        auto via = inv ? inv->top_via() : std::nullopt;
        return via ? std::string(via->branch) : std::string();
    }
    void purge_finished(sipws_program::pending_requests::clock::time_point now) {
        while (!finished_order_.empty() && finished_order_.front().first <= now) {
            finished_.erase(finished_order_.front().second);
            finished_order_.pop_front();
        }
    }

    void schedule_purge() {
        purge_timer_.expires_after(std::chrono::seconds(1));
        purge_timer_.async_wait([this](std::error_code ec) {
            if (ec) return;
            std::lock_guard<std::mutex> lk(mu_);
            if (stopping_) return;
            for (const r7::binding& b : store_.purge(r7::binding_clock::now()))
                log_binding(r7::binding_event::expired, b);
            const auto now = sipws_program::pending_requests::clock::now();
            answer_pending(pending_.take_expired(now), 408);
            purge_finished(now);
            schedule_purge();
        });
    }

    void log_binding(r7::binding_event e, const r7::binding& b) {
        log(level::info, "registration %s: %s contact=<%s> flow=%llu expires=%u%s%s",
            std::string(r7::to_string(e)).c_str(), b.aor.c_str(), b.contact.c_str(),
            static_cast<unsigned long long>(b.flow), b.seconds_left(r7::binding_clock::now()),
            b.instance.empty() ? "" : " instance=", b.instance.c_str());
    }

    // ---- sending ----------------------------------------------------------

    bool send(tr::flow_id f, std::string_view msg) {
        std::error_code ec = registry_->send(f, msg);
        if (ec) {
            c_.error(ec == tr::error::flow_failed ? "flow_failed" : "send_failed");
            log(level::warn, "send on flow %llu failed: %s", static_cast<unsigned long long>(f),
                ec.message().c_str());
            return false;
        }
        ++c_.messages_out;
        log(level::debug, "flow %llu <<\n%.*s", static_cast<unsigned long long>(f),
            static_cast<int>(msg.size()), msg.data());
        return true;
    }

    void reply(tr::flow_id f, const sip::message& req, unsigned code, std::string_view reason = {},
               std::string_view extra = {}) {
        if (req.method() == "ACK") return; // never answered
        send(f, local_response(req, code, reason, extra));
    }

    /// The proxy's own response \p code to \p req.
    std::string local_response(const sip::message& req, unsigned code, std::string_view reason = {},
                               std::string_view extra = {}) {
        if (code >= 300) c_.error(std::to_string(code));
        sip::response_options o;
        std::string tag = sipws::rfc7118::make_tag();
        o.to_tag = tag;
        o.extra_headers = extra;
        return sip::make_response(req, code, reason, o);
    }

    // ---- HTTP ---------------------------------------------------------------

    std::optional<tr::http_response> http(const sipws::ws::handshake_request& r) {
        tr::http_response resp;
        if (r.path == "/online") {
            resp.content_type = "application/json";
            resp.body = "[";
            bool first = true;
            std::lock_guard<std::mutex> lk(mu_);
            for (const auto& aor : store_.aors(r7::binding_clock::now())) {
                resp.body += first ? "\"" : ",\"";
                for (char c : aor) {
                    if (c == '"' || c == '\\') resp.body += '\\';
                    if (static_cast<unsigned char>(c) >= 0x20) resp.body += c;
                }
                resp.body += '"';
                first = false;
            }
            resp.body += "]";
            return resp;
        }
        if (opt_.http_root.empty()) return std::nullopt;
        std::string path(r.path);
        if (path == "/") path = "/index.html";
        if (path.find("..") != std::string::npos || path.find('%') != std::string::npos ||
            path.find('\\') != std::string::npos) {
            resp.status = 404;
            return resp;
        }
        std::ifstream in(opt_.http_root + path, std::ios::binary);
        std::ostringstream body;
        if (!in || !(body << in.rdbuf())) {
            resp.status = 404;
            resp.content_type = "text/plain; charset=utf-8";
            resp.body = "not found\n";
            return resp;
        }
        resp.body = body.str();
        auto ends = [&](const char* ext) {
            std::string e(ext);
            return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
        };
        resp.content_type = ends(".html")  ? "text/html; charset=utf-8"
                            : ends(".js")  ? "text/javascript; charset=utf-8"
                            : ends(".css") ? "text/css; charset=utf-8"
                            : ends(".json") || ends(".map") ? "application/json"
                            : ends(".png") ? "image/png"
                            : ends(".svg") ? "image/svg+xml"
                                           : "application/octet-stream";
        return resp;
    }

    // ---- SIP ------------------------------------------------------------------

    void on_message(tr::flow_id f, std::string_view bytes) {
        ++c_.messages_in;
        log(level::debug, "flow %llu >>\n%.*s", static_cast<unsigned long long>(f),
            static_cast<int>(bytes.size()), bytes.data());
        auto r = sip::parse(bytes);
        if (!r) {
            c_.error("parse");
            log(level::warn, "flow %llu: unparseable message: %.*s", static_cast<unsigned long long>(f),
                static_cast<int>(r.error.what.size()), r.error.what.data());
            if (auto resp = sip::make_error_response(*r, r.error)) send(f, *resp);
            return;
        }
        if (r->is_response()) return on_response(f, *r);
        std::lock_guard<std::mutex> lk(mu_);
        on_request(f, *r);
    }

    void on_response(tr::flow_id, const sip::message& resp) {
        tr::flow_id back = 0;
        if (!edge_.response_flow(resp, back)) {
            c_.error("stray_response");
            return;
        }
        auto cseq = resp.cseq();
        if (cseq && cseq->method == "CANCEL") return; // to a CANCEL of our own (RFC 3261 section 16.10)
        const unsigned status = resp.status_code();
        const bool invite = cseq && cseq->method == "INVITE";
        const std::string key(resp.top_via()->branch); // response_flow() read it; one copy for the lookups
        sip::message_builder b(resp);
        b.pop_via();
        const std::string up = b.str();
        std::lock_guard<std::mutex> lk(mu_);
        if (auto* e = pending_.find(key); e && e->context != 0) {
            const std::uint64_t ctx = e->context;
            const std::size_t branch = e->branch;
            if (status >= 200) {
                // A non-2xx final response is ACKed here (RFC 3261 17.1.1.3):
                // the caller's ACK stops at this proxy.
                if (e->invite && status >= 300) send_ack(e->downstream, e->forwarded, resp);
                pending_.answered(key);
            } else if (invite) {
                pending_.proceeding(key, sipws_program::pending_requests::clock::now());
            }
            return fork_response(ctx, branch, status, up);
        }
        if (auto fin = finished_.find(key); fin != finished_.end() && !(invite && status >= 200 && status < 300)) {
            if (invite && status >= 300 && !fin->second.forwarded.empty()) {
                log(level::info, "late %u to an INVITE whose branch had ended: ACKed on flow %llu", status,
                    static_cast<unsigned long long>(fin->second.downstream));
                send_ack(fin->second.downstream, fin->second.forwarded, resp);
            }
            return;
        }
        if (status >= 200) pending_.answered(key);
        else if (invite) pending_.proceeding(key, sipws_program::pending_requests::clock::now());
        send(back, up); // a gone flow: nothing to do, the response is dropped
    }

    bool is_our_domain(std::string_view host) const {
        for (const auto& d : opt_.domains)
            if (sip::detail::iequals(d, host)) return true;
        return false;
    }

    bool is_our_host(const sip::uri& u) const { return edge_.is_own(u) && !u.has_user; }

    /// RFC 3261 16.3: Request-URI scheme (416: sip and sips only), Max-Forwards (483), Proxy-Require (420).
    static std::optional<r7::proxy_refusal> check_request(const sip::message& req) {
        r7::proxy_check_options o;
        o.tel = false;
        return r7::check_proxied_request(req, o);
    }

    void on_request(tr::flow_id f, const sip::message& req) {
        auto fs = flows_.find(f);
        if (fs == flows_.end()) return; // closed meanwhile
        const flow_state& st = fs->second;

        // RFC 7118 Appendix A: the web identity of the flow speaks for From.
        if (st.verdict == tr::web_auth_verdict::authenticated && req.method() != "ACK") {
            auto id = r7::check_web_identity(req, st.verdict, st.identity);
            if (!id) return reply(f, req, id.status, id.reason);
        }
        if (auto bad = check_request(req)) return reply(f, req, bad->status, bad->reason, bad->headers);
        if (req.method() == "CANCEL") return cancel(f, req);
        if (req.method() == "ACK" && acked_here(req)) return;
        if (req.method() == "INVITE" && forking(req)) return; // a retransmission: absorbed

        // Requests that come back through the edge (Route with our flow tokens).
        r7::route_result rr = edge_.route(req, f, [this](tr::flow_id x) { return registry_->contains(x); });
        if (rr.act == r7::route_result::action::reject) {
            if (rr.status == 403) c_.error("bad_flow_token");
            return reply(f, req, rr.status, rr.reason);
        }
        if (rr.act == r7::route_result::action::to_flow)
            return forward(f, req, rr.flow, rr.own_routes, {}, false);
        if (rr.own_routes < req.routes().size())
            return reply(f, req, 404, "Not Found - next hop is not reachable from here");

        std::error_code ec;
        sip::uri ruri = req.request_uri_parsed(ec);
        if (ec || !ruri.is_sip()) return reply(f, req, 416);
        const bool to_us = is_our_host(ruri) || (!ruri.has_user && is_our_domain(ruri.host));

        if (req.method() == "REGISTER") {
            if (!to_us) return reply(f, req, 404, "Not Found - not a domain of this registrar");
            return do_register(f, req);
        }
        if (to_us) {
            if (req.method() == "OPTIONS")
                return reply(f, req, 200, {},
                             "Allow: REGISTER, OPTIONS, INVITE, ACK, CANCEL, BYE, MESSAGE, INFO, "
                             "UPDATE, SUBSCRIBE, NOTIFY, REFER, PRACK\r\nAccept: application/sdp\r\n"
                             "Supported: path, outbound, gruu\r\n");
            if (req.method() == "ACK") return;
            return reply(f, req, 405, {}, "Allow: REGISTER, OPTIONS\r\n");
        }
        if (!is_our_domain(ruri.host) && !ruri.is_gruu()) {
            // Contacts of Outbound clients are never resolved (WS7118-B.1-b).
            return reply(f, req, 404, "Not Found - not a domain of this proxy");
        }

        // An initial request from one of our users: digest (407) when configured.
        auto to = req.to();
        const bool in_dialog = to && to->has_tag();
        if (digest_ && !in_dialog && req.method() != "ACK" && req.method() != "CANCEL") {
            if (!authenticate(f, req, "Proxy-Authorization", "Proxy-Authenticate", 407)) return;
        }

        if (!in_dialog && contact_is_foreign_gruu(req))
            return reply(f, req, 403, "Forbidden - the Contact is a GRUU of another user");

        std::vector<r7::binding> targets;
        const auto now = r7::binding_clock::now();
        r7::gruu_target g = registrar_.resolve_gruu(req.request_uri(), now);
        if (g.k == r7::gruu_target::kind::unknown) return reply(f, req, 404, "Not Found - unknown GRUU");
        if (g.k == r7::gruu_target::kind::unavailable) return reply(f, req, 480);
        if (g.k == r7::gruu_target::kind::found) {
            targets = std::move(g.bindings);
        } else {
            auto aor = r7::aor_of(ruri);
            if (!aor) return reply(f, req, 404);
            targets = store_.lookup(*aor, now);
            if (targets.empty()) {
                std::string user = sip::unescape(ruri.user);
                if (!users_.empty() && users_.find(user) == users_.end())
                    return reply(f, req, 404, "Not Found - no such user");
                return reply(f, req, 480);
            }
        }
        // Parallel forking (RFC 3261 section 16.6): every instance of the
        // AOR at once, each on its most recently refreshed binding with an
        // open flow; the other flows of an instance (reg-ids) are kept to
        // try when that one fails (RFC 5626 section 7, OB5626-7-a,
        // GR5627-6.1-b). A GRUU names one instance and is never forked
        // (GR5627-6.1-d); an ACK or a request within a dialog goes to one
        // target. For a sips Request-URI a wss flow only (WS7118-9.2-a).
        const bool sips = ruri.scheme == sip::uri_scheme::sips;
        const bool fork = g.k != r7::gruu_target::kind::found && !in_dialog && req.method() != "ACK";
        bool insecure_skipped = false;
        r7::target_set ts(std::move(targets));
        std::vector<branch_target> branches;
        for (const r7::binding& first : ts.initial()) {
            std::optional<r7::binding> b = first;
            while (b && !usable(*b, sips, insecure_skipped)) b = ts.after_final(*b, 430);
            if (!b) continue;
            std::vector<r7::binding> rest;
            for (auto n = ts.after_final(*b, 430); n; n = ts.after_final(*n, 430)) rest.push_back(std::move(*n));
            branches.push_back({std::move(*b), std::move(rest)});
            if (!fork) break;
        }
        if (branches.empty()) {
            if (insecure_skipped) {
                auto bad = r7::check_hop_security(req, false);
                return reply(f, req, bad->status, bad->reason);
            }
            return reply(f, req, 430);
        }
        if (!tracked(req.method())) {
            const r7::binding& b = branches.front().b;
            return forward(f, req, b.flow, rr.own_routes, b.contact, false, &b);
        }
        start_fork(f, req, rr.own_routes, std::move(branches));
    }

    /// \p b has an open flow, a wss one for a sips Request-URI (\p sips).
    bool usable(const r7::binding& b, bool sips, bool& insecure_skipped) const {
        if (b.flow == 0 || !registry_->contains(b.flow)) return false;
        if (sips && !flow_secure(b.flow)) {
            insecure_skipped = true;
            return false;
        }
        return true;
    }

    /// The flow a request from \p in went out on failed: \p req (as
    /// received) goes to the first usable of \p alternatives instead; false
    /// when none is (mu_ held).
    bool retry(tr::flow_id in, const sip::message& req, std::vector<r7::binding> alternatives,
               std::uint64_t ctx = 0, std::size_t branch = 0) {
        std::error_code ec;
        const sip::uri ruri = req.request_uri_parsed(ec);
        const bool sips = !ec && ruri.scheme == sip::uri_scheme::sips;
        bool insecure_skipped = false;
        for (std::size_t i = 0; i < alternatives.size(); ++i) {
            const r7::binding& b = alternatives[i];
            if (!usable(b, sips, insecure_skipped)) continue;
            r7::route_result rr = edge_.route(req, in, [this](tr::flow_id x) { return registry_->contains(x); });
            std::vector<r7::binding> rest(std::make_move_iterator(alternatives.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                                          std::make_move_iterator(alternatives.end()));
            log(level::info, "%.*s for %s: its flow failed, trying flow %llu (reg-id %u)",
                static_cast<int>(req.method().size()), req.method().data(), b.aor.c_str(),
                static_cast<unsigned long long>(b.flow), b.reg_id);
            forward(in, req, b.flow, rr.own_routes, b.contact, r7::record_route_to(req, b, b.flow != 0), &b,
                    std::move(rest), true, ctx, branch);
            return true;
        }
        return false;
    }

    /// CANCEL: answered here with 200 and sent on to the flow its INVITE
    /// went out on (RFC 3261 section 16.10); 481 when no INVITE of that
    /// transaction is pending (never forwarded, or answered already).
    void cancel(tr::flow_id f, const sip::message& req) {
        std::error_code ec;
        const std::string id = sip::cancelled_transaction_id(req, ec);
        // A fork: every branch is cancelled (a branch that has not answered
        // yet once it sends a provisional response, RFC 3261 section 9.1).
        if (auto t = ec ? fork_of_transaction_.end() : fork_of_transaction_.find(id); t != fork_of_transaction_.end()) {
            auto it = forks_.find(t->second);
            if (it == forks_.end() || it->second.upstream != f) return reply(f, req, 481);
            reply(f, req, 200);
            for (std::size_t p : it->second.rc.cancel()) cancel_branch(it->second, p);
            return;
        }
        const sipws_program::pending_requests::entry* e = ec ? nullptr : pending_.find_invite(id);
        if (!e || e->upstream != f) return reply(f, req, 481);
        reply(f, req, 200);
        send_cancel(*e);
    }

    /// The CANCEL of the forwarded INVITE of \p e, on its flow: the same
    /// Request-URI, Via (our branch), Route, From, To, Call-ID and CSeq
    /// number (RFC 3261 section 9.1). Its answer is ours (see on_response).
    void send_cancel(const sipws_program::pending_requests::entry& e) {
        log(level::info, "CANCEL of the INVITE on flow %llu", static_cast<unsigned long long>(e.downstream));
        send_for_invite(e.downstream, e.forwarded, "CANCEL", {});
    }

    /// The ACK of the non-2xx final response \p resp to the INVITE
    /// \p forwarded on flow \p downstream (RFC 3261 section 17.1.1.3): as
    /// its CANCEL, with the To of the response.
    void send_ack(tr::flow_id downstream, const std::string& forwarded, const sip::message& resp) {
        send_for_invite(downstream, forwarded, "ACK", resp.value(sip::header_id::to));
    }

    /// \p method (CANCEL or ACK) for the INVITE \p forwarded on flow
    /// \p downstream; \p to: its To (empty: the INVITE's).
    void send_for_invite(tr::flow_id downstream, const std::string& forwarded, std::string_view method,
                         std::string_view to) {
        auto inv = sip::parse(forwarded);
        if (!inv) return;
        auto cseq = inv->cseq();
        auto vias = inv->values(sip::header_id::via);
        if (!cseq || vias.begin() == vias.end()) return;
        std::string c = std::string(method) + " " + std::string(inv->request_uri()) + " SIP/2.0\r\nVia: " +
                        std::string(*vias.begin()) + "\r\n";
        for (auto r : inv->values(sip::header_id::route)) c += "Route: " + std::string(r) + "\r\n";
        c += "From: " + std::string(inv->value(sip::header_id::from)) + "\r\nTo: " +
             std::string(to.empty() ? inv->value(sip::header_id::to) : to) + "\r\nCall-ID: " +
             std::string(inv->call_id()) + "\r\nCSeq: " + std::to_string(cseq->number) + " " + std::string(method) +
             "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        send(downstream, c);
    }

    /// An ACK of a non-2xx final response to an INVITE this proxy forked:
    /// the proxy ACKed it downstream itself; nothing goes on. (Its
    /// transaction is the INVITE's, as for a CANCEL, RFC 3261 17.2.3.)
    bool acked_here(const sip::message& ack) const {
        std::error_code ec;
        const std::string id = sip::cancelled_transaction_id(ack, ec);
        return !ec && (fork_of_transaction_.count(id) || finished_.count(id));
    }

    /// \p invite is the request of a fork still going on.
    bool forking(const sip::message& invite) const {
        if (fork_of_transaction_.empty()) return false;
        std::error_code ec;
        const std::string id = sip::server_transaction_id(invite, ec);
        return !ec && fork_of_transaction_.count(id);
    }

    bool flow_secure(tr::flow_id f) const {
        auto it = flows_.find(f);
        return it != flows_.end() && it->second.secure;
    }

    /// GR5627-6.2-a: the Contact of a dialog-forming request, when it is a
    /// GRUU of our domain, must be one of the sender's (From) GRUUs.
    bool contact_is_foreign_gruu(const sip::message& req) const {
        if (!dialog_forming(req.method())) return false;
        auto contact = req.contact();
        auto from = req.from();
        if (!contact || !from || !is_our_domain(contact->uri.host)) return false;
        auto aor = r7::aor_of(*from);
        return aor && registrar_.contact_gruu_owner(contact->uri_text, *aor) == r7::contact_gruu::foreign;
    }

    bool authenticate(tr::flow_id f, const sip::message& req, std::string_view header,
                      std::string_view challenge_header, unsigned code) {
        std::string method(req.method());
        std::optional<r7::digest_verification> best;
        for (std::size_t i = 0; i < req.header_count(); ++i) {
            sip::header_field h = req.header(i);
            if (!sip::detail::iequals(h.name, header)) continue;
            auto v = digest_->verify(h.value, method, [this](const r7::digest_credentials& c) {
                std::optional<r7::digest_secret> s;
                auto it = users_.find(c.username);
                if (it != users_.end()) s = r7::digest_secret{it->first, it->second, {}};
                return s;
            });
            if (v || !best || v.status == r7::digest_status::wrong_credentials) best = std::move(v);
            if (best && *best) break;
        }
        if (best && *best) {
            // The authenticated user speaks for From (and To of a REGISTER).
            auto from = req.from();
            std::error_code ec;
            sip::uri fu = from ? sip::parse_uri(from->uri_text, ec) : sip::uri{};
            if (!from || ec || sip::unescape(fu.user) != best->username) {
                reply(f, req, 403, "Forbidden - From is not the authenticated user");
                return false;
            }
            return true;
        }
        if (best && (best->status == r7::digest_status::wrong_credentials ||
                     best->status == r7::digest_status::unknown_user)) {
            c_.error("auth_failed");
            log(level::warn, "flow %llu: authentication of %s failed: %s", static_cast<unsigned long long>(f),
                best->credentials.username.c_str(), std::string(r7::to_string(best->status)).c_str());
            reply(f, req, 403, "Forbidden - wrong credentials");
            return false;
        }
        const bool stale = best && best->status == r7::digest_status::stale;
        std::string extra;
        for (const auto& c : digest_->challenges(stale)) {
            extra += challenge_header;
            extra += ": ";
            extra += c;
            extra += "\r\n";
        }
        reply(f, req, code, {}, extra);
        return false;
    }

    void do_register(tr::flow_id f, const sip::message& req) {
        auto to = req.to();
        if (!to || !to->uri.is_sip() || !is_our_domain(to->uri.host)) // to->uri: parsed with To
            return reply(f, req, 404, "Not Found - not a domain of this registrar");
        const sip::uri& tu = to->uri;
        std::error_code ec;
        if (digest_) {
            if (!authenticate(f, req, "Authorization", "WWW-Authenticate", 401)) return;
            auto from = req.from();
            sip::uri fu = sip::parse_uri(from->uri_text, ec);
            if (ec || sip::unescape(tu.user) != sip::unescape(fu.user))
                return reply(f, req, 403, "Forbidden - To is not the authenticated user");
        }
        auto out = registrar_.handle(req, f, r7::binding_clock::now());
        for (const auto& ch : out.changes)
            if (ch.event != r7::binding_event::refreshed) log_binding(ch.event, ch.b);
        if (out.status >= 300) c_.error(std::to_string(out.status));
        if (out.flow_timer) hold_to_flow_timer(f, *out.flow_timer);
        send(f, out.response(req, r7::make_tag()));
    }

    static r7::registrar_options registrar_options(const options& o) {
        r7::registrar_options r;
        if (o.flow_timer) r.flow_timer = std::chrono::seconds(o.flow_timer);
        return r;
    }

    /// OB5626-5.4-b: a client given Flow-Timer N keeps its flow alive at
    /// least every N s; silence for longer than r7::flow_timeout(N) ends it.
    void hold_to_flow_timer(tr::flow_id f, std::chrono::seconds n) {
        auto c = registry_->find(f);
        if (!c) return;
        tr::limits l = listener_limits_;
        l.idle_timeout = r7::flow_timeout(n);
        c->set_limits(l);
    }

    /// Forwards \p req from \p in on \p out; to a registered \p target
    /// (retargeted, its Path pre-loaded) when given, with \p alternatives
    /// to try when that flow fails; as branch \p branch of fork \p ctx
    /// when not 0. An INVITE is first answered `100 Trying` (RFC 3261
    /// section 16.2, E2-F2), but not again on a retry (a fork answers it
    /// once for all its branches).
    void forward(tr::flow_id in, const sip::message& req, tr::flow_id out, std::size_t own_routes,
                 std::string_view new_ruri, bool record_route, const r7::binding* target = nullptr,
                 std::vector<r7::binding> alternatives = {}, bool is_retry = false, std::uint64_t ctx = 0,
                 std::size_t branch = 0) {
        const flow_state* in_st = nullptr;
        const flow_state* out_st = nullptr;
        if (auto i = flows_.find(in); i != flows_.end()) in_st = &i->second;
        if (auto o = flows_.find(out); o != flows_.end()) out_st = &o->second;
        if (!in_st || !out_st) return fail(in, req, ctx, branch, 430);
        if (auto bad = r7::check_hop_security(req, out_st->secure))
            return fail(in, req, ctx, branch, bad->status, bad->reason);
        const bool invite = req.method() == "INVITE";
        if (invite && !is_retry && ctx == 0) reply(in, req, 100);
        sip::message_builder b(req);
        if (target) {
            std::error_code ec;
            const bool gruu = !target->path.empty() && req.request_uri_parsed(ec).is_gruu();
            r7::retarget(b, req, *target, own_routes, gruu);
        } else {
            for (std::size_t k = 0; k < own_routes; ++k) b.remove_top_route();
            if (!new_ruri.empty()) b.set_request_uri(new_ruri);
        }
        std::optional<unsigned> mf = req.max_forwards();
        b.set_max_forwards(mf ? *mf - 1 : 70);
        const std::string via = edge_.via_value(req, in, out_st->secure ? "WSS" : "WS", {}, branch);
        b.push_via(via);
        if (record_route)
            edge_.add_record_routes(b, {in_st->secure ? "wss" : "ws", in, in_st->host},
                                    {out_st->secure ? "wss" : "ws", out, out_st->host});
        b.update_content_length();
        std::string text = b.str();
        if (!send(out, text)) {
            if (req.method() != "ACK" && !retry(in, req, std::move(alternatives), ctx, branch))
                fail(in, req, ctx, branch, 430);
            return;
        }
        // Tracked once sent: its answer waits for mu_, which is held.
        if (!tracked(req.method())) return;
        const auto now = sipws_program::pending_requests::clock::now();
        sipws_program::pending_requests::entry* e = nullptr;
        if (invite) {
            std::error_code ec;
            std::string id = sip::server_transaction_id(req, ec);
            if (ctx) id.clear(); // a CANCEL finds the fork instead
            e = pending_.add_invite(std::string(branch_of(via)), out, in, std::string(req.data()), std::move(id),
                                    std::move(text), now);
        } else {
            e = pending_.add(std::string(branch_of(via)), out, in, std::string(req.data()), now);
        }
        if (e) {
            e->alternatives = std::move(alternatives);
            e->context = ctx;
            e->branch = branch;
            if (auto it = ctx ? forks_.find(ctx) : forks_.end(); it != forks_.end() && branch < it->second.keys.size())
                it->second.keys[branch] = std::string(branch_of(via));
        } else if (ctx) {
            // Past the capacity: the branch is not followed, so it counts as failed.
            fail(in, req, ctx, branch, 503, "Service Unavailable - too many pending requests");
        }
    }

    asio::io_context& io_;
    options opt_;
    std::vector<asio::io_context*> connection_contexts_; // --threads N: one per thread
    std::shared_ptr<tr::flow_registry> registry_;
    std::unique_ptr<asio::ssl::context> tls_;
    std::vector<std::unique_ptr<tr::basic_listener<asio::ip::tcp::socket, proxy_config>>> plain_;
    std::vector<std::unique_ptr<tr::basic_listener<tr::tls_stream, proxy_config>>> secure_;
    r7::memory_binding_store store_;
    r7::outbound_edge edge_;
    r7::registrar registrar_;
    tr::limits listener_limits_;
    std::optional<r7::digest_server> digest_;
    std::map<std::string, std::string> users_;
    std::unordered_map<tr::flow_id, flow_state> flows_;
    std::map<unsigned short, std::string> hosts_;
    sipws_program::pending_requests pending_;
    std::unordered_map<std::uint64_t, fork_state> forks_;
    std::unordered_map<std::string, std::uint64_t> fork_of_transaction_; // INVITE server transaction -> fork
    std::uint64_t last_fork_ = 0;
    // Fork branches the proxy ended itself and forked INVITE transactions
    // that are over, for Timer F: their late responses and ACKs stop here;
    // an INVITE branch keeps what the ACK of a late final response needs.
    struct finished_branch {
        tr::flow_id downstream = 0;
        std::string forwarded; ///< the INVITE as sent ("" when not an INVITE the proxy ended)
    };
    std::unordered_map<std::string, finished_branch> finished_;
    std::deque<std::pair<sipws_program::pending_requests::clock::time_point, std::string>> finished_order_;
    asio::steady_timer purge_timer_;
    bool stopping_ = false;
    sipws_program::counters c_;
    mutable std::mutex mu_;
};

} // namespace

int main(int argc, char** argv) {
    options o;
    std::string print_token;
    auto done = sipws_program::read_options(
        argc, argv,
        {"--listen", "--domain", "--cert", "--key", "--client-ca", "--auth", "--web-token", "--http-root", "--log-level",
         "--print-web-token", "--threads", "--flow-timer", "--deflate", "--t1"},
        usage, [&](const std::string& a, const std::string& v) -> std::string {
            if (a == "--listen") o.listen.push_back(v);
            else if (a == "--domain") o.domains.push_back(lower(v));
            else if (a == "--cert") o.cert = v;
            else if (a == "--key") o.key = v;
            else if (a == "--client-ca") o.client_ca = v;
            else if (a == "--auth") o.auth_file = v;
            else if (a == "--web-token") o.web_token = v;
            else if (a == "--http-root") o.http_root = v;
            else if (a == "--print-web-token") print_token = v;
            else if (a == "--threads") return sipws_program::parse_threads(v, o.threads);
            else if (a == "--t1") return sipws_program::parse_number(v, 10, 10000, o.t1_ms, "--t1 takes milliseconds");
            else if (a == "--deflate") {
                if (v != "on" && v != "off") return "--deflate is on or off";
#if !defined(SIPWS_HAS_ZLIB)
                if (v == "on") return "--deflate on needs a build with zlib";
#endif
                o.deflate = v == "on";
            }
            else if (a == "--flow-timer")
                return sipws_program::parse_number(v, 1, 3600, o.flow_timer, "--flow-timer takes seconds");
            else if (auto l = sipws_program::parse_level(v)) sipws_program::log_threshold() = *l;
            else return "--log-level is error, warn, info or debug";
            return {};
        });
    if (done) return *done;
    if (!print_token.empty()) {
        if (o.web_token.empty()) return usage("--print-web-token needs --web-token SECRET"), 2;
        std::printf("%s\n", web_token_for(o.web_token, print_token).c_str());
        return 0;
    }
    if (o.listen.empty()) o.listen.push_back("ws://127.0.0.1:8080");
    if (o.domains.empty()) o.domains.push_back("sipws.test");

    sipws_program::io_pool pool(o.threads);
    proxy p(pool.main(), o, pool.for_connections());
    int rc = sipws_program::run(pool, p);
    if (rc == 0) std::printf("sipws-proxy: stopped\n");
    return rc;
}
