// Bytes as the two directions of a connection (wire_input.hpp), read by the relay's attacker in
// pieces of varying size, once with every mutation of the table at work: it must never crash,
// hang or read out of bounds, whatever the peers send.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "handshake_interceptor.hpp"
#include "mutation.hpp"
#include "wire_input.hpp"

namespace {

using namespace tlsmatrix;

// One instance of each mutation, with parameters that fit it.
std::vector<Mutation> every_mutation() {
  const std::map<std::string, std::vector<std::string>> values = {
      {"group", {"X25519MLKEM768"}},
      {"versions", {"TLSv1.2"}},
      {"version", {"TLSv1.1"}},
      {"psk_modes", {"psk_ke"}},
      {"cipher_suite", {"TLS_AES_128_GCM_SHA256"}},
      {"alert", {"handshake_failure"}},
      {"record_size", {"3"}}};
  std::vector<Mutation> out;
  for (const auto& definition : mutation_table()) {
    std::map<std::string, std::vector<std::string>> params;
    for (const auto p : definition.params)
      params[mutation_param_name(p)] = values.at(mutation_param_name(p));
    out.push_back(parse_mutation(definition.name, params));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto attack = every_mutation();
  const auto [client_to_server, server_to_client] = fuzz::split_directions({data, size});
  for (const auto* mutations : {&attack, static_cast<const std::vector<Mutation>*>(nullptr)}) {
    const std::vector<Mutation> none;
    HandshakeInterceptor interceptor(mutations ? *mutations : none);
    // Alternate the directions in pieces whose sizes come from the bytes themselves.
    std::size_t at[2] = {0, 0};
    const std::span<const std::uint8_t> streams[2] = {client_to_server, server_to_client};
    for (int turn = 0; at[0] < streams[0].size() || at[1] < streams[1].size(); ++turn) {
      const int d = turn % 2;
      if (at[d] >= streams[d].size()) continue;
      const std::size_t piece = 1 + streams[d][at[d]] % 97;
      const auto n = std::min(piece, streams[d].size() - at[d]);
      (void)interceptor.on_read(d == 0, streams[d].subspan(at[d], n));
      at[d] += n;
    }
    (void)interceptor.on_end(true);
    (void)interceptor.on_end(false);
  }
  return 0;
}
