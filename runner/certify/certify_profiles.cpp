#include "certify_profiles.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>

#include <algorithm>

namespace tlsmatrix {
namespace {

// The one rule every profile uses (judge_profile), in words.
constexpr const char* kRule =
    "met iff at least one counted cell was executed (status other than unsupported) and every "
    "executed counted cell matched its expectation (its match is \"expected\"): pass, or the "
    "status a reference stack's known deviation names for the reference peer's side; "
    "unsupported cells are listed and judge nothing; a profile with no executed cell is not "
    "applicable, never met";

}  // namespace

const std::vector<CertificationProfile>& certification_profiles() {
  static const std::vector<CertificationProfile> profiles = {
      {"baseline-interop",
       "Baseline TLS 1.3 and TLS 1.2 interoperability",
       "Full TLS 1.3 and TLS 1.2 handshakes with ECDSA P-256 and RSA-2048 certificates, each "
       "TLS 1.3 cipher suite, version negotiation and the refusal of an untrusted certificate "
       "interoperate with every reference peer in both roles.",
       "RFC 8446 §9.1 (a TLS-compliant application MUST implement TLS_AES_128_GCM_SHA256 and "
       "SHOULD implement TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256, MUST support "
       "secp256r1 and ecdsa_secp256r1_sha256), §4.2.1 (version negotiation through "
       "supported_versions), §4.1.3 (the TLS 1.2 downgrade sentinel); RFC 5246 §7.4 and "
       "RFC 8422 §2.1, §2.2 (TLS 1.2 ECDHE_ECDSA and ECDHE_RSA handshakes), RFC 5246 §F.1.1 "
       "and §7.2.2 (a server certificate from a CA the client does not trust is refused, "
       "unknown_ca)",
       {"baseline/*"},
       kRule},
      {"classical-groups",
       "Classical (EC)DHE key exchange groups",
       "TLS 1.3 key exchange over x25519, secp256r1, secp384r1, x448 and ffdhe2048, group "
       "preference, HelloRetryRequest and the refusal without a common group interoperate.",
       "RFC 8446 §4.2.7 (supported_groups), §4.2.8 (key_share), §4.1.4 (a HelloRetryRequest "
       "when the client's shares do not fit), §4.1.1 (with no group in common the server MUST "
       "abort the handshake), §9.1 (secp256r1 MUST, x25519 SHOULD be supported)",
       {"groups-classical/*"},
       kRule},
      {"hybrid-pq-kex",
       "Hybrid post-quantum key exchange interoperates",
       "TLS 1.3 hybrid and ML-KEM key exchange (X25519MLKEM768, SecP256r1MLKEM768, "
       "SecP384r1MLKEM1024, MLKEM512/768/1024), with classical fallback and HelloRetryRequest, "
       "interoperates with every reference peer that implements the group.",
       "draft-ietf-tls-ecdhe-mlkem (X25519MLKEM768 0x11EC, SecP256r1MLKEM768 0x11EB, "
       "SecP384r1MLKEM1024 0x11ED: the key share layouts of its §4.1, §4.2, as "
       "suites/groups-hybrid.yaml and suites/downgrade.yaml cite them), draft-ietf-tls-mlkem "
       "(MLKEM512/768/1024), the hybrid construction of draft-ietf-tls-hybrid-design; RFC 8446 "
       "§4.2.8 for the key_share negotiation and HelloRetryRequest",
       {"groups-hybrid/*"},
       kRule},
      {"psk-guidance",
       "External PSK modes follow RFC 8446 and RFC 9257 guidance",
       "TLS 1.3 external PSKs in psk_ke and psk_dhe_ke (classical and hybrid), every client "
       "modes x server modes x certificate combination, wrong secrets, unknown identities, "
       "hash binding, binary identities, RFC 9973 certificate-with-PSK and the TLS 1.2 PSK "
       "suites behave as RFC 8446 §4.2.9 / §4.2.11 require with every reference peer.",
       "RFC 8446 §4.2.9 (\"Servers MUST NOT select a key exchange mode that is not listed by "
       "the client\"), §4.2.11 (binders; each PSK is associated with one hash), Appendix E.7 "
       "\"Sharing PSKs\" (TLS 1.3 binds a PSK to one KDF hash, TLS 1.2 does not; "
       "implementations can ensure safety from cross-protocol related output by not reusing "
       "PSKs between TLS 1.3 and TLS 1.2); RFC 9257 \"Guidance for External PSK Usage in TLS\" "
       "§6 (each PSK at least 128 bits long and SHOULD be combined with an ephemeral key "
       "exchange, e.g. psk_dhe_ke, for forward secrecy; a PSK restricted to two logical "
       "nodes). The cells judge the RFC 8446 rules; which mode a pair ends up in by default is "
       "recorded (summary.md, security notes), not judged",
       {"psk/*"},
       kRule},
      {"downgrade-protection",
       "Downgrade protection",
       "No handshake completes under an active attacker's rewrite of the hellos (version, "
       "group, PSK mode, cipher suite, forged HelloRetryRequest, broken hybrid shares); the "
       "downgrade sentinel and TLS_FALLBACK_SCSV are honoured, with every reference peer in "
       "both roles.",
       "RFC 8446 §4.1.3 (a TLS 1.3 server negotiating TLS 1.2 sets the last 8 bytes of "
       "ServerHello.random to 44 4F 57 4E 47 52 44 01; a TLS 1.3 client receiving it MUST "
       "abort with illegal_parameter), Appendix E.1 (the Finished MAC over the transcript "
       "prevents downgrade attacks); RFC 7507 §3 (a server receiving TLS_FALLBACK_SCSV with a "
       "version lower than its highest MUST answer inappropriate_fallback). A completed "
       "downgrade is a `fail` and so never matches an expectation of the vendor's: only a "
       "reference stack's known deviation for its own side (e.g. a reference server that does "
       "not check an ML-KEM key) can make one expected, and the certification lists it",
       {"downgrade/*"},
       kRule},
      {"resumption",
       "Session resumption",
       "TLS 1.3 tickets in psk_dhe_ke and psk_ke (classical and hybrid) and TLS 1.2 tickets "
       "resume with every reference peer, and a server without tickets falls back to a full "
       "handshake.",
       "RFC 8446 §2.2 (resumption is a PSK handshake), §4.6.1 (NewSessionTicket), §4.2.9 "
       "(psk_key_exchange_modes); RFC 5077 §3 (TLS 1.2 session tickets)",
       {"resumption/*"},
       kRule},
  };
  return profiles;
}

const char* profile_verdict_name(ProfileVerdict verdict) {
  switch (verdict) {
    case ProfileVerdict::met:
      return "met";
    case ProfileVerdict::not_met:
      return "not_met";
    case ProfileVerdict::not_applicable:
      return "not_applicable";
  }
  return "?";
}

bool profile_counts(const CertificationProfile& profile, const std::string& suite,
                    const std::string& scenario) {
  const auto name = suite + "/" + scenario;
  return std::any_of(profile.scenarios.begin(), profile.scenarios.end(), [&](const auto& glob) {
    return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
  });
}

ProfileJudgement judge_profile(const CertificationProfile& profile,
                               const std::vector<ProfileCell>& cells) {
  ProfileJudgement out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& cell = cells[i];
    if (!profile_counts(profile, cell.suite, cell.scenario)) continue;
    out.counted.push_back(i);
    if (cell.status == Status::unsupported) {
      out.unsupported.push_back(i);
      continue;
    }
    out.executed.push_back(i);
    if (!cell.as_expected) out.failing.push_back(i);
  }
  if (out.counted.empty()) {
    out.verdict = ProfileVerdict::not_applicable;
    out.reason = "no cell of the profile was run (none of its scenarios was planned)";
  } else if (out.executed.empty()) {
    out.verdict = ProfileVerdict::not_applicable;
    out.reason = fmt::format(
        "all {} cells are unsupported: the vendor peer or the reference peers cannot produce "
        "the profile's configurations, so nothing was judged",
        out.counted.size());
  } else if (!out.failing.empty()) {
    out.verdict = ProfileVerdict::not_met;
    std::vector<std::string> first;
    for (std::size_t k = 0; k < out.failing.size() && k < 3; ++k) {
      const auto& c = cells[out.failing[k]];
      first.push_back(fmt::format("{} ({})", c.id, status_name(c.status)));
    }
    out.reason = fmt::format("{} of {} executed cells did not match their expectation: {}{}",
                             out.failing.size(), out.executed.size(), fmt::join(first, ", "),
                             out.failing.size() > first.size() ? ", ..." : "");
  } else {
    out.verdict = ProfileVerdict::met;
    out.reason = fmt::format(
        "every one of {} executed cells matched its expectation ({} unsupported cells listed)",
        out.executed.size(), out.unsupported.size());
  }
  return out;
}

}  // namespace tlsmatrix
