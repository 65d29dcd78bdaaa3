// A WebSocket SIP server played by the test: a ws listener on 127.0.0.1
// whose answers the test chooses (e.g. 439 or 503 to a REGISTER), keeping
// every request it received as sent on the wire.
#ifndef SIPWS_TESTS_SCRIPTED_REGISTRAR_HPP
#define SIPWS_TESTS_SCRIPTED_REGISTRAR_HPP

#include <sipws/sip/parser.hpp>
#include <sipws/sip/response.hpp>

#include "integration/transport_support.hpp"

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace sipws::test {

class scripted_registrar {
public:
    /// The response to send to \p req, the \p n-th request (0-based); ""
    /// sends nothing.
    using answer_fn = std::function<std::string(const sip::message& req, std::size_t n)>;

    explicit scripted_registrar(answer_fn answer) : answer_(std::move(answer)), listener_(run_.io) {
        listener_.on_message([this](tr::flow_id f, ws::message_type, std::string_view bytes) {
            const std::string text(bytes);
            auto m = sip::parse(text);
            if (!m || !m->is_request()) return;
            std::size_t n;
            {
                std::lock_guard<std::mutex> lk(mu_);
                n = requests_.size();
                requests_.push_back(text);
            }
            const std::string rsp = answer_(*m, n);
            if (!rsp.empty()) listener_.registry().send(f, rsp);
        });
        if (listener_.listen(loopback())) throw std::runtime_error("scripted_registrar: cannot listen");
        listener_.start();
    }

    unsigned short port() const { return listener_.local_endpoint().port(); }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()); }

    /// The requests received so far, as sent.
    std::vector<std::string> requests() {
        std::lock_guard<std::mutex> lk(mu_);
        return requests_;
    }
    std::size_t request_count() {
        std::lock_guard<std::mutex> lk(mu_);
        return requests_.size();
    }

    /// \p code to \p req with a To tag and \p extra rows ("Name: value\r\n").
    static std::string respond(const sip::message& req, unsigned code, const std::string& extra = {}) {
        sip::response_options ro;
        ro.to_tag = "scripted";
        ro.extra_headers = extra;
        return sip::make_response(req, code, {}, ro);
    }

    /// A 200 that binds the request's Contact for \p expires seconds.
    static std::string accept_register(const sip::message& req, unsigned expires = 600,
                                       const std::string& extra = {}) {
        std::string contact;
        for (auto v : req.values(sip::header_id::contact)) contact = std::string(v);
        const auto e = contact.find(";expires=");
        if (e != std::string::npos) contact.erase(e);
        return respond(req, 200, "Contact: " + contact + ";expires=" + std::to_string(expires) + "\r\n" + extra);
    }

private:
    answer_fn answer_;
    std::mutex mu_;
    std::vector<std::string> requests_;
    io_runner run_{1};
    tr::ws_listener<> listener_;
};

} // namespace sipws::test

#endif
