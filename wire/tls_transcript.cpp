#include "tls_transcript.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "client_hello_parser.hpp"
#include "note_log.hpp"
#include "record_walker.hpp"
#include "server_hello_parser.hpp"
#include "server_key_exchange_parser.hpp"
#include "tls_registry.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix {
namespace {

using wire::HandshakeMessage;
using wire::kClientHello;
using wire::kServerHello;
using wire::NoteLog;
using wire::ProtectionState;

constexpr std::uint16_t kTls12 = 0x0303;
constexpr std::uint16_t kTls13 = 0x0304;
constexpr std::uint8_t kServerKeyExchange = 12;

bool is_ecdhe_suite(std::uint16_t suite) {
  return cipher_suite_name(suite).find("ECDHE") != std::string::npos;
}

// The server's direction decides its own protection: its ServerHello names the version.
void observe_server(std::span<const std::uint8_t> stream, WireObservation& out, NoteLog& notes) {
  const auto on_message = [&](const HandshakeMessage& message, ProtectionState& state) {
    if (message.type == kServerHello) {
      auto hello = wire::parse_server_hello(message.body, notes);
      if (hello.version >= kTls13) {
        state.change_cipher_spec_encrypts = false;
        // RFC 8446 §2: everything the server sends after its ServerHello is encrypted; a
        // HelloRetryRequest is followed by another plaintext ServerHello (§4.1.4).
        if (!hello.hello_retry_request) state.encrypted = true;
      }
      out.server_hellos.push_back(std::move(hello));
    } else if (message.type == kServerKeyExchange && !out.server_hellos.empty()) {
      const auto& hello = out.server_hellos.back();
      // DHE and other key exchanges carry no group code point; leave the group unknown.
      if (hello.version == kTls12 && is_ecdhe_suite(hello.cipher_suite)) {
        out.server_key_exchange_group =
            wire::parse_ecdhe_server_key_exchange_group(message.body, notes);
      }
    }
  };
  out.server_to_client = wire::walk_records(stream, ProtectionState{}, notes, on_message);
}

bool offers_tls13(const ClientHelloObservation& hello) {
  const auto& versions = hello.supported_versions;
  return std::find(versions.begin(), versions.end(), kTls13) != versions.end();
}

// The client's direction follows the version the server chose: in TLS 1.3 its
// ChangeCipherSpec is only for middleboxes (RFC 8446 §D.4) and a second ClientHello may
// follow it in plaintext; encryption shows as the first application_data record (§5.2).
void observe_client(std::span<const std::uint8_t> stream, std::optional<std::uint16_t> version,
                    WireObservation& out, NoteLog& notes) {
  ProtectionState initial;
  if (version) initial.change_cipher_spec_encrypts = *version < kTls13;
  const auto on_message = [&](const HandshakeMessage& message, ProtectionState& state) {
    if (message.type != kClientHello) return;
    auto hello = wire::parse_client_hello(message.body, notes);
    // No ServerHello was seen, so go by what the client offered.
    if (!version) state.change_cipher_spec_encrypts = !offers_tls13(hello);
    out.client_hellos.push_back(std::move(hello));
  };
  out.client_to_server = wire::walk_records(stream, initial, notes, on_message);
}

void summarize(WireObservation& out, NoteLog& server_notes) {
  const auto& hellos = out.server_hellos;
  const auto retries = std::count_if(hellos.begin(), hellos.end(),
                                     [](const auto& h) { return h.hello_retry_request; });
  out.hello_retry_request = retries > 0;
  // RFC 8446 §4.1.4: a client must abort on a second HelloRetryRequest.
  if (retries > 1) server_notes.add("{} HelloRetryRequests", retries);
  if (hellos.empty()) return;

  const auto& last = hellos.back();
  // Zero means the ServerHello ended before the field.
  if (last.version != 0) out.version = last.version;
  if (last.cipher_suite != 0) out.cipher_suite = last.cipher_suite;
  if (last.hello_retry_request) return;
  out.psk_accepted = last.psk_selected_identity.has_value();
  out.group = last.version >= kTls13 ? last.key_share_group : out.server_key_exchange_group;
}

void record_failure(WireObservation& out, const char* what) noexcept {
  try {
    out.notes.push_back(std::string("wire observation stopped: ") + what);
  } catch (...) {  // out of memory: the observation itself has to do
  }
}

}  // namespace

WireObservation observe_handshake(std::span<const std::uint8_t> client_to_server,
                                  std::span<const std::uint8_t> server_to_client) {
  WireObservation out;
  try {
    NoteLog client_notes("client->server");
    NoteLog server_notes("server->client");
    observe_server(server_to_client, out, server_notes);
    std::optional<std::uint16_t> server_version;
    if (!out.server_hellos.empty() && out.server_hellos.back().version != 0) {
      server_version = out.server_hellos.back().version;
    }
    observe_client(client_to_server, server_version, out, client_notes);
    summarize(out, server_notes);
    out.notes = client_notes.notes();
    out.notes.insert(out.notes.end(), server_notes.notes().begin(), server_notes.notes().end());
  } catch (const std::exception& e) {
    // Only allocation can fail here; keep what was gathered rather than lose the cell.
    record_failure(out, e.what());
  } catch (...) {
    record_failure(out, "unknown exception");
  }
  return out;
}

}  // namespace tlsmatrix
