// Bytes as the two directions of a recorded connection (wire_input.hpp), through the entry
// the runner uses for every cell (observe_handshake, which must be total), then every hello it
// read is written back with the wire writer and parsed again: the fields must agree.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "client_hello_parser.hpp"
#include "hello_message.hpp"
#include "hello_writer.hpp"
#include "server_hello_parser.hpp"
#include "tls_transcript.hpp"
#include "wire_constants.hpp"
#include "wire_input.hpp"

namespace {

using namespace tlsmatrix;

[[noreturn]] void disagree(const char* what) {
  std::fprintf(stderr, "round trip disagrees on %s\n", what);
  std::abort();
}

std::span<const std::uint8_t> body(const std::vector<std::uint8_t>& message) {
  return std::span(message).subspan(wire::kHandshakeHeaderLength);
}

// The reader spells bytes outside printable ASCII, and the backslash, as \xNN; the writer
// takes the bytes themselves.
std::string unescaped(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x') {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 2, 2), nullptr, 16)));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

void round_trip(const ClientHelloObservation& seen) {
  wire::ClientHelloSpec spec;
  spec.legacy_version = seen.legacy_version;
  spec.cipher_suites = seen.cipher_suites;
  if (seen.server_name) spec.server_name = unescaped(*seen.server_name);
  spec.supported_groups = seen.supported_groups;
  spec.supported_versions = seen.supported_versions;
  spec.psk_key_exchange_modes = seen.psk_key_exchange_modes;
  if (!seen.key_shares.empty()) {
    spec.key_shares.emplace();
    for (const auto& share : seen.key_shares)
      spec.key_shares->push_back(
          {share.group, std::vector<std::uint8_t>(share.key_exchange_length)});
  }
  spec.early_data = seen.early_data;
  wire::NoteLog notes("fuzz");
  const auto again = wire::parse_client_hello(body(wire::write_client_hello(spec)), notes);
  if (again.legacy_version != seen.legacy_version) disagree("ClientHello legacy_version");
  if (again.cipher_suites != seen.cipher_suites) disagree("ClientHello cipher_suites");
  if (again.server_name != seen.server_name) disagree("ClientHello server_name");
  if (again.supported_groups != seen.supported_groups) disagree("ClientHello supported_groups");
  if (again.supported_versions != seen.supported_versions)
    disagree("ClientHello supported_versions");
  if (again.psk_key_exchange_modes != seen.psk_key_exchange_modes)
    disagree("ClientHello psk_key_exchange_modes");
  if (again.key_shares.size() != seen.key_shares.size()) disagree("ClientHello key_shares");
  for (std::size_t i = 0; i < seen.key_shares.size(); ++i)
    if (again.key_shares[i].group != seen.key_shares[i].group ||
        again.key_shares[i].key_exchange_length != seen.key_shares[i].key_exchange_length)
      disagree("ClientHello key_share entry");
  if (again.early_data != seen.early_data) disagree("ClientHello early_data");
}

void round_trip(const ServerHelloObservation& seen) {
  wire::ServerHelloSpec spec;
  spec.hello_retry_request = seen.hello_retry_request;
  spec.legacy_version = seen.legacy_version;
  spec.cipher_suite = seen.cipher_suite;
  spec.supported_version = seen.supported_version;
  if (seen.key_share_group)
    spec.key_share = wire::KeyShareEntry{
        *seen.key_share_group, std::vector<std::uint8_t>(seen.key_share_length.value_or(0))};
  spec.psk_selected_identity = seen.psk_selected_identity;
  wire::NoteLog notes("fuzz");
  const auto again = wire::parse_server_hello(body(wire::write_server_hello(spec)), notes);
  if (again.hello_retry_request != seen.hello_retry_request) disagree("ServerHello HRR");
  if (again.legacy_version != seen.legacy_version) disagree("ServerHello legacy_version");
  if (again.cipher_suite != seen.cipher_suite) disagree("ServerHello cipher_suite");
  if (again.supported_version != seen.supported_version) disagree("ServerHello supported_version");
  if (again.version != seen.version) disagree("ServerHello version");
  if (again.key_share_group != seen.key_share_group) disagree("ServerHello key_share group");
  // A share whose key_exchange could not be read has no length; the writer always writes one.
  if (seen.key_share_length && again.key_share_length != seen.key_share_length)
    disagree("ServerHello key_share length");
  if (again.psk_selected_identity != seen.psk_selected_identity)
    disagree("ServerHello psk_selected_identity");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [client_to_server, server_to_client] = fuzz::split_directions({data, size});
  // Both ways round: each stream is read once as the client's and once as the server's.
  for (const auto& wire_seen : {observe_handshake(client_to_server, server_to_client),
                                observe_handshake(server_to_client, client_to_server)}) {
    (void)to_json(wire_seen).dump();
    for (const auto& hello : wire_seen.client_hellos) round_trip(hello);
    for (const auto& hello : wire_seen.server_hellos) round_trip(hello);
  }
  // The attacker's editable hello (hello_message.hpp) must be lossless: whatever it reads as
  // a whole hello, it writes back byte for byte.
  for (const auto stream : {client_to_server, server_to_client}) {
    if (const auto hello = wire::read_hello_message(stream)) {
      const auto written = wire::write_hello_message(*hello);
      if (!std::equal(written.begin(), written.end(), stream.begin(), stream.end()))
        disagree("an editable hello written back");
    }
  }
  return 0;
}
