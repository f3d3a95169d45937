// Extension code points (IANA "TLS ExtensionType Values") the hello parsers look at, and a
// splitter for an extensions block.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "byte_reader.hpp"
#include "note_log.hpp"

namespace tlsmatrix::wire {

inline constexpr std::uint16_t kExtServerName = 0;  // RFC 6066 §3
inline constexpr std::uint16_t kExtSupportedGroups = 10;
// RFC 8773 §5 / RFC 9973: tls_cert_with_extern_psk.
inline constexpr std::uint16_t kExtCertWithExternPsk = 33;
inline constexpr std::uint16_t kExtPreSharedKey = 41;
inline constexpr std::uint16_t kExtEarlyData = 42;
inline constexpr std::uint16_t kExtSupportedVersions = 43;
inline constexpr std::uint16_t kExtPskKeyExchangeModes = 45;
inline constexpr std::uint16_t kExtKeyShare = 51;

struct RawExtension {
  std::uint16_t type = 0;
  std::span<const std::uint8_t> data;
};

// Splits `Extension extensions<..2^16-1>` (RFC 8446 §4.2) into its entries. An entry that
// overruns the block ends the split with a note; a repeated type is noted and kept.
std::vector<RawExtension> split_extensions(ByteReader block, std::string_view message,
                                           NoteLog& notes);

}  // namespace tlsmatrix::wire
