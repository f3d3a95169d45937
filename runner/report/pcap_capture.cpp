#include "pcap_capture.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace tlsmatrix {
namespace {

// pcap file format (libpcap 2.4, microsecond timestamps, little-endian as written here).
constexpr std::uint32_t kMagic = 0xa1b2c3d4;
constexpr std::uint32_t kLinktypeRaw = 101;  // packets start with the IPv4 header
constexpr std::uint32_t kSnapLength = 65535;
// An IPv4 packet is at most 65535 bytes: its headers (40 here) and this much TCP payload.
constexpr std::size_t kMaxSegment = 16384;

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;

void put16be(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}
void put32be(std::string& out, std::uint32_t v) {
  put16be(out, static_cast<std::uint16_t>(v >> 16));
  put16be(out, static_cast<std::uint16_t>(v & 0xffff));
}
void put32le(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put16le(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>(v >> 8);
}

// The ones' complement sum RFC 791 asks of the IPv4 header.
std::uint16_t ip_checksum(const std::string& header) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < header.size(); i += 2)
    sum += static_cast<std::uint32_t>(static_cast<std::uint8_t>(header[i]) << 8 |
                                      static_cast<std::uint8_t>(header[i + 1]));
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

struct Endpoint {
  std::array<std::uint8_t, 4> address;
  std::uint16_t port;
  std::uint32_t next_seq;  // the sequence number of its next byte
};

class PcapWriter {
 public:
  PcapWriter() {
    put32le(out_, kMagic);
    put16le(out_, 2);
    put16le(out_, 4);
    put32le(out_, 0);  // timezone
    put32le(out_, 0);  // timestamp accuracy
    put32le(out_, kSnapLength);
    put32le(out_, kLinktypeRaw);
  }

  // One TCP segment from `from` to `to`; advances from.next_seq by its length (and by one for
  // SYN and FIN, RFC 9293 §3.4).
  void segment(Endpoint& from, const Endpoint& to, std::uint8_t flags,
               const std::uint8_t* data = nullptr, std::size_t length = 0) {
    std::string ip;
    put16be(ip, 0x4500);  // version 4, header length 5 words; no DSCP
    put16be(ip, static_cast<std::uint16_t>(40 + length));
    put16be(ip, ip_id_++);
    put16be(ip, 0x4000);  // don't fragment
    put16be(ip, 0x4006);  // TTL 64, protocol TCP
    put16be(ip, 0);       // checksum, filled in below
    for (auto b : from.address) ip += static_cast<char>(b);
    for (auto b : to.address) ip += static_cast<char>(b);
    const auto checksum = ip_checksum(ip);
    ip[10] = static_cast<char>(checksum >> 8);
    ip[11] = static_cast<char>(checksum & 0xff);

    std::string tcp;
    put16be(tcp, from.port);
    put16be(tcp, to.port);
    put32be(tcp, from.next_seq);
    put32be(tcp, (flags & kAck) ? to.next_seq : 0);
    put16be(tcp, static_cast<std::uint16_t>(0x5000 | flags));  // header length 5 words
    put16be(tcp, 65535);                                       // window
    put16be(tcp, 0);  // checksum: left 0, which dissectors do not check by default
    put16be(tcp, 0);  // urgent pointer

    const auto packet_length = static_cast<std::uint32_t>(ip.size() + tcp.size() + length);
    put32le(out_, static_cast<std::uint32_t>(clock_us_ / 1000000));
    put32le(out_, static_cast<std::uint32_t>(clock_us_ % 1000000));
    put32le(out_, packet_length);
    put32le(out_, packet_length);
    out_ += ip;
    out_ += tcp;
    if (length > 0) out_.append(reinterpret_cast<const char*>(data), length);
    clock_us_ += 100;  // synthetic: 100 µs per packet, in the order the relay read them
    from.next_seq += static_cast<std::uint32_t>(length) + ((flags & (kSyn | kFin)) ? 1 : 0);
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::uint16_t ip_id_ = 1;
  std::uint64_t clock_us_ = 1767225600ull * 1000000;  // 2026-01-01T00:00:00Z
};

// One side's view of a TCP stream: what it sent and what it received, each with its segments.
struct Leg {
  const std::vector<std::uint8_t>& sent;
  const std::vector<std::uint8_t>& received;
  std::vector<RelayedSegment> segments;  // from_client: `sent`; else `received`; in order
};

void write_leg(PcapWriter& pcap, const Leg& leg, Endpoint client, Endpoint server) {
  pcap.segment(client, server, kSyn);
  pcap.segment(server, client, kSyn | kAck);
  pcap.segment(client, server, kAck);
  std::size_t offset[2] = {0, 0};  // into sent, received
  for (const auto& s : leg.segments) {
    const auto& data = s.from_client ? leg.sent : leg.received;
    auto& at = offset[s.from_client ? 0 : 1];
    auto left = std::min(s.length, data.size() - std::min(at, data.size()));
    while (left > 0) {
      const auto n = std::min(left, kMaxSegment);
      pcap.segment(s.from_client ? client : server, s.from_client ? server : client, kPsh | kAck,
                   data.data() + at, n);
      at += n;
      left -= n;
    }
  }
  pcap.segment(client, server, kFin | kAck);
  pcap.segment(server, client, kFin | kAck);
  pcap.segment(client, server, kAck);
}

// Segments of `a` and `b` that `keep` selects, in the order they happened; `as_client` says
// which of them the leg's client side sent.
template <typename Keep>
std::vector<RelayedSegment> merged(const std::vector<RelayedSegment>& a,
                                   const std::vector<RelayedSegment>& b, Keep&& keep) {
  std::vector<RelayedSegment> out;
  for (const auto* list : {&a, &b})
    for (const auto& s : *list)
      if (auto picked = keep(list == &a, s)) out.push_back(*picked);
  std::stable_sort(out.begin(), out.end(), [](const RelayedSegment& x, const RelayedSegment& y) {
    return x.sequence < y.sequence;
  });
  return out;
}

// Without an attacker one stream; with one, two: the client's leg (10.0.0.1, what it sent and
// received) and the server's (10.0.0.3, the attacker's address, what the server received and
// sent), both to the server's address so each looks like the handshake its peer saw.
void write_connection(PcapWriter& pcap, const RelayedBytes& bytes, int index) {
  const Endpoint server{{10, 0, 0, 2}, kCaptureServerPort, 5000};
  const auto port = static_cast<std::uint16_t>(49151 + index);
  if (!bytes.attacked) {
    write_leg(pcap, {bytes.client_to_server, bytes.server_to_client, bytes.segments},
              {{10, 0, 0, 1}, port, 1000}, server);
    return;
  }
  using Picked = std::optional<RelayedSegment>;
  const Leg client_leg{
      bytes.client_to_server, bytes.client_received,
      merged(bytes.segments, bytes.received_segments, [](bool read, const RelayedSegment& s) {
        // reads from the client; writes to the client
        if (read == s.from_client) return Picked(RelayedSegment{read, s.length, s.sequence});
        return Picked();
      })};
  const Leg server_leg{
      bytes.server_received, bytes.server_to_client,
      merged(bytes.segments, bytes.received_segments, [](bool read, const RelayedSegment& s) {
        // writes to the server; reads from the server
        if (read != s.from_client) return Picked(RelayedSegment{!read, s.length, s.sequence});
        return Picked();
      })};
  write_leg(pcap, client_leg, {{10, 0, 0, 1}, port, 1000}, server);
  write_leg(pcap, server_leg, {{10, 0, 0, 3}, port, 1000}, server);
}

}  // namespace

std::string pcap_capture(const std::vector<RelayedBytes>& connections) {
  PcapWriter pcap;
  for (std::size_t i = 0; i < connections.size(); ++i)
    write_connection(pcap, connections[i], static_cast<int>(i) + 1);
  return pcap.take();
}

}  // namespace tlsmatrix
