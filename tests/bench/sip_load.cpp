// sipws-sip-load: a SIP over WebSocket (RFC 7118) load client for comparing
// SIP servers (tests/bench/side_by_side.sh). It shares no code with the
// servers under test: its RFC 6455 client is its own (plain non-blocking
// sockets, one epoll per thread); from sipws it uses only the public SIP
// parser to read what the server sends.
//
//   sipws-sip-load --url ws://127.0.0.1:PORT [--connections C] [--threads T]
//                  [--duration S] [--warmup S] [--domain NAME]
//                  [--mode register|message|idle] [--window W]
//                  [--user-prefix P] [--hold S] [--timeout S]
//                  [--setup-timeout S]
//
// register: each connection REGISTERs its own AOR (sip:P<N>@NAME) in a loop,
//   keeping W transactions outstanding; a transaction is a 2xx.
// message:  connections 2k and 2k+1 are peers; all register once, then each
//   sends MESSAGE to its peer's AOR (W outstanding) and answers the MESSAGEs
//   it receives with 200; a transaction is a MESSAGE relayed to the peer and
//   its 200 relayed back.
// idle:     all register once, print `READY connections=C`, and hold the
//   connections for --hold seconds (0: until SIGTERM/SIGINT).
//
// Transactions completed in the --duration seconds after --warmup are
// counted; latency is from sending the request to its final response. Any
// non-2xx final response or a timeout is an error. The last line is
//   RESULT mode=... connections=... threads=... duration=... transactions=...
//          tps=... p50_us=... p99_us=... errors=...
// Exit status: 0 done, 1 setup failed (cannot connect, handshake or
// register), 2 usage error.
#include <sipws/sip/parser.hpp>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

enum class load_mode { reg, message, idle };

const char* mode_name(load_mode m) {
    return m == load_mode::reg ? "register" : m == load_mode::message ? "message" : "idle";
}

struct settings {
    in_addr addr{};
    unsigned short port = 0;
    std::string host_text = "127.0.0.1";
    std::string path = "/";
    int connections = 1;
    int threads = 1;
    double duration = 10;
    double warmup = 2;
    std::string domain = "sipws.test";
    load_mode mode = load_mode::reg;
    int window = 1;
    std::string prefix = "u";
    double hold = 0;
    double timeout = 5;
    double setup_timeout = 60;
};

// ---- the run's phases, shared by all threads ---------------------------------

enum phase : int { setup = 0, load = 1, drain = 2, closing = 3 };

struct shared_state {
    std::atomic<int> phase{setup};
    std::atomic<int> ready{0};  // connections open (and registered, when the mode wants it)
    std::atomic<int> failed{0};
    std::atomic<std::int64_t> measure_from{0}, measure_to{0}; // steady clock, ns
    std::mutex mu;
    std::string first_failure;

    void fail(const std::string& why) {
        {
            std::lock_guard<std::mutex> lk(mu);
            if (first_failure.empty()) first_failure = why;
        }
        failed.fetch_add(1);
    }
};

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

std::int64_t ns(clock_type::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// ---- small tools --------------------------------------------------------------

/// xorshift64*: masking keys, tags and branches (no security role here).
struct fast_random {
    std::uint64_t s;
    explicit fast_random(std::uint64_t seed) : s(seed | 1) {}
    std::uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1DULL;
    }
};

std::string hex(std::uint64_t v, int digits) {
    static const char d[] = "0123456789abcdef";
    std::string out(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = d[v & 15];
    return out;
}

std::string base64(const unsigned char* p, int n) {
    std::string out(static_cast<std::size_t>(4 * ((n + 2) / 3)) + 1, '\0');
    int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&out[0]), p, n);
    out.resize(static_cast<std::size_t>(len));
    return out;
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

/// An RFC 6455 client frame (always masked) appended to \p out.
void append_frame(std::string& out, unsigned opcode, std::string_view payload, fast_random& rnd) {
    std::size_t n = payload.size();
    // Payload length: 7 bits, or 126/127 and a 16/64-bit extended length.
    int ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
    out.push_back(static_cast<char>(0x80 | opcode));
    out.push_back(static_cast<char>(0x80 | (ext == 0 ? n : ext == 2 ? 126 : 127)));
    for (int i = ext - 1; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    std::uint32_t key = static_cast<std::uint32_t>(rnd.next());
    unsigned char k[4];
    std::memcpy(k, &key, 4);
    out.append(reinterpret_cast<const char*>(k), 4);
    std::size_t at = out.size();
    out.append(payload.data(), n);
    for (std::size_t i = 0; i < n; ++i) out[at + i] = static_cast<char>(out[at + i] ^ static_cast<char>(k[i & 3]));
}

// ---- one connection -------------------------------------------------------------

enum class conn_state { idle, connecting, handshake, open, closing, done };

struct pending {
    std::uint32_t cseq;
    clock_type::time_point sent;
};

struct connection {
    int index = 0;                 // global connection number
    int fd = -1;
    conn_state state = conn_state::idle;
    bool registered = false;
    bool want_write = false;
    std::string in, out;
    std::string accept;            // expected Sec-WebSocket-Accept
    std::string user, peer_user, label, instance, call_id, tag;
    std::uint32_t cseq = 0;
    std::uint64_t messages_sent = 0;
    std::vector<pending> outstanding;
    std::string fragments;
    unsigned fragment_opcode = 0;
    clock_type::time_point deadline{};
};

struct stats {
    std::uint64_t transactions = 0;
    std::uint64_t received_messages = 0;
    std::vector<std::uint32_t> latency_us;
    std::map<std::string, std::uint64_t> errors;
};

// ---- a worker thread: its epoll and its share of the connections -------------

class worker {
public:
    worker(const settings& s, shared_state& g, int id) : s_(s), g_(g), rnd_(std::random_device{}() * 0x9E3779B97F4A7C15ULL + std::uint64_t(id) + 1) {
        ep_ = ::epoll_create1(EPOLL_CLOEXEC);
        for (int i = id; i < s.connections; i += s.threads) {
            connection c;
            c.index = i;
            c.user = s.prefix + std::to_string(i);
            c.peer_user = s.prefix + std::to_string(i ^ 1);
            c.label = hex(rnd_.next(), 12);
            std::uint64_t r = rnd_.next();
            c.instance = "urn:uuid:" + hex(r >> 32, 8) + "-" + hex(r >> 16, 4) + "-4" + hex(r, 3) + "-8" +
                         hex(rnd_.next(), 3) + "-" + hex(static_cast<std::uint64_t>(i), 12);
            c.call_id = hex(rnd_.next(), 16) + "@" + c.label + ".invalid";
            c.tag = hex(rnd_.next(), 10);
            conns_.push_back(std::move(c));
        }
        scratch_.resize(1 << 16);
    }
    ~worker() {
        for (auto& c : conns_)
            if (c.fd >= 0) ::close(c.fd);
        if (ep_ >= 0) ::close(ep_);
    }

    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    std::atomic<long> outstanding{0};
    stats st;
    std::uint64_t unfinished = 0;

    void run() {
        epoll_event evs[256];
        clock_type::time_point last_scan = clock_type::now();
        bool load_started = false, closing_started = false;
        while (true) {
            int n = ::epoll_wait(ep_, evs, 256, 5);
            for (int i = 0; i < n; ++i) on_event(conns_[evs[i].data.u64], evs[i].events);
            auto now = clock_type::now();
            int ph = g_.phase.load(std::memory_order_acquire);
            if (ph == setup) open_more();
            if (ph >= load && !load_started) {
                load_started = true;
                if (ph == load && s_.mode != load_mode::idle)
                    for (auto& c : conns_) fill_window(c);
            }
            if (now - last_scan > 50ms) {
                last_scan = now;
                expire(now);
            }
            if (ph == closing && !closing_started) {
                closing_started = true;
                for (auto& c : conns_) {
                    unfinished += c.outstanding.size();
                    c.outstanding.clear();
                    start_close(c, now);
                }
                outstanding.store(0);
            }
            if (closing_started) {
                bool all_done = true;
                for (auto& c : conns_) {
                    if (c.state == conn_state::closing && now >= c.deadline) finish(c);
                    if (c.state != conn_state::done && c.state != conn_state::idle) all_done = false;
                }
                if (all_done) break;
            }
        }
    }

private:
    const settings& s_;
    shared_state& g_;
    fast_random rnd_;
    int ep_ = -1;
    std::vector<connection> conns_;
    std::vector<char> scratch_;
    std::size_t next_to_open_ = 0;
    int in_setup_ = 0; // connections between connect() and ready
    bool setup_failed_ = false;

    static constexpr int max_in_setup = 64;

    // ---- setup ----

    void open_more() {
        while (!setup_failed_ && in_setup_ < max_in_setup && next_to_open_ < conns_.size()) {
            connection& c = conns_[next_to_open_];
            c.deadline = clock_type::now();
            start_connect(c, next_to_open_);
            ++next_to_open_;
        }
    }

    void setup_failure(connection& c, const std::string& why) {
        if (!setup_failed_) g_.fail("connection " + std::to_string(c.index) + ": " + why);
        setup_failed_ = true;
        finish(c);
    }

    void start_connect(connection& c, std::size_t local) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) return setup_failure(c, std::string("socket: ") + std::strerror(errno));
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c.fd = fd;
        ++in_setup_;
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(s_.port);
        sa.sin_addr = s_.addr;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u64 = local;
        ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
        c.want_write = true;
        c.state = conn_state::connecting;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS)
            return setup_failure(c, "cannot connect to " + s_.host_text + ":" + std::to_string(s_.port) + ": " +
                                        std::strerror(errno));
    }

    void send_upgrade(connection& c) {
        unsigned char key[16];
        for (int i = 0; i < 16; i += 8) {
            std::uint64_t r = rnd_.next();
            std::memcpy(key + i, &r, 8);
        }
        std::string k = base64(key, 16);
        std::string magic = k + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        unsigned char digest[SHA_DIGEST_LENGTH];
        SHA1(reinterpret_cast<const unsigned char*>(magic.data()), magic.size(), digest);
        c.accept = base64(digest, SHA_DIGEST_LENGTH);
        c.out += "GET " + s_.path + " HTTP/1.1\r\nHost: " + s_.host_text + ":" + std::to_string(s_.port) +
                 "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + k +
                 "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
        c.state = conn_state::handshake;
        flush(c);
    }

    /// The server's 101: checks the status, the accept key and the subprotocol.
    bool on_handshake(connection& c) {
        std::size_t end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (c.in.size() > 16384) setup_failure(c, "handshake response too long");
            return false;
        }
        std::string_view head(c.in.data(), end);
        std::size_t eol = head.find("\r\n");
        std::string_view status = head.substr(0, eol);
        if (status.size() < 12 || status.substr(0, 9) != "HTTP/1.1 " || status.substr(9, 3) != "101") {
            setup_failure(c, "handshake refused: " + std::string(status));
            return false;
        }
        bool accept_ok = false, sip_ok = false;
        while (eol != std::string_view::npos) {
            std::size_t b = eol + 2;
            eol = head.find("\r\n", b);
            std::string_view line = head.substr(b, eol == std::string_view::npos ? std::string_view::npos : eol - b);
            std::size_t colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
            if (iequal(name, "Sec-WebSocket-Accept")) accept_ok = value == c.accept;
            if (iequal(name, "Sec-WebSocket-Protocol")) sip_ok = iequal(value, "sip");
        }
        if (!accept_ok || !sip_ok) {
            setup_failure(c, !accept_ok ? "wrong Sec-WebSocket-Accept" : "server did not select subprotocol sip");
            return false;
        }
        c.in.erase(0, end + 4);
        c.state = conn_state::open;
        if (s_.mode == load_mode::reg) {
            ready(c);
        } else {
            send_register(c);
        }
        return true;
    }

    void ready(connection& c) {
        --in_setup_;
        g_.ready.fetch_add(1, std::memory_order_release);
        open_more();
        (void)c;
    }

    // ---- SIP requests ----

    void send_request(connection& c, std::string_view text) {
        append_frame(c.out, 1, text, rnd_);
        c.outstanding.push_back(pending{c.cseq, clock_type::now()});
        outstanding.fetch_add(1, std::memory_order_relaxed);
    }

    std::string via(connection& c) {
        return "Via: SIP/2.0/WS " + c.label + ".invalid;branch=z9hG4bK" + hex(rnd_.next(), 16) + "\r\n";
    }

    void send_register(connection& c) {
        ++c.cseq;
        std::string aor = "sip:" + c.user + "@" + s_.domain;
        std::string r;
        r.reserve(640);
        r += "REGISTER sip:" + s_.domain + " SIP/2.0\r\n";
        r += via(c);
        r += "Max-Forwards: 70\r\nTo: <" + aor + ">\r\nFrom: <" + aor + ">;tag=" + c.tag + "\r\n";
        r += "Call-ID: " + c.call_id + "\r\nCSeq: " + std::to_string(c.cseq) + " REGISTER\r\n";
        r += "Contact: <sip:" + c.user + "@" + c.label + ".invalid;transport=ws;ob>;+sip.instance=\"<" +
             c.instance + ">\";reg-id=1\r\n";
        r += "Expires: 600\r\nSupported: outbound, path\r\nUser-Agent: sipws-sip-load\r\nContent-Length: 0\r\n\r\n";
        send_request(c, r);
    }

    void send_message(connection& c) {
        ++c.cseq;
        ++c.messages_sent;
        std::string body = "load " + c.user + " " + std::to_string(c.messages_sent);
        std::string r;
        r.reserve(640);
        r += "MESSAGE sip:" + c.peer_user + "@" + s_.domain + " SIP/2.0\r\n";
        r += via(c);
        r += "Max-Forwards: 70\r\nTo: <sip:" + c.peer_user + "@" + s_.domain + ">\r\nFrom: <sip:" + c.user + "@" +
             s_.domain + ">;tag=" + c.tag + "\r\n";
        r += "Call-ID: " + hex(rnd_.next(), 16) + "@" + c.label + ".invalid\r\nCSeq: " + std::to_string(c.cseq) +
             " MESSAGE\r\n";
        r += "Content-Type: text/plain\r\nUser-Agent: sipws-sip-load\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
        send_request(c, r);
    }

    void send_next(connection& c) {
        if (s_.mode == load_mode::reg) send_register(c);
        else send_message(c);
    }

    void fill_window(connection& c) {
        if (c.state != conn_state::open) return;
        while (c.outstanding.size() < static_cast<std::size_t>(s_.window)) send_next(c);
        flush(c);
    }

    void error(const std::string& kind) { ++st.errors[kind]; }

    // ---- SIP from the server ----

    void on_sip(connection& c, std::string_view text) {
        namespace sip = sipws::sip;
        auto parsed = sip::parse(text);
        if (!parsed) {
            error("unparsable");
            return;
        }
        const sip::message& m = *parsed;
        if (m.is_request()) return on_request(c, m);
        auto cs = m.cseq();
        if (!cs) return error("unparsable");
        auto it = std::find_if(c.outstanding.begin(), c.outstanding.end(),
                               [&](const pending& p) { return p.cseq == cs->number; });
        if (it == c.outstanding.end()) return; // late answer to a timed-out request, or a retransmission
        unsigned code = m.status_code();
        if (code < 200) return;
        auto now = clock_type::now();
        auto sent = it->sent;
        c.outstanding.erase(it);
        outstanding.fetch_sub(1, std::memory_order_relaxed);
        int ph = g_.phase.load(std::memory_order_relaxed);
        if (ph == setup) {
            if (code >= 300) {
                setup_failure(c, "REGISTER of " + c.user + " got " + std::to_string(code) + " " +
                                     std::string(m.reason_phrase()));
                return;
            }
            c.registered = true;
            ready(c);
            return;
        }
        if (code >= 300) {
            error(std::to_string(code));
        } else {
            std::int64_t t = ns(now);
            if (t >= g_.measure_from.load(std::memory_order_relaxed) &&
                t < g_.measure_to.load(std::memory_order_relaxed)) {
                ++st.transactions;
                st.latency_us.push_back(static_cast<std::uint32_t>(
                    std::chrono::duration_cast<std::chrono::microseconds>(now - sent).count()));
            }
        }
        if (ph == load && s_.mode != load_mode::idle) send_next(c);
    }

    void on_request(connection& c, const sipws::sip::message& m) {
        if (m.method() == "ACK") return;
        auto to = m.to();
        unsigned code = 200;
        if (m.method() == "MESSAGE") {
            ++st.received_messages;
            if (!to || to->uri.user != c.user) error("misrouted");
        } else if (m.method() != "OPTIONS") {
            code = 501;
        }
        std::string r = code == 200 ? "SIP/2.0 200 OK\r\n" : "SIP/2.0 501 Not Implemented\r\n";
        for (std::size_t i = 0; i < m.header_count(); ++i) {
            auto h = m.header(i);
            using sipws::sip::header_id;
            if (h.id == header_id::via || h.id == header_id::from || h.id == header_id::call_id ||
                h.id == header_id::cseq) {
                r.append(h.name.data(), h.name.size()) += ": ";
                r.append(h.value.data(), h.value.size()) += "\r\n";
            } else if (h.id == header_id::to) {
                r += "To: ";
                r.append(h.value.data(), h.value.size());
                if (to && !to->has_tag()) r += ";tag=" + c.tag;
                r += "\r\n";
            }
        }
        r += "Content-Length: 0\r\n\r\n";
        append_frame(c.out, 1, r, rnd_);
    }

    /// Requests without a final response after --timeout are errors; the
    /// window is refilled.
    void expire(clock_type::time_point now) {
        auto limit = std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s_.timeout));
        int ph = g_.phase.load(std::memory_order_relaxed);
        for (auto& c : conns_) {
            if (ph == setup && c.state != conn_state::idle && c.state != conn_state::done && !c.registered &&
                c.outstanding.empty() && now - c.deadline > limit && c.state != conn_state::open) {
                setup_failure(c, "no WebSocket handshake within the timeout");
                continue;
            }
            std::size_t before = c.outstanding.size();
            c.outstanding.erase(std::remove_if(c.outstanding.begin(), c.outstanding.end(),
                                               [&](const pending& p) { return now - p.sent > limit; }),
                                c.outstanding.end());
            std::size_t gone = before - c.outstanding.size();
            if (gone == 0) continue;
            outstanding.fetch_sub(static_cast<long>(gone), std::memory_order_relaxed);
            if (ph == setup) {
                setup_failure(c, "no answer to REGISTER of " + c.user);
                continue;
            }
            st.errors["timeout"] += gone;
            if (ph == load) fill_window(c);
        }
    }

    // ---- WebSocket frames ----

    void on_event(connection& c, std::uint32_t events) {
        if (c.state == conn_state::done || c.fd < 0) return;
        if (c.state == conn_state::connecting) {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0)
                return setup_failure(c, "cannot connect to " + s_.host_text + ":" + std::to_string(s_.port) +
                                            ": " + std::strerror(err));
            if (!(events & EPOLLOUT)) return;
            send_upgrade(c);
            return;
        }
        if (events & EPOLLOUT) flush(c);
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_some(c);
    }

    void read_some(connection& c) {
        while (c.fd >= 0) {
            ssize_t n = ::recv(c.fd, scratch_.data(), scratch_.size(), 0);
            if (n > 0) {
                c.in.append(scratch_.data(), static_cast<std::size_t>(n));
                if (static_cast<std::size_t>(n) < scratch_.size()) break;
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n < 0 && errno == EINTR) continue;
            // EOF or error
            lost(c, n == 0 ? "connection closed by the server" : std::strerror(errno));
            return;
        }
        if (c.state == conn_state::handshake && !on_handshake(c)) return;
        if (c.state == conn_state::open || c.state == conn_state::closing) parse_frames(c);
        if (c.fd >= 0) flush(c);
    }

    void lost(connection& c, const std::string& why) {
        int ph = g_.phase.load(std::memory_order_relaxed);
        if (c.state == conn_state::closing) return finish(c);
        if (ph == setup && !(s_.mode == load_mode::reg ? c.state == conn_state::open : c.registered))
            return setup_failure(c, why);
        if (ph != closing) error("connection lost");
        outstanding.fetch_sub(static_cast<long>(c.outstanding.size()), std::memory_order_relaxed);
        c.outstanding.clear();
        finish(c);
    }

    void parse_frames(connection& c) {
        std::size_t pos = 0;
        const std::string& b = c.in;
        while (c.fd >= 0) {
            std::size_t avail = b.size() - pos;
            if (avail < 2) break;
            auto b0 = static_cast<unsigned char>(b[pos]), b1 = static_cast<unsigned char>(b[pos + 1]);
            bool fin = b0 & 0x80;
            unsigned op = b0 & 0x0f;
            if (b1 & 0x80) return protocol_error(c, "masked frame from the server");
            unsigned len7 = b1 & 0x7f;
            std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0, hdr = 2 + ext;
            if (avail < hdr) break;
            std::uint64_t len = ext == 0 ? len7 : 0;
            for (std::size_t i = 0; i < ext; ++i) len = (len << 8) | static_cast<unsigned char>(b[pos + 2 + i]);
            if (len > (16u << 20)) return protocol_error(c, "frame larger than 16 MiB");
            if (avail < hdr + len) break;
            std::string_view payload(b.data() + pos + hdr, static_cast<std::size_t>(len));
            pos += hdr + static_cast<std::size_t>(len);
            switch (op) {
            case 0x0:
                if (c.fragment_opcode == 0) return protocol_error(c, "continuation without a first frame");
                c.fragments.append(payload.data(), payload.size());
                if (fin) {
                    std::string whole;
                    whole.swap(c.fragments);
                    c.fragment_opcode = 0;
                    on_sip(c, whole);
                }
                break;
            case 0x1:
            case 0x2:
                if (c.fragment_opcode != 0) return protocol_error(c, "new message inside a fragmented one");
                if (fin) {
                    on_sip(c, payload);
                } else {
                    c.fragment_opcode = op;
                    c.fragments.assign(payload.data(), payload.size());
                }
                break;
            case 0x8:
                if (c.state != conn_state::closing) {
                    // The server closes first: answer with the same code, then go.
                    if (g_.phase.load(std::memory_order_relaxed) != closing) error("closed by the server");
                    append_frame(c.out, 0x8, payload.substr(0, std::min<std::size_t>(2, payload.size())), rnd_);
                    flush(c);
                    outstanding.fetch_sub(static_cast<long>(c.outstanding.size()), std::memory_order_relaxed);
                    c.outstanding.clear();
                }
                return finish(c);
            case 0x9:
                append_frame(c.out, 0xA, payload, rnd_);
                break;
            case 0xA:
                break;
            default:
                return protocol_error(c, "unknown opcode");
            }
        }
        if (c.fd >= 0) c.in.erase(0, pos);
    }

    void protocol_error(connection& c, const char* what) {
        if (g_.phase.load(std::memory_order_relaxed) == setup && !c.registered) return setup_failure(c, what);
        error(std::string("protocol: ") + what);
        finish(c);
    }

    // ---- output and closing ----

    void flush(connection& c) {
        std::size_t off = 0;
        while (off < c.out.size()) {
            ssize_t n = ::send(c.fd, c.out.data() + off, c.out.size() - off, MSG_NOSIGNAL);
            if (n > 0) {
                off += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            c.out.clear();
            return lost(c, std::strerror(errno));
        }
        c.out.erase(0, off);
        bool want = !c.out.empty();
        if (want != c.want_write) {
            c.want_write = want;
            epoll_event ev{};
            ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
            ev.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
            ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
        }
    }

    /// Sends a close frame (1000) and gives the server a second to answer.
    void start_close(connection& c, clock_type::time_point now) {
        if (c.state == conn_state::open) {
            const char code[2] = {static_cast<char>(1000 >> 8), static_cast<char>(1000 & 0xff)};
            append_frame(c.out, 0x8, std::string_view(code, 2), rnd_);
            c.state = conn_state::closing;
            c.deadline = now + 1s;
            flush(c);
        } else if (c.state != conn_state::done && c.state != conn_state::closing) {
            finish(c);
        }
    }

    void finish(connection& c) {
        if (c.fd >= 0) {
            ::epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
            ::close(c.fd);
            c.fd = -1;
        }
        c.state = conn_state::done;
    }
};

// ---- options ---------------------------------------------------------------------

void usage(const char* why) {
    if (why) std::fprintf(stderr, "sipws-sip-load: %s\n", why);
    std::fprintf(why ? stderr : stdout,
                 "usage: sipws-sip-load (--url ws://127.0.0.1:PORT[/PATH] | --port PORT)\n"
                 "         [--connections C] [--threads T] [--duration S] [--warmup S]\n"
                 "         [--domain NAME] [--mode register|message|idle] [--window W]\n"
                 "         [--user-prefix P] [--hold S] [--timeout S] [--setup-timeout S]\n");
}

bool to_number(const std::string& v, double& out, double lo, double hi) {
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || errno != 0 || !(d >= lo && d <= hi)) return false;
    out = d;
    return true;
}

bool to_int(const std::string& v, int& out, int lo, int hi) {
    double d = 0;
    if (!to_number(v, d, lo, hi) || d != static_cast<double>(static_cast<int>(d))) return false;
    out = static_cast<int>(d);
    return true;
}

/// ws://IPV4:PORT[/PATH]
bool parse_url(const std::string& url, settings& s) {
    if (url.compare(0, 5, "ws://") != 0) return false;
    std::string rest = url.substr(5);
    std::size_t slash = rest.find('/');
    std::string hostport = rest.substr(0, slash);
    s.path = slash == std::string::npos ? "/" : rest.substr(slash);
    std::size_t colon = hostport.rfind(':');
    if (colon == std::string::npos) return false;
    s.host_text = hostport.substr(0, colon);
    int port = 0;
    if (!to_int(hostport.substr(colon + 1), port, 1, 65535)) return false;
    s.port = static_cast<unsigned short>(port);
    return ::inet_pton(AF_INET, s.host_text.c_str(), &s.addr) == 1;
}

int parse_options(int argc, char** argv, settings& s) {
    bool have_url = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") return usage(nullptr), 0;
        if (i + 1 >= argc) return usage((a + " needs a value").c_str()), 2;
        std::string v = argv[++i];
        bool ok = true;
        if (a == "--url") ok = have_url = parse_url(v, s);
        else if (a == "--port") ok = have_url = parse_url("ws://127.0.0.1:" + v, s);
        else if (a == "--connections") ok = to_int(v, s.connections, 1, 1000000);
        else if (a == "--threads") ok = to_int(v, s.threads, 1, 256);
        else if (a == "--duration") ok = to_number(v, s.duration, 0.1, 86400);
        else if (a == "--warmup") ok = to_number(v, s.warmup, 0, 86400);
        else if (a == "--domain") ok = !(s.domain = v).empty();
        else if (a == "--window") ok = to_int(v, s.window, 1, 10000);
        else if (a == "--user-prefix") ok = !(s.prefix = v).empty();
        else if (a == "--hold") ok = to_number(v, s.hold, 0, 1e9);
        else if (a == "--timeout") ok = to_number(v, s.timeout, 0.01, 3600);
        else if (a == "--setup-timeout") ok = to_number(v, s.setup_timeout, 0.1, 3600);
        else if (a == "--mode") {
            if (v == "register") s.mode = load_mode::reg;
            else if (v == "message") s.mode = load_mode::message;
            else if (v == "idle") s.mode = load_mode::idle;
            else ok = false;
        } else {
            return usage(("unknown option " + a).c_str()), 2;
        }
        if (!ok) return usage(("bad value for " + a + ": " + v).c_str()), 2;
    }
    if (!have_url) return usage("--url or --port is required"), 2;
    if (s.mode == load_mode::message && s.connections % 2 != 0)
        return usage("--mode message needs an even number of connections (pairs)"), 2;
    s.threads = std::min(s.threads, s.connections);
    return -1;
}

void raise_file_limit(int connections) {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < static_cast<rlim_t>(connections) + 64)
        std::fprintf(stderr, "sipws-sip-load: warning: only %llu file descriptors for %d connections\n",
                     static_cast<unsigned long long>(rl.rlim_cur), connections);
}

std::uint32_t percentile(std::vector<std::uint32_t>& v, double p) {
    if (v.empty()) return 0;
    auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

bool sleep_until(clock_type::time_point t) {
    while (clock_type::now() < t) {
        if (g_stop) return false;
        std::this_thread::sleep_for(std::min<clock_type::duration>(20ms, t - clock_type::now()));
    }
    return !g_stop;
}

} // namespace

int main(int argc, char** argv) {
    settings s;
    int rc = parse_options(argc, argv, s);
    if (rc >= 0) return rc;
    raise_file_limit(s.connections);
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    shared_state g;
    std::vector<std::unique_ptr<worker>> workers;
    for (int t = 0; t < s.threads; ++t) workers.push_back(std::make_unique<worker>(s, g, t));
    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
    auto stop_all = [&] {
        g.phase.store(closing, std::memory_order_release);
        for (auto& t : threads) t.join();
    };

    // Setup: every connection open (and registered for message/idle).
    auto setup_start = clock_type::now();
    auto setup_limit = setup_start + std::chrono::duration_cast<clock_type::duration>(
                                         std::chrono::duration<double>(s.setup_timeout));
    while (g.ready.load(std::memory_order_acquire) < s.connections && g.failed.load() == 0 && !g_stop &&
           clock_type::now() < setup_limit)
        std::this_thread::sleep_for(5ms);
    int ready = g.ready.load();
    if (ready < s.connections) {
        stop_all();
        std::string why;
        {
            std::lock_guard<std::mutex> lk(g.mu);
            why = g.first_failure;
        }
        if (why.empty()) why = g_stop ? "interrupted" : "setup timed out";
        std::fprintf(stderr, "sipws-sip-load: setup failed after %d of %d connections: %s\n", ready,
                     s.connections, why.c_str());
        return 1;
    }
    double setup_s = std::chrono::duration<double>(clock_type::now() - setup_start).count();

    if (s.mode == load_mode::idle) {
        std::printf("READY connections=%d setup_s=%.2f\n", s.connections, setup_s);
        std::fflush(stdout);
        g.phase.store(load, std::memory_order_release);
        if (s.hold > 0)
            sleep_until(clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                                std::chrono::duration<double>(s.hold)));
        else
            while (!g_stop) std::this_thread::sleep_for(20ms);
        stop_all();
        std::map<std::string, std::uint64_t> errors;
        for (auto& w : workers)
            for (auto& e : w->st.errors) errors[e.first] += e.second;
        std::uint64_t total = 0;
        std::string list;
        for (auto& e : errors) total += e.second, list += " " + e.first + "=" + std::to_string(e.second);
        std::printf("sipws-sip-load: held %d registered connections;%s\n", s.connections,
                    total ? (" errors" + list).c_str() : " no errors");
        std::printf("RESULT mode=idle connections=%d threads=%d setup_s=%.2f errors=%llu\n", s.connections,
                    s.threads, setup_s, static_cast<unsigned long long>(total));
        return 0;
    }

    auto start = clock_type::now();
    auto from = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s.warmup));
    auto to = from + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s.duration));
    g.measure_from.store(ns(from));
    g.measure_to.store(ns(to));
    g.phase.store(load, std::memory_order_release);
    bool interrupted = !sleep_until(to);
    auto end = std::min(clock_type::now(), to);
    g.phase.store(drain, std::memory_order_release);
    // Drain: let the last requests finish (at most the timeout, at most 2 s).
    auto drain_limit = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                               std::chrono::duration<double>(std::min(s.timeout, 2.0)));
    while (clock_type::now() < drain_limit) {
        long left = 0;
        for (auto& w : workers) left += w->outstanding.load(std::memory_order_relaxed);
        if (left <= 0) break;
        std::this_thread::sleep_for(2ms);
    }
    stop_all();

    double measured = std::max(0.0, std::chrono::duration<double>(end - from).count());
    std::uint64_t transactions = 0, unfinished = 0, received = 0;
    std::vector<std::uint32_t> lat;
    std::map<std::string, std::uint64_t> errors;
    for (auto& w : workers) {
        transactions += w->st.transactions;
        unfinished += w->unfinished;
        received += w->st.received_messages;
        lat.insert(lat.end(), w->st.latency_us.begin(), w->st.latency_us.end());
        for (auto& e : w->st.errors) errors[e.first] += e.second;
    }
    std::uint64_t error_total = 0;
    std::string error_list;
    for (auto& e : errors) {
        error_total += e.second;
        error_list += " " + e.first + "=" + std::to_string(e.second);
    }
    double tps = measured > 0 ? static_cast<double>(transactions) / measured : 0;
    std::uint32_t p50 = percentile(lat, 0.50), p90 = percentile(lat, 0.90), p99 = percentile(lat, 0.99);
    std::uint32_t max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());

    std::printf("sipws-sip-load: %s, ws://%s:%u%s, %d connections on %d threads, window %d%s\n", mode_name(s.mode),
                s.host_text.c_str(), s.port, s.path.c_str(), s.connections, s.threads, s.window,
                interrupted ? " (interrupted)" : "");
    std::printf("  setup %.2f s, warmup %.1f s, measured %.2f s\n", setup_s, s.warmup, measured);
    std::printf("  %llu %s in the measured time: %.0f/s\n", static_cast<unsigned long long>(transactions),
                s.mode == load_mode::reg ? "REGISTER transactions" : "MESSAGEs relayed and answered", tps);
    std::printf("  latency us: p50 %u  p90 %u  p99 %u  max %u\n", p50, p90, p99, max);
    if (s.mode == load_mode::message)
        std::printf("  MESSAGEs received and answered (whole run): %llu\n", static_cast<unsigned long long>(received));
    std::printf("  errors:%s; unanswered at the end: %llu\n", error_total ? error_list.c_str() : " none",
                static_cast<unsigned long long>(unfinished));
    std::printf("RESULT mode=%s connections=%d threads=%d window=%d duration=%.1f transactions=%llu tps=%.0f "
                "p50_us=%u p99_us=%u errors=%llu\n",
                mode_name(s.mode), s.connections, s.threads, s.window, measured,
                static_cast<unsigned long long>(transactions), tps, p50, p99,
                static_cast<unsigned long long>(error_total));
    return 0;
}
