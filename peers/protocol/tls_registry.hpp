// IANA code points the whole suite speaks in: groups, cipher suites, alerts and protocol
// versions. Scenario files, the peer protocol and the matrix all use these names, and every
// adapter translates them to its library's own spelling.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tlsmatrix {

struct NamedCode {
  std::uint16_t code;
  std::string_view name;  // canonical name: the IANA registry's "Description" column
};

struct GroupInfo {
  std::uint16_t code;
  std::string_view name;
  std::string_view kind;  // "ecdhe", "ffdhe", "mlkem" or "hybrid"
};

struct CipherSuiteInfo {
  std::uint16_t code;
  std::string_view name;
  bool tls13;  // a TLS 1.3 suite (RFC 8446 §B.4) rather than a TLS 1.2 one
};

// Every group and cipher suite the suite knows by name; adapters probe exactly these.
std::span<const GroupInfo> known_groups();
std::span<const CipherSuiteInfo> known_cipher_suites();
std::span<const NamedCode> known_alerts();
std::span<const NamedCode> known_versions();

std::optional<GroupInfo> group_by_name(std::string_view name);
std::optional<GroupInfo> group_by_code(std::uint16_t code);
std::optional<CipherSuiteInfo> cipher_suite_by_name(std::string_view name);
std::optional<CipherSuiteInfo> cipher_suite_by_code(std::uint16_t code);
std::optional<NamedCode> alert_by_name(std::string_view name);
std::optional<NamedCode> version_by_name(std::string_view name);
std::optional<NamedCode> version_by_code(std::uint16_t code);

// Name for a code, or "unknown(0x....)" when the code is not in our tables.
std::string alert_name(std::uint8_t code);
std::string group_name(std::uint16_t code);
std::string cipher_suite_name(std::uint16_t code);
std::string version_name(std::uint16_t code);

}  // namespace tlsmatrix
