#include "cell_facts.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tlsmatrix {

const char* handshake_result_name(HandshakeResult result) {
  switch (result) {
    case HandshakeResult::success:
      return "success";
    case HandshakeResult::refused:
      return "refused";
    case HandshakeResult::stalled:
      return "stalled";
  }
  return "?";
}

std::optional<std::string> CellFacts::value(Fact fact) const {
  const auto it = values.find(fact);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::string CellFacts::text(Fact fact, const std::string& alert_sender) const {
  const auto& d = definition(fact);
  switch (d.merge) {
    case Merge::peers_outcome:
      return handshake_result_name(handshake);
    case Merge::alerts_per_sender: {
      const auto& alerts = alert_sender == "client" ? alerts_from_client : alerts_from_server;
      return alerts.empty() ? d.absent : fmt::format("{}", fmt::join(alerts, ", "));
    }
    case Merge::wire_then_peers:
    case Merge::wire_only:
    case Merge::client_report:
      break;
  }
  return value(fact).value_or(d.absent);
}

}  // namespace tlsmatrix
