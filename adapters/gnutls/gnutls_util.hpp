// Small helpers every GnuTLS adapter file needs: owning handles for the library's objects and the
// one way a refused setting becomes a ConfigRejected.
#pragma once

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace tlsmatrix::gnutls_adapter {

template <typename Handle, void (*Free)(Handle)>
struct HandleDeleter {
  void operator()(Handle h) const { Free(h); }
};
template <typename Handle, void (*Free)(Handle)>
using Owned = std::unique_ptr<std::remove_pointer_t<Handle>, HandleDeleter<Handle, Free>>;

using SessionPtr = Owned<gnutls_session_t, gnutls_deinit>;
using PriorityPtr = Owned<gnutls_priority_t, gnutls_priority_deinit>;
using CertificateCredentialsPtr =
    Owned<gnutls_certificate_credentials_t, gnutls_certificate_free_credentials>;
using PskClientCredentialsPtr =
    Owned<gnutls_psk_client_credentials_t, gnutls_psk_free_client_credentials>;
using PskServerCredentialsPtr =
    Owned<gnutls_psk_server_credentials_t, gnutls_psk_free_server_credentials>;
using X509CertificatePtr = Owned<gnutls_x509_crt_t, gnutls_x509_crt_deinit>;

// Secret bytes GnuTLS allocated (a ticket key, a session's resumption data), wiped and released
// with the library's allocator when replaced or dropped.
class SecretDatum {
 public:
  SecretDatum() = default;
  SecretDatum(const SecretDatum&) = delete;
  SecretDatum& operator=(const SecretDatum&) = delete;
  ~SecretDatum() { reset(); }

  // Wipes and frees what is held; then holds nothing.
  void reset();
  // For a GnuTLS call that allocates the datum it fills in; what was held is dropped first.
  gnutls_datum_t* fill() {
    reset();
    return &datum_;
  }
  const gnutls_datum_t& get() const { return datum_; }
  bool empty() const { return datum_.data == nullptr || datum_.size == 0; }

 private:
  gnutls_datum_t datum_{nullptr, 0};
};

// Refuses `setting` of the endpoint configuration; the driver reports the message verbatim.
[[noreturn]] void reject(std::string_view setting, std::string_view why);
// Rejects `setting` with the library's own error text when `ret` is a GnuTLS error code.
void require_ok(int ret, std::string_view setting, std::string_view doing);
// Throws std::runtime_error when `ret` is a GnuTLS error code: the library failed at something
// no setting asked for, which is not a refusal.
void require_library(int ret, std::string_view doing);

// A view of `bytes` in the form GnuTLS takes input; GnuTLS never writes through it.
gnutls_datum_t as_datum(std::string_view bytes);
// The bytes a GnuTLS datum holds, without taking them.
std::string_view as_bytes(const gnutls_datum_t& datum);
// Takes ownership of memory GnuTLS allocated for us and returns it as a string.
std::string take_datum(gnutls_datum_t& datum);

// The release the linked library reports at run time, e.g. "3.7.9".
std::string library_version();

}  // namespace tlsmatrix::gnutls_adapter
