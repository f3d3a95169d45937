#include "features.hpp"

#include <array>

namespace tlsmatrix {
namespace {

constexpr std::array kFeatures{
    FeatureInfo{Feature::key_share_selection, "key_share_selection",
                "as a client, sends key shares for exactly the `key_shares` groups, whatever "
                "subset of `groups` they are"},
    FeatureInfo{Feature::key_share_first_group, "key_share_first_group",
                "as a client, can send a key share for only the first of `groups` while offering "
                "the others"},
    FeatureInfo{Feature::group_order, "group_order",
                "as a client, sends supported_groups in exactly the configured `groups` order "
                "(both of two orders); as a server with `server_preference: true`, selects the "
                "first of its own `groups` that the client offers, with a HelloRetryRequest if "
                "the client sent no share for it (both of two orders)"},
    FeatureInfo{Feature::server_preference, "server_preference",
                "as a server, honours `server_preference` both ways"},
    FeatureInfo{Feature::external_psk, "external_psk",
                "TLS 1.3 external PSKs (RFC 8446 §4.2.11) with the mode sets in `psk`"},
    FeatureInfo{
        Feature::cert_with_extern_psk, "cert_with_extern_psk",
        "`cert_with_extern_psk` works: with it on both sides, a psk_dhe_ke PSK and a server "
        "certificate, the handshake completes with the PSK, the client receives the "
        "certificate and the ServerHello carries tls_cert_with_extern_psk (RFC 9973)"},
    FeatureInfo{Feature::session_tickets, "session_tickets", "issues / accepts NewSessionTicket"},
    FeatureInfo{Feature::keylog, "keylog", "reports SSLKEYLOGFILE lines"},
    FeatureInfo{Feature::hostname_verification, "hostname_verification",
                "verifies the server certificate against `server_name`"},
    FeatureInfo{Feature::client_certificates, "client_certificates",
                "presents and requires client certificates"},
    FeatureInfo{Feature::hello_retry_request_report, "hello_retry_request_report",
                "reports in `hello_retry_request` whether an HRR happened, from its library's API"},
    FeatureInfo{Feature::fallback_scsv, "fallback_scsv",
                "as a client, sends TLS_FALLBACK_SCSV (RFC 7507) in its ClientHello's cipher "
                "suites when asked by `fallback_scsv`, and only then"},
};

}  // namespace

std::span<const FeatureInfo> feature_table() {
  return kFeatures;
}

std::optional<Feature> feature_from_name(std::string_view name) {
  for (const auto& f : kFeatures)
    if (f.name == name) return f.feature;
  return std::nullopt;
}

std::string_view feature_name(Feature feature) {
  for (const auto& f : kFeatures)
    if (f.feature == feature) return f.name;
  return "?";
}

std::string feature_names() {
  std::string out;
  for (const auto& f : kFeatures) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

}  // namespace tlsmatrix
