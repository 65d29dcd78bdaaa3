// Distributed under the Boost Software License, Version 1.0.
// sipws-client: a command-line SIP WebSocket user agent (RFC 7118) with
// Outbound (instance-id, reg-id, CRLF keep-alive) and GRUU, built from the
// library's public helpers.
//
//   sipws-client --server URL [--server URL]... --aor SIP-URI [--password P]
//                [--user NAME] [--insecure] [--ca FILE] [--instance-file FILE]
//                [--timeout S] [--dns-server IP[:PORT]] [--require-gruu]
//                [--deflate on|off] [--verbose] COMMAND
//   COMMAND: register [--expires N] | unregister | options [--to SIP-URI]
//          | message --to SIP-URI --text TEXT
//          | listen [--expires N] [--count N] [--duration S] [--retry-base S]
//
// listen stays registered: when the connection is lost it reconnects and
// registers again with the same instance-id and reg-id, after the delays of
// RFC 5626 4.5 once Outbound is in use (30 s base, doubling, up to 1800 s,
// randomised) and of RFC 6455 7.2.3 otherwise (first within 0-5 s, then a
// truncated exponential backoff); --retry-base sets the base.
//
// --server is a ws:// or wss:// URL, or a SIP URI (sip:DOMAIN, sips:DOMAIN)
// whose WebSocket servers D2W DNS finds (RFC 7118 5.5, RFC 3263): a failed
// connection, a 503 or no answer in time moves on to the next one, as a new
// transaction (RFC 3263 4.3). Two to four --server options are an
// outbound-proxy set (RFC 5626 4.2.1): register and listen register through
// each, one flow with its own reg-id and Call-ID per server; the other
// commands use the first. listen starts on the servers of the set it can
// reach and keeps trying the others; it gives up only when none answers.
// A 439 is answered by registering without Outbound.
//
// One line per event on stdout (the same lines as tests/peers/jssip-ua.mjs):
//   CONNECTED <url> | CONNECT_FAILED <url> | DISCONNECTED <code>
//   EXTENSIONS <permessage-deflate when agreed (--deflate on), or ->
//   FAILOVER <why> next=<url>
//   INSTANCE <urn> reg-id=<n>
//   REGISTERED expires=<s> bindings=<n> | GRUU pub=<uri> temp=<uri>
//   OUTBOUND keepalive=crlf interval=<ms>ms | OUTBOUND off | OUTBOUND_REFUSED 439
// (with several --server, REGISTERED and DISCONNECTED end with
// " reg-id=<n>", REGISTERED also with " call-id=<id>")
//   REGISTRATION_FAILED <code> <reason> | UNREGISTERED
//   OPTIONS <code> <reason>
//   MESSAGE_SENT <code> | MESSAGE_FAILED <code> <reason>
//   LISTENING | MESSAGE from <uri>: <text> | RECONNECTING in=<ms>ms
// and on failure one line "sipws-client: <what went wrong>" on stderr.
// Exit status: 0 success, 1 SIP failure, 2 usage, 3 transport failure, 4 timeout.
#include <sipws/rfc7118/dns_system_resolver.hpp>
#include <sipws/rfc7118/instance_id_file.hpp>
#include <sipws/rfc7118/ua_answer.hpp>
#include <sipws/rfc7118/ua_client_request.hpp>
#include <sipws/rfc7118/ua_failover.hpp>
#include <sipws/rfc7118/ua_gruu.hpp>
#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/transport/connector.hpp>
#if defined(SIPWS_HAS_ZLIB)
#include <sipws/transport/policy/permessage_deflate.hpp>
#endif
#include <sipws/transport/reconnect_backoff.hpp>
#include <sipws/transport/tls.hpp>

#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tr = sipws::transport;
namespace rf = sipws::rfc7118;
namespace sip = sipws::sip;
using namespace std::chrono_literals;

namespace {

enum exit_status { exit_ok = 0, exit_sip = 1, exit_usage = 2, exit_transport = 3, exit_timeout = 4 };

const char* const usage_text =
    "usage: sipws-client --server URL [--server URL]... --aor SIP-URI [--password P] [--user NAME]\n"
    "                    [--insecure] [--ca FILE] [--cert FILE --key FILE] [--instance-file FILE]\n"
    "                    [--timeout S] [--dns-server IP[:PORT]] [--require-gruu] [--deflate on|off]\n"
    "                    [--verbose] COMMAND\n"
    "  --server: ws:// or wss:// URL, or sip:DOMAIN / sips:DOMAIN (D2W DNS); 2 to 4 of them\n"
    "            register through each (one flow, reg-id and Call-ID per server)\n"
    "  register [--expires N]             register, print REGISTERED (and GRUUs), exit\n"
    "  unregister                         remove every binding of the AOR\n"
    "  options [--to SIP-URI]             send OPTIONS (default: the AOR's domain)\n"
    "  message --to SIP-URI --text TEXT   send one MESSAGE\n"
    "  listen [--expires N] [--count N] [--duration S] [--retry-base S]\n"
    "                                     stay registered (reconnecting when the connection\n"
    "                                     is lost), print each MESSAGE received\n";

constexpr std::size_t max_servers = 4; // OB5626-4.2.1-e: sets of up to 4

struct client_config : tr::default_config {
#if defined(SIPWS_HAS_ZLIB)
    // offered with --deflate on
    using compression_policy = tr::policy::permessage_deflate;
#endif
};

struct options {
    std::vector<std::string> servers;
    std::string aor, password, user, ca_file, instance_file, to, text, command;
    std::string cert_file, key_file; ///< wss client certificate (RFC 7118 section 7)
    std::string dns_server; // IPv4[:port]
    bool insecure = false;
    bool require_gruu = false;
    bool verbose = false;
    bool deflate = false; ///< offer permessage-deflate (RFC 7692)
    bool has_password = false;
    std::uint32_t expires = 600;
    unsigned count = 0;
    std::chrono::seconds duration{0};
    std::chrono::seconds timeout{15};
    std::optional<std::chrono::seconds> retry_base;
};

struct usage_error {
    std::string what;
};

/// No WebSocket server could be found for a --server (exit status 3).
struct resolve_error {
    std::string what;
};

void line(const std::string& s) {
    std::fputs(s.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void error_line(const std::string& s) {
    std::fprintf(stderr, "sipws-client: %s\n", s.c_str());
    std::fflush(stderr);
}

std::uint64_t number(const std::string& name, const std::string& v, std::uint64_t max) {
    if (v.empty() || v.size() > 10 || v.find_first_not_of("0123456789") != std::string::npos)
        throw usage_error{name + " needs a whole number"};
    std::uint64_t n = std::stoull(v);
    if (n > max) throw usage_error{name + " is too large"};
    return n;
}

options parse_args(int argc, char** argv) {
    options o;
    std::vector<std::string> a(argv + 1, argv + argc);
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string& k = a[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= a.size()) throw usage_error{k + " needs a value"};
            return a[++i];
        };
        if (k == "--server") o.servers.push_back(value());
        else if (k == "--dns-server") o.dns_server = value();
        else if (k == "--require-gruu") o.require_gruu = true;
        else if (k == "--verbose") o.verbose = true;
        else if (k == "--deflate") {
            std::string v = value();
            if (v != "on" && v != "off") throw usage_error{"--deflate is on or off"};
#if !defined(SIPWS_HAS_ZLIB)
            if (v == "on") throw usage_error{"--deflate on needs a build with zlib"};
#endif
            o.deflate = v == "on";
        }
        else if (k == "--aor") o.aor = value();
        else if (k == "--password") o.password = value(), o.has_password = true;
        else if (k == "--user") o.user = value();
        else if (k == "--ca") o.ca_file = value();
        else if (k == "--cert") o.cert_file = value();
        else if (k == "--key") o.key_file = value();
        else if (k == "--instance-file") o.instance_file = value();
        else if (k == "--insecure") o.insecure = true;
        else if (k == "--timeout") o.timeout = std::chrono::seconds(number(k, value(), 86400));
        else if (k == "--expires") o.expires = static_cast<std::uint32_t>(number(k, value(), 0xffffffffu));
        else if (k == "--to") o.to = value();
        else if (k == "--text") o.text = value();
        else if (k == "--count") o.count = static_cast<unsigned>(number(k, value(), 1000000));
        else if (k == "--duration") o.duration = std::chrono::seconds(number(k, value(), 31536000));
        else if (k == "--retry-base") o.retry_base = std::chrono::seconds(number(k, value(), 1800));
        else if (k == "-h" || k == "--help") throw usage_error{};
        else if (!k.empty() && k[0] != '-' && o.command.empty()) o.command = k;
        else throw usage_error{"unexpected argument '" + k + "'"};
    }
    if (o.servers.empty()) throw usage_error{"--server URL is required"};
    if (o.servers.size() > max_servers) throw usage_error{"at most 4 --server options"};
    if (o.cert_file.empty() != o.key_file.empty()) throw usage_error{"--cert and --key go together"};
    auto check_uri = [](const std::string& name, const std::string& u, bool need_user) {
        std::error_code ec;
        sip::uri p = sip::parse_uri(u, ec);
        if (ec || !p.is_sip() || (need_user && p.user.empty()))
            throw usage_error{name + ": not a SIP URI" + (need_user ? " with a user part" : "")};
    };
    for (const auto& s : o.servers)
        if (!sipws::ws::parse_url(s)) {
            if (s.rfind("sip:", 0) != 0 && s.rfind("sips:", 0) != 0)
                throw usage_error{"--server: not a ws:// or wss:// URL nor a sip: or sips: URI"};
            check_uri("--server", s, false);
        }
    if (o.aor.empty()) throw usage_error{"--aor SIP-URI is required"};
    check_uri("--aor", o.aor, true);
    if (o.command == "message") {
        if (o.to.empty() || o.text.empty()) throw usage_error{"message needs --to SIP-URI --text TEXT"};
        check_uri("--to", o.to, false);
    } else if (o.command == "options") {
        if (!o.to.empty()) check_uri("--to", o.to, false);
    } else if (o.command != "register" && o.command != "unregister" && o.command != "listen") {
        throw usage_error{o.command.empty() ? "a COMMAND is required"
                                            : "unknown command '" + o.command + "'"};
    }
    if (o.expires == 0) throw usage_error{"--expires must be above 0 (use unregister)"};
    return o;
}

/// The places to try for one --server: the URL itself, or the WebSocket
/// servers that D2W DNS finds for a SIP URI, in order (DNS3263-4.3-a).
rf::target_failover hops_for(const std::string& server, const options& o) {
    if (auto u = sipws::ws::parse_url(server))
        return rf::target_failover(std::vector<rf::ws_hop>{{server, std::string(), u->secure}});
    std::error_code ec;
    sip::uri uri = sip::parse_uri(server, ec);
    rf::sip_target target;
    target.sips = uri.scheme == sip::uri_scheme::sips;
    target.host = std::string(uri.host);
    if (uri.has_port) target.port = static_cast<std::uint16_t>(uri.port);
    target.transport = std::string(uri.param("transport"));
    rf::system_resolver_options ro;
    if (!o.dns_server.empty()) {
        const std::size_t colon = o.dns_server.rfind(':');
        ro.nameserver = o.dns_server.substr(0, colon);
        if (colon != std::string::npos)
            ro.port = static_cast<std::uint16_t>(number("--dns-server port", o.dns_server.substr(colon + 1), 65535));
    }
    std::vector<rf::ws_target> targets;
    try {
        rf::system_resolver resolver(ro);
        ec = rf::resolve_d2w(target, resolver, targets);
    } catch (const std::invalid_argument&) {
        throw usage_error{"--dns-server: not an IPv4 address"};
    }
    if (ec) throw resolve_error{"cannot resolve " + server + ": " + ec.message()};
    return rf::target_failover(targets, "/");
}

/// The instance-id, kept in --instance-file or under the user's state
/// directory; a temporary one (with a warning) when neither can be used.
std::string instance_id(const options& o) {
    std::error_code ec;
    if (!o.instance_file.empty()) {
        std::string id = rf::load_or_create_instance_id(o.instance_file, ec);
        if (ec) throw usage_error{"--instance-file " + o.instance_file + ": " + ec.message()};
        return id;
    }
    std::string dir;
    if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) dir = x;
    else if (const char* h = std::getenv("HOME"); h && *h) dir = std::string(h) + "/.local/state";
    if (!dir.empty()) {
        dir += "/sipws-client";
        for (std::size_t p = dir.find('/', 1); ; p = dir.find('/', p + 1)) {
            ::mkdir(dir.substr(0, p).c_str(), 0700); // mkdir -p; errors show below
            if (p == std::string::npos) break;
        }
        std::string id = rf::load_or_create_instance_id(dir + "/instance-id", ec);
        if (!ec) return id;
    }
    error_line("warning: cannot keep an instance-id under " + (dir.empty() ? "$HOME" : dir) +
               (ec ? ": " + ec.message() : std::string()) + "; using a temporary one");
    return rf::make_instance_id();
}

/// One outbound proxy of the set: its flow and its registration (one
/// reg-id, one Call-ID), and the places D2W gave for it.
struct leg {
    explicit leg(asio::io_context& io) : tx_timer(io), refresh_timer(io), retry_timer(io) {}
    std::size_t index = 0;
    std::string server;       // as given
    rf::target_failover hops; // where to connect, in order
    rf::ua_contact contact;   // reg-id index + 1
    tr::flow_id flow = 0;
    std::optional<rf::registration> reg;
    asio::steady_timer tx_timer, refresh_timer, retry_timer;
    bool recovering = false;    // listen: the flow was lost, a new one is on its way
    bool start_failed = false;  // listen: its first connection failed (retried meanwhile)
    bool outbound_used = false; // the registrar confirmed Outbound
    bool finished = false;      // register/stop: this leg has its answer
    unsigned failures = 0;      // consecutive failed recovery attempts
};

class client {
public:
    client(options o, std::string instance)
        : o_(std::move(o)), conn_(io_), end_timer_(io_), signals_(io_, SIGINT, SIGTERM) {
#if defined(SIPWS_HAS_ZLIB)
        conn_.compression_policy().active = o_.deflate;
#endif
        if (o_.retry_base) {
            if (o_.retry_base->count() == 0) throw usage_error{"--retry-base must be above 0"};
            backoff_.first = *o_.retry_base;
            recovery_.all_flows_failed = *o_.retry_base;
            recovery_.some_flows_failed = *o_.retry_base * 3;
        }
        std::error_code ec;
        sip::uri aor = sip::parse_uri(o_.aor, ec);
        domain_uri_ = std::string(aor.scheme == sip::uri_scheme::sips ? "sips:" : "sip:") +
                      std::string(aor.host) + (aor.has_port ? ":" + std::to_string(aor.port) : "");
        // register and listen go through every server of the set; the
        // other commands through the first (OB5626-4.2.1-e).
        const bool all = o_.command == "register" || o_.command == "listen";
        const std::size_t n = all ? o_.servers.size() : 1;
        for (std::size_t i = 0; i < n; ++i) {
            auto l = std::make_unique<leg>(io_);
            l->index = i;
            l->server = o_.servers[i];
            l->hops = hops_for(l->server, o_);
            const bool secure = l->hops.current() && l->hops.current()->secure;
            l->contact = rf::make_ua_contact(std::string(aor.user), secure, instance,
                                             static_cast<std::uint32_t>(i + 1));
            legs_.push_back(std::move(l));
        }
        if (o_.has_password) auth_.emplace(o_.user.empty() ? std::string(aor.user) : o_.user, o_.password);
        tx_timeout_ = std::min<std::chrono::milliseconds>(o_.timeout, rf::client_transaction::default_timeout);
    }

    int run() {
        if (!o_.ca_file.empty() || !o_.cert_file.empty()) {
            tls_ = std::make_unique<asio::ssl::context>(tr::make_client_tls_context(o_.ca_file));
            if (!o_.cert_file.empty()) {
                try {
                    tr::use_certificate(*tls_, o_.cert_file, o_.key_file);
                } catch (const std::exception& e) {
                    error_line("--cert/--key: " + std::string(e.what()));
                    return exit_usage;
                }
            }
            conn_.set_tls_context(*tls_);
        }
        if (o_.command == "listen") {
            // Armed now so that it can start once Outbound is confirmed; turned
            // off again when the registrar does not confirm it (OB5626-4.2.1-c).
            conn_.keepalive_policy().mode = tr::keepalive_mode::crlf;
            conn_.keepalive_policy().interval = 15s;
        }
        conn_.on_message([this](tr::flow_id f, sipws::ws::message_type, std::string_view m) { on_sip(f, m); });
        conn_.on_close([this](tr::flow_id f, const tr::close_info& ci) { on_closed(f, ci); });
        signals_.async_wait([this](std::error_code ec, int) {
            if (!ec) stop(exit_ok);
        });
        for (auto& l : legs_) connect(*l);
        if (o_.command != "listen") {
            end_timer_.expires_after(o_.timeout + 2s);
            end_timer_.async_wait([this](std::error_code ec) {
                if (!ec) fail(exit_timeout, "no answer within " + std::to_string(o_.timeout.count()) + " s");
            });
        } else if (o_.duration.count() > 0) {
            end_timer_.expires_after(o_.duration);
            end_timer_.async_wait([this](std::error_code ec) {
                if (ec) return;
                if (o_.count > 0 && received_ < o_.count)
                    return stop(exit_timeout, std::to_string(received_) + " of " +
                                                  std::to_string(o_.count) + " messages received");
                stop(exit_ok);
            });
        }
        io_.run();
        return status_.value_or(exit_ok);
    }

private:
    bool several() const { return legs_.size() > 1; }
    std::string leg_suffix(const leg& l) const {
        return several() ? " reg-id=" + std::to_string(l.contact.reg_id) : std::string();
    }
    leg* leg_of(tr::flow_id f) {
        for (auto& l : legs_)
            if (l->flow == f && f != 0) return l.get();
        return nullptr;
    }
    static bool up(const leg& l) { return l.flow != 0 && l.reg && l.reg->registered(); }
    /// Another leg has a working flow (listen keeps going on it).
    bool other_leg_up(const leg& l) const {
        for (auto& o : legs_)
            if (o.get() != &l && up(*o)) return true;
        return false;
    }
    /// Another leg has not failed its first connection: it is up, or on its
    /// way up (listen starts on the servers it can reach, RFC 5626 4.2.1,
    /// and keeps trying the others).
    bool other_leg_alive(const leg& l) const {
        for (auto& o : legs_)
            if (o.get() != &l && (!o->start_failed || up(*o))) return true;
        return false;
    }

    void connect(leg& l) {
        const rf::ws_hop* hop = l.hops.current();
        if (!hop) return; // hops_for() never gives an empty set
        tr::connect_options co;
        co.verify_peer = !o_.insecure;
        co.server_name = hop->server_name;
        const std::string url = hop->url;
        conn_.async_connect(url, co, [this, &l, url](std::error_code ec, tr::flow_id f) {
            if (closing_) {
                if (!ec) conn_.registry().close(f);
                return;
            }
            if (ec) {
                line("CONNECT_FAILED " + url);
                // DNS3263-4.3-a: a transport failure moves on to the next server.
                if (l.hops.next()) {
                    line("FAILOVER connect next=" + l.hops.current()->url);
                    return connect(l);
                }
                l.hops.rewind();
                if (!l.recovering && o_.command == "listen") l.start_failed = true;
                if ((l.recovering || (o_.command == "listen" && other_leg_alive(l))) && !stopping_) {
                    l.recovering = true;
                    ++l.failures;
                    return schedule_reconnect(l);
                }
                return fail(exit_transport, "cannot connect to " + l.server + ": " + ec.message());
            }
            l.flow = f;
            line("CONNECTED " + url);
            auto c = conn_.registry().find(f);
            line(std::string("EXTENSIONS ") + (c && c->info().compressed ? "permessage-deflate" : "-"));
            if (stopping_) {
                l.finished = true;
                conn_.registry().close(f);
                l.flow = 0;
                return finish_if_all_done();
            }
            start(l);
        });
    }

    /// listen: the flow is gone; a new one after the recovery delay
    /// (OB5626-4.5-a with Outbound, WS6455-7.2-a without).
    void schedule_reconnect(leg& l) {
        const double u = rf::random_unit();
        auto delay = l.outbound_used
                         ? rf::flow_recovery_delay(l.failures, !other_leg_up(l), u, recovery_)
                         : backoff_.delay(l.failures, u);
        line("RECONNECTING in=" + std::to_string(delay.count()) + "ms" + leg_suffix(l));
        l.retry_timer.expires_after(delay);
        l.retry_timer.async_wait([this, &l](std::error_code ec) {
            if (!ec && !stopping_) connect(l);
        });
    }

    void start(leg& l) {
        const std::string& c = o_.command;
        if (c == "register" || c == "listen" || c == "unregister") {
            if (!l.reg) {
                rf::registration_options ro;
                ro.registrar_uri = domain_uri_;
                ro.aor = o_.aor;
                ro.contact = l.contact;
                ro.expires = o_.expires;
                ro.user_agent = "sipws-client";
                ro.transaction_timeout = tx_timeout_;
                ro.require_gruu = o_.require_gruu;
                if (auth_) {
                    std::error_code ec;
                    sip::uri aor = sip::parse_uri(o_.aor, ec);
                    ro.username = o_.user.empty() ? std::string(aor.user) : o_.user;
                    ro.password = o_.password;
                }
                l.reg.emplace(std::move(ro));
                if (c != "unregister")
                    line("INSTANCE " + l.contact.instance_id + " reg-id=" + std::to_string(l.contact.reg_id));
            }
            // After a failover the same registration goes on: a new
            // transaction (new branch, next CSeq) on the new flow.
            send(l, c == "unregister" ? l.reg->unregister_all_request() : l.reg->register_request());
            arm_tx_timer(l, l.reg->deadline());
        } else if (c == "options" || c == "message") {
            const bool msg = c == "message";
            auto spec = rf::make_out_of_dialog_spec(msg ? "MESSAGE" : "OPTIONS",
                                                    o_.to.empty() ? domain_uri_ : o_.to, o_.aor);
            spec.headers.emplace_back("User-Agent", "sipws-client");
            if (msg) {
                spec.content_type = "text/plain;charset=UTF-8";
                spec.body = o_.text;
            } else {
                spec.headers.emplace_back("Accept", "application/sdp, text/plain");
            }
            // A new client_request per server tried: a new transaction.
            req_.emplace(std::move(spec), l.contact.host, l.contact.secure, auth_ ? &*auth_ : nullptr,
                         tx_timeout_);
            send(l, req_->send());
            arm_tx_timer(l, req_->transaction().deadline());
        }
    }

    void send(leg& l, const std::string& text) {
        if (auto ec = conn_.registry().send(l.flow, text))
            fail(exit_transport, "cannot send: " + ec.message());
    }

    void arm_tx_timer(leg& l, rf::client_transaction::clock::time_point deadline) {
        if (deadline == rf::client_transaction::clock::time_point::max()) return;
        l.tx_timer.expires_at(deadline);
        l.tx_timer.async_wait([this, &l](std::error_code ec) {
            if (ec) return;
            if (l.reg) {
                auto ev = l.reg->on_timer();
                if (ev.what == rf::registration::event::kind::failed) on_registration_event(l, ev, true);
            }
            if (req_ && l.index == 0) {
                auto r = req_->on_timer();
                if (r.what == rf::client_request::result::kind::timeout) on_request_result(l, r, true);
            }
        });
    }

    /// DNS3263-4.3-a: after a transport failure, a timeout or a 503 the
    /// request goes to the next server, if there is one. True when it does.
    bool fail_over(leg& l, const std::string& why) {
        if (!l.hops.next()) {
            l.hops.rewind();
            return false;
        }
        line("FAILOVER " + why + " next=" + l.hops.current()->url);
        l.tx_timer.cancel();
        if (l.flow != 0) {
            const tr::flow_id old = l.flow;
            l.flow = 0; // its close is no longer ours to handle
            conn_.registry().close(old);
        }
        connect(l);
        return true;
    }

    void on_sip(tr::flow_id f, std::string_view bytes) {
        leg* l = leg_of(f);
        if (!l) return;
        auto m = sip::parse(bytes);
        if (!m) {
            if (m->is_request())
                if (auto err = sip::make_error_response(*m, m.error)) send(*l, *err);
            return; // a malformed response is dropped
        }
        if (m->is_response()) {
            if (l->reg && l->reg->matches(*m)) on_registration_event(*l, l->reg->on_response(*m), false);
            else if (req_ && l->index == 0) on_request_result(*l, req_->on_response(*m), false);
            return;
        }
        auto answer = rf::answer_request(*m);
        if (answer) send(*l, *answer);
        if (m->method() != "MESSAGE") return;
        std::string text(m->body());
        for (char& ch : text)
            if (ch == '\r' || ch == '\n') ch = ' ';
        line("MESSAGE from " + rf::from_uri(*m) + ": " + text);
        ++received_;
        if (o_.command == "listen" && o_.count > 0 && received_ >= o_.count) stop(exit_ok);
    }

    void on_registration_event(leg& l, const rf::registration::event& ev, bool timed_out) {
        using kind = rf::registration::event::kind;
        switch (ev.what) {
        case kind::none:
            return;
        case kind::send:
            if (l.reg->outbound_refused() && !refused_reported_) {
                refused_reported_ = true;
                line("OUTBOUND_REFUSED 439"); // OB5626-4.2.1-d: registering without Outbound
            }
            send(l, ev.request);
            arm_tx_timer(l, l.reg->deadline());
            return;
        case kind::failed: {
            l.tx_timer.cancel();
            if (!stopping_ &&
                rf::calls_for_failover(timed_out ? rf::attempt_outcome::timeout : rf::attempt_outcome::response,
                                       ev.status) &&
                fail_over(l, std::to_string(ev.status)))
                return;
            line("REGISTRATION_FAILED " + std::to_string(ev.status) + " " + ev.reason);
            std::string why = timed_out ? "no answer from the registrar"
                                        : std::to_string(ev.status) + " " + ev.reason;
            if (ev.error) why += " (" + ev.error.message() + ")";
            if (stopping_) {
                l.finished = true;
                return finish_if_all_done();
            }
            if (l.recovering && (timed_out || ev.status >= 500) && l.flow != 0) {
                // The replacement flow does not work yet: drop it and retry.
                ++l.failures;
                conn_.registry().close(l.flow);
                return;
            }
            return fail(timed_out ? exit_timeout : exit_sip, "REGISTER failed: " + why);
        }
        case kind::unregistered:
            l.tx_timer.cancel();
            line("UNREGISTERED");
            l.finished = true;
            if (o_.command == "unregister") return finish(status_.value_or(exit_ok));
            return finish_if_all_done();
        case kind::registered:
            break;
        }
        l.tx_timer.cancel();
        line("REGISTERED expires=" + std::to_string(l.reg->granted_expires()) +
             " bindings=" + std::to_string(l.reg->bindings()) + leg_suffix(l) +
             (several() ? " call-id=" + l.reg->call_id() : std::string()));
        const auto& g = l.reg->gruus();
        if (!g.empty())
            line("GRUU pub=" + (g.pub().empty() ? std::string("-") : g.pub()) +
                 " temp=" + (g.temp().empty() ? std::string("-") : g.temp()));
        if (o_.verbose) {
            // For people: a GRUU without its gr parameter (GR5627-4.5-a).
            std::string note = "registered through " + l.server;
            if (!g.pub().empty()) note += "; reachable as " + rf::gruu_display_form(g.pub()) + " on this device";
            error_line(note);
        }
        if (o_.command == "register") {
            l.finished = true;
            for (auto& o : legs_)
                if (!o->finished) return;
            return finish(exit_ok);
        }
        l.failures = 0;
        l.recovering = false;
        if (l.reg->outbound_active()) {
            l.outbound_used = true;
            auto interval = rf::keepalive_interval(l.reg->flow_timer_seconds());
            // One keep-alive policy for the connector: the shortest interval wins.
            if (!keepalive_set_ || interval < conn_.keepalive_policy().interval) {
                rf::apply_crlf_keepalive(conn_.keepalive_policy(), interval);
                keepalive_set_ = true;
            }
            line("OUTBOUND keepalive=crlf interval=" + std::to_string(interval.count()) + "ms");
        } else {
            if (!keepalive_set_) conn_.keepalive_policy().mode = tr::keepalive_mode::none;
            if (!listening_) line("OUTBOUND off");
        }
        for (auto& o : legs_)
            if (o->flow != 0)
                if (auto c = conn_.registry().find(o->flow)) c->rearm_keepalive(); // the new interval from now
        if (!listening_) {
            listening_ = true;
            line("LISTENING");
        }
        l.refresh_timer.expires_after(l.reg->refresh_interval());
        l.refresh_timer.async_wait([this, &l](std::error_code ec) {
            if (ec || stopping_ || l.flow == 0) return;
            send(l, l.reg->register_request());
            arm_tx_timer(l, l.reg->deadline());
        });
    }

    void on_request_result(leg& l, const rf::client_request::result& r, bool timed_out) {
        using kind = rf::client_request::result::kind;
        if (r.what == kind::ignored || r.what == kind::provisional) return;
        if (r.what == kind::retry) {
            send(l, r.request);
            arm_tx_timer(l, req_->transaction().deadline());
            return;
        }
        l.tx_timer.cancel();
        if (rf::calls_for_failover(timed_out ? rf::attempt_outcome::timeout : rf::attempt_outcome::response,
                                   r.status) &&
            fail_over(l, std::to_string(r.status)))
            return;
        const bool msg = o_.command == "message";
        const bool ok = r.status >= 200 && r.status < 300;
        if (msg)
            line(ok ? "MESSAGE_SENT " + std::to_string(r.status)
                    : "MESSAGE_FAILED " + std::to_string(r.status) + " " + r.reason);
        else
            line("OPTIONS " + std::to_string(r.status) + " " + r.reason);
        if (ok) return finish(exit_ok);
        std::string why = std::to_string(r.status) + " " + r.reason;
        if (r.error) why += " (" + r.error.message() + ")";
        fail(r.what == kind::timeout ? exit_timeout : exit_sip,
             std::string(msg ? "MESSAGE" : "OPTIONS") + " failed: " + why);
    }

    void on_closed(tr::flow_id f, const tr::close_info& ci) {
        leg* lp = leg_of(f);
        if (closing_) {
            if (lp) lp->flow = 0;
            for (auto& l : legs_)
                if (l->flow != 0) return;
            return io_.stop();
        }
        if (!lp) return; // a flow we gave up ourselves
        leg& l = *lp;
        line("DISCONNECTED " + std::to_string(ci.code) + leg_suffix(l));
        l.flow = 0;
        l.tx_timer.cancel();
        l.refresh_timer.cancel();
        const bool in_transaction = (l.reg && l.reg->pending()) || (req_ && l.index == 0 && req_->transaction().active());
        // DNS3263-4.3-a: the flow failed during a transaction: next server.
        if (in_transaction && !stopping_ && fail_over(l, "transport")) return;
        if (o_.command == "listen" && !stopping_) {
            l.reg.reset();
            l.recovering = true;
            return schedule_reconnect(l);
        }
        if (stopping_) {
            l.finished = true;
            return finish_if_all_done();
        }
        fail(exit_transport, "connection to " + l.server + " lost" +
                                 (ci.error ? ": " + ci.error.message() : std::string()));
    }

    /// SIGINT/SIGTERM, --count or --duration: remove our bindings, then exit.
    void stop(int status, const std::string& why = {}) {
        if (stopping_) return;
        stopping_ = true;
        if (!why.empty()) error_line(why);
        status_ = status;
        bool waiting = false;
        for (auto& l : legs_) {
            l->refresh_timer.cancel();
            l->retry_timer.cancel();
            if (l->reg && l->reg->registered() && l->flow != 0) {
                send(*l, l->reg->unregister_request());
                arm_tx_timer(*l, l->reg->deadline());
                waiting = true;
            } else {
                l->finished = true;
            }
        }
        if (!waiting) return finish(status);
        end_timer_.expires_after(std::min<std::chrono::milliseconds>(tx_timeout_, 3s));
        end_timer_.async_wait([this, status](std::error_code ec) {
            if (!ec) finish(status);
        });
    }

    /// stop(): once every leg has its answer (or gave up), the end.
    void finish_if_all_done() {
        if (!stopping_) return;
        for (auto& l : legs_)
            if (!l->finished) return;
        finish(status_.value_or(exit_ok));
    }

    void fail(int status, const std::string& why) {
        if (status_ && closing_) return;
        error_line(why);
        finish(status);
    }

    /// Closes the flows (gracefully, bounded) and ends the program.
    void finish(int status) {
        if (closing_) return;
        closing_ = true;
        if (!status_ || *status_ == exit_ok) status_ = status;
        signals_.cancel();
        bool open = false;
        for (auto& l : legs_) {
            l->tx_timer.cancel();
            l->refresh_timer.cancel();
            l->retry_timer.cancel();
            if (l->flow != 0 && conn_.registry().close(l->flow)) open = true;
            else l->flow = 0;
        }
        if (open) {
            end_timer_.expires_after(3s);
            end_timer_.async_wait([this](std::error_code ec) {
                if (!ec) io_.stop();
            });
        } else {
            end_timer_.cancel();
            io_.stop();
        }
    }

    options o_;
    asio::io_context io_;
    std::unique_ptr<asio::ssl::context> tls_; // before conn_, which uses it
    tr::connector<client_config> conn_;
    asio::steady_timer end_timer_;
    asio::signal_set signals_;
    std::string domain_uri_;
    std::vector<std::unique_ptr<leg>> legs_;
    std::optional<rf::request_authenticator> auth_;
    std::optional<rf::client_request> req_;
    std::chrono::milliseconds tx_timeout_{};
    unsigned received_ = 0;
    bool listening_ = false;
    bool stopping_ = false;
    bool closing_ = false;
    bool keepalive_set_ = false;
    bool refused_reported_ = false;
    tr::reconnect_backoff backoff_;
    rf::flow_recovery_times recovery_;
    std::optional<int> status_;
};

} // namespace

int main(int argc, char** argv) {
    options o;
    try {
        o = parse_args(argc, argv);
    } catch (const usage_error& e) {
        if (e.what.empty()) {
            std::fputs(usage_text, stdout);
            return exit_ok;
        }
        error_line(e.what);
        std::fputs(usage_text, stderr);
        return exit_usage;
    }
    try {
        std::string id = instance_id(o);
        client c(std::move(o), std::move(id));
        return c.run();
    } catch (const usage_error& e) {
        error_line(e.what);
        return exit_usage;
    } catch (const resolve_error& e) {
        error_line(e.what);
        return exit_transport;
    } catch (const std::exception& e) {
        error_line(e.what());
        return exit_sip;
    }
}
