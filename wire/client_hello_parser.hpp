// Reads a ClientHello body (RFC 8446 §4.1.2) into a ClientHelloObservation.
#pragma once

#include <cstdint>
#include <span>

#include "note_log.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix::wire {

// Never fails: a malformed field is noted and parsing keeps whatever came before it, and a
// malformed extension is noted and skipped.
ClientHelloObservation parse_client_hello(std::span<const std::uint8_t> body, NoteLog& notes);

}  // namespace tlsmatrix::wire
