// One table maps every endpoint setting's JSON key to one EndpointConfig member, with its
// validation. The peer protocol parser and the scenario loader both go through it, so a
// setting is named, checked and documented in exactly one place.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string_view>

#include "endpoint_config.hpp"

namespace tlsmatrix {

struct EndpointField {
  std::string_view key;
  std::string_view help;
  // Sets the member from `value`; throws std::invalid_argument with a message that does not
  // repeat the key (callers add where the value came from).
  void (*apply)(EndpointConfig& config, const nlohmann::json& value);
  nlohmann::json (*read)(const EndpointConfig& config);
};

std::span<const EndpointField> endpoint_fields();
const EndpointField* find_endpoint_field(std::string_view key);

}  // namespace tlsmatrix
