// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_CONNECTION_HPP
#define SIPWS_TRANSPORT_CONNECTION_HPP

/// \file
/// One WebSocket connection over an Asio stream: `asio::ip::tcp::socket`
/// (ws) or `asio::ssl::stream<asio::ip::tcp::socket>` (wss, include
/// <sipws/transport/tls.hpp>). Listeners and connectors create them; users
/// hold them through flow ids (flow_registry) or connection_base pointers.
///
/// Threading: each connection runs on its own strand (the executor of its
/// socket). Its reads, writes, timers and every handler it calls run there;
/// send(), async_send(), close() and abort() may be called from any thread.
/// Any number of threads may run the io_context.
///
/// Life: TCP (+ TLS) handshake, WebSocket opening handshake (bounded by
/// limits::handshake_timeout), open (messages, keep-alive, idle timeout),
/// closing handshake (bounded by limits::close_timeout; wss then exchanges
/// TLS close_notify within the same bound), end. The close
/// handler reports the codes and the cause; a peer that vanishes without a
/// Close is reported with code 1006 and the socket error.

#include <sipws/transport/connection_base.hpp>
#include <sipws/transport/context.hpp>
#include <sipws/ws/client_handshake.hpp>
#include <sipws/ws/engine.hpp>
#include <sipws/ws/server_handshake.hpp>

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

/// The code of basic_connection<Stream, default_config> that
/// SIPWS_SEPARATE_COMPILATION compiles once (docs/compile-time.md): `kw` is
/// `extern` in the headers and empty in <sipws/src.hpp>. Every completion of
/// a connection runs through run_task(), so the rest of its code is
/// instantiated only where run_task() is.
#define SIPWS_DETAIL_CONNECTION_INSTANCE(kw, Stream)                                              \
    kw template void basic_connection<Stream, default_config>::run_task(                         \
        basic_connection<Stream, default_config>::op, std::error_code, std::size_t);

namespace sipws::transport {

/// What the connection needs to know about its stream type. Specialised for
/// asio::ip::tcp::socket here and for the TLS stream in tls.hpp.
template <class Stream> struct stream_traits;

template <> struct stream_traits<asio::ip::tcp::socket> {
    static constexpr bool secure = false;
    static asio::ip::tcp::socket& lowest(asio::ip::tcp::socket& s) noexcept { return s; }
    template <class Handler> static void async_server_handshake(asio::ip::tcp::socket&, Handler&& h) {
        h(std::error_code{});
    }
    template <class Handler>
    static void async_client_handshake(asio::ip::tcp::socket&, const std::string&, bool, Handler&& h) {
        h(std::error_code{});
    }
};

namespace detail {
/// Per-thread read buffer for plain TCP connections: an idle connection
/// holds no read buffer at all.
inline char* thread_read_buffer(std::size_t& size) {
    constexpr std::size_t n = 64 * 1024;
    thread_local std::unique_ptr<char[]> buf(new char[n]);
    size = n;
    return buf.get();
}
} // namespace detail

template <class Stream, class Config = default_config>
class basic_connection final : public connection_base {
    using traits = stream_traits<Stream>;
    using clock = std::chrono::steady_clock;

public:
    using stream_type = Stream;
    using context_type = basic_context<Config>;
    using connect_completion = detail::completion<std::error_code, flow_id>;
    static constexpr bool compression_enabled = context_type::compression_policy_type::enabled;

    basic_connection(Stream&& s, std::shared_ptr<context_type> ctx, bool client)
        : connection_base(asio::any_io_executor(s.get_executor()), client, ctx->get_limits()),
          stream_(std::move(s)), ctx_(std::move(ctx)), timer_(stream_.get_executor()),
          ka_timer_(stream_.get_executor()) {
        info_.id = next_flow_id();
        info_.secure = traits::secure;
        std::error_code ec;
        info_.remote = traits::lowest(stream_).remote_endpoint(ec);
        info_.local = traits::lowest(stream_).local_endpoint(ec);
        ++ctx_->live;
    }
    ~basic_connection() override {
        if (registered_) ctx_->registry().forget(info_.id);
        --ctx_->live;
    }

    Stream& stream() noexcept { return stream_; }
    const context_type& context() const noexcept { return *ctx_; }

    /// Changes the limits of this live connection (any thread).
    void set_limits(const limits& l) override {
        {
            std::lock_guard<std::mutex> lk(qmu_);
            next_limits_.reset(new limits(l));
        }
        asio::post(executor_, task{self_ptr(), op::apply_limits});
    }

    void rearm_keepalive() override { asio::post(executor_, task{self_ptr(), op::rearm_keepalive}); }

    // ---- starting (listener / connector) --------------------------------

    /// Server: runs TLS (wss) and the opening handshake, then the flow.
    void start_server() { asio::post(executor_, task{self_ptr(), op::start_server}); }

    /// Client: runs TLS (with SNI and verification of \p host when \p
    /// verify) and the opening handshake; \p done gets the flow id.
    void start_client(std::string host, bool verify, ws::client_handshake_options opts,
                      connect_completion done) {
        // Not shared with any other thread yet: plain members.
        client_start_.reset(new client_start{std::move(host), verify, std::move(opts)});
        connect_done_ = std::move(done);
        asio::post(executor_, task{self_ptr(), op::start_client});
    }

    // ---- connection_base -------------------------------------------------

    void close(std::uint16_t code = ws::close_code::normal, std::string_view reason = {}) override {
        {
            std::lock_guard<std::mutex> lk(qmu_);
            if (close_requested_) return;
            close_requested_ = true;
            accepting_ = false; // no data after close(), even before the strand runs
            requested_code_ = code;
            requested_reason_ = std::string(reason);
        }
        asio::post(executor_, task{self_ptr(), op::close});
    }
    void abort() override { asio::post(executor_, task{self_ptr(), op::abort}); }

private:
    enum class phase : unsigned char { tls, handshake, responding, open, done };

    // Every asynchronous operation completes through one of these two
    // handler types, so each Asio operation is instantiated once per stream
    // type (this keeps programs that include the transport quick to compile).
    enum class op : unsigned char {
        start_server,
        start_client,
        close,
        abort,
        flush,
        apply_limits,
        rearm_keepalive,
        tls_done,
        response_written,
        request_written,
        readable,
        read_done,
        written,
        timer,
        keepalive_timer,
        tls_shutdown_done,
    };
    struct task {
        std::shared_ptr<basic_connection> self;
        op what;
        void operator()() const { self->run_task(what, {}, 0); }
        void operator()(std::error_code ec) const { self->run_task(what, ec, 0); }
        void operator()(std::error_code ec, std::size_t n) const { self->run_task(what, ec, n); }
    };
    struct client_start {
        std::string host;
        bool verify;
        ws::client_handshake_options opts;
    };

    /// Runs one completion on the strand: on_task(), from outside the class
    /// so that SIPWS_SEPARATE_COMPILATION can compile it once (see below).
    void run_task(op what, std::error_code ec, std::size_t n);

    void on_task(op what, std::error_code ec, std::size_t n) {
        switch (what) {
        case op::start_server:
            return do_start_server();
        case op::start_client:
            return do_start_client();
        case op::close: {
            std::uint16_t code;
            std::string reason;
            {
                std::lock_guard<std::mutex> lk(qmu_);
                code = requested_code_;
                reason = std::move(requested_reason_);
            }
            return do_close(code, reason, {});
        }
        case op::abort:
            return finish(error::aborted);
        case op::flush:
            return flush();
        case op::apply_limits: {
            {
                std::lock_guard<std::mutex> lk(qmu_);
                if (next_limits_) lim_ = *next_limits_;
                next_limits_.reset();
            }
            if (engine_) engine_->set_options(engine_options());
            if (phase_ == phase::open && !done_) schedule_keepalive(); // a new idle timeout
            return;
        }
        case op::rearm_keepalive:
            if (phase_ == phase::open && !done_) schedule_keepalive();
            return;
        case op::tls_done:
            if (done_) return;
            if (ec) return finish(ec);
            if constexpr (traits::secure) traits::peer_certificate(stream_, info_.certificate);
            return client_ ? send_request() : begin_server_handshake();
        case op::response_written:
            if (done_) return;
            if (ec) return finish(ec);
            if (!response_ok_) {
                std::error_code why = shs_->error();
                return finish(why ? why : make_error_code(error::handshake_refused));
            }
            return open_server();
        case op::request_written:
            if (done_) return;
            if (ec) return finish(ec);
            return read();
        case op::readable:
            return on_readable(ec);
        case op::read_done:
            if (done_) return;
            if (ec) return on_read_error(ec);
            return on_data(rbuf_.get(), n);
        case op::written:
            return on_written(ec);
        case op::timer:
            // A stale expiry (the timer was re-armed or disarmed meanwhile) is ignored.
            if (!ec && !done_ && timer_.expiry() <= clock::now()) finish(timer_reason_);
            return;
        case op::keepalive_timer:
            if (!ec) on_keepalive_timer();
            return;
        case op::tls_shutdown_done:
            // Whatever the peer did (its close_notify, a TCP close, nothing
            // before the close timeout), the WebSocket close was clean.
            return finish({});
        }
    }

    std::shared_ptr<basic_connection> self_ptr() {
        return std::static_pointer_cast<basic_connection>(shared_from_this());
    }

    ws::engine_options engine_options() const {
        ws::engine_options eo;
        eo.max_message_size = lim_.max_message_size;
        eo.max_frame_size = lim_.max_frame_size;
        eo.fragment_size = lim_.fragment_size;
        return eo;
    }

    ws::message_type choose_type(std::string_view payload) const override {
        return ctx_->framing.choose(payload);
    }
    void post_flush() override { asio::post(executor_, task{self_ptr(), op::flush}); }

    void disarm_timer() { timer_.expires_at(clock::time_point::max()); }

    void arm_timer(std::chrono::milliseconds d, std::error_code why) {
        if (d.count() <= 0) return;
        timer_reason_ = why;
        timer_.expires_after(d);
        timer_.async_wait(task{self_ptr(), op::timer});
    }

    // ---- server -----------------------------------------------------------

    void do_start_server() {
        arm_timer(lim_.handshake_timeout, error::handshake_timeout);
        phase_ = phase::tls;
        traits::async_server_handshake(stream_, task{self_ptr(), op::tls_done});
    }

    void begin_server_handshake() {
        ws::server_handshake_options o;
        o.subprotocols = ctx_->subprotocol.names;
        o.when_none_offered = ctx_->subprotocol.when_none_offered;
        o.max_head_size = lim_.max_handshake_size;
        if constexpr (compression_enabled)
            if (detail::compression_active(ctx_->compression))
                o.deflate = static_cast<const ws::permessage_deflate_options&>(ctx_->compression);
        shs_.reset(new ws::server_handshake(std::move(o)));
        phase_ = phase::handshake;
        read();
    }

    void on_server_handshake_data(char* data, std::size_t n) {
        std::size_t used = 0;
        ws::handshake_status st = shs_->feed(data, n, used);
        if (st == ws::handshake_status::need_more) return read();
        if (st == ws::handshake_status::ready) {
            const ws::handshake_request& req = shs_->request();
            if (!ctx_->origin.allow(req.origin)) {
                shs_->refuse(403);
            } else {
                web_auth_result auth = detail::check_web_auth(ctx_->web_auth, req, info_);
                if (auth.refused()) {
                    shs_->refuse(auth.status ? auth.status : 403, auth.extra_headers);
                } else {
                    info_.auth = auth.verdict;
                    info_.identity = std::move(auth.identity);
                    if (shs_->accept(auth.extra_headers)) shs_->refuse(500);
                }
            }
            st = shs_->status();
        }
        const bool ok = st == ws::handshake_status::accepted;
        if (ok && used < n) early_.assign(data + used, n - used);
        phase_ = phase::responding;
        response_ok_ = ok;
        std::string_view resp = shs_->response();
        if (!ok && shs_->error() == ws::error::no_upgrade && ctx_->on_http) {
            if (auto page = ctx_->on_http(shs_->request())) {
                early_ = detail::http_response_text(*page); // a plain HTTP answer
                resp = early_;
            }
        }
        asio::async_write(stream_, asio::buffer(resp.data(), resp.size()),
                          task{self_ptr(), op::response_written});
    }

    void open_server() {
        const ws::handshake_request& req = shs_->request();
        info_.subprotocol = std::string(shs_->selected_subprotocol());
        info_.origin = std::string(req.origin);
        info_.target = std::string(req.target);
        info_.host = std::string(req.host);
        const std::optional<ws::deflate_agreement> deflate = shs_->agreed_deflate();
        shs_.reset();
        engine_.emplace(ws::role::server, engine_options());
        enable_compression(deflate, ws::role::server);
        open_flow();
        if (done_) return;
        if (!early_.empty()) {
            std::string e = std::move(early_);
            early_ = std::string();
            on_frames(e.data(), e.size());
            if (done_) return;
        }
        if (reading_allowed()) read();
    }

    // ---- client -----------------------------------------------------------

    void do_start_client() {
        std::unique_ptr<client_start> cs = std::move(client_start_);
        arm_timer(lim_.handshake_timeout, error::handshake_timeout);
        phase_ = phase::tls;
        cs->opts.max_head_size = lim_.max_handshake_size;
        if constexpr (compression_enabled)
            if (detail::compression_active(ctx_->compression))
                cs->opts.deflate = static_cast<const ws::permessage_deflate_options&>(ctx_->compression);
        try {
            chs_.reset(new ws::client_handshake(std::move(cs->opts)));
        } catch (const std::invalid_argument&) {
            return finish(error::bad_url);
        }
        traits::async_client_handshake(stream_, cs->host, cs->verify, task{self_ptr(), op::tls_done});
    }

    void send_request() {
        phase_ = phase::handshake;
        std::string_view req = chs_->request();
        asio::async_write(stream_, asio::buffer(req.data(), req.size()),
                          task{self_ptr(), op::request_written});
    }

    void on_client_handshake_data(char* data, std::size_t n) {
        std::size_t used = 0;
        ws::handshake_status st = chs_->feed(data, n, used);
        if (st == ws::handshake_status::need_more) return read();
        if (st != ws::handshake_status::accepted) {
            std::error_code ec = chs_->error();
            if (ec == ws::error::bad_status) ec = error::handshake_refused;
            refused_status_ = chs_->status_code();
            return finish(ec);
        }
        info_.subprotocol = std::string(chs_->subprotocol());
        const std::optional<ws::deflate_agreement> deflate = chs_->agreed_deflate();
        chs_.reset();
        engine_.emplace(ws::role::client, engine_options());
        enable_compression(deflate, ws::role::client);
        open_flow();
        if (done_) return;
        if (connect_done_) connect_done_(std::error_code{}, info_.id);
        if (used < n) on_frames(data + used, n - used);
        if (!done_ && reading_allowed()) read();
    }

    // ---- open -------------------------------------------------------------

    /// permessage-deflate agreed: the engine inflates, the write queue compresses.
    void enable_compression(const std::optional<ws::deflate_agreement>& a, ws::role r) {
        if constexpr (compression_enabled) {
            if (!a) return;
            info_.compressed = true;
            engine_->set_inflater(ctx_->compression.make_inflater(*a, r));
            auto d = ctx_->compression.make_deflater(*a, r);
            std::lock_guard<std::mutex> lk(qmu_);
            deflater_ = std::move(d);
        } else {
            (void)a;
            (void)r;
        }
    }

    void open_flow() {
        disarm_timer();
        phase_ = phase::open;
        last_rx_ = clock::now();
        start_accepting();
        ctx_->registry().add(shared_from_this());
        registered_ = true;
        if (ctx_->on_open) ctx_->on_open(info_);
        schedule_keepalive();
    }

    bool reading_allowed() const noexcept { return !done_ && !close_after_write_; }

    void read() {
        if constexpr (!traits::secure) {
            stream_.async_wait(asio::ip::tcp::socket::wait_read, task{self_ptr(), op::readable});
        } else {
            if (!rbuf_) {
                rbuf_size_ = lim_.read_buffer_size ? lim_.read_buffer_size : 16384;
                rbuf_.reset(new char[rbuf_size_]);
            }
            stream_.async_read_some(asio::buffer(rbuf_.get(), rbuf_size_),
                                    task{self_ptr(), op::read_done});
        }
    }

    void on_readable(std::error_code ec) {
        if constexpr (!traits::secure) {
            if (done_) return;
            if (ec) return on_read_error(ec);
            std::size_t size = 0;
            char* buf = detail::thread_read_buffer(size);
            if (!nonblocking_) {
                stream_.non_blocking(true, ec);
                nonblocking_ = true;
            }
            std::size_t n = stream_.read_some(asio::buffer(buf, size), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) return read();
            if (ec) return on_read_error(ec);
            on_data(buf, n);
        } else {
            (void)ec;
        }
    }

    void on_data(char* data, std::size_t n) {
        switch (phase_) {
        case phase::handshake:
            if (client_) on_client_handshake_data(data, n);
            else on_server_handshake_data(data, n);
            return;
        case phase::open:
            on_frames(data, n);
            if (reading_allowed()) read();
            return;
        default:
            return;
        }
    }

    void on_read_error(std::error_code ec) {
        if (engine_ && engine_->state() == ws::engine_state::closed) {
            // TLS: eof is the peer's close_notify; answer it with ours.
            if (ec == asio::error::eof) return end_gracefully();
            return finish({});
        }
        finish(ec);
    }

    void on_frames(char* data, std::size_t n) {
        last_rx_ = clock::now();
        if (ping_outstanding_) {
            // The answer (or any traffic): the timer waits for the pong
            // timeout; the next keep-alive is due one interval from now.
            ping_outstanding_ = false;
            schedule_keepalive();
        }
        std::size_t off = 0;
        bool stop = false;
        while (!stop && !done_) {
            ws::event ev = engine_->consume(data + off, n - off);
            off += ev.consumed;
            switch (ev.type) {
            case ws::event_type::none:
                stop = true;
                break;
            case ws::event_type::message:
                deliver(ev.message, ev.payload);
                break;
            case ws::event_type::ping:
            case ws::event_type::pong:
                break;
            case ws::event_type::close:
                ci_.reason = std::string(ev.payload);
                stop_accepting();
                if (engine_->action() == ws::transport_action::close) {
                    close_after_write_ = true;
                } else if (engine_->action() == ws::transport_action::wait_for_peer_close) {
                    disarm_timer();
                    arm_timer(lim_.close_timeout, error::close_timeout);
                }
                stop = engine_->action() == ws::transport_action::close;
                break;
            case ws::event_type::error:
                stop_accepting();
                if (!pending_error_) pending_error_ = ev.error;
                close_after_write_ = true;
                stop = true;
                break;
            }
        }
        flush_control();
        if (close_after_write_) kick();
    }

    void deliver(ws::message_type type, std::string_view payload) {
        if (payload.size() <= 4 && payload.size() >= 2 && payload[0] == '\r') {
            if (!client_ && ctx_->keepalive.answer_crlf && payload == "\r\n\r\n") {
                std::lock_guard<std::mutex> lk(qmu_);
                if (accepting_) append_message_locked(ws::message_type::text, "\r\n");
                return; // OB5626-KA-b
            }
            if (client_ && ctx_->keepalive.mode == keepalive_mode::crlf && payload == "\r\n")
                return; // OB5626-KA-c: the pong
        }
        if (ctx_->on_message) ctx_->on_message(info_.id, type, payload);
    }

    void flush_control() {
        if (!engine_ || !engine_->has_pending_output()) return;
        std::lock_guard<std::mutex> lk(qmu_);
        append_control_locked(engine_->pending_output());
        engine_->pop_output(engine_->pending_output().size());
    }

    void kick() {
        std::lock_guard<std::mutex> lk(qmu_);
        kick_locked();
    }

    void flush() {
        if (done_) return;
        if (writing_now_) return;
        if (!take_batch(wbuf_)) {
            if (close_after_write_) return end_gracefully();
            // The writer went idle: large buffers are released so that idle
            // connections stay small; under steady traffic they are reused.
            if (wbuf_.capacity() > 16 * 1024) std::string().swap(wbuf_);
            std::lock_guard<std::mutex> lk(qmu_);
            if (pending_.empty() && pending_.capacity() > 16 * 1024) std::string().swap(pending_);
            return;
        }
        writing_now_ = true;
        asio::async_write(stream_, asio::buffer(wbuf_), task{self_ptr(), op::written});
    }

    void on_written(std::error_code ec) {
        writing_now_ = false;
        if (done_) return;
        if (ec) return finish(ec);
        wbuf_.clear();
        batch_written();
        flush();
    }

    void do_close(std::uint16_t code, const std::string& reason, std::error_code why) {
        if (done_) return;
        if (phase_ != phase::open) return finish(why ? why : make_error_code(error::aborted));
        if (engine_->state() != ws::engine_state::open) return;
        if (engine_->close(code, reason)) engine_->close(ws::close_code::normal);
        if (why && !pending_error_) pending_error_ = why;
        stop_accepting();
        flush_control();
        disarm_timer();
        arm_timer(lim_.close_timeout, error::close_timeout);
    }

    // ---- keep-alive and idle ------------------------------------------------

    void schedule_keepalive() {
        const auto& ka = ctx_->keepalive;
        auto deadline = clock::time_point::max();
        if (lim_.idle_timeout.count() > 0) deadline = last_rx_ + lim_.idle_timeout;
        const bool sends = ka.mode == keepalive_mode::ws_ping ||
                           (ka.mode == keepalive_mode::crlf && client_);
        if (sends && ka.interval.count() > 0) {
            auto t = ping_outstanding_ ? ping_sent_ + ka.pong_timeout
                                       : std::max(last_rx_, ping_sent_) + ka.interval;
            if (t < deadline) deadline = t;
        }
        if (deadline == clock::time_point::max()) return;
        ka_timer_.expires_at(deadline);
        ka_timer_.async_wait(task{self_ptr(), op::keepalive_timer});
    }

    void on_keepalive_timer() {
        if (done_ || phase_ != phase::open || !engine_ ||
            engine_->state() != ws::engine_state::open)
            return;
        const auto now = clock::now();
        const auto& ka = ctx_->keepalive;
        if (lim_.idle_timeout.count() > 0 && now - last_rx_ >= lim_.idle_timeout)
            return do_close(ws::close_code::going_away, "idle timeout", error::idle_timeout);
        const bool sends = ka.mode == keepalive_mode::ws_ping ||
                           (ka.mode == keepalive_mode::crlf && client_);
        if (sends && ping_outstanding_ && now - ping_sent_ >= ka.pong_timeout)
            return finish(error::pong_timeout);
        if (sends && !ping_outstanding_ && now - std::max(last_rx_, ping_sent_) >= ka.interval) {
            ping_outstanding_ = true;
            ping_sent_ = now;
            if (ka.mode == keepalive_mode::ws_ping) {
                engine_->ping();
                flush_control();
            } else {
                std::lock_guard<std::mutex> lk(qmu_);
                append_message_locked(ws::message_type::text, "\r\n\r\n"); // OB5626-KA-a
            }
        }
        schedule_keepalive();
    }

    // ---- end ----------------------------------------------------------------

    /// The closing handshake is over (or failed the connection with a Close
    /// frame) and everything is written: wss sends a TLS close_notify and
    /// waits, within limits::close_timeout, for the peer's (or for it to
    /// close TCP) before closing TCP; ws closes TCP at once.
    void end_gracefully() {
        if constexpr (traits::secure) {
            if (done_ || shutting_down_) return;
            shutting_down_ = true;
            disarm_timer();
            arm_timer(lim_.close_timeout, std::error_code{});
            traits::async_close_notify(stream_, task{self_ptr(), op::tls_shutdown_done});
        } else {
            finish({});
        }
    }

    void finish(std::error_code ec) {
        if (done_) return;
        done_ = true;
        phase_ = phase::done;
        if (!ec) ec = pending_error_;
        std::error_code ig;
        timer_.cancel();
        ka_timer_.cancel();
        auto& sock = traits::lowest(stream_);
        sock.shutdown(asio::ip::tcp::socket::shutdown_both, ig);
        sock.close(ig);
        if (engine_) {
            ci_.code = engine_->close_code_received();
            ci_.sent_code = engine_->close_code_sent();
        }
        ci_.error = ec;
        fail_all_sends(make_error_code(error::flow_failed));
        shs_.reset();
        chs_.reset();
        rbuf_.reset();
        if (connect_done_) connect_done_(ec ? ec : make_error_code(error::flow_failed), flow_id{0});
        if (registered_) {
            registered_ = false;
            ctx_->registry().remove(info_.id, ci_);
            if (ctx_->on_close) ctx_->on_close(info_.id, ci_);
        }
    }

    Stream stream_;
    std::shared_ptr<context_type> ctx_;
    asio::steady_timer timer_;
    asio::steady_timer ka_timer_;
    std::optional<ws::engine> engine_;
    std::unique_ptr<ws::server_handshake> shs_;
    std::unique_ptr<ws::client_handshake> chs_;
    std::unique_ptr<char[]> rbuf_;
    std::size_t rbuf_size_ = 0;
    std::string wbuf_;
    std::string early_;
    connect_completion connect_done_;
    std::unique_ptr<client_start> client_start_;
    std::unique_ptr<limits> next_limits_;  // qmu_
    std::string requested_reason_;         // qmu_
    std::uint16_t requested_code_ = 0;     // qmu_
    bool close_requested_ = false;         // qmu_
    bool response_ok_ = false;
    std::error_code timer_reason_;
    close_info ci_;
    std::error_code pending_error_;
    clock::time_point last_rx_{};
    clock::time_point ping_sent_{};
    int refused_status_ = 0;
    phase phase_ = phase::tls;
    bool done_ = false;
    bool registered_ = false;
    bool close_after_write_ = false;
    bool writing_now_ = false;
    bool nonblocking_ = false;
    bool ping_outstanding_ = false;
    bool shutting_down_ = false;
};

// Not inline: with SIPWS_SEPARATE_COMPILATION, the headers declare its
// instantiations for the default Config extern and <sipws/src.hpp> defines
// them, so a program's files do not instantiate the connection's code.
template <class Stream, class Config>
void basic_connection<Stream, Config>::run_task(op what, std::error_code ec, std::size_t n) {
    on_task(what, ec, n);
}

template <class Config = default_config>
using ws_connection = basic_connection<asio::ip::tcp::socket, Config>;

#ifdef SIPWS_SEPARATE_COMPILATION
SIPWS_DETAIL_CONNECTION_INSTANCE(extern, asio::ip::tcp::socket)
#endif

} // namespace sipws::transport

#endif
