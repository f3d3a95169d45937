// The relay's record as a pcap file: read back packet by packet, the TCP payloads of each
// direction must be the recorded bytes, in the recorded order, with sequence numbers that run on
// without gaps, as a dissector reassembling the streams needs them.
#include "pcap_capture.hpp"

#include <gtest/gtest.h>

#include <map>

namespace tlsmatrix {
namespace {

std::uint32_t le32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(s.at(at + i));
  return v;
}
std::uint32_t be32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<std::uint8_t>(s.at(at + i));
  return v;
}
std::uint16_t be16(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(s.at(at)) << 8 |
                                    static_cast<std::uint8_t>(s.at(at + 1)));
}

struct Packet {
  std::uint16_t source_port, destination_port;
  std::uint32_t seq;
  std::uint8_t flags;
  std::string payload;
};

std::vector<Packet> packets_of(const std::string& pcap) {
  EXPECT_EQ(le32(pcap, 0), 0xa1b2c3d4u);
  EXPECT_EQ(le32(pcap, 20), 101u);  // LINKTYPE_RAW
  std::vector<Packet> out;
  for (std::size_t at = 24; at < pcap.size();) {
    const auto length = le32(pcap, at + 8);
    const auto ip = at + 16;
    EXPECT_EQ(static_cast<std::uint8_t>(pcap.at(ip)), 0x45);
    EXPECT_EQ(be16(pcap, ip + 2), length);
    const auto tcp = ip + 20;
    out.push_back({be16(pcap, tcp), be16(pcap, tcp + 2), be32(pcap, tcp + 4),
                   static_cast<std::uint8_t>(pcap.at(tcp + 13)),
                   pcap.substr(tcp + 20, length - 40)});
    at = ip + length;
  }
  return out;
}

std::vector<std::uint8_t> bytes(const std::string& text) {
  return {text.begin(), text.end()};
}

RelayedBytes relayed(const std::string& client_sent, const std::string& server_sent,
                     std::vector<RelayedSegment> segments) {
  RelayedBytes out;
  out.client_to_server = bytes(client_sent);
  out.server_to_client = bytes(server_sent);
  out.segments = std::move(segments);
  return out;
}

TEST(PcapCapture, PayloadsAndSequenceNumbersFollowTheRecord) {
  const auto first = relayed("hello-1world", "HELLO", {{true, 7, 0}, {false, 5, 1}, {true, 5, 2}});
  const auto second = relayed("again", "", {{true, 5, 0}});
  const auto packets = packets_of(pcap_capture({first, second}));
  // Per connection: SYN, SYN-ACK, ACK, the data, FIN, FIN, ACK.
  ASSERT_EQ(packets.size(), 6u + 3 + 6 + 1);
  EXPECT_EQ(packets[0].flags, 0x02);
  EXPECT_EQ(packets[3].payload, "hello-1");
  EXPECT_EQ(packets[4].payload, "HELLO");
  EXPECT_EQ(packets[5].payload, "world");
  EXPECT_EQ(packets[4].source_port, kCaptureServerPort);
  // The client's sequence numbers run on: SYN takes one, then each payload its length.
  EXPECT_EQ(packets[3].seq, packets[0].seq + 1);
  EXPECT_EQ(packets[5].seq, packets[3].seq + 7);
  // The second connection has its own client port and its own handshake.
  EXPECT_NE(packets[9].source_port, packets[0].source_port);
  EXPECT_EQ(packets[9].flags, 0x02);
  EXPECT_EQ(packets[12].payload, "again");
}

TEST(PcapCapture, AnEmptyRecordIsAFileWithoutPackets) {
  EXPECT_EQ(pcap_capture({}).size(), 24u);
}

// With an attacker each peer's view is its own TCP stream: the client's leg carries what the
// client sent and what it received, the server's leg what the server received and sent.
TEST(PcapCapture, AnAttackedConnectionIsTwoLegs) {
  auto bytes_seen = relayed("CH", "SH", {{true, 2, 0}, {false, 2, 3}});
  bytes_seen.attacked = true;
  bytes_seen.server_received = bytes("ch");  // the attacker rewrote the ClientHello
  bytes_seen.client_received = bytes("sh");  // and the ServerHello
  bytes_seen.received_segments = {{true, 2, 1}, {false, 2, 4}};
  const auto packets = packets_of(pcap_capture({bytes_seen}));
  ASSERT_EQ(packets.size(), 2u * (6 + 2));
  EXPECT_EQ(packets[3].payload, "CH");  // client leg: sent, then received
  EXPECT_EQ(packets[4].payload, "sh");
  EXPECT_EQ(packets[8 + 3].payload, "ch");  // server leg: received, then sent
  EXPECT_EQ(packets[8 + 4].payload, "SH");
  EXPECT_NE(packets[3].source_port, kCaptureServerPort);
  EXPECT_EQ(packets[8 + 4].source_port, kCaptureServerPort);
}

}  // namespace
}  // namespace tlsmatrix
