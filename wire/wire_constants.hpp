// Code points and sizes of the TLS record and handshake layers that both the readers and the
// writers of this library use.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tlsmatrix::wire {

// RFC 8446 §5.1 ContentType values (plus heartbeat, RFC 6520).
inline constexpr std::uint8_t kChangeCipherSpec = 20;
inline constexpr std::uint8_t kAlert = 21;
inline constexpr std::uint8_t kHandshake = 22;
inline constexpr std::uint8_t kApplicationData = 23;
inline constexpr std::uint8_t kHeartbeat = 24;

// RFC 8446 §4 HandshakeType values.
inline constexpr std::uint8_t kClientHello = 1;
inline constexpr std::uint8_t kServerHello = 2;
inline constexpr std::uint8_t kServerHelloDone = 14;  // TLS 1.2 only (RFC 5246 §7.4)

// The TLS 1.2 version number (RFC 5246 §6.2.1).
inline constexpr std::uint16_t kTls12 = 0x0303;

inline constexpr std::size_t kRecordHeaderLength = 5;
inline constexpr std::size_t kHandshakeHeaderLength = 4;     // msg_type and a 24-bit length (§4)
inline constexpr std::size_t kMaxPlaintextLength = 1 << 14;  // §5.1

// RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is
// SHA-256("HelloRetryRequest").
inline constexpr std::array<std::uint8_t, 32> kHelloRetryRequestRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// RFC 8446 §4.1.3: a TLS 1.3 server that negotiates an older version ends ServerHello.random
// with "DOWNGRD" and 01 (TLS 1.2) or 00 (TLS 1.1 or below).
inline constexpr std::array<std::uint8_t, 7> kDowngradeSentinelPrefix = {0x44, 0x4F, 0x57, 0x4E,
                                                                         0x47, 0x52, 0x44};

}  // namespace tlsmatrix::wire
