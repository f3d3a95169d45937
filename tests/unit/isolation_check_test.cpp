// What a cell shows on the wire of state from an earlier request (isolation_check.hpp).
#include "isolation_check.hpp"

#include <gtest/gtest.h>

namespace tlsmatrix {
namespace {

std::array<std::uint8_t, 32> random_of(std::uint8_t fill) {
  std::array<std::uint8_t, 32> random{};
  random.fill(fill);
  return random;
}

// One connection: a ClientHello and a ServerHello with these randoms.
WireObservation connection(std::uint8_t client_random, std::uint8_t server_random) {
  WireObservation wire;
  wire.client_hellos.emplace_back().random = random_of(client_random);
  wire.server_hellos.emplace_back().random = random_of(server_random);
  return wire;
}

struct IsolationCheck : ::testing::Test {
  PeerEntry client{"c@test", "fake", "test", {"c"}, "test"};
  PeerEntry server{"s@test", "fake", "test", {"s"}, "test"};
  CellRequest request;
  RandomRegistry randoms;
  IsolationCheck() {
    request.client = &client;
    request.server = &server;
  }
};

TEST_F(IsolationCheck, FreshRandomsPass) {
  EXPECT_FALSE(isolation_breach({connection(1, 2)}, request, "cell-a", &randoms));
  EXPECT_FALSE(isolation_breach({connection(3, 4), connection(5, 6)}, request, "cell-b", &randoms));
}

TEST_F(IsolationCheck, ARandomFromAnEarlierCellNamesThePeerAndTheCell) {
  ASSERT_FALSE(isolation_breach({connection(1, 2)}, request, "cell-a", &randoms));
  const auto client_repeat = isolation_breach({connection(1, 7)}, request, "cell-b", &randoms);
  ASSERT_TRUE(client_repeat);
  EXPECT_NE(client_repeat->find("client peer c@test ClientHello of connection 1 repeats a random"),
            std::string::npos)
      << *client_repeat;
  EXPECT_NE(client_repeat->find("already sent in cell-a"), std::string::npos) << *client_repeat;
  const auto server_repeat = isolation_breach({connection(8, 2)}, request, "cell-c", &randoms);
  ASSERT_TRUE(server_repeat);
  EXPECT_NE(server_repeat->find("server peer s@test ServerHello"), std::string::npos)
      << *server_repeat;
}

TEST_F(IsolationCheck, SecondClientHelloAfterHelloRetryRequestAndTheHrrRandomDoNotCount) {
  // RFC 8446 §4.1.2: the second ClientHello keeps the random; §4.1.3: the HRR's is a constant.
  auto wire = connection(1, 2);
  wire.client_hellos.push_back(wire.client_hellos.front());
  wire.server_hellos.insert(wire.server_hellos.begin(), ServerHelloObservation{});
  wire.server_hellos.front().hello_retry_request = true;
  wire.server_hellos.front().random = random_of(0xcf);
  EXPECT_FALSE(isolation_breach({wire}, request, "cell-a", &randoms));
  EXPECT_FALSE(isolation_breach({wire}, request, "cell-b", nullptr));
  auto other = connection(3, 4);
  other.server_hellos.insert(other.server_hellos.begin(), wire.server_hellos.front());
  EXPECT_FALSE(isolation_breach({other}, request, "cell-c", &randoms));
}

TEST_F(IsolationCheck, TheSameRandomInTwoConnectionsOfOneCellIsABreach) {
  const auto breach =
      isolation_breach({connection(1, 2), connection(1, 3)}, request, "cell-a", &randoms);
  ASSERT_TRUE(breach);
  EXPECT_NE(breach->find("connection 2 repeats a random"), std::string::npos) << *breach;
  EXPECT_NE(breach->find("already sent in this cell"), std::string::npos) << *breach;
}

TEST_F(IsolationCheck, APskInTheFirstConnectionThatTheCellDidNotGiveIsABreach) {
  auto wire = connection(1, 2);
  wire.client_hellos.front().pre_shared_key = true;
  const auto breach = isolation_breach({wire}, request, "cell-a", nullptr);
  ASSERT_TRUE(breach);
  EXPECT_NE(breach->find("client peer c@test offered a PSK in the cell's first connection"),
            std::string::npos)
      << *breach;
  // Given a PSK, offering it is what the cell asked for; a later connection may resume.
  request.client_config.psks.push_back({});
  EXPECT_FALSE(isolation_breach({wire}, request, "cell-b", nullptr));
  request.client_config.psks.clear();
  auto resumed = connection(3, 4);
  resumed.client_hellos.front().pre_shared_key = true;
  EXPECT_FALSE(isolation_breach({connection(5, 6), resumed}, request, "cell-c", nullptr));
}

// One TLS 1.2 connection whose server sent these plaintext handshake messages, then
// ChangeCipherSpec.
WireObservation tls12_connection(std::uint8_t first_random, std::vector<std::uint8_t> messages) {
  auto wire = connection(first_random, first_random + 1);
  wire.version = 0x0303;
  wire.server_to_client.handshake_messages = std::move(messages);
  wire.server_to_client.encryption_started = true;
  return wire;
}

TEST_F(IsolationCheck, ATls12ResumptionInTheFirstConnectionIsABreach) {
  const auto abbreviated = tls12_connection(1, {2});  // ServerHello, ChangeCipherSpec, Finished
  const auto breach = isolation_breach({abbreviated}, request, "cell-a", nullptr);
  ASSERT_TRUE(breach);
  EXPECT_NE(breach->find("server peer s@test resumed a TLS 1.2 session in the cell's first "
                         "connection"),
            std::string::npos)
      << *breach;
  // A full handshake (ServerHello, Certificate, ServerKeyExchange, ServerHelloDone), and a
  // resumption in a later connection of the same cell, show nothing.
  const auto full = tls12_connection(3, {2, 11, 12, 14});
  EXPECT_FALSE(isolation_breach({full}, request, "cell-b", nullptr));
  EXPECT_FALSE(isolation_breach({full, tls12_connection(5, {2, 4})}, request, "cell-c", nullptr));
  // A server that stopped after its ServerHello (an alert, no ChangeCipherSpec) resumed nothing.
  auto refused = tls12_connection(7, {2});
  refused.server_to_client.encryption_started = false;
  EXPECT_FALSE(isolation_breach({refused}, request, "cell-d", nullptr));
}

}  // namespace
}  // namespace tlsmatrix
