// The handshake floor as issue 12 defines it: one OpenSSL handshake with both ends in one
// process over memory buffers (a BIO pair, no sockets, no threads), TLS 1.3 with the ECDSA
// P-256 server certificate of suites/pki verified by the client, application data both ways,
// close_notify both ways. `--context reuse` keeps one SSL_CTX per side for all handshakes (the
// library's own floor); `--context fresh` makes both SSL_CTXs and loads the credentials anew for
// every handshake, as a peer must for each request (peers/PROTOCOL.md, "Isolation"). Prints one
// JSON line with the process's CPU (getrusage RUSAGE_SELF, user + sys) per handshake.
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "cpu_seconds.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + ERR_error_string(ERR_get_error(), nullptr));
}

struct Contexts {
  SSL_CTX* client = nullptr;
  SSL_CTX* server = nullptr;
  Contexts(const std::string& pki) {
    client = SSL_CTX_new(TLS_client_method());
    server = SSL_CTX_new(TLS_server_method());
    if (!client || !server) fail("SSL_CTX_new");
    for (auto* ctx : {client, server}) SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    if (SSL_CTX_use_certificate_chain_file(server, (pki + "/server-ecdsa-p256.crt").c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(server, (pki + "/server-ecdsa-p256.key").c_str(),
                                    SSL_FILETYPE_PEM) != 1)
      fail("server credentials");
    if (SSL_CTX_load_verify_locations(client, (pki + "/ca-ecdsa.crt").c_str(), nullptr) != 1)
      fail("trust anchor");
    SSL_CTX_set_verify(client, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_session_cache_mode(client, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(server, 0);
  }
  Contexts(const Contexts&) = delete;
  Contexts& operator=(const Contexts&) = delete;
  ~Contexts() {
    SSL_CTX_free(client);
    SSL_CTX_free(server);
  }
};

// Moves bytes until neither side makes progress; `step` runs both sides once.
template <typename Step>
void drive(Step step) {
  for (int round = 0; round < 100; ++round)
    if (step()) return;
  throw std::runtime_error("the in-memory handshake did not finish");
}

void handshake(const Contexts& ctx) {
  SSL* c = SSL_new(ctx.client);
  SSL* s = SSL_new(ctx.server);
  BIO *cb = nullptr, *sb = nullptr;
  BIO_new_bio_pair(&cb, 0, &sb, 0);
  SSL_set_bio(c, cb, cb);
  SSL_set_bio(s, sb, sb);
  SSL_set_tlsext_host_name(c, "server.tlsmatrix.test");
  SSL_set1_host(c, "server.tlsmatrix.test");
  SSL_set_connect_state(c);
  SSL_set_accept_state(s);
  drive([&] {
    const int rc = SSL_do_handshake(c);
    const int rs = SSL_do_handshake(s);
    return rc == 1 && rs == 1;
  });
  if (SSL_get_verify_result(c) != X509_V_OK) fail("verification");
  const std::string up = "tlsmatrix client->server application data 0123456789abcdef\n";
  const std::string down = "tlsmatrix server->client application data 0123456789abcdef\n";
  char buf[256];
  if (SSL_write(c, up.data(), static_cast<int>(up.size())) != static_cast<int>(up.size()))
    fail("client write");
  if (SSL_read(s, buf, sizeof buf) != static_cast<int>(up.size())) fail("server read");
  if (SSL_write(s, down.data(), static_cast<int>(down.size())) != static_cast<int>(down.size()))
    fail("server write");
  if (SSL_read(c, buf, sizeof buf) != static_cast<int>(down.size())) fail("client read");
  SSL_shutdown(c);
  SSL_shutdown(s);
  SSL_shutdown(c);
  SSL_free(c);
  SSL_free(s);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"OpenSSL handshake floor: client and server in one process over a BIO pair"};
  unsigned handshakes = 1000;
  std::string context = "reuse";
  std::string pki = "suites/pki";
  app.add_option("-n,--handshakes", handshakes, "measured handshakes")->check(CLI::PositiveNumber);
  app.add_option("--context", context, "reuse: one SSL_CTX per side; fresh: new per handshake")
      ->check(CLI::IsMember({"reuse", "fresh"}));
  app.add_option("--pki", pki, "the suites/pki folder");
  CLI11_PARSE(app, argc, argv);
  try {
    std::optional<Contexts> kept;
    if (context == "reuse") kept.emplace(pki);
    const auto one = [&] {
      if (kept)
        handshake(*kept);
      else
        handshake(Contexts(pki));
    };
    for (int i = 0; i < 20; ++i) one();  // warm-up
    const auto cpu_start = cpu_seconds_self();
    const auto wall_start = std::chrono::steady_clock::now();
    for (unsigned i = 0; i < handshakes; ++i) one();
    const auto cpu = cpu_seconds_self() - cpu_start;
    const auto wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    std::printf("%s\n", nlohmann::json{{"stack", "openssl-bio"},
                                       {"version", OPENSSL_VERSION_STR},
                                       {"context", context},
                                       {"handshakes", handshakes},
                                       {"cpu_seconds", cpu},
                                       {"cpu_ms_per_handshake", cpu * 1000 / handshakes},
                                       {"wall", wall}}
                            .dump()
                            .c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "openssl-bio-floor: %s\n", e.what());
    return 1;
  }
  return 0;
}
