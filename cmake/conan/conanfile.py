import os
import re

from conan import ConanFile
from conan.tools.cmake import CMake, cmake_layout
from conan.tools.files import copy, load


class SipwsConan(ConanFile):
    name = "sipws"
    description = ("SIP over WebSocket (RFC 7118) for C++17: header-only WebSocket transport, "
                   "SIP parser and RFC 7118 policies on standalone Asio and OpenSSL.")
    license = "BSL-1.0"
    url = "https://github.com/sipws/sipws"
    homepage = "https://github.com/sipws/sipws"
    topics = ("sip", "websocket", "rfc7118", "voip", "asio", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    # zlib only serves permessage-deflate (RFC 7692), an opt-in policy
    options = {"with_zlib": [True, False]}
    default_options = {"with_zlib": True}
    exports_sources = "CMakeLists.txt", "include/*", "cmake/*", "LICENSE"
    no_copy_source = True

    def set_version(self):
        # The version lives in include/sipws/version.hpp only.
        root = os.path.join(self.recipe_folder, "..", "..")
        if not os.path.exists(os.path.join(root, "include")):
            root = self.recipe_folder
        text = load(self, os.path.join(root, "include", "sipws", "version.hpp"))
        parts = [re.search(r"#define SIPWS_VERSION_%s (\d+)" % p, text).group(1)
                 for p in ("MAJOR", "MINOR", "PATCH")]
        self.version = ".".join(parts)

    def export_sources(self):
        root = os.path.join(self.recipe_folder, "..", "..")
        for pattern in ("CMakeLists.txt", "include/*", "cmake/*", "LICENSE"):
            copy(self, pattern, root, self.export_sources_folder)

    def requirements(self):
        self.requires("asio/[>=1.18 <2]")
        self.requires("openssl/[>=1.1.1 <4]")
        if self.options.with_zlib:
            self.requires("zlib/[>=1.2.11 <2]")

    def package_id(self):
        self.info.clear()

    def layout(self):
        cmake_layout(self)

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"),
             os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "sipws")
        self.cpp_info.set_property("cmake_target_name", "sipws::sipws")
        self.cpp_info.set_property("pkg_config_name", "sipws")
        self.cpp_info.defines = ["ASIO_STANDALONE"]
        self.cpp_info.requires = ["asio::asio", "openssl::ssl", "openssl::crypto"]
        if self.options.with_zlib:
            self.cpp_info.defines.append("SIPWS_HAS_ZLIB=1")
            self.cpp_info.requires.append("zlib::zlib")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
