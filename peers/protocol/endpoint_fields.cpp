#include "endpoint_fields.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "hex_text.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix {
namespace {

using nlohmann::json;

std::string as_string(const json& v) {
  if (!v.is_string())
    throw std::invalid_argument(fmt::format("expected a string, got {}", v.dump()));
  return v.get<std::string>();
}

bool as_bool(const json& v) {
  if (!v.is_boolean())
    throw std::invalid_argument(fmt::format("expected true or false, got {}", v.dump()));
  return v.get<bool>();
}

std::vector<std::string> as_strings(const json& v) {
  if (!v.is_array()) throw std::invalid_argument(fmt::format("expected a list, got {}", v.dump()));
  std::vector<std::string> out;
  for (const auto& item : v) out.push_back(as_string(item));
  return out;
}

std::string version_name_checked(const json& v) {
  auto name = as_string(v);
  if (!version_by_name(name))
    throw std::invalid_argument(
        fmt::format("unknown protocol version '{}' (TLSv1.0 .. TLSv1.3)", name));
  return name;
}

std::vector<std::string> group_names_checked(const json& v) {
  auto names = as_strings(v);
  for (const auto& n : names)
    if (!group_by_name(n)) {
      std::vector<std::string_view> known;
      for (const auto& g : known_groups()) known.push_back(g.name);
      throw std::invalid_argument(
          fmt::format("unknown group '{}' (known: {})", n, fmt::join(known, ", ")));
    }
  return names;
}

std::vector<std::string> cipher_names_checked(const json& v) {
  auto names = as_strings(v);
  for (const auto& n : names)
    if (!cipher_suite_by_name(n))
      throw std::invalid_argument(fmt::format("unknown cipher suite '{}' (use the IANA name)", n));
  return names;
}

// A printable ASCII identity travels as `identity`, any other as `identity_hex`, so that
// binary identities survive JSON unchanged.
bool printable_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
}

ExternalPsk psk_checked(const json& v) {
  if (!v.is_object())
    throw std::invalid_argument("expected an object {identity or identity_hex, secret_hex, hash}");
  ExternalPsk psk;
  bool identity_set = false;
  for (const auto& [key, value] : v.items()) {
    if (key == "identity" || key == "identity_hex") {
      if (identity_set) throw std::invalid_argument("give identity or identity_hex, not both");
      identity_set = true;
      psk.identity = as_string(value);
      if (key == "identity_hex") {
        if (!is_hex(psk.identity))
          throw std::invalid_argument("identity_hex must be a non-empty even-length hex string");
        psk.identity = bytes_from_hex(psk.identity);
      }
    } else if (key == "secret_hex") {
      psk.secret_hex = as_string(value);
    } else if (key == "hash") {
      psk.hash = as_string(value);
    } else {
      throw std::invalid_argument(fmt::format("unknown psk key '{}'", key));
    }
  }
  // RFC 8446 §4.2.11: PskIdentity.identity is opaque<1..2^16-1>.
  if (psk.identity.empty() || psk.identity.size() > 65535)
    throw std::invalid_argument("the identity must have 1 to 65535 bytes");
  if (!is_hex(psk.secret_hex))
    throw std::invalid_argument("secret_hex must be a non-empty even-length hex string");
  if (psk.hash != "SHA256" && psk.hash != "SHA384")
    throw std::invalid_argument(fmt::format("hash '{}' is neither SHA256 nor SHA384", psk.hash));
  return psk;
}

std::vector<ExternalPsk> psks_checked(const json& v) {
  if (!v.is_array()) throw std::invalid_argument(fmt::format("expected a list, got {}", v.dump()));
  std::vector<ExternalPsk> out;
  for (const auto& item : v) {
    out.push_back(psk_checked(item));
    for (std::size_t i = 0; i + 1 < out.size(); ++i)
      if (out[i].identity == out.back().identity)
        throw std::invalid_argument("an identity is listed twice");
  }
  return out;
}

json psks_json(const std::vector<ExternalPsk>& psks) {
  json out = json::array();
  for (const auto& p : psks) {
    json entry = {{"secret_hex", p.secret_hex}, {"hash", p.hash}};
    if (printable_ascii(p.identity))
      entry["identity"] = p.identity;
    else
      entry["identity_hex"] = hex_of(p.identity);
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::string> psk_modes_checked(const json& v) {
  auto modes = as_strings(v);
  if (modes.empty()) throw std::invalid_argument("an empty list; use null for the library default");
  for (std::size_t i = 0; i < modes.size(); ++i) {
    if (modes[i] != "psk_ke" && modes[i] != "psk_dhe_ke")
      throw std::invalid_argument(
          fmt::format("psk mode '{}' is neither psk_ke nor psk_dhe_ke", modes[i]));
    if (std::find(modes.begin(), modes.begin() + i, modes[i]) != modes.begin() + i)
      throw std::invalid_argument(fmt::format("psk mode '{}' is listed twice", modes[i]));
  }
  return modes;
}

CertifiedKey certificate_checked(const json& v) {
  if (!v.is_object() || !v.contains("chain_pem") || !v.contains("key_pem") || v.size() != 2)
    throw std::invalid_argument("expected an object {chain_pem, key_pem}");
  return {as_string(v["chain_pem"]), as_string(v["key_pem"])};
}

Role role_checked(const json& v) {
  const auto name = as_string(v);
  if (name == "client") return Role::client;
  if (name == "server") return Role::server;
  throw std::invalid_argument(fmt::format("role '{}' is neither client nor server", name));
}

// clang-format off
constexpr std::array kFields = {
  EndpointField{"role", "client or server",
    [](EndpointConfig& c, const json& v) { c.role = role_checked(v); },
    [](const EndpointConfig& c) { return json(role_name(c.role)); }},
  EndpointField{"min_version", "lowest protocol version enabled (TLSv1.2, TLSv1.3)",
    [](EndpointConfig& c, const json& v) { c.min_version = version_name_checked(v); },
    [](const EndpointConfig& c) { return json(c.min_version); }},
  EndpointField{"max_version", "highest protocol version enabled",
    [](EndpointConfig& c, const json& v) { c.max_version = version_name_checked(v); },
    [](const EndpointConfig& c) { return json(c.max_version); }},
  EndpointField{"groups", "supported groups in preference order; [] = library default",
    [](EndpointConfig& c, const json& v) { c.groups = group_names_checked(v); },
    [](const EndpointConfig& c) { return json(c.groups); }},
  EndpointField{"key_shares", "client: groups that get a key share in the first ClientHello",
    [](EndpointConfig& c, const json& v) {
      if (v.is_null()) c.key_shares.reset(); else c.key_shares = group_names_checked(v); },
    [](const EndpointConfig& c) { return c.key_shares ? json(*c.key_shares) : json(nullptr); }},
  EndpointField{"cipher_suites", "IANA cipher suite names (TLS 1.3 and 1.2); [] = library default",
    [](EndpointConfig& c, const json& v) { c.cipher_suites = cipher_names_checked(v); },
    [](const EndpointConfig& c) { return json(c.cipher_suites); }},
  EndpointField{"server_preference", "server: pick by own order (true) or the client's (false)",
    [](EndpointConfig& c, const json& v) {
      if (v.is_null()) c.server_preference.reset(); else c.server_preference = as_bool(v); },
    [](const EndpointConfig& c) {
      return c.server_preference ? json(*c.server_preference) : json(nullptr); }},
  EndpointField{"fallback_scsv", "client: include TLS_FALLBACK_SCSV (0x5600) in its cipher "
                                 "suites, as a client retrying with a lower version does "
                                 "(RFC 7507 §4)",
    [](EndpointConfig& c, const json& v) { c.fallback_scsv = as_bool(v); },
    [](const EndpointConfig& c) { return json(c.fallback_scsv); }},
  EndpointField{"certificate", "own certificate chain and private key, PEM",
    [](EndpointConfig& c, const json& v) {
      if (v.is_null()) c.certificate.reset(); else c.certificate = certificate_checked(v); },
    [](const EndpointConfig& c) {
      return c.certificate ? json{{"chain_pem", c.certificate->chain_pem},
                                  {"key_pem", c.certificate->key_pem}} : json(nullptr); }},
  EndpointField{"trust_anchors_pem", "certificates trusted to verify the peer, PEM",
    [](EndpointConfig& c, const json& v) { c.trust_anchors_pem = as_string(v); },
    [](const EndpointConfig& c) { return json(c.trust_anchors_pem); }},
  EndpointField{"verify_server", "client: verify the server's certificate chain and name",
    [](EndpointConfig& c, const json& v) { c.verify_server = as_bool(v); },
    [](const EndpointConfig& c) { return json(c.verify_server); }},
  EndpointField{"require_client_certificate", "server: request and verify a client certificate",
    [](EndpointConfig& c, const json& v) { c.require_client_certificate = as_bool(v); },
    [](const EndpointConfig& c) { return json(c.require_client_certificate); }},
  EndpointField{"server_name", "client: SNI and the name the server certificate must match",
    [](EndpointConfig& c, const json& v) { c.server_name = as_string(v); },
    [](const EndpointConfig& c) { return json(c.server_name); }},
  EndpointField{"psks", "external PSKs [{identity or identity_hex, secret_hex, hash}]: a client "
                        "offers all in order, a server knows all",
    [](EndpointConfig& c, const json& v) { c.psks = psks_checked(v); },
    [](const EndpointConfig& c) { return psks_json(c.psks); }},
  EndpointField{"psk_modes", "psk_key_exchange_modes offered or accepted; null = library default",
    [](EndpointConfig& c, const json& v) {
      if (v.is_null()) c.psk_modes.reset(); else c.psk_modes = psk_modes_checked(v); },
    [](const EndpointConfig& c) { return c.psk_modes ? json(*c.psk_modes) : json(nullptr); }},
  EndpointField{"cert_with_extern_psk",
    "RFC 9973 tls_cert_with_extern_psk: certificate authentication plus external PSK",
    [](EndpointConfig& c, const json& v) { c.cert_with_extern_psk = as_bool(v); },
    [](const EndpointConfig& c) { return json(c.cert_with_extern_psk); }},
  EndpointField{"session_tickets", "issue (server) or accept (client) session tickets",
    [](EndpointConfig& c, const json& v) { c.session_tickets = as_bool(v); },
    [](const EndpointConfig& c) { return json(c.session_tickets); }},
  EndpointField{"connections", "connections in sequence; from the second on a client offers "
                               "the session (ticket) its previous connection received",
    [](EndpointConfig& c, const json& v) {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 ||
          v.get<std::int64_t>() > kMaxConnections)
        throw std::invalid_argument(fmt::format("expected a number from 1 to {}", kMaxConnections));
      c.connections = v.get<int>(); },
    [](const EndpointConfig& c) { return json(c.connections); }},
  EndpointField{"keylog", "report SSLKEYLOGFILE lines in the result",
    [](EndpointConfig& c, const json& v) { c.keylog = as_bool(v); },
    [](const EndpointConfig& c) { return json(c.keylog); }},
  EndpointField{"send_data", "application data to send after the handshake",
    [](EndpointConfig& c, const json& v) { c.send_data = as_string(v); },
    [](const EndpointConfig& c) { return json(c.send_data); }},
  EndpointField{"expect_data", "application data that must arrive from the peer",
    [](EndpointConfig& c, const json& v) { c.expect_data = as_string(v); },
    [](const EndpointConfig& c) { return json(c.expect_data); }},
  EndpointField{"timeout_ms", "give up on any single step after this long",
    [](EndpointConfig& c, const json& v) {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() == 0 || v.get<std::uint64_t>() > 600000)
        throw std::invalid_argument("expected milliseconds between 1 and 600000");
      c.timeout_ms = v.get<std::uint32_t>(); },
    [](const EndpointConfig& c) { return json(c.timeout_ms); }},
  EndpointField{"connect_host", "client: loopback address to connect to",
    [](EndpointConfig& c, const json& v) {
      c.connect_host = as_string(v);
      if (c.connect_host != "127.0.0.1" && c.connect_host != "::1")
        throw std::invalid_argument("only 127.0.0.1 and ::1 are allowed"); },
    [](const EndpointConfig& c) { return json(c.connect_host); }},
  EndpointField{"connect_port", "client: TCP port to connect to",
    [](EndpointConfig& c, const json& v) {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 65535)
        throw std::invalid_argument("expected a TCP port number");
      c.connect_port = v.get<std::uint16_t>(); },
    [](const EndpointConfig& c) { return json(c.connect_port); }},
};
// clang-format on

}  // namespace

std::span<const EndpointField> endpoint_fields() {
  return kFields;
}

const EndpointField* find_endpoint_field(std::string_view key) {
  const auto it =
      std::find_if(kFields.begin(), kFields.end(), [&](const auto& f) { return f.key == key; });
  return it == kFields.end() ? nullptr : &*it;
}

}  // namespace tlsmatrix
