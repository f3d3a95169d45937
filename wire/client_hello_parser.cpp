#include "client_hello_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "byte_reader.hpp"
#include "extension_codec.hpp"
#include "hello_extensions.hpp"
#include "pre_shared_key.hpp"

namespace tlsmatrix::wire {
namespace {

constexpr std::string_view kMessage = "ClientHello";
constexpr std::uint8_t kHostNameType = 0;  // RFC 6066 §3 NameType host_name

// Host names and PSK identities end up in JSON reports, which must be valid UTF-8; a hostile
// or broken client can send any bytes, so anything outside printable ASCII is spelled out.
std::string printable(std::span<const std::uint8_t> raw) {
  std::string out;
  for (const std::uint8_t byte : raw) {
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out.push_back(static_cast<char>(byte));
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  return out;
}

bool read_supported_versions(const ByteReader& ext, ClientHelloObservation& hello) {
  // §4.2.1: ProtocolVersion versions<2..254>, a one-byte length.
  auto versions = read_u16_list(ext.rest(), 1);
  if (versions) hello.supported_versions = std::move(*versions);
  return versions.has_value();
}

bool read_supported_groups(const ByteReader& ext, ClientHelloObservation& hello) {
  // §4.2.7: NamedGroup named_group_list<2..2^16-1>.
  auto groups = read_u16_list(ext.rest(), 2);
  if (groups) hello.supported_groups = std::move(*groups);
  return groups.has_value();
}

bool read_key_shares(const ByteReader& ext, ClientHelloObservation& hello) {
  // §4.2.8: KeyShareEntry client_shares<0..2^16-1>, each a group and key_exchange<1..2^16-1>.
  const auto shares = read_client_key_shares(ext.rest());
  if (!shares) return false;
  for (const auto& share : *shares)
    hello.key_shares.push_back({share.group, share.key_exchange.size()});
  return true;
}

bool read_psk_modes(const ByteReader& ext, ClientHelloObservation& hello) {
  // §4.2.9: PskKeyExchangeMode ke_modes<1..255>.
  auto modes = read_u8_list(ext.rest());
  if (modes) hello.psk_key_exchange_modes = std::move(*modes);
  return modes.has_value();
}

bool read_pre_shared_key(const ByteReader& ext, ClientHelloObservation& hello) {
  hello.pre_shared_key = true;
  const auto offered = read_offered_psks(ext.rest());
  for (const auto identity : offered.identities)
    hello.psk_identities.push_back(printable(identity));
  return offered.well_formed;
}

bool read_server_name(ByteReader ext, ClientHelloObservation& hello) {
  // RFC 6066 §3: ServerName server_name_list<1..2^16-1>, each a NameType and a name.
  auto list = ext.vector(2);
  if (!list || !ext.empty()) return false;
  while (!list->empty()) {
    const auto type = list->u8();
    const auto name = type ? list->vector(2) : std::nullopt;
    if (!name) return false;
    if (*type == kHostNameType && !hello.server_name) {
      hello.server_name = printable(name->rest());
    }
  }
  return true;
}

bool read_extension(const RawExtension& ext, ClientHelloObservation& hello) {
  const ByteReader data(ext.data);
  switch (ext.type) {
    case kExtServerName:
      return read_server_name(data, hello);
    case kExtSupportedGroups:
      return read_supported_groups(data, hello);
    case kExtSupportedVersions:
      return read_supported_versions(data, hello);
    case kExtKeyShare:
      return read_key_shares(data, hello);
    case kExtPskKeyExchangeModes:
      return read_psk_modes(data, hello);
    case kExtPreSharedKey:
      return read_pre_shared_key(data, hello);
    case kExtEarlyData:
      hello.early_data = true;  // §4.2.10: empty in a ClientHello
      return data.empty();
    default:
      return true;
  }
}

}  // namespace

ClientHelloObservation parse_client_hello(std::span<const std::uint8_t> body, NoteLog& notes) {
  ClientHelloObservation hello;
  hello.message_length = body.size();
  ByteReader in(body);

  const auto legacy_version = in.u16();
  if (!legacy_version) {
    notes.add("{}: too short for legacy_version", kMessage);
    return hello;
  }
  hello.legacy_version = *legacy_version;

  // random[32], then opaque legacy_session_id<0..32>.
  const auto random = in.bytes(32);
  if (random) {
    hello.random.emplace();
    std::copy(random->begin(), random->end(), hello.random->begin());
  }
  if (!random || !in.vector(1)) {
    notes.add("{}: truncated before cipher_suites", kMessage);
    return hello;
  }
  auto suites = in.vector(2);  // CipherSuite cipher_suites<2..2^16-2>
  if (!suites) {
    notes.add("{}: cipher_suites overruns the message", kMessage);
    return hello;
  }
  while (suites->remaining() >= 2) hello.cipher_suites.push_back(*suites->u16());
  if (!suites->empty()) notes.add("{}: cipher_suites has an odd length", kMessage);
  if (!in.vector(1)) {  // opaque legacy_compression_methods<1..2^8-1>
    notes.add("{}: legacy_compression_methods overruns the message", kMessage);
    return hello;
  }
  // Extensions may be absent altogether before TLS 1.3 (RFC 5246 §7.4.1.2).
  if (in.empty()) return hello;
  const auto extensions = in.vector(2);
  if (!extensions) {
    notes.add("{}: extensions overrun the message", kMessage);
    return hello;
  }
  if (!in.empty()) notes.add("{}: {} bytes after the extensions", kMessage, in.remaining());

  for (const auto& ext : split_extensions(*extensions, kMessage, notes)) {
    hello.extensions.push_back(ext.type);
    if (!read_extension(ext, hello)) {
      notes.add("{}: malformed extension {}", kMessage, ext.type);
    }
  }
  return hello;
}

}  // namespace tlsmatrix::wire
