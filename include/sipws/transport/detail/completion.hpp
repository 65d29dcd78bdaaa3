// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_DETAIL_COMPLETION_HPP
#define SIPWS_TRANSPORT_DETAIL_COMPLETION_HPP

/// \file
/// A type-erased, move-only completion handler that is invoked on its own
/// associated executor (callbacks, use_future, use_awaitable alike).

#include <asio/associated_executor.hpp>
#include <asio/any_io_executor.hpp>
#include <asio/post.hpp>

#include <memory>
#include <system_error>
#include <tuple>
#include <utility>

namespace sipws::transport::detail {

template <class... Args> class completion {
public:
    completion() = default;

    template <class Handler>
    completion(Handler&& h, const asio::any_io_executor& fallback)
        : p_(new impl<std::decay_t<Handler>>(std::forward<Handler>(h), fallback)) {}

    explicit operator bool() const noexcept { return p_ != nullptr; }

    /// Posts the handler with \p args to its associated executor.
    void operator()(Args... args) {
        auto p = std::move(p_);
        if (p) p->post(std::move(args)...);
    }

private:
    struct base {
        virtual ~base() = default;
        virtual void post(Args... args) = 0;
    };
    template <class H> struct impl final : base {
        impl(H&& h, const asio::any_io_executor& ex) : handler(std::move(h)), fallback(ex) {}
        impl(const H& h, const asio::any_io_executor& ex) : handler(h), fallback(ex) {}
        void post(Args... args) override {
            auto ex = asio::get_associated_executor(handler, fallback);
            asio::post(ex, [h = std::move(handler), t = std::make_tuple(std::move(args)...)]() mutable {
                std::apply(std::move(h), std::move(t));
            });
        }
        H handler;
        asio::any_io_executor fallback;
    };
    std::unique_ptr<base> p_;
};

} // namespace sipws::transport::detail

#endif
