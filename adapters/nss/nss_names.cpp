#include "nss_names.hpp"

#include <nss.h>
#include <ssl.h>

#include <algorithm>
#include <array>
#include <span>

#include "tls_registry.hpp"

namespace tlsmatrix::nss_adapter {
namespace {

// The named groups libssl implements (its ssl_named_groups table); SSL_NamedGroupConfig drops
// any other value without an error, so the adapter must know them to refuse the rest. The
// values are the IANA code points.
constexpr auto kImplementedGroups = std::to_array<SSLNamedGroup>({
  ssl_grp_ec_curve25519, ssl_grp_ec_secp256r1, ssl_grp_ec_secp384r1, ssl_grp_ec_secp521r1,
      ssl_grp_ffdhe_2048, ssl_grp_ffdhe_3072, ssl_grp_ffdhe_4096, ssl_grp_ffdhe_6144,
      ssl_grp_ffdhe_8192, ssl_grp_kem_mlkem768x25519,
#if NSS_VMAJOR > 3 || NSS_VMINOR > 110
      // Newer than 3.110 (absent from its sslt.h). sslt.h of 3.132 also names
      // ssl_grp_kem_mlkem1024, but its libssl does not offer it: SSL_NamedGroupConfig drops it
      // (a client configured with it alone fails with SSL_ERROR_NO_CIPHERS_SUPPORTED).
      ssl_grp_kem_secp256r1mlkem768, ssl_grp_kem_secp384r1mlkem1024,
#endif
});

}  // namespace

std::optional<std::uint16_t> library_version_code(std::string_view registry_name) {
  const auto version = version_by_name(registry_name);
  if (!version) return std::nullopt;
  return version->code;
}

std::optional<SSLNamedGroup> library_group(std::string_view registry_name) {
  const auto group = group_by_name(registry_name);
  if (!group) return std::nullopt;
  const auto it = std::find(kImplementedGroups.begin(), kImplementedGroups.end(),
                            static_cast<SSLNamedGroup>(group->code));
  if (it == kImplementedGroups.end()) return std::nullopt;
  return *it;
}

std::optional<std::uint16_t> registry_group_code(SSLNamedGroup group) {
  if (group == ssl_grp_none || group == ssl_grp_ffdhe_custom) return std::nullopt;
  return static_cast<std::uint16_t>(group);
}

std::optional<std::uint16_t> library_suite(std::string_view registry_name) {
  const auto suite = cipher_suite_by_name(registry_name);
  if (!suite) return std::nullopt;
  const std::span<const PRUint16> implemented(SSL_GetImplementedCiphers(),
                                              SSL_GetNumImplementedCiphers());
  if (std::find(implemented.begin(), implemented.end(), suite->code) == implemented.end())
    return std::nullopt;
  return suite->code;
}

std::optional<SSLHashType> library_psk_hash(std::string_view name) {
  if (name == "SHA256") return ssl_hash_sha256;
  if (name == "SHA384") return ssl_hash_sha384;
  return std::nullopt;
}

Alert make_alert(std::uint8_t description, bool fatal) {
  return {description, alert_name(description), fatal};
}

}  // namespace tlsmatrix::nss_adapter
