#include "botan_names.hpp"

#include "tls_registry.hpp"

namespace tlsmatrix::botan_adapter {

using Botan::TLS::Protocol_Version;

std::optional<Protocol_Version> library_version_of(std::string_view registry_name) {
  if (registry_name == "TLSv1.2") return Protocol_Version(Protocol_Version::TLS_V12);
  if (registry_name == "TLSv1.3") return Protocol_Version(Protocol_Version::TLS_V13);
  return std::nullopt;  // Botan 3 removed everything before TLS 1.2
}

std::optional<std::string> registry_version_name(Protocol_Version version) {
  const auto known = version_by_code(version.version_code());
  if (!known) return std::nullopt;
  return std::string(known->name);
}

std::optional<std::uint16_t> registry_version_code(std::string_view registry_name) {
  const auto known = version_by_name(registry_name);
  if (!known) return std::nullopt;
  return known->code;
}

std::optional<Botan::TLS::Group_Params> library_group(std::string_view registry_name) {
  const auto info = group_by_name(registry_name);
  if (!info) return std::nullopt;
  const Botan::TLS::Group_Params group(info->code);
  // A code Botan has no name for is one it does not know at all.
  if (!group.to_string().has_value() || !group.is_available()) return std::nullopt;
  return group;
}

std::optional<std::uint16_t> registry_group_code(std::string_view library_name) {
  const auto group = Botan::TLS::Group_Params::from_string(library_name);
  if (!group) return std::nullopt;
  return group->wire_code();
}

std::optional<Botan::TLS::Ciphersuite> library_suite(std::string_view registry_name) {
  const auto info = cipher_suite_by_name(registry_name);
  if (!info) return std::nullopt;
  auto suite = Botan::TLS::Ciphersuite::by_id(info->code);
  if (!suite || !suite->valid()) return std::nullopt;
  return suite;
}

Alert make_alert(std::uint8_t code, bool fatal) {
  return Alert{code, alert_name(code), fatal};
}

}  // namespace tlsmatrix::botan_adapter
