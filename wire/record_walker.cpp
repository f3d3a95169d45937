#include "record_walker.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <vector>

#include "byte_reader.hpp"
#include "tls_registry.hpp"
#include "wire_constants.hpp"
#include "wire_names.hpp"

namespace tlsmatrix::wire {
namespace {

// RFC 5246 §6.2.3 allows TLS 1.2 ciphertext 2^14 + 2048 bytes, more than TLS 1.3's 2^14 + 256
// (§5.2); past that the length field is not TLS and framing is lost.
constexpr std::size_t kMaxRecordLength = (1 << 14) + 2048;

bool is_tls_content_type(std::uint8_t type) {
  return type >= kChangeCipherSpec && type <= kHeartbeat;
}

class RecordWalker {
 public:
  RecordWalker(ProtectionState state, NoteLog& notes, const HandshakeHandler& on_message)
      : state_(state), notes_(notes), on_message_(on_message) {}

  DirectionObservation walk(std::span<const std::uint8_t> stream) {
    seen_.total_bytes = stream.size();
    ByteReader in(stream);
    while (!in.empty()) {
      const std::size_t offset = in.offset();
      if (in.remaining() < kRecordHeaderLength) {
        notes_.add("truncated record header at offset {} ({} bytes left)", offset, in.remaining());
        break;
      }
      const std::uint8_t type = *in.u8();
      const std::uint16_t version = *in.u16();
      const std::uint16_t length = *in.u16();
      if (!is_tls_content_type(type) || (version >> 8) != 3) {
        notes_.add("not a TLS record at offset {} (content type {}, version 0x{:04x})", offset,
                   type, version);
        break;
      }
      if (length > kMaxRecordLength) {
        notes_.add("record at offset {} declares {} bytes, more than TLS allows", offset, length);
        break;
      }
      const auto fragment = in.bytes(length);
      if (!fragment) {
        notes_.add("truncated record at offset {} (declares {} bytes, {} present)", offset, length,
                   in.remaining());
        break;
      }
      ++seen_.record_count;
      on_record(type, *fragment, offset);
    }
    if (!state_.encrypted && !pending_.empty()) note_partial_message("at the end of the stream");
    seen_.encryption_started = state_.encrypted;
    return seen_;
  }

 private:
  void on_record(std::uint8_t type, std::span<const std::uint8_t> fragment, std::size_t offset) {
    if (state_.encrypted) {
      on_encrypted_record(type, fragment, offset);
      return;
    }
    if (type != kHandshake && !pending_.empty()) {
      // §5.1: handshake messages MUST NOT be interleaved with other record types.
      note_partial_message(
          fmt::format("before the {} record at offset {}", content_type_name(type), offset));
      pending_.clear();
    }
    if (type != kApplicationData && fragment.size() > kMaxPlaintextLength) {
      notes_.add("plaintext record at offset {} is longer than 2^14 bytes", offset);
    }
    switch (type) {
      case kHandshake:
        if (fragment.empty()) notes_.add("empty handshake record at offset {}", offset);
        on_handshake_fragment(fragment, offset);
        break;
      case kAlert:
        read_alerts(fragment, offset);
        break;
      case kChangeCipherSpec:
        if (state_.change_cipher_spec_encrypts) state_.encrypted = true;
        break;
      case kApplicationData:
        // Application data is never plaintext: in TLS 1.3 every protected record has this
        // outer type (§5.2), and before that it only follows ChangeCipherSpec.
        state_.encrypted = true;
        ++seen_.encrypted_record_count;
        break;
      default:
        break;
    }
  }

  void on_encrypted_record(std::uint8_t type, std::span<const std::uint8_t> fragment,
                           std::size_t offset) {
    if (state_.change_cipher_spec_encrypts || type == kApplicationData) {
      // Before TLS 1.3 every record after ChangeCipherSpec is protected, whatever its type.
      ++seen_.encrypted_record_count;
      return;
    }
    // TLS 1.3 protects every record as application_data (§5.2), so other types are plaintext.
    switch (type) {
      case kChangeCipherSpec:
        break;  // middlebox compatibility (§D.4)
      case kAlert:
        notes_.add("plaintext alert at offset {} after encryption started", offset);
        read_alerts(fragment, offset);
        break;
      default:
        notes_.add("plaintext {} record at offset {} after encryption started",
                   content_type_name(type), offset);
        break;
    }
  }

  void on_handshake_fragment(std::span<const std::uint8_t> fragment, std::size_t offset) {
    pending_.insert(pending_.end(), fragment.begin(), fragment.end());
    const std::span<const std::uint8_t> buffered(pending_);
    std::size_t consumed = 0;
    while (!state_.encrypted && buffered.size() - consumed >= kHandshakeHeaderLength) {
      ByteReader header(buffered.subspan(consumed, kHandshakeHeaderLength));
      const std::uint8_t type = *header.u8();
      const std::size_t length = *header.u24();
      const std::size_t available = buffered.size() - consumed - kHandshakeHeaderLength;
      if (length > available) break;  // the rest comes in later records
      seen_.handshake_messages.push_back(type);
      on_message_({type, buffered.subspan(consumed + kHandshakeHeaderLength, length)}, state_);
      consumed += kHandshakeHeaderLength + length;
    }
    if (state_.encrypted && consumed < pending_.size()) {
      // §5.1: a message that changes keys must end its record; what follows cannot be read.
      notes_.add(
          "{} bytes of handshake data after the last plaintext message in the record at "
          "offset {}",
          pending_.size() - consumed, offset);
      consumed = pending_.size();
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(consumed));
  }

  void read_alerts(std::span<const std::uint8_t> fragment, std::size_t offset) {
    // §6: struct { AlertLevel level; AlertDescription description; }, never fragmented.
    ByteReader in(fragment);
    while (in.remaining() >= 2) {
      const std::uint8_t level = *in.u8();
      const std::uint8_t description = *in.u8();
      seen_.plaintext_alerts.push_back({level, description, alert_name(description), offset});
    }
    if (!in.empty() || fragment.empty()) {
      notes_.add("alert record at offset {} holds {} bytes, not whole alerts", offset,
                 fragment.size());
    }
  }

  void note_partial_message(const std::string& where) {
    if (pending_.size() < kHandshakeHeaderLength) {
      notes_.add("truncated handshake message header ({} bytes) {}", pending_.size(), where);
      return;
    }
    ByteReader header(pending_);
    const std::uint8_t type = *header.u8();
    const std::size_t length = *header.u24();
    notes_.add("truncated {} message (declares {} bytes, {} present) {}", handshake_type_name(type),
               length, pending_.size() - kHandshakeHeaderLength, where);
  }

  ProtectionState state_;
  NoteLog& notes_;
  const HandshakeHandler& on_message_;
  DirectionObservation seen_;
  std::vector<std::uint8_t> pending_;  // plaintext handshake bytes not yet a whole message
};

}  // namespace

DirectionObservation walk_records(std::span<const std::uint8_t> stream, ProtectionState state,
                                  NoteLog& notes, const HandshakeHandler& on_message) {
  return RecordWalker(state, notes, on_message).walk(stream);
}

}  // namespace tlsmatrix::wire
