// Frames one direction's byte stream into TLS records (RFC 8446 §5.1), reassembles the
// plaintext handshake messages they carry and hands each to a handler, until the direction's
// records become encrypted. Counts records and collects plaintext alerts on the way.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "note_log.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix::wire {

// Whether a direction's records are still readable; its handshake messages drive this.
struct ProtectionState {
  // Before TLS 1.3, ChangeCipherSpec switches the direction to encrypted records (RFC 5246
  // §7.1); in TLS 1.3 it is a middlebox-compatibility no-op (RFC 8446 §5, §D.4).
  bool change_cipher_spec_encrypts = true;
  bool encrypted = false;
};

struct HandshakeMessage {
  std::uint8_t type = 0;
  std::span<const std::uint8_t> body;  // valid only during the handler call
};

// Sees each complete plaintext handshake message in order; sets state.encrypted when the
// records after this message's record are protected (e.g. after a TLS 1.3 ServerHello).
using HandshakeHandler = std::function<void(const HandshakeMessage&, ProtectionState& state)>;

// Never reads past `stream` and stops at the first record it cannot frame, with a note.
DirectionObservation walk_records(std::span<const std::uint8_t> stream, ProtectionState state,
                                  NoteLog& notes, const HandshakeHandler& on_message);

}  // namespace tlsmatrix::wire
