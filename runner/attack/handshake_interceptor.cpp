#include "handshake_interceptor.hpp"

#include <algorithm>

#include "byte_reader.hpp"
#include "extension_codec.hpp"
#include "hello_extensions.hpp"
#include "hello_message.hpp"
#include "record_writer.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix {
namespace {

constexpr std::uint16_t kTls13 = 0x0304;
// As record_walker: beyond this a length field is not TLS (RFC 5246 §6.2.3).
constexpr std::size_t kMaxRecordLength = (1 << 14) + 2048;

void append(std::vector<std::uint8_t>& to, std::span<const std::uint8_t> bytes) {
  to.insert(to.end(), bytes.begin(), bytes.end());
}

void write(std::vector<RelayWrite>& out, bool to_server, std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  // Consecutive writes to the same peer join into one, as a TCP stream would carry them;
  // single bytes stay apart (byte_writes makes them on purpose).
  if (!out.empty() && out.back().to_server == to_server && out.back().bytes.size() > 1) {
    append(out.back().bytes, bytes);
    return;
  }
  out.push_back({to_server, {bytes.begin(), bytes.end()}});
}

}  // namespace

HandshakeInterceptor::HandshakeInterceptor(const std::vector<Mutation>& attack) {
  for (const auto& m : attack) {
    MutationRecord record;
    record.mutation = &m;
    records_.push_back(std::move(record));
  }
}

std::vector<RelayWrite> HandshakeInterceptor::on_read(bool from_client,
                                                      std::span<const std::uint8_t> bytes) {
  std::vector<RelayWrite> out;
  auto& dir = from_client ? client_to_server_ : server_to_client_;
  if (dir.passthrough) {
    write(out, from_client, bytes);
    return out;
  }
  append(dir.buffer, bytes);
  std::size_t used = 0;
  while (!dir.passthrough && dir.buffer.size() - used >= wire::kRecordHeaderLength) {
    wire::ByteReader header(std::span(dir.buffer).subspan(used, wire::kRecordHeaderLength));
    const auto type = *header.u8();
    const auto version = *header.u16();
    const auto length = *header.u16();
    if (type < wire::kChangeCipherSpec || type > wire::kHeartbeat || (version >> 8) != 3 ||
        length > kMaxRecordLength) {
      dir.passthrough = true;  // not TLS records: nothing to intercept
      break;
    }
    const std::size_t size = wire::kRecordHeaderLength + length;
    if (dir.buffer.size() - used < size) break;
    on_record(from_client, std::span(dir.buffer).subspan(used, size), out);
    used += size;
  }
  if (dir.passthrough) {
    release_held_handshake(from_client, out);
    write(out, from_client, std::span(dir.buffer).subspan(used));
    used = dir.buffer.size();
  }
  dir.buffer.erase(dir.buffer.begin(), dir.buffer.begin() + static_cast<std::ptrdiff_t>(used));
  return out;
}

std::vector<RelayWrite> HandshakeInterceptor::on_end(bool from_client) {
  std::vector<RelayWrite> out;
  auto& dir = from_client ? client_to_server_ : server_to_client_;
  release_held_handshake(from_client, out);
  write(out, from_client, dir.buffer);
  dir.buffer.clear();
  dir.passthrough = true;
  return out;
}

void HandshakeInterceptor::on_record(bool from_client, std::span<const std::uint8_t> record,
                                     std::vector<RelayWrite>& out) {
  auto& dir = from_client ? client_to_server_ : server_to_client_;
  const auto type = record[0];
  if (type == wire::kHandshake) {
    on_handshake_record(from_client, record, out);
    return;
  }
  // §5.1: no other record may split a handshake message; a peer that does it gets its bytes on.
  release_held_handshake(from_client, out);
  write(out, from_client, record);
  // Application data is always protected; before TLS 1.3 so is everything after
  // ChangeCipherSpec (in TLS 1.3 it is a compatibility no-op, §D.4).
  if (type == wire::kApplicationData ||
      (type == wire::kChangeCipherSpec && version_ && *version_ < kTls13))
    dir.passthrough = true;
}

void HandshakeInterceptor::on_handshake_record(bool from_client,
                                               std::span<const std::uint8_t> record,
                                               std::vector<RelayWrite>& out) {
  auto& dir = from_client ? client_to_server_ : server_to_client_;
  const bool nothing_held = dir.handshake.empty();
  dir.record_version = static_cast<std::uint16_t>(record[1] << 8 | record[2]);
  append(dir.handshake, record.subspan(wire::kRecordHeaderLength));

  // Whole messages out of the held bytes, each with what the attacker makes of it.
  std::vector<std::pair<std::span<const std::uint8_t>, std::optional<MessageDelivery>>> messages;
  std::size_t used = 0;
  bool changed = false;
  while (!dir.passthrough && dir.handshake.size() - used >= wire::kHandshakeHeaderLength) {
    const std::size_t length = static_cast<std::size_t>(dir.handshake[used + 1]) << 16 |
                               static_cast<std::size_t>(dir.handshake[used + 2]) << 8 |
                               dir.handshake[used + 3];
    const std::size_t size = wire::kHandshakeHeaderLength + length;
    if (dir.handshake.size() - used < size) break;
    const auto message = std::span<const std::uint8_t>(dir.handshake).subspan(used, size);
    auto delivery = intercept(from_client, message);
    changed = changed || delivery.has_value();
    messages.emplace_back(message, std::move(delivery));
    used += size;
    // After a TLS 1.3 ServerHello the server's records are protected (§2).
    if (!from_client && message[0] == wire::kServerHello && version_ == kTls13 &&
        message.size() >= 6 + 32 &&
        !std::equal(wire::kHelloRetryRequestRandom.begin(), wire::kHelloRetryRequestRandom.end(),
                    message.begin() + 6))
      dir.passthrough = true;
  }
  if (nothing_held && !changed && used == dir.handshake.size()) {
    write(out, from_client, record);  // untouched: the record goes on as it came
  } else {
    for (const auto& [message, delivery] : messages) {
      if (delivery) {
        deliver(from_client, *delivery, dir.record_version, out);
        continue;
      }
      MessageDelivery unchanged;
      unchanged.message.assign(message.begin(), message.end());
      deliver(from_client, unchanged, dir.record_version, out);
    }
  }
  dir.handshake.erase(dir.handshake.begin(),
                      dir.handshake.begin() + static_cast<std::ptrdiff_t>(used));
  if (dir.passthrough) release_held_handshake(from_client, out);
}

std::optional<MessageDelivery> HandshakeInterceptor::intercept(
    bool from_client, std::span<const std::uint8_t> message) {
  const auto type = message[0];
  if ((from_client && type != wire::kClientHello) || (!from_client && type != wire::kServerHello))
    return std::nullopt;
  auto hello = wire::read_hello_message(message);
  if (!hello) return std::nullopt;  // malformed: the peers' own checks meet it unchanged
  const auto target = from_client ? MutationTarget::client_hello : MutationTarget::server_hello;
  const bool retry_request = hello->is_hello_retry_request();
  MessageDelivery delivery;
  bool changed = false;
  for (auto& record : records_) {
    if (record.mutation->definition->target != target || retry_request) continue;
    const auto outcome = record.mutation->definition->apply(record.mutation->params, *hello,
                                                            delivery, record.applied);
    if (outcome.kind == MutationOutcome::applied) {
      ++record.applied;
      changed = true;
      if (std::find(record.did.begin(), record.did.end(), outcome.detail) == record.did.end())
        record.did.push_back(outcome.detail);
    } else if (outcome.kind == MutationOutcome::absent && !record.absent) {
      record.absent = outcome.detail;
    }
  }
  if (!from_client) note_server_hello(*hello);
  if (!changed) return std::nullopt;
  // A forged answer stands in for the receiver: the sender's message is dropped.
  if (delivery.reply_to_sender.empty()) delivery.message = wire::write_hello_message(*hello);
  if (!delivery.reply_to_sender.empty()) version_ = kTls13;  // a HelloRetryRequest is TLS 1.3
  return delivery;
}

void HandshakeInterceptor::note_server_hello(const wire::HelloMessage& hello) {
  version_ = hello.legacy_version;
  if (const auto* ext = hello.extension(wire::kExtSupportedVersions); ext && ext->data.size() == 2)
    version_ = static_cast<std::uint16_t>(ext->data[0] << 8 | ext->data[1]);
}

void HandshakeInterceptor::deliver(bool from_client, const MessageDelivery& delivery,
                                   std::uint16_t record_version, std::vector<RelayWrite>& out) {
  if (!delivery.reply_to_sender.empty())
    out.push_back({!from_client, wire::write_records(wire::kHandshake, delivery.reply_to_sender,
                                                     record_version)});
  write(out, from_client, delivery.records_before);
  if (delivery.message.empty()) return;
  const auto records =
      wire::write_records(wire::kHandshake, delivery.message, record_version,
                          delivery.record_size ? delivery.record_size : wire::kMaxPlaintextLength);
  if (!delivery.byte_writes) {
    write(out, from_client, records);
    return;
  }
  for (const auto byte : records) out.push_back({from_client, {byte}});
}

void HandshakeInterceptor::release_held_handshake(bool from_client, std::vector<RelayWrite>& out) {
  auto& dir = from_client ? client_to_server_ : server_to_client_;
  if (dir.handshake.empty()) return;
  write(out, from_client, wire::write_records(wire::kHandshake, dir.handshake, dir.record_version));
  dir.handshake.clear();
}

}  // namespace tlsmatrix
