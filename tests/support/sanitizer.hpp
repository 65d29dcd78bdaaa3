// Test-side: SIPWS_TEST_ASAN is defined when the tests are built with
// AddressSanitizer (GCC's __SANITIZE_ADDRESS__ or Clang's feature test), for
// tests that size themselves down or measure memory differently under it.
#ifndef SIPWS_TEST_SUPPORT_SANITIZER_HPP
#define SIPWS_TEST_SUPPORT_SANITIZER_HPP

#if defined(__SANITIZE_ADDRESS__)
#define SIPWS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIPWS_TEST_ASAN 1
#endif
#endif

#endif
