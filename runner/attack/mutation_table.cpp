// THE table of mutations (mutation.hpp). Adding one is a row here and its row in
// suites/README.md (a unit test checks the two agree).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "byte_writer.hpp"
#include "extension_codec.hpp"
#include "hello_extensions.hpp"
#include "hello_writer.hpp"
#include "mutation.hpp"
#include "record_writer.hpp"
#include "tls_registry.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix {
namespace {

using wire::ExtensionBytes;
using wire::HelloMessage;
using wire::KeyShareEntry;

constexpr std::uint16_t kFallbackScsv = 0x5600;  // RFC 7507 §6
constexpr std::uint8_t kFatal = 2;               // RFC 8446 §6 AlertLevel

MutationOutcome applied(std::string detail) {
  return {MutationOutcome::applied, std::move(detail)};
}
MutationOutcome absent(std::string detail) {
  return {MutationOutcome::absent, std::move(detail)};
}

std::string versions_text(const std::vector<std::uint16_t>& versions) {
  std::vector<std::string> names;
  for (const auto v : versions) names.push_back(version_name(v));
  return names.empty() ? "nothing" : fmt::format("{}", fmt::join(names, ", "));
}

std::string groups_text(const std::vector<std::uint16_t>& groups) {
  std::vector<std::string> names;
  for (const auto g : groups) names.push_back(group_name(g));
  return fmt::format("{}", fmt::join(names, ", "));
}

// Where a group's key share carries an ML-KEM encapsulation key (FIPS 203 §7.2 checks it):
// the hybrids put ML-KEM first after X25519 and after the P-256 / P-384 point otherwise
// (draft-ietf-tls-ecdhe-mlkem); the pure ML-KEM groups are the key alone.
std::optional<std::size_t> mlkem_key_offset(std::uint16_t group) {
  switch (group) {
    case 0x11EC:  // X25519MLKEM768: ML-KEM-768 encapsulation key, then X25519
    case 0x0200:  // MLKEM512
    case 0x0201:  // MLKEM768
    case 0x0202:  // MLKEM1024
      return 0;
    case 0x11EB:  // SecP256r1MLKEM768: an uncompressed P-256 point (65 bytes), then ML-KEM
      return 65;
    case 0x11ED:  // SecP384r1MLKEM1024: an uncompressed P-384 point (97 bytes), then ML-KEM
      return 97;
    default:
      return std::nullopt;
  }
}

// Edits the client's key shares; absent without key_share or without a share of `group`.
template <typename Edit>
MutationOutcome edit_client_share(HelloMessage& hello, std::uint16_t group, Edit&& edit) {
  auto* ext = hello.extension(wire::kExtKeyShare);
  if (!ext) return absent("the ClientHello has no key_share");
  auto shares = wire::read_client_key_shares(ext->data);
  if (!shares) return absent("the ClientHello's key_share is malformed");
  const auto it = std::find_if(shares->begin(), shares->end(),
                               [&](const KeyShareEntry& s) { return s.group == group; });
  if (it == shares->end())
    return absent(fmt::format("the ClientHello has no {} key share", group_name(group)));
  auto outcome = edit(*it);
  if (outcome.kind == MutationOutcome::applied) ext->data = wire::write_client_key_shares(*shares);
  return outcome;
}

MutationOutcome remove_group(const MutationParams& p, HelloMessage& hello, MessageDelivery&, int) {
  const auto group = *p.group;
  std::vector<std::string> removed;
  if (auto* ext = hello.extension(wire::kExtSupportedGroups)) {
    if (auto groups = wire::read_u16_list(ext->data, 2)) {
      if (std::erase(*groups, group) > 0) {
        ext->data = wire::write_u16_list(*groups, 2);
        removed.push_back("supported_groups");
      }
    }
  }
  if (auto* ext = hello.extension(wire::kExtKeyShare)) {
    if (auto shares = wire::read_client_key_shares(ext->data)) {
      if (std::erase_if(*shares, [&](const KeyShareEntry& s) { return s.group == group; }) > 0) {
        ext->data = wire::write_client_key_shares(*shares);
        removed.push_back("key_share");
      }
    }
  }
  if (removed.empty())
    return absent(fmt::format("the ClientHello offers no {}", group_name(group)));
  return applied(fmt::format("removed {} from {}", group_name(group), fmt::join(removed, " and ")));
}

MutationOutcome reverse_supported_groups(const MutationParams&, HelloMessage& hello,
                                         MessageDelivery&, int) {
  auto* ext = hello.extension(wire::kExtSupportedGroups);
  auto groups = ext ? wire::read_u16_list(ext->data, 2) : std::nullopt;
  if (!groups || groups->size() < 2)
    return absent("the ClientHello's supported_groups has fewer than two groups");
  std::reverse(groups->begin(), groups->end());
  ext->data = wire::write_u16_list(*groups, 2);
  return applied(fmt::format("supported_groups reordered to {}", groups_text(*groups)));
}

MutationOutcome set_supported_versions(const MutationParams& p, HelloMessage& hello,
                                       MessageDelivery&, int) {
  auto* ext = hello.extension(wire::kExtSupportedVersions);
  if (!ext) return absent("the ClientHello has no supported_versions");
  const auto before = wire::read_u16_list(ext->data, 1);
  ext->data = wire::write_u16_list(p.versions, 1);
  return applied(fmt::format("supported_versions {} replaced by {}",
                             before ? versions_text(*before) : "(malformed)",
                             versions_text(p.versions)));
}

MutationOutcome remove_supported_versions(const MutationParams&, HelloMessage& hello,
                                          MessageDelivery&, int) {
  if (!hello.remove_extension(wire::kExtSupportedVersions))
    return absent("the ClientHello has no supported_versions");
  return applied("removed supported_versions");
}

MutationOutcome set_legacy_version(const MutationParams& p, HelloMessage& hello, MessageDelivery&,
                                   int) {
  const auto before = hello.legacy_version;
  hello.legacy_version = *p.version;
  return applied(fmt::format("legacy_version {} replaced by {}", version_name(before),
                             version_name(*p.version)));
}

MutationOutcome set_psk_modes(const MutationParams& p, HelloMessage& hello, MessageDelivery&, int) {
  auto* ext = hello.extension(wire::kExtPskKeyExchangeModes);
  if (!ext) return absent("the ClientHello has no psk_key_exchange_modes");
  ext->data = wire::write_u8_list(p.psk_modes);
  std::vector<std::string> names;
  for (const auto m : p.psk_modes) names.push_back(m == 0 ? "psk_ke" : "psk_dhe_ke");
  return applied(fmt::format("psk_key_exchange_modes rewritten to {}", fmt::join(names, ", ")));
}

MutationOutcome flip_binder_byte(const MutationParams&, HelloMessage& hello, MessageDelivery&,
                                 int) {
  auto* ext = hello.extension(wire::kExtPreSharedKey);
  if (!ext || ext->data.empty()) return absent("the ClientHello has no pre_shared_key");
  // The binders end the extension (§4.2.11), so its last byte is the last binder's last byte.
  ext->data.back() ^= 0x01;
  return applied("flipped the last bit of the last PSK binder");
}

MutationOutcome add_fallback_scsv(const MutationParams&, HelloMessage& hello, MessageDelivery&,
                                  int) {
  if (std::find(hello.cipher_suites.begin(), hello.cipher_suites.end(), kFallbackScsv) !=
      hello.cipher_suites.end())
    return absent("the ClientHello already carries TLS_FALLBACK_SCSV");
  hello.cipher_suites.push_back(kFallbackScsv);
  return applied("appended TLS_FALLBACK_SCSV to cipher_suites");
}

MutationOutcome remove_cipher_suite(const MutationParams& p, HelloMessage& hello, MessageDelivery&,
                                    int) {
  if (std::erase(hello.cipher_suites, *p.cipher_suite) == 0)
    return absent(fmt::format("the ClientHello offers no {}", cipher_suite_name(*p.cipher_suite)));
  return applied(fmt::format("removed {} from cipher_suites", cipher_suite_name(*p.cipher_suite)));
}

MutationOutcome reverse_cipher_suites(const MutationParams&, HelloMessage& hello, MessageDelivery&,
                                      int) {
  if (hello.cipher_suites.size() < 2)
    return absent("the ClientHello offers fewer than two cipher suites");
  std::reverse(hello.cipher_suites.begin(), hello.cipher_suites.end());
  return applied(fmt::format("cipher_suites reversed; {} first now",
                             cipher_suite_name(hello.cipher_suites.front())));
}

MutationOutcome truncate_key_share(const MutationParams& p, HelloMessage& hello, MessageDelivery&,
                                   int) {
  return edit_client_share(hello, *p.group, [&](KeyShareEntry& share) {
    share.key_exchange.pop_back();
    return applied(fmt::format("the {} key share shortened by one byte to {} bytes",
                               group_name(share.group), share.key_exchange.size()));
  });
}

MutationOutcome break_mlkem_key(const MutationParams& p, HelloMessage& hello, MessageDelivery&,
                                int) {
  const auto offset = mlkem_key_offset(*p.group);
  if (!offset) return absent(fmt::format("{} carries no ML-KEM key", group_name(*p.group)));
  return edit_client_share(hello, *p.group, [&](KeyShareEntry& share) {
    if (share.key_exchange.size() < *offset + 2)
      return absent(fmt::format("the {} key share is too short", group_name(share.group)));
    // ByteEncode12 packs two 12-bit coefficients in three bytes, low bits first (FIPS 203
    // §4.2.1): the first coefficient becomes 4095, not below q = 3329.
    share.key_exchange[*offset] = 0xFF;
    share.key_exchange[*offset + 1] |= 0x0F;
    return applied(
        fmt::format("the first coefficient of the {} encapsulation key set to 4095 (>= q = 3329)",
                    group_name(share.group)));
  });
}

MutationOutcome forge_hello_retry_request(const MutationParams& p, HelloMessage& hello,
                                          MessageDelivery& delivery, int times_applied) {
  if (times_applied > 0) return {};  // only the first ClientHello is answered by the attacker
  const auto tls13 =
      std::find_if(hello.cipher_suites.begin(), hello.cipher_suites.end(), [](std::uint16_t s) {
        const auto info = cipher_suite_by_code(s);
        return info && info->tls13;
      });
  if (tls13 == hello.cipher_suites.end())
    return absent("the ClientHello offers no TLS 1.3 cipher suite");
  wire::ServerHelloSpec hrr;
  hrr.hello_retry_request = true;
  hrr.legacy_session_id_echo = hello.legacy_session_id;
  hrr.cipher_suite = *tls13;
  hrr.supported_version = 0x0304;
  hrr.key_share = KeyShareEntry{*p.group, {}};
  delivery.reply_to_sender = wire::write_server_hello(hrr);
  delivery.message.clear();
  return applied(fmt::format(
      "answered the ClientHello with a forged HelloRetryRequest for {} and did not pass it on",
      group_name(*p.group)));
}

MutationOutcome split_records(const MutationParams& p, HelloMessage&, MessageDelivery& delivery,
                              int) {
  delivery.record_size = p.record_size;
  return applied(fmt::format("sent in records of {} bytes", p.record_size));
}

MutationOutcome byte_writes(const MutationParams&, HelloMessage&, MessageDelivery& delivery, int) {
  delivery.byte_writes = true;
  return applied("sent one byte per TCP write");
}

MutationOutcome inject_alert(const MutationParams& p, HelloMessage&, MessageDelivery& delivery,
                             int times_applied) {
  if (times_applied > 0) return {};
  const std::array<std::uint8_t, 2> alert = {kFatal, *p.alert};
  delivery.records_before = wire::write_records(wire::kAlert, alert);
  return applied(fmt::format("sent a plaintext fatal {} alert ahead of it", alert_name(*p.alert)));
}

MutationOutcome rewrite_server_random(const MutationParams&, HelloMessage& hello, MessageDelivery&,
                                      int) {
  hello.random[0] ^= 0x01;
  return applied("flipped a bit of ServerHello.random");
}

MutationOutcome remove_server_key_share(const MutationParams&, HelloMessage& hello,
                                        MessageDelivery&, int) {
  if (!hello.remove_extension(wire::kExtKeyShare))
    return absent("the ServerHello has no key_share");
  return applied("removed the ServerHello's key_share");
}

// Edits the server's key share; absent without one.
template <typename Edit>
MutationOutcome edit_server_share(HelloMessage& hello, Edit&& edit) {
  auto* ext = hello.extension(wire::kExtKeyShare);
  if (!ext) return absent("the ServerHello has no key_share");
  auto share = wire::read_server_key_share(ext->data);
  if (!share) return absent("the ServerHello's key_share is malformed");
  auto outcome = edit(*share);
  ext->data = wire::write_server_key_share(*share);
  return outcome;
}

MutationOutcome truncate_server_key_share(const MutationParams&, HelloMessage& hello,
                                          MessageDelivery&, int) {
  return edit_server_share(hello, [](KeyShareEntry& share) {
    share.key_exchange.pop_back();
    return applied(fmt::format("the server's {} key share shortened by one byte to {} bytes",
                               group_name(share.group), share.key_exchange.size()));
  });
}

MutationOutcome set_server_group(const MutationParams& p, HelloMessage& hello, MessageDelivery&,
                                 int) {
  return edit_server_share(hello, [&](KeyShareEntry& share) {
    const auto before = share.group;
    share.group = *p.group;
    return applied(fmt::format("the server's key share group {} renamed {}", group_name(before),
                               group_name(*p.group)));
  });
}

using P = MutationParam;
using T = MutationTarget;

// clang-format off
const std::array kMutations = {
  MutationDefinition{"remove_group", T::client_hello, {P::group},
    "removes a group from supported_groups and its key share", remove_group},
  MutationDefinition{"reverse_supported_groups", T::client_hello, {},
    "reverses the order of supported_groups", reverse_supported_groups},
  MutationDefinition{"set_supported_versions", T::client_hello, {P::versions},
    "replaces the versions in supported_versions", set_supported_versions},
  MutationDefinition{"remove_supported_versions", T::client_hello, {},
    "removes supported_versions, so legacy_version alone names the version",
    remove_supported_versions},
  MutationDefinition{"set_legacy_version", T::client_hello, {P::version},
    "replaces legacy_version", set_legacy_version},
  MutationDefinition{"set_psk_modes", T::client_hello, {P::psk_modes},
    "rewrites psk_key_exchange_modes", set_psk_modes},
  MutationDefinition{"flip_binder_byte", T::client_hello, {},
    "flips a bit of the last PSK binder", flip_binder_byte},
  MutationDefinition{"add_fallback_scsv", T::client_hello, {},
    "appends TLS_FALLBACK_SCSV (RFC 7507) to cipher_suites", add_fallback_scsv},
  MutationDefinition{"remove_cipher_suite", T::client_hello, {P::cipher_suite},
    "removes a cipher suite from cipher_suites", remove_cipher_suite},
  MutationDefinition{"reverse_cipher_suites", T::client_hello, {},
    "reverses the order of cipher_suites", reverse_cipher_suites},
  MutationDefinition{"truncate_key_share", T::client_hello, {P::group},
    "shortens a group's key share by one byte (its length fields follow)", truncate_key_share},
  MutationDefinition{"break_mlkem_key", T::client_hello, {P::group},
    "makes the ML-KEM encapsulation key in a group's key share fail the FIPS 203 §7.2 modulus "
    "check", break_mlkem_key},
  MutationDefinition{"forge_hello_retry_request", T::client_hello, {P::group},
    "answers the first ClientHello with a HelloRetryRequest for a group, in the server's stead",
    forge_hello_retry_request},
  MutationDefinition{"split_records", T::client_hello, {P::record_size},
    "sends the ClientHello in records of record_size bytes", split_records},
  MutationDefinition{"byte_writes", T::client_hello, {},
    "sends the ClientHello one byte per TCP write", byte_writes},
  MutationDefinition{"inject_alert", T::server_hello, {P::alert},
    "sends the client a plaintext fatal alert ahead of the first ServerHello", inject_alert},
  MutationDefinition{"rewrite_server_random", T::server_hello, {},
    "flips a bit of ServerHello.random", rewrite_server_random},
  MutationDefinition{"remove_server_key_share", T::server_hello, {},
    "removes the ServerHello's key_share", remove_server_key_share},
  MutationDefinition{"truncate_server_key_share", T::server_hello, {},
    "shortens the server's key share by one byte", truncate_server_key_share},
  MutationDefinition{"set_server_group", T::server_hello, {P::group},
    "renames the group of the server's key share", set_server_group},
};
// clang-format on

struct ParamDefinition {
  MutationParam param;
  const char* name;
  bool list;
  const char* values;
  // Stores one value; false when it is not valid.
  bool (*store)(const std::string& value, MutationParams& into);
};

// clang-format off
const std::array kParams = {
  ParamDefinition{P::group, "group", false, "an IANA group name",
    [](const std::string& v, MutationParams& p) {
      const auto g = group_by_name(v);
      if (g) p.group = g->code;
      return g.has_value();
    }},
  ParamDefinition{P::versions, "versions", true, "a list of TLSv1.0 .. TLSv1.3 (may be empty)",
    [](const std::string& v, MutationParams& p) {
      const auto version = version_by_name(v);
      if (version) p.versions.push_back(version->code);
      return version.has_value();
    }},
  ParamDefinition{P::version, "version", false, "TLSv1.0 .. TLSv1.3",
    [](const std::string& v, MutationParams& p) {
      const auto version = version_by_name(v);
      if (version) p.version = version->code;
      return version.has_value();
    }},
  ParamDefinition{P::psk_modes, "psk_modes", true, "a list of psk_ke, psk_dhe_ke",
    [](const std::string& v, MutationParams& p) {
      if (v != "psk_ke" && v != "psk_dhe_ke") return false;
      p.psk_modes.push_back(v == "psk_ke" ? 0 : 1);  // RFC 8446 §4.2.9
      return true;
    }},
  ParamDefinition{P::cipher_suite, "cipher_suite", false, "an IANA cipher suite name",
    [](const std::string& v, MutationParams& p) {
      const auto s = cipher_suite_by_name(v);
      if (s) p.cipher_suite = s->code;
      return s.has_value();
    }},
  ParamDefinition{P::alert, "alert", false, "an alert name",
    [](const std::string& v, MutationParams& p) {
      const auto a = alert_by_name(v);
      if (a) p.alert = static_cast<std::uint8_t>(a->code);
      return a.has_value();
    }},
  ParamDefinition{P::record_size, "record_size", false, "1 .. 16384",
    [](const std::string& v, MutationParams& p) {
      if (v.empty() || v.size() > 5 || !std::all_of(v.begin(), v.end(), ::isdigit)) return false;
      p.record_size = std::stoul(v);
      return p.record_size >= 1 && p.record_size <= wire::kMaxPlaintextLength;
    }},
};
// clang-format on

const ParamDefinition& param_definition(MutationParam param) {
  return *std::find_if(kParams.begin(), kParams.end(),
                       [&](const ParamDefinition& d) { return d.param == param; });
}

bool list_param(const std::string& name) {
  const auto* d = std::find_if(kParams.begin(), kParams.end(),
                               [&](const ParamDefinition& p) { return name == p.name; });
  return d != kParams.end() && d->list;
}

std::string mutation_names() {
  std::vector<std::string> names;
  for (const auto& m : kMutations) names.emplace_back(m.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

std::span<const MutationDefinition> mutation_table() {
  return kMutations;
}

const char* mutation_param_name(MutationParam param) {
  return param_definition(param).name;
}

Mutation parse_mutation(const std::string& name,
                        const std::map<std::string, std::vector<std::string>>& params) {
  const auto it = std::find_if(kMutations.begin(), kMutations.end(),
                               [&](const MutationDefinition& d) { return name == d.name; });
  if (it == kMutations.end())
    throw std::invalid_argument(
        fmt::format("unknown mutation '{}' (known: {})", name, mutation_names()));
  Mutation mutation;
  mutation.definition = &*it;
  mutation.written = params;
  for (const auto& entry : params) {
    const auto& key = entry.first;
    const auto takes = std::find_if(it->params.begin(), it->params.end(), [&](MutationParam p) {
      return key == param_definition(p).name;
    });
    if (takes == it->params.end())
      throw std::invalid_argument(fmt::format("mutation {} takes no parameter '{}'", name, key));
  }
  for (const auto param : it->params) {
    const auto& d = param_definition(param);
    const auto given = params.find(d.name);
    if (given == params.end())
      throw std::invalid_argument(
          fmt::format("mutation {} needs '{}' ({})", name, d.name, d.values));
    if (!d.list && given->second.size() != 1)
      throw std::invalid_argument(
          fmt::format("mutation {}: '{}' takes one value ({})", name, d.name, d.values));
    for (const auto& value : given->second)
      if (!d.store(value, mutation.params))
        throw std::invalid_argument(
            fmt::format("mutation {}: '{}' is not a valid {} ({})", name, value, d.name, d.values));
  }
  return mutation;
}

std::string mutation_text(const Mutation& mutation) {
  std::vector<std::string> params;
  for (const auto& [key, values] : mutation.written)
    params.push_back(list_param(key) ? fmt::format("{}: [{}]", key, fmt::join(values, ", "))
                                     : fmt::format("{}: {}", key, values.front()));
  if (params.empty()) return mutation.definition->name;
  return fmt::format("{}({})", mutation.definition->name, fmt::join(params, ", "));
}

nlohmann::json to_json(const Mutation& mutation) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [key, values] : mutation.written)
    params[key] = list_param(key) ? nlohmann::json(values) : nlohmann::json(values.front());
  return {{"mutation", mutation.definition->name}, {"params", params}};
}

}  // namespace tlsmatrix
