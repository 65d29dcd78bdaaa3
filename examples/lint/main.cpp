// sipws-lint: parse files as SIP messages and report what they are.
//
//   sipws-lint [--json] [--lenient] FILE...   ("-" reads standard input)
//
// One line per file: "FILE: OK request METHOD URI", "FILE: OK response CODE"
// or "FILE: ERROR <reason> at <offset>". With --json, one JSON object per
// line holding the parsed structure. Exit status 0 when every file is OK.

#include <sipws/sip.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace sip = sipws::sip;

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (u < 0x20 || u == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", u);
                out += buf;
            } else {
                out += c; // UTF-8 passes through; other octets as they are
            }
        }
    }
    return out + "\"";
}

std::string json_params(const sip::parameter_list& params) {
    std::string out = "{";
    bool first = true;
    for (const sip::parameter& p : params) {
        if (!first) out += ",";
        first = false;
        out += json_string(p.name) + ":" + (p.has_value ? json_string(p.value) : "true");
    }
    return out + "}";
}

std::string json_name_addr(const sip::name_addr& na) {
    if (na.is_star()) return "\"*\"";
    return "{\"display_name\":" + json_string(na.display_name) + ",\"uri\":" +
           json_string(na.uri_text) + ",\"params\":" + json_params(na.parameters) + "}";
}

std::string to_json(const std::string& file, const sip::message& m) {
    std::string out = "{\"file\":" + json_string(file) + ",\"ok\":true";
    if (m.is_request()) {
        out += ",\"type\":\"request\",\"method\":" + json_string(m.method()) +
               ",\"request_uri\":" + json_string(m.request_uri());
    } else {
        out += ",\"type\":\"response\",\"status\":" + std::to_string(m.status_code()) +
               ",\"reason\":" + json_string(m.reason_phrase());
    }
    out += ",\"via\":[";
    bool first = true;
    for (std::string_view v : m.values(sip::header_id::via)) {
        std::error_code ec;
        sip::via via = sip::parse_via(v, ec);
        if (!first) out += ",";
        first = false;
        if (ec) {
            out += json_string(v);
            continue;
        }
        out += "{\"transport\":" + json_string(via.transport) + ",\"host\":" + json_string(via.host);
        if (via.has_port) out += ",\"port\":" + std::to_string(via.port);
        out += ",\"params\":" + json_params(via.parameters) + "}";
    }
    out += "]";
    if (auto f = m.from()) out += ",\"from\":" + json_name_addr(*f);
    if (auto t = m.to()) out += ",\"to\":" + json_name_addr(*t);
    out += ",\"call_id\":" + json_string(m.call_id());
    if (auto c = m.cseq())
        out += ",\"cseq\":{\"number\":" + std::to_string(c->number) + ",\"method\":" + json_string(c->method) + "}";
    if (auto mf = m.max_forwards()) out += ",\"max_forwards\":" + std::to_string(*mf);
    if (m.has(sip::header_id::contact)) {
        out += ",\"contact\":[";
        first = true;
        for (const sip::name_addr& c : m.contacts()) {
            if (!first) out += ",";
            first = false;
            out += json_name_addr(c);
        }
        out += "]";
    }
    out += ",\"headers\":[";
    for (std::size_t i = 0; i < m.header_count(); ++i) {
        sip::header_field h = m.header(i);
        if (i) out += ",";
        out += "{\"name\":" + json_string(h.name) + ",\"value\":" + json_string(h.value) + "}";
    }
    out += "],\"body_length\":" + std::to_string(m.body().size());
    if (m.surplus()) out += ",\"surplus\":" + std::to_string(m.surplus());
    return out + "}";
}

} // namespace

int main(int argc, char** argv) {
    bool json = false;
    sip::parse_options opt;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--json") json = true;
        else if (a == "--lenient") opt = sip::parse_options::lenient();
        else if (a == "--help" || a == "-h") {
            std::cout << "usage: sipws-lint [--json] [--lenient] FILE... (- for stdin)\n";
            return 0;
        } else files.push_back(a);
    }
    if (files.empty()) {
        std::cerr << "usage: sipws-lint [--json] [--lenient] FILE... (- for stdin)\n";
        return 2;
    }
    bool all_ok = true;
    for (const std::string& f : files) {
        std::string data;
        if (f == "-") {
            data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        } else {
            std::ifstream in(f, std::ios::binary);
            if (!in) {
                all_ok = false;
                if (json)
                    std::cout << "{\"file\":" << json_string(f) << ",\"ok\":false,\"error\":\"cannot open file\"}\n";
                else
                    std::cout << f << ": ERROR cannot open file at 0\n";
                continue;
            }
            std::ostringstream ss;
            ss << in.rdbuf();
            data = ss.str();
        }
        auto r = sip::parse(data, opt);
        if (!r) {
            all_ok = false;
            if (json)
                std::cout << "{\"file\":" << json_string(f) << ",\"ok\":false,\"error\":"
                          << json_string(r.error.what) << ",\"code\":" << json_string(r.error.code.message())
                          << ",\"offset\":" << r.error.offset << "}\n";
            else
                std::cout << f << ": ERROR " << r.error.what << " at " << r.error.offset << "\n";
            continue;
        }
        if (json) std::cout << to_json(f, *r) << "\n";
        else if (r->is_request())
            std::cout << f << ": OK request " << r->method() << " " << r->request_uri() << "\n";
        else
            std::cout << f << ": OK response " << r->status_code() << "\n";
    }
    return all_ok ? 0 : 1;
}
