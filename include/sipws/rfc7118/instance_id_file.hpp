// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_INSTANCE_ID_FILE_HPP
#define SIPWS_RFC7118_INSTANCE_ID_FILE_HPP

/// \file
/// Keeps a UA's instance-id in a file so that it survives restarts
/// (OB5626-4.1-a, WS7118-B.1-c): the first call creates the file with a
/// fresh `urn:uuid:` URN, later calls read it back unchanged.
///
/// The file holds the URN and a line feed. Creation is atomic: the URN is
/// written to a temporary file that is then hard-linked into place, so two
/// processes starting together agree on one instance-id and nobody ever
/// reads a half-written file. A file that exists but does not hold a URN is
/// an error, never overwritten. POSIX only (open, link, unlink).

#include <sipws/rfc7118/instance_id.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace sipws::rfc7118 {

namespace detail {

inline bool read_small_file(const std::string& path, std::string& out, std::error_code& ec) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ec.assign(errno, std::generic_category());
        return false;
    }
    char buf[512];
    out.clear();
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            ec.assign(errno, std::generic_category());
            ::close(fd);
            return false;
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > 4096) break; // no instance-id is that long
    }
    ::close(fd);
    return true;
}

inline bool write_new_file(const std::string& path, const std::string& data, std::error_code& ec) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        ec.assign(errno, std::generic_category());
        return false;
    }
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            ec.assign(errno, std::generic_category());
            ::close(fd);
            ::unlink(path.c_str());
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ec.assign(errno, std::generic_category());
        ::unlink(path.c_str());
        return false;
    }
    return true;
}

/// The URN in the text of an instance-id file, or "" when it holds none.
inline std::string instance_id_from_file_text(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                             text.back() == '\t'))
        text.pop_back();
    if (text.find('\n') != std::string::npos) return {};
    if (sip_instance_value(text).empty() || text.size() < 5 ||
        !sipws::rfc7118::detail::iequals(std::string_view(text).substr(0, 4), "urn:"))
        return {};
    return text;
}

} // namespace detail

/// The instance-id stored in \p path, creating the file with a fresh one
/// when it does not exist. On failure returns "" and sets \p ec (an errno
/// value, or std::errc::invalid_argument for a file that holds no URN).
inline std::string load_or_create_instance_id(const std::string& path, std::error_code& ec) {
    ec.clear();
    if (path.empty()) {
        ec = std::make_error_code(std::errc::invalid_argument);
        return {};
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::string text;
        if (detail::read_small_file(path, text, ec)) {
            std::string urn = detail::instance_id_from_file_text(std::move(text));
            if (urn.empty()) ec = std::make_error_code(std::errc::invalid_argument);
            return urn;
        }
        if (ec != std::errc::no_such_file_or_directory) return {};
        ec.clear();
        std::string urn = make_instance_id();
        std::string tmp = path + ".tmp-" + crypto::random_token(8);
        if (!detail::write_new_file(tmp, urn + "\n", ec)) return {};
        int rc = ::link(tmp.c_str(), path.c_str());
        int link_errno = errno;
        ::unlink(tmp.c_str());
        if (rc == 0) return urn;
        if (link_errno != EEXIST) {
            ec.assign(link_errno, std::generic_category());
            return {};
        }
        // Another process created it first: read theirs.
    }
    ec = std::make_error_code(std::errc::resource_unavailable_try_again);
    return {};
}

} // namespace sipws::rfc7118

#endif
