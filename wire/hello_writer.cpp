#include "hello_writer.hpp"

#include "byte_writer.hpp"
#include "hello_extensions.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix::wire {
namespace {

constexpr std::uint8_t kHostName = 0;  // RFC 6066 §3 NameType

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

template <typename Fill>
void extension(ByteWriter& w, std::uint16_t type, Fill&& fill) {
  w.u16(type);
  w.vector(2, fill);
}

void u16_list(ByteWriter& w, std::size_t prefix, const std::vector<std::uint16_t>& values) {
  w.vector(prefix, [&](ByteWriter& v) {
    for (const auto value : values) v.u16(value);
  });
}

void key_share_entry(ByteWriter& w, const KeyShareEntry& share) {
  w.u16(share.group);
  w.vector(2, [&](ByteWriter& v) { v.bytes(share.key_exchange); });
}

void extra(ByteWriter& w, const std::vector<ExtensionBytes>& extensions) {
  for (const auto& e : extensions) extension(w, e.type, [&](ByteWriter& v) { v.bytes(e.data); });
}

void client_extensions(ByteWriter& w, const ClientHelloSpec& spec) {
  if (spec.server_name)
    extension(w, kExtServerName, [&](ByteWriter& v) {
      v.vector(2, [&](ByteWriter& list) {
        list.u8(kHostName);
        list.vector(2, [&](ByteWriter& name) { name.bytes(as_bytes(*spec.server_name)); });
      });
    });
  if (!spec.supported_groups.empty())
    extension(w, kExtSupportedGroups,
              [&](ByteWriter& v) { u16_list(v, 2, spec.supported_groups); });
  if (!spec.supported_versions.empty())
    extension(w, kExtSupportedVersions,
              [&](ByteWriter& v) { u16_list(v, 1, spec.supported_versions); });
  if (!spec.psk_key_exchange_modes.empty())
    extension(w, kExtPskKeyExchangeModes, [&](ByteWriter& v) {
      v.vector(1, [&](ByteWriter& modes) { modes.bytes(spec.psk_key_exchange_modes); });
    });
  if (spec.key_shares)
    extension(w, kExtKeyShare, [&](ByteWriter& v) {
      v.vector(2, [&](ByteWriter& shares) {
        for (const auto& share : *spec.key_shares) key_share_entry(shares, share);
      });
    });
  if (spec.early_data) extension(w, kExtEarlyData, [](ByteWriter&) {});
  extra(w, spec.extra_extensions);
  if (spec.psk_identities.empty()) return;
  extension(w, kExtPreSharedKey, [&](ByteWriter& v) {
    v.vector(2, [&](ByteWriter& identities) {
      for (const auto& id : spec.psk_identities) {
        identities.vector(2, [&](ByteWriter& name) { name.bytes(id.identity); });
        identities.u32(id.obfuscated_ticket_age);
      }
    });
    v.vector(2, [&](ByteWriter& binders) {
      for (const auto& binder : spec.psk_binders)
        binders.vector(1, [&](ByteWriter& b) { b.bytes(binder); });
    });
  });
}

void server_extensions(ByteWriter& w, const ServerHelloSpec& spec) {
  if (spec.supported_version)
    extension(w, kExtSupportedVersions, [&](ByteWriter& v) { v.u16(*spec.supported_version); });
  if (spec.key_share)
    extension(w, kExtKeyShare, [&](ByteWriter& v) {
      if (spec.hello_retry_request)
        v.u16(spec.key_share->group);
      else
        key_share_entry(v, *spec.key_share);
    });
  if (spec.psk_selected_identity)
    extension(w, kExtPreSharedKey, [&](ByteWriter& v) { v.u16(*spec.psk_selected_identity); });
  extra(w, spec.extra_extensions);
}

template <typename Fill>
std::vector<std::uint8_t> handshake_message(std::uint8_t type, Fill&& fill) {
  ByteWriter w;
  w.u8(type);
  w.vector(3, fill);
  return w.data();
}

}  // namespace

std::vector<std::uint8_t> write_client_hello(const ClientHelloSpec& spec) {
  return handshake_message(kClientHello, [&](ByteWriter& w) {
    w.u16(spec.legacy_version);
    w.bytes(spec.random);
    w.vector(1, [&](ByteWriter& v) { v.bytes(spec.legacy_session_id); });
    u16_list(w, 2, spec.cipher_suites);
    w.vector(1, [](ByteWriter& v) { v.u8(0); });  // legacy_compression_methods: null only
    w.vector(2, [&](ByteWriter& v) { client_extensions(v, spec); });
  });
}

std::vector<std::uint8_t> write_server_hello(const ServerHelloSpec& spec) {
  return handshake_message(kServerHello, [&](ByteWriter& w) {
    w.u16(spec.legacy_version);
    w.bytes(spec.hello_retry_request ? kHelloRetryRequestRandom : spec.random);
    w.vector(1, [&](ByteWriter& v) { v.bytes(spec.legacy_session_id_echo); });
    w.u16(spec.cipher_suite);
    w.u8(0);  // legacy_compression_method
    w.vector(2, [&](ByteWriter& v) { server_extensions(v, spec); });
  });
}

}  // namespace tlsmatrix::wire
