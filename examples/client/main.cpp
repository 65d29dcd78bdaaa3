// Distributed under the Boost Software License, Version 1.0.
// sipws-client: a command-line SIP WebSocket user agent (RFC 7118) with
// Outbound (instance-id, reg-id, CRLF keep-alive) and GRUU, built from the
// library's public helpers.
//
//   sipws-client --server URL --aor SIP-URI [--password P] [--user NAME]
//                [--insecure] [--ca FILE] [--instance-file FILE] [--timeout S]
//                COMMAND
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
// One line per event on stdout (the same lines as tests/peers/jssip-ua.mjs):
//   CONNECTED <url> | CONNECT_FAILED <url> | DISCONNECTED <code>
//   INSTANCE <urn> reg-id=<n>
//   REGISTERED expires=<s> bindings=<n> | GRUU pub=<uri> temp=<uri>
//   OUTBOUND keepalive=crlf interval=<ms>ms | OUTBOUND off
//   REGISTRATION_FAILED <code> <reason> | UNREGISTERED
//   OPTIONS <code> <reason>
//   MESSAGE_SENT <code> | MESSAGE_FAILED <code> <reason>
//   LISTENING | MESSAGE from <uri>: <text> | RECONNECTING in=<ms>ms
// and on failure one line "sipws-client: <what went wrong>" on stderr.
// Exit status: 0 success, 1 SIP failure, 2 usage, 3 transport failure, 4 timeout.
#include <sipws/rfc7118/instance_id_file.hpp>
#include <sipws/rfc7118/ua_answer.hpp>
#include <sipws/rfc7118/ua_client_request.hpp>
#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/transport/connector.hpp>
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
    "usage: sipws-client --server URL --aor SIP-URI [--password P] [--user NAME] [--insecure]\n"
    "                    [--ca FILE] [--cert FILE --key FILE] [--instance-file FILE] [--timeout S]\n"
    "                    COMMAND\n"
    "  register [--expires N]             register, print REGISTERED (and GRUUs), exit\n"
    "  unregister                         remove every binding of the AOR\n"
    "  options [--to SIP-URI]             send OPTIONS (default: the AOR's domain)\n"
    "  message --to SIP-URI --text TEXT   send one MESSAGE\n"
    "  listen [--expires N] [--count N] [--duration S] [--retry-base S]\n"
    "                                     stay registered (reconnecting when the connection\n"
    "                                     is lost), print each MESSAGE received\n";

struct options {
    std::string server, aor, password, user, ca_file, instance_file, to, text, command;
    std::string cert_file, key_file; ///< wss client certificate (RFC 7118 section 7)
    bool insecure = false;
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
        if (k == "--server") o.server = value();
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
    if (o.server.empty()) throw usage_error{"--server URL is required"};
    if (!sipws::ws::parse_url(o.server)) throw usage_error{"--server: not a ws:// or wss:// URL"};
    if (o.aor.empty()) throw usage_error{"--aor SIP-URI is required"};
    if (o.cert_file.empty() != o.key_file.empty()) throw usage_error{"--cert and --key go together"};
    auto check_uri = [](const std::string& name, const std::string& u, bool need_user) {
        std::error_code ec;
        sip::uri p = sip::parse_uri(u, ec);
        if (ec || !p.is_sip() || (need_user && p.user.empty()))
            throw usage_error{name + ": not a SIP URI" + (need_user ? " with a user part" : "")};
    };
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

class client {
public:
    client(options o, std::string instance)
        : o_(std::move(o)), conn_(io_), tx_timer_(io_), refresh_timer_(io_), end_timer_(io_),
          retry_timer_(io_), signals_(io_, SIGINT, SIGTERM) {
        if (o_.retry_base) {
            if (o_.retry_base->count() == 0) throw usage_error{"--retry-base must be above 0"};
            backoff_.first = *o_.retry_base;
            recovery_.all_flows_failed = *o_.retry_base;
        }
        url_ = *sipws::ws::parse_url(o_.server);
        std::error_code ec;
        sip::uri aor = sip::parse_uri(o_.aor, ec);
        domain_uri_ = std::string(aor.scheme == sip::uri_scheme::sips ? "sips:" : "sip:") +
                      std::string(aor.host) + (aor.has_port ? ":" + std::to_string(aor.port) : "");
        contact_ = rf::make_ua_contact(std::string(aor.user), url_.secure, std::move(instance), 1);
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
        conn_.on_message([this](tr::flow_id, sipws::ws::message_type, std::string_view m) { on_sip(m); });
        conn_.on_close([this](tr::flow_id, const tr::close_info& ci) { on_closed(ci); });
        signals_.async_wait([this](std::error_code ec, int) {
            if (!ec) stop(exit_ok);
        });
        connect();
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
    void connect() {
        tr::connect_options co;
        co.verify_peer = !o_.insecure;
        conn_.async_connect(o_.server, co, [this](std::error_code ec, tr::flow_id f) {
            if (closing_) {
                if (!ec) conn_.registry().close(f);
                return;
            }
            if (ec) {
                line("CONNECT_FAILED " + o_.server);
                if (recovering_ && !stopping_) {
                    ++failures_;
                    return schedule_reconnect();
                }
                return fail(exit_transport, "cannot connect to " + o_.server + ": " + ec.message());
            }
            flow_ = f;
            line("CONNECTED " + o_.server);
            if (stopping_) return finish(status_.value_or(exit_ok));
            start();
        });
    }

    /// listen: the flow is gone; a new one after the recovery delay
    /// (OB5626-4.5-a with Outbound, WS6455-7.2-a without).
    void schedule_reconnect() {
        const double u = rf::random_unit();
        auto delay = outbound_used_ ? rf::flow_recovery_delay(failures_, true, u, recovery_)
                                    : backoff_.delay(failures_, u);
        line("RECONNECTING in=" + std::to_string(delay.count()) + "ms");
        retry_timer_.expires_after(delay);
        retry_timer_.async_wait([this](std::error_code ec) {
            if (!ec && !stopping_) connect();
        });
    }

    void start() {
        const std::string& c = o_.command;
        if (c == "register" || c == "listen" || c == "unregister") {
            rf::registration_options ro;
            ro.registrar_uri = domain_uri_;
            ro.aor = o_.aor;
            ro.contact = contact_;
            ro.expires = o_.expires;
            ro.user_agent = "sipws-client";
            ro.transaction_timeout = tx_timeout_;
            if (auth_) {
                std::error_code ec;
                sip::uri aor = sip::parse_uri(o_.aor, ec);
                ro.username = o_.user.empty() ? std::string(aor.user) : o_.user;
                ro.password = o_.password;
            }
            reg_.emplace(std::move(ro));
            if (c == "unregister") send(reg_->unregister_all_request());
            else {
                line("INSTANCE " + contact_.instance_id + " reg-id=" + std::to_string(contact_.reg_id));
                send(reg_->register_request());
            }
            arm_tx_timer(reg_->deadline());
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
            req_.emplace(std::move(spec), contact_.host, contact_.secure, auth_ ? &*auth_ : nullptr,
                         tx_timeout_);
            send(req_->send());
            arm_tx_timer(req_->transaction().deadline());
        }
    }

    void send(const std::string& text) {
        if (auto ec = conn_.registry().send(flow_, text))
            fail(exit_transport, "cannot send: " + ec.message());
    }

    void arm_tx_timer(rf::client_transaction::clock::time_point deadline) {
        if (deadline == rf::client_transaction::clock::time_point::max()) return;
        tx_timer_.expires_at(deadline);
        tx_timer_.async_wait([this](std::error_code ec) {
            if (ec) return;
            if (reg_) {
                auto ev = reg_->on_timer();
                if (ev.what == rf::registration::event::kind::failed) on_registration_event(ev);
            }
            if (req_) {
                auto r = req_->on_timer();
                if (r.what == rf::client_request::result::kind::timeout) on_request_result(r);
            }
        });
    }

    void on_sip(std::string_view bytes) {
        auto m = sip::parse(bytes);
        if (!m) {
            if (m->is_request())
                if (auto err = sip::make_error_response(*m, m.error)) send(*err);
            return; // a malformed response is dropped
        }
        if (m->is_response()) {
            if (reg_ && reg_->matches(*m)) on_registration_event(reg_->on_response(*m));
            else if (req_) on_request_result(req_->on_response(*m));
            return;
        }
        auto answer = rf::answer_request(*m);
        if (answer) send(*answer);
        if (m->method() != "MESSAGE") return;
        std::string text(m->body());
        for (char& ch : text)
            if (ch == '\r' || ch == '\n') ch = ' ';
        line("MESSAGE from " + rf::from_uri(*m) + ": " + text);
        ++received_;
        if (o_.command == "listen" && o_.count > 0 && received_ >= o_.count) stop(exit_ok);
    }

    void on_registration_event(const rf::registration::event& ev) {
        using kind = rf::registration::event::kind;
        switch (ev.what) {
        case kind::none:
            return;
        case kind::send:
            send(ev.request);
            arm_tx_timer(reg_->deadline());
            return;
        case kind::failed: {
            tx_timer_.cancel();
            line("REGISTRATION_FAILED " + std::to_string(ev.status) + " " + ev.reason);
            std::string why = ev.status == 408 ? "no answer from the registrar"
                                               : std::to_string(ev.status) + " " + ev.reason;
            if (ev.error) why += " (" + ev.error.message() + ")";
            if (stopping_) return finish(status_.value_or(exit_ok));
            if (recovering_ && (ev.status == 408 || ev.status >= 500) && flow_ != 0) {
                // The replacement flow does not work yet: drop it and retry.
                ++failures_;
                conn_.registry().close(flow_);
                return;
            }
            return fail(ev.status == 408 ? exit_timeout : exit_sip, "REGISTER failed: " + why);
        }
        case kind::unregistered:
            tx_timer_.cancel();
            line("UNREGISTERED");
            return finish(status_.value_or(exit_ok));
        case kind::registered:
            break;
        }
        tx_timer_.cancel();
        line("REGISTERED expires=" + std::to_string(reg_->granted_expires()) +
             " bindings=" + std::to_string(reg_->bindings()));
        const auto& g = reg_->gruus();
        if (!g.empty())
            line("GRUU pub=" + (g.pub().empty() ? std::string("-") : g.pub()) +
                 " temp=" + (g.temp().empty() ? std::string("-") : g.temp()));
        if (o_.command == "register") return finish(exit_ok);
        failures_ = 0;
        recovering_ = false;
        if (reg_->outbound_active()) {
            outbound_used_ = true;
            auto interval = rf::keepalive_interval(reg_->flow_timer_seconds());
            rf::apply_crlf_keepalive(conn_.keepalive_policy(), interval);
            line("OUTBOUND keepalive=crlf interval=" + std::to_string(interval.count()) + "ms");
        } else {
            conn_.keepalive_policy().mode = tr::keepalive_mode::none;
            if (!listening_) line("OUTBOUND off");
        }
        if (auto c = conn_.registry().find(flow_)) c->rearm_keepalive(); // the new interval from now
        if (!listening_) {
            listening_ = true;
            line("LISTENING");
        }
        refresh_timer_.expires_after(reg_->refresh_interval());
        refresh_timer_.async_wait([this](std::error_code ec) {
            if (ec || stopping_) return;
            send(reg_->register_request());
            arm_tx_timer(reg_->deadline());
        });
    }

    void on_request_result(const rf::client_request::result& r) {
        using kind = rf::client_request::result::kind;
        if (r.what == kind::ignored || r.what == kind::provisional) return;
        if (r.what == kind::retry) {
            send(r.request);
            arm_tx_timer(req_->transaction().deadline());
            return;
        }
        tx_timer_.cancel();
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

    void on_closed(const tr::close_info& ci) {
        if (closing_) return io_.stop();
        line("DISCONNECTED " + std::to_string(ci.code));
        if (o_.command == "listen" && !stopping_) {
            flow_ = 0;
            tx_timer_.cancel();
            refresh_timer_.cancel();
            reg_.reset();
            recovering_ = true;
            return schedule_reconnect();
        }
        fail(exit_transport, "connection to " + o_.server + " lost" +
                                 (ci.error ? ": " + ci.error.message() : std::string()));
    }

    /// SIGINT/SIGTERM, --count or --duration: remove our binding, then exit.
    void stop(int status, const std::string& why = {}) {
        if (stopping_) return;
        stopping_ = true;
        if (!why.empty()) error_line(why);
        status_ = status;
        refresh_timer_.cancel();
        retry_timer_.cancel();
        if (reg_ && reg_->registered() && flow_ != 0) {
            send(reg_->unregister_request());
            arm_tx_timer(reg_->deadline());
            end_timer_.expires_after(std::min<std::chrono::milliseconds>(tx_timeout_, 3s));
            end_timer_.async_wait([this, status](std::error_code ec) {
                if (!ec) finish(status);
            });
            return;
        }
        finish(status);
    }

    void fail(int status, const std::string& why) {
        if (status_ && closing_) return;
        error_line(why);
        finish(status);
    }

    /// Closes the flow (gracefully, bounded) and ends the program.
    void finish(int status) {
        if (closing_) return;
        closing_ = true;
        if (!status_ || *status_ == exit_ok) status_ = status;
        tx_timer_.cancel();
        refresh_timer_.cancel();
        retry_timer_.cancel();
        signals_.cancel();
        if (flow_ != 0 && conn_.registry().close(flow_)) {
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
    tr::connector<> conn_;
    asio::steady_timer tx_timer_, refresh_timer_, end_timer_, retry_timer_;
    asio::signal_set signals_;
    sipws::ws::url url_;
    std::string domain_uri_;
    rf::ua_contact contact_;
    std::optional<rf::request_authenticator> auth_;
    std::optional<rf::registration> reg_;
    std::optional<rf::client_request> req_;
    std::chrono::milliseconds tx_timeout_{};
    tr::flow_id flow_ = 0;
    unsigned received_ = 0;
    bool listening_ = false;
    bool stopping_ = false;
    bool closing_ = false;
    bool recovering_ = false;    // listen: the flow was lost, a new one is on its way
    bool outbound_used_ = false; // the registrar confirmed Outbound
    unsigned failures_ = 0;      // consecutive failed recovery attempts
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
    } catch (const std::exception& e) {
        error_line(e.what());
        return exit_sip;
    }
}
