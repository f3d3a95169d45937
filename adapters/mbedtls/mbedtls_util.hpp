// Small helpers every Mbed TLS adapter file needs: the one way a refused setting becomes a
// ConfigRejected, the library's error text, and the random generator Mbed TLS asks for.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tlsmatrix::mbedtls_adapter {

// Refuses `setting` of the endpoint configuration; the driver reports the message verbatim.
[[noreturn]] void reject(std::string_view setting, std::string_view why);
// Rejects `setting` with the library's own error text when `ret` is an Mbed TLS error code.
void require_ok(int ret, std::string_view setting, std::string_view doing);
// Throws std::runtime_error when `ret` is an error: the library failed at something no setting
// asked for, which is not a refusal.
void require_library(int ret, std::string_view doing);

// mbedtls_strerror() of `ret`, with the code.
std::string error_text(int ret);

// The f_rng Mbed TLS 3.6 takes: PSA's generator, initialised by library_init().
int random_bytes(void* unused, unsigned char* out, std::size_t length);

// psa_crypto_init() once per process: TLS 1.3 in Mbed TLS 3.6 runs on PSA.
void library_init();
// The release the linked library reports at run time, e.g. "3.6.7".
std::string library_version();

}  // namespace tlsmatrix::mbedtls_adapter
