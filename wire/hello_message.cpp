#include "hello_message.hpp"

#include <algorithm>

#include "byte_reader.hpp"
#include "byte_writer.hpp"
#include "hello_extensions.hpp"
#include "note_log.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix::wire {

bool HelloMessage::is_client_hello() const {
  return type == kClientHello;
}

bool HelloMessage::is_hello_retry_request() const {
  return type == kServerHello && random == kHelloRetryRequestRandom;
}

ExtensionBytes* HelloMessage::extension(std::uint16_t wanted) {
  const auto it = std::find_if(extensions.begin(), extensions.end(),
                               [&](const ExtensionBytes& e) { return e.type == wanted; });
  return it == extensions.end() ? nullptr : &*it;
}

const ExtensionBytes* HelloMessage::extension(std::uint16_t wanted) const {
  return const_cast<HelloMessage*>(this)->extension(wanted);
}

bool HelloMessage::remove_extension(std::uint16_t wanted) {
  const auto before = extensions.size();
  std::erase_if(extensions, [&](const ExtensionBytes& e) { return e.type == wanted; });
  return extensions.size() != before;
}

std::optional<HelloMessage> read_hello_message(std::span<const std::uint8_t> message) {
  ByteReader in(message);
  HelloMessage hello;
  const auto type = in.u8();
  const auto length = in.u24();
  if (!type || !length || (*type != kClientHello && *type != kServerHello) ||
      *length != in.remaining())
    return std::nullopt;
  hello.type = *type;
  const auto version = in.u16();
  const auto random = in.bytes(32);
  const auto session_id = in.vector(1);
  if (!version || !random || !session_id) return std::nullopt;
  hello.legacy_version = *version;
  std::copy(random->begin(), random->end(), hello.random.begin());
  const auto session_bytes = session_id->rest();
  hello.legacy_session_id.assign(session_bytes.begin(), session_bytes.end());
  if (hello.is_client_hello()) {
    auto suites = in.vector(2);
    const auto compression = suites ? in.vector(1) : std::nullopt;
    if (!compression || suites->remaining() % 2 != 0) return std::nullopt;
    while (!suites->empty()) hello.cipher_suites.push_back(*suites->u16());
    const auto methods = compression->rest();
    hello.compression_methods.assign(methods.begin(), methods.end());
  } else {
    const auto suite = in.u16();
    const auto method = suite ? in.u8() : std::nullopt;
    if (!method) return std::nullopt;
    hello.cipher_suites = {*suite};
    hello.compression_methods = {*method};
  }
  if (in.empty()) {
    hello.has_extensions = false;
    return hello;
  }
  const auto block = in.vector(2);
  if (!block || !in.empty()) return std::nullopt;
  NoteLog notes("hello");  // unused: any note means the split did not frame the block
  std::size_t framed = 0;
  for (const auto& ext : split_extensions(*block, "hello", notes)) {
    hello.extensions.push_back({ext.type, {ext.data.begin(), ext.data.end()}});
    framed += 4 + ext.data.size();
  }
  if (framed != block->remaining()) return std::nullopt;  // an entry overran the block
  return hello;
}

std::vector<std::uint8_t> write_hello_message(const HelloMessage& hello) {
  ByteWriter w;
  w.u8(hello.type);
  w.vector(3, [&](ByteWriter& body) {
    body.u16(hello.legacy_version);
    body.bytes(hello.random);
    body.vector(1, [&](ByteWriter& v) { v.bytes(hello.legacy_session_id); });
    if (hello.is_client_hello()) {
      body.vector(2, [&](ByteWriter& v) {
        for (const auto suite : hello.cipher_suites) v.u16(suite);
      });
      body.vector(1, [&](ByteWriter& v) { v.bytes(hello.compression_methods); });
    } else {
      body.u16(hello.cipher_suites.empty() ? 0 : hello.cipher_suites.front());
      body.u8(hello.compression_methods.empty() ? 0 : hello.compression_methods.front());
    }
    if (!hello.has_extensions) return;
    body.vector(2, [&](ByteWriter& block) {
      for (const auto& e : hello.extensions) {
        block.u16(e.type);
        block.vector(2, [&](ByteWriter& v) { v.bytes(e.data); });
      }
    });
  });
  return w.data();
}

}  // namespace tlsmatrix::wire
