// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_RETARGET_HPP
#define SIPWS_RFC7118_RETARGET_HPP

/// \file
/// An authoritative proxy sending a request to the registered contacts of
/// an AOR or a GRUU (RFC 3261 section 16.5/16.6 with RFC 5626 section 7,
/// RFC 3327 section 5.4 and RFC 5627 section 6.1):
///
/// - target_set chooses the bindings: at most one per (AOR, instance-id)
///   at a time, the most recently refreshed first (OB5626-7-a,
///   GR5627-6.1-b). After a `430 Flow Failed` or a `408` from one, the next
///   binding of the same instance (another reg-id) may be tried; after any
///   other final response none of that instance is. A binding without an
///   instance is a target of its own.
/// - retarget() rewrites the request for one binding: the Request-URI
///   becomes the registered contact and the binding's stored Path is
///   pre-loaded as Route values ahead of the Route values still in the
///   request (PA3327-5.4-a), except for a GRUU-targeted request that still
///   has Route values of others (mid-dialog), which ignores the Path
///   (GR5627-6.1-c). The Request-URI of a GRUU is replaced by the contact,
///   so `gr` is not carried over (GR5627-6.1-a).
/// - record_route_to() tells whether the terminating proxy record-routes
///   an initial dialog-forming request sent to a binding: when the
///   binding's instance has GRUUs (it has an instance-id) and its
///   registration a Path (GR5627-6.2-b), or always for a proxy that must
///   stay on the path anyway (an Outbound edge whose flows carry the
///   dialog, RFC 5626 section 5.3).
///
/// \code
///   target_set targets(store.lookup(aor, now));
///   for (const binding& b : targets.initial()) {
///       sip::message_builder out(req);
///       retarget(out, req, b, own_routes);
///       send(b, out.str());
///   }
///   // a final response `status` from b:
///   if (auto next = targets.after_final(b, status)) ... // try *next the same way
/// \endcode

#include <sipws/rfc7118/binding_store.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/message_builder.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipws::rfc7118 {

class target_set {
public:
    /// \p bindings as binding_store::lookup() returns them (live, most
    /// recently refreshed first); all of one AOR or one GRUU.
    explicit target_set(std::vector<binding> bindings) : bindings_(std::move(bindings)) {
        tried_.assign(bindings_.size(), false);
    }

    /// The bindings to send to now: for each instance the most recently
    /// refreshed binding, and each binding without an instance. Each is
    /// marked as tried.
    std::vector<binding> initial() {
        std::vector<binding> out;
        for (std::size_t i = 0; i < bindings_.size(); ++i) {
            bool first_of_instance = true;
            for (std::size_t k = 0; k < i && first_of_instance; ++k)
                first_of_instance = !same_instance(bindings_[k], bindings_[i]);
            if (!first_of_instance) continue;
            tried_[i] = true;
            out.push_back(bindings_[i]);
        }
        return out;
    }

    /// \p target answered with the final response \p status: the next
    /// binding of its instance to try (marked as tried), or nullopt when
    /// the status forbids a retry or none is left.
    std::optional<binding> after_final(const binding& target, unsigned status) {
        if (target.instance.empty()) return std::nullopt;
        const bool retry = status == 430 || status == 408;
        for (std::size_t i = 0; i < bindings_.size(); ++i) {
            if (tried_[i] || !same_instance(bindings_[i], target)) continue;
            tried_[i] = true; // after another final response: never tried
            if (retry) return bindings_[i];
        }
        return std::nullopt;
    }

    std::size_t size() const noexcept { return bindings_.size(); }

private:
    static bool same_instance(const binding& a, const binding& b) {
        return !a.instance.empty() && a.aor == b.aor && a.instance == b.instance;
    }

    std::vector<binding> bindings_;
    std::vector<bool> tried_;
};

/// Rewrites the request \p b builds from \p req for \p target: Request-URI
/// = the registered contact; the first \p own_routes Route values (those
/// naming this proxy) removed; the stored Path pre-loaded ahead of the
/// remaining Route values, unless \p gruu_target and Route values remain
/// (see the file comment).
inline void retarget(sip::message_builder& b, const sip::message& req, const binding& target,
                     std::size_t own_routes, bool gruu_target = false) {
    b.set_request_uri(target.contact);
    std::vector<std::string> rest;
    std::size_t k = 0;
    for (const sip::name_addr& r : req.routes())
        if (k++ >= own_routes) rest.emplace_back(r.raw);
    std::string route;
    auto add = [&route](const std::string& v) {
        if (!route.empty()) route += ", ";
        route += v;
    };
    if (!(gruu_target && !rest.empty()))
        for (const std::string& p : target.path) add(p); // PA3327-5.4-a
    for (const std::string& r : rest) add(r);
    if (route.empty()) b.remove_header(sip::header_id::route);
    else b.set_header(sip::header_id::route, route);
}

/// Methods whose initial request forms a dialog (RFC 3261 12, RFC 3265,
/// RFC 3515): INVITE, SUBSCRIBE, REFER and an out-of-dialog NOTIFY.
inline bool dialog_forming(std::string_view method) {
    return method == "INVITE" || method == "SUBSCRIBE" || method == "REFER" || method == "NOTIFY";
}

/// Whether \p req, sent to \p target, is record-routed (see the file
/// comment): an initial (no To tag) dialog-forming request to an instance
/// bound to GRUUs whose registration has a Path (GR5627-6.2-b), or to any
/// target when \p stays_on_path.
inline bool record_route_to(const sip::message& req, const binding& target, bool stays_on_path) {
    auto to = req.to();
    if (!dialog_forming(req.method()) || (to && to->has_tag())) return false;
    return stays_on_path || (!target.instance.empty() && !target.path.empty());
}

} // namespace sipws::rfc7118

#endif
