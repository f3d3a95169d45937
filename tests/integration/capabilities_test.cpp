// The capabilities of the peers this build made (build/peers.catalog.json, so every stack
// added to the build is checked without editing this file). Each peer's --capabilities must
// report the library version the system's package manager installed for the library file it
// loaded: the library is asked at run time, so this catches a peer linked against something
// else than the matrix claims.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include "installed_version.hpp"
#include "peer_catalog.hpp"

namespace tlsmatrix {
namespace {

const std::filesystem::path kCatalog =
    std::filesystem::path(TLSMATRIX_BINARY_DIR) / "peers.catalog.json";

// The host peers of this build's catalog (one per stack the build made), probed once for all
// tests below.
const std::vector<Peer>& host_peers() {
  static const auto peers = [] {
    std::vector<Peer> out;
    for (auto& peer : probe_peers(load_catalog(kCatalog), std::chrono::seconds(60)))
      if (peer.entry.environment == "host") out.push_back(std::move(peer));
    return out;
  }();
  return peers;
}

// Every peer names the file its library was loaded from (capabilities `library_file`), so the
// package that installed it is asked, whatever the stack: no list of libraries per stack.
TEST(Capabilities, VersionMatchesTheInstalledPackage) {
  ASSERT_FALSE(host_peers().empty()) << kCatalog;
  for (const auto& peer : host_peers()) {
    SCOPED_TRACE(peer.entry.id);
    const auto& file = peer.capabilities.library_file;
    ASSERT_FALSE(file.empty()) << "the peer does not say which library file it loaded "
                                  "(StackIdentity::library_address in its adapter)";
    const auto installed = installed_upstream_version("/", file);
    ASSERT_FALSE(installed.empty()) << "no package owns " << file;
    EXPECT_EQ(peer.capabilities.version, installed) << "dpkg says " << installed << " for " << file;
  }
}

bool fully_controlled(const ItemTable& table, const std::string& item) {
  const auto it = table.find(item);
  const ItemControl full{true, true};
  return it != table.end() && it->second.client == full && it->second.server == full;
}

TEST(Capabilities, EveryHostPeerControlsTls13AndX25519InBothRoles) {
  ASSERT_FALSE(host_peers().empty());
  for (const auto& peer : host_peers()) {
    SCOPED_TRACE(peer.entry.id);
    EXPECT_TRUE(fully_controlled(peer.capabilities.versions, "TLSv1.3"));
    EXPECT_TRUE(fully_controlled(peer.capabilities.groups, "x25519"));
    EXPECT_TRUE(fully_controlled(peer.capabilities.cipher_suites, "TLS_AES_128_GCM_SHA256"));
    // Measured on the wire, these belong to the default ClientHello's key_share extension.
    EXPECT_FALSE(peer.capabilities.default_key_shares.empty());
  }
}

// Facts about one stack follow. They do not say which stacks exist (the catalog does): each
// looks its stack up and skips when this build did not make it (see TLSMATRIX_STACKS).
const Capabilities* host_stack(const std::string& stack) {
  for (const auto& peer : host_peers())
    if (peer.capabilities.stack == stack) return &peer.capabilities;
  return nullptr;
}

// Whether a HelloRetryRequest happened is reported only from the library's API (protocol 2):
// GnuTLS has one (its handshake hook sees the HRR); OpenSSL and wolfSSL have no getter, so
// their peers say null and must not claim the feature.
TEST(Capabilities, GnutlsReportsHelloRetryRequestFromItsApi) {
  const auto* gnutls = host_stack("gnutls");
  if (gnutls == nullptr) GTEST_SKIP() << "this build made no gnutls peer";
  EXPECT_TRUE(gnutls->has(Feature::hello_retry_request_report));
}

TEST(Capabilities, OpensslHasNoHelloRetryRequestGetter) {
  const auto* openssl = host_stack("openssl");
  if (openssl == nullptr) GTEST_SKIP() << "this build made no openssl peer";
  EXPECT_FALSE(openssl->has(Feature::hello_retry_request_report));
}

TEST(Capabilities, WolfsslHasNoHelloRetryRequestGetter) {
  const auto* wolfssl = host_stack("wolfssl");
  if (wolfssl == nullptr) GTEST_SKIP() << "this build made no wolfssl peer";
  EXPECT_FALSE(wolfssl->has(Feature::hello_retry_request_report));
}

// TLS_FALLBACK_SCSV (RFC 7507), as the probe saw it in the ClientHello: OpenSSL
// (SSL_MODE_SEND_FALLBACK_SCSV) and GnuTLS (%FALLBACK_SCSV) send it; wolfSSL has no client call
// for it, so its peer refuses the setting.
TEST(Capabilities, OpensslAndGnutlsSendFallbackScsv) {
  for (const char* stack : {"openssl", "gnutls"}) {
    SCOPED_TRACE(stack);
    const auto* caps = host_stack(stack);
    if (caps == nullptr) continue;
    EXPECT_TRUE(caps->has(Feature::fallback_scsv));
  }
}

TEST(Capabilities, WolfsslCannotSendFallbackScsv) {
  const auto* wolfssl = host_stack("wolfssl");
  if (wolfssl == nullptr) GTEST_SKIP() << "this build made no wolfssl peer";
  EXPECT_FALSE(wolfssl->has(Feature::fallback_scsv));
}

// OpenSSL before 3.5 sends one key share, for the first group: it can do that on purpose but
// cannot choose another share set.
TEST(Capabilities, OpensslBefore35SharesOnlyItsFirstGroup) {
  const auto* openssl = host_stack("openssl");
  if (openssl == nullptr) GTEST_SKIP() << "this build made no openssl peer";
  if (!openssl->version.starts_with("3.0")) GTEST_SKIP() << "OpenSSL " << openssl->version;
  EXPECT_TRUE(openssl->has(Feature::key_share_first_group));
  EXPECT_FALSE(openssl->has(Feature::key_share_selection));
  EXPECT_EQ(openssl->default_key_shares, std::vector<std::string>{"x25519"});
}

// GnuTLS has no RFC 8773; with a certificate and a PSK it authenticates by the PSK alone.
TEST(Capabilities, GnutlsHasNoCertificateWithExternalPsk) {
  const auto* gnutls = host_stack("gnutls");
  if (gnutls == nullptr) GTEST_SKIP() << "this build made no gnutls peer";
  EXPECT_TRUE(gnutls->has(Feature::external_psk));
  EXPECT_FALSE(gnutls->has(Feature::cert_with_extern_psk));
}

// wolfSSL 5.5.4 cannot drop psk_ke while offering psk_dhe_ke (no wolfSSL_only_dhe_psk): the
// wire shows both modes whenever it is asked for psk_dhe_ke.
TEST(Capabilities, Wolfssl554CannotOfferPskDheKeAlone) {
  const auto* wolfssl = host_stack("wolfssl");
  if (wolfssl == nullptr) GTEST_SKIP() << "this build made no wolfssl peer";
  if (wolfssl->version != "5.5.4") GTEST_SKIP() << "wolfSSL " << wolfssl->version;
  const auto& sets = wolfssl->psk.client_mode_sets;
  const std::vector<std::string> both{"psk_dhe_ke", "psk_ke"};
  EXPECT_NE(std::find(sets.begin(), sets.end(), both), sets.end());
  EXPECT_EQ(std::find(sets.begin(), sets.end(), std::vector<std::string>{"psk_dhe_ke"}),
            sets.end());
}

// The runner gives a peer 60 s for --capabilities, room for re-running handshakes that timed
// out while every peer probed at once; one peer probing alone needs only a few seconds.
// Guards against a probe that hangs or retries without end, not a performance figure (a probe
// takes 1-2 s on an idle machine and several times that under CI load): half the runner's
// 60 s budget.
TEST(Capabilities, EachProbeIsWellWithinTheRunnersBudget) {
  for (const auto& peer : host_peers()) {
    SCOPED_TRACE(peer.entry.id);
    const auto start = std::chrono::steady_clock::now();
    const auto probed = probe_peers({peer.entry}, std::chrono::seconds(60));
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(probed.size(), 1u);
    EXPECT_LT(took, std::chrono::seconds(30));
  }
}

}  // namespace
}  // namespace tlsmatrix
