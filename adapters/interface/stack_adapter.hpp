// The one interface every TLS stack implements. An adapter never touches sockets beyond the
// connected descriptor it is handed, never prints to stdout and never decides a verdict: it
// configures its library from an EndpointConfig, then, attached to a connected socket, runs
// the handshake, moves application data and describes what happened.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

#include "endpoint_config.hpp"
#include "outcome.hpp"

namespace tlsmatrix {

// Thrown by StackAdapter::configure() when the library cannot honour a setting. The peer
// reports it as a refusal (peers/PROTOCOL.md, `refused`) naming the endpoint configuration key,
// and the runner makes the cell `unsupported`: the peer said so instead of running something
// else.
class ConfigRejected : public std::runtime_error {
 public:
  ConfigRejected(std::string setting, const std::string& reason)
      : std::runtime_error(setting + ": " + reason),
        setting_(std::move(setting)),
        reason_(reason) {}
  const std::string& setting() const { return setting_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string setting_;
  std::string reason_;
};

class TlsConnection {
 public:
  virtual ~TlsConnection() = default;
  // Runs the handshake to completion; false when it failed (describe() says why).
  virtual bool handshake() = 0;
  // Writes all of `data`; false on failure.
  virtual bool write_all(std::span<const std::byte> data) = 0;
  // Reads what is available, at most buf.size() bytes: > 0 bytes read, 0 on orderly close,
  // < 0 on failure.
  virtual std::ptrdiff_t read(std::span<std::byte> buf) = 0;
  // Sends close_notify; errors are ignored because the verdict no longer depends on it.
  virtual void close() = 0;
  // Fills in negotiated parameters, alerts, peer certificate, keylog and error text.
  virtual void describe(HandshakeOutcome& outcome) const = 0;
};

// Which library a peer runs, asked from the library at run time (never a build-time constant),
// so a peer linked against something else than expected says so.
struct StackIdentity {
  std::string stack;         // adapter name: "openssl", "wolfssl", "gnutls"
  std::string library;       // the library's own name for itself
  std::string version;       // exact release, e.g. "3.0.22"
  std::string version_text;  // the full banner the library prints
  // Any address inside the loaded library (the version text it returned will do: a string
  // constant of the library itself), from which the driver names the file the library was
  // loaded from; null when the adapter cannot give one.
  const void* library_address = nullptr;
};

// A library configured for one endpoint and not yet tied to any socket. Configuring is a step
// of its own so that a configuration the library rejects is known before a server announces
// `listening` or a client connects (peers/PROTOCOL.md, "Stages").
class ConfiguredEndpoint {
 public:
  virtual ~ConfiguredEndpoint() = default;
  // Binds a connection to the connected socket `fd` (the adapter does not own it) and nothing
  // else: every setting was applied, and could be refused, in configure().
  // The first call uses the connection object configure() made. With config.connections > 1 it
  // is called again for each later connection, only after the previous TlsConnection was
  // closed and destroyed, and must behave exactly as the first under the same settings, from
  // the same library context: a server keeps its ticket keys and session cache, so a ticket it
  // issued on one connection is valid on the next; a client with session_tickets offers the
  // session its previous connection received (the newest ticket), if it received one.
  virtual std::unique_ptr<TlsConnection> attach(int fd) = 0;
};

// What a stack can do is not the adapter's to say: the peer driver measures it through
// configure() and attach() (peers/driver/capability_probe.hpp).
class StackAdapter {
 public:
  virtual ~StackAdapter() = default;
  virtual StackIdentity identity() const = 0;
  // Builds a fresh library context, credentials and connection object from `config`: all that
  // can fail because of the configuration happens here. Throws ConfigRejected when the library
  // refuses part of `config`, and any other exception when the library itself fails.
  virtual std::unique_ptr<ConfiguredEndpoint> configure(const EndpointConfig& config) = 0;
  // How a serving peer (`PEER --serve`, peers/PROTOCOL.md "Serving many requests") keeps one
  // request from another. `in_process`: everything a request can leave behind lives in the
  // objects configure() made and dies with them (context, credentials, session cache, ticket
  // keys, PSKs), and the library's random generator is process-wide but never repeats itself,
  // so requests run one after the other in the serving process. `fork`: the library keeps
  // process-wide state beyond those objects that it cannot be made to forget (a global session
  // cache, ticket keys made once per process), so each request runs in a process forked from
  // the warmed-up serving process, which costs a few milliseconds per request. The safe
  // default is `fork`.
  enum class RequestIsolation { in_process, fork };
  virtual RequestIsolation request_isolation() const { return RequestIsolation::fork; }
  // With `in_process`: called after each request (and after the warm-up before the first),
  // once every object the request made is gone, to clear what the library keeps process-wide
  // whatever the context (wolfSSL's static session table). Throws std::runtime_error when it
  // cannot: the serving process then ends instead of serving another request. The default
  // does nothing.
  virtual void after_request() {}
  // With `fork`: called once in each forked request process, before anything else happens in
  // it. The child starts with a copy of the parent's initialised library: an adapter whose
  // library does not notice the fork by itself must make sure here that nothing of it is
  // shared between requests, above all random-generator state (reseed the library's global
  // generator with fresh system randomness). The default does nothing.
  virtual void after_fork() {}
};

// Defined exactly once by each adapter folder; the peer executable of that stack calls it.
std::unique_ptr<StackAdapter> make_stack_adapter();

}  // namespace tlsmatrix
