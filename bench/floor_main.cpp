// The in-process handshake floor of one stack (issue 12): N handshakes with client and server of
// this stack's adapter in one process, over memory (peers/driver/memory_handshake.hpp), each
// with fresh library contexts as a peer makes per request, after a warm-up. Prints one JSON
// line with the CPU this process spent (getrusage RUSAGE_SELF, user + sys) per handshake.
//
// Each handshake: TLS 1.3 only, an ECDSA P-256 server certificate (suites/pki, compiled in) that
// the client verifies against the test roots and the server name, and application data both ways
// (the client sends first, then reads the server's), then close_notify. Each side configures its
// own library context (credentials parsed from PEM) on its own thread; a pump thread relays the
// bytes over two socketpairs and the wire library reads the recorded handshake afterwards.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cpu_seconds.hpp"
#include "memory_handshake.hpp"
#include "probe_configs.hpp"
#include "serve_loop.hpp"
#include "stack_adapter.hpp"
#include "test_pki.hpp"

namespace {

tlsmatrix::ConfigPair floor_pair() {
  auto pair = tlsmatrix::probe::ecdsa_pair();
  tlsmatrix::probe::pin_version(pair, "TLSv1.3");
  pair.client.verify_server = true;
  pair.client.trust_anchors_pem = tlsmatrix::test_pki::roots();
  pair.client.server_name = tlsmatrix::test_pki::kServerName;
  return pair;
}

// Every handshake must have completed, verified and moved its data both ways.
bool succeeded(const tlsmatrix::MemoryHandshake& hs) {
  return hs.completed() && hs.client.app_data_verified && hs.server.app_data_verified &&
         hs.client.version == "TLSv1.3";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tlsmatrix in-process handshake floor: one stack's client and server over memory"};
  unsigned handshakes = 1000;
  unsigned warmup = 50;
  app.add_option("-n,--handshakes", handshakes, "measured handshakes")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "handshakes before measuring");
  CLI11_PARSE(app, argc, argv);

  ::signal(SIGPIPE, SIG_IGN);
  tlsmatrix::keep_heap_between_requests();  // as a serving peer does
  auto adapter = tlsmatrix::make_stack_adapter();
  const auto id = adapter->identity();
  const auto pair = floor_pair();
  const auto run = [&](unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      const auto hs = tlsmatrix::handshake_in_memory(*adapter, pair.client, pair.server);
      if (!succeeded(hs)) {
        std::fprintf(stderr, "tlsmatrix-floor-%s: handshake %u failed: client: %s; server: %s\n",
                     id.stack.c_str(), i, hs.client.error.c_str(), hs.server.error.c_str());
        return false;
      }
    }
    return true;
  };
  if (!run(warmup)) return 1;
  const double cpu0 = cpu_seconds_self();
  const auto wall0 = std::chrono::steady_clock::now();
  if (!run(handshakes)) return 1;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double cpu = cpu_seconds_self() - cpu0;
  const nlohmann::ordered_json line = {{"stack", id.stack},
                                       {"version", id.version},
                                       {"handshakes", handshakes},
                                       {"cpu_seconds", cpu},
                                       {"cpu_ms_per_handshake", cpu * 1000 / handshakes},
                                       {"wall", wall}};
  std::printf("%s\n", line.dump().c_str());
  return 0;
}
