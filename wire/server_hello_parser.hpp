// Reads a ServerHello body (RFC 8446 §4.1.3), telling a HelloRetryRequest apart by its random.
#pragma once

#include <cstdint>
#include <span>

#include "note_log.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix::wire {

// Never fails: a malformed field is noted and parsing keeps whatever came before it.
ServerHelloObservation parse_server_hello(std::span<const std::uint8_t> body, NoteLog& notes);

}  // namespace tlsmatrix::wire
