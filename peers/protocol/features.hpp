// The feature vocabulary of the peer protocol (peers/PROTOCOL.md, "Features"): one typed table
// that validates peers' capability answers, scenario files' `requires:` and the runner alike,
// so a misspelt feature is an error where it is written instead of a silent `unsupported`.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tlsmatrix {

enum class Feature {
  key_share_selection,
  key_share_first_group,
  group_order,
  server_preference,
  external_psk,
  cert_with_extern_psk,
  session_tickets,
  keylog,
  hostname_verification,
  client_certificates,
  hello_retry_request_report,
  fallback_scsv,
};

struct FeatureInfo {
  Feature feature;
  std::string_view name;     // the protocol's spelling
  std::string_view meaning;  // one line, as in PROTOCOL.md
};

std::span<const FeatureInfo> feature_table();
std::optional<Feature> feature_from_name(std::string_view name);
std::string_view feature_name(Feature feature);
// "a, b, c": every name, for error messages.
std::string feature_names();

}  // namespace tlsmatrix
