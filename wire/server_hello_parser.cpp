#include "server_hello_parser.hpp"

#include <algorithm>
#include <string_view>

#include "byte_reader.hpp"
#include "hello_extensions.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix::wire {
namespace {

bool read_supported_version(ByteReader ext, ServerHelloObservation& hello) {
  // §4.2.1: a ServerHello carries the one selected_version.
  const auto version = ext.u16();
  if (!version || !ext.empty()) return false;
  hello.supported_version = *version;
  return true;
}

bool read_key_share(ByteReader ext, ServerHelloObservation& hello) {
  // §4.2.8: a HelloRetryRequest names only selected_group; a ServerHello holds one
  // KeyShareEntry, a group and key_exchange<1..2^16-1>.
  const auto group = ext.u16();
  if (!group) return false;
  hello.key_share_group = *group;
  if (hello.hello_retry_request) return ext.empty();
  const auto key = ext.vector(2);
  if (!key || !ext.empty()) return false;
  hello.key_share_length = key->remaining();
  return true;
}

bool read_pre_shared_key(ByteReader ext, ServerHelloObservation& hello) {
  // §4.2.11: the server answers with the selected_identity index.
  const auto identity = ext.u16();
  if (!identity || !ext.empty()) return false;
  hello.psk_selected_identity = *identity;
  return true;
}

bool read_extension(const RawExtension& ext, ServerHelloObservation& hello) {
  const ByteReader data(ext.data);
  switch (ext.type) {
    case kExtSupportedVersions:
      return read_supported_version(data, hello);
    case kExtKeyShare:
      return read_key_share(data, hello);
    case kExtPreSharedKey:
      return read_pre_shared_key(data, hello);
    default:
      return true;
  }
}

}  // namespace

ServerHelloObservation parse_server_hello(std::span<const std::uint8_t> body, NoteLog& notes) {
  ServerHelloObservation hello;
  hello.message_length = body.size();
  ByteReader in(body);

  const auto legacy_version = in.u16();
  const auto random = legacy_version ? in.bytes(32) : std::nullopt;
  if (!random) {
    notes.add("ServerHello: too short for legacy_version and random");
    return hello;
  }
  hello.legacy_version = *legacy_version;
  hello.version = *legacy_version;
  hello.random.emplace();
  std::copy(random->begin(), random->end(), hello.random->begin());
  hello.hello_retry_request =
      std::equal(random->begin(), random->end(), kHelloRetryRequestRandom.begin());
  const auto tail = random->subspan(32 - 8);
  if (std::equal(kDowngradeSentinelPrefix.begin(), kDowngradeSentinelPrefix.end(), tail.begin()) &&
      tail[7] <= 1)
    hello.downgrade_sentinel = tail[7];
  const std::string_view message = hello.hello_retry_request ? "HelloRetryRequest" : "ServerHello";

  // opaque legacy_session_id_echo<0..32>, CipherSuite cipher_suite, uint8 compression method.
  const auto session_id = in.vector(1);
  const auto suite = session_id ? in.u16() : std::nullopt;
  if (!suite || !in.u8()) {
    notes.add("{}: truncated before the extensions", message);
    if (suite) hello.cipher_suite = *suite;
    return hello;
  }
  hello.cipher_suite = *suite;
  // Extensions may be absent altogether before TLS 1.3 (RFC 5246 §7.4.1.3).
  if (in.empty()) return hello;
  const auto extensions = in.vector(2);
  if (!extensions) {
    notes.add("{}: extensions overrun the message", message);
    return hello;
  }
  if (!in.empty()) notes.add("{}: {} bytes after the extensions", message, in.remaining());

  for (const auto& ext : split_extensions(*extensions, message, notes)) {
    hello.extensions.push_back(ext.type);
    if (!read_extension(ext, hello)) notes.add("{}: malformed extension {}", message, ext.type);
  }
  if (hello.supported_version) hello.version = *hello.supported_version;
  return hello;
}

}  // namespace tlsmatrix::wire
