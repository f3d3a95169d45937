// What the relay carried in a cell, as a classic pcap file (LINKTYPE_RAW: IPv4 packets) that
// Wireshark and tshark open: per connection a TCP handshake, the recorded reads in the order
// they happened with correct sequence numbers, and FINs. Addresses, ports, timestamps and the
// TCP/IP framing are synthesised (the relay sees a byte stream, not packets); the TLS bytes are
// the real ones. With the cell's key log (SSLKEYLOGFILE format), tshark decrypts it:
//   tshark -r CELL.pcap -o tls.keylog_file:CELL.keylog
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recording_relay.hpp"

namespace tlsmatrix {

// The client of connection K is 10.0.0.1 port 49151+K, the server 10.0.0.2 port 443 (so
// dissectors take it for TLS without being told).
inline constexpr std::uint16_t kCaptureServerPort = 443;

std::string pcap_capture(const std::vector<RelayedBytes>& connections);

}  // namespace tlsmatrix
