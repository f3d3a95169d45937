#include "refusal.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "endpoint_fields.hpp"

namespace tlsmatrix {

std::optional<Verdict> refusal_verdict(const ConnectionRun& first, const WireObservation& wire,
                                       const CellRequest& request) {
  struct Side {
    const char* role;
    const std::string& id;
    const HandshakeOutcome* outcome;
    bool hello_on_wire;
    const char* hello;
  };
  const Side sides[] = {
      {"client", request.client->id, first.client, !wire.client_hellos.empty(), "ClientHello"},
      {"server", request.server->id, first.server, !wire.server_hellos.empty(), "ServerHello"},
  };
  std::vector<std::string> refusals, contradictions;
  for (const auto& s : sides) {
    if (!s.outcome || !s.outcome->refused) continue;
    const auto& r = *s.outcome->refused;
    refusals.push_back(fmt::format("{} {} refused {}: {}", s.role, s.id, r.setting, r.reason));
    if (!find_endpoint_field(r.setting))
      contradictions.push_back(fmt::format("{} peer {} refused '{}', which is no endpoint setting",
                                           s.role, s.id, r.setting));
    if (s.hello_on_wire)
      contradictions.push_back(
          fmt::format("{} peer {} reports it refused {} but the wire shows its {}", s.role, s.id,
                      r.setting, s.hello));
  }
  if (refusals.empty()) return std::nullopt;
  for (const auto& s : sides)
    if (s.outcome && s.outcome->handshake_ok)
      contradictions.push_back(fmt::format(
          "{} peer {} reports a completed handshake with a peer that refused its configuration",
          s.role, s.id));
  if (!contradictions.empty()) return untrusted_verdict(contradictions);
  Verdict v;
  v.status = Status::unsupported;
  v.reason = fmt::format("{}", fmt::join(refusals, "; "));
  return v;
}

std::optional<Verdict> configure_failure_verdict(const ConnectionRun& first,
                                                 const CellRequest& request) {
  std::vector<std::string> failures;
  const auto check = [&](const char* role, const std::string& id, const HandshakeOutcome* outcome) {
    if (outcome && outcome->stage == Stage::configure && !outcome->refused)
      failures.push_back(fmt::format("{} peer {} could not apply its configuration: {}", role, id,
                                     outcome->error));
  };
  check("client", request.client->id, first.client);
  check("server", request.server->id, first.server);
  if (failures.empty()) return std::nullopt;
  return untrusted_verdict(failures);
}

}  // namespace tlsmatrix
