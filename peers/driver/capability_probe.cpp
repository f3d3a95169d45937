#include "capability_probe.hpp"

#include <dlfcn.h>

#include <filesystem>

#include "feature_probe.hpp"
#include "item_probe.hpp"
#include "psk_probe.hpp"

namespace tlsmatrix {
namespace {

// The file of the shared object that holds `address` (the dynamic loader's own record, so it
// names the library this process really loaded); empty when unknown, or when the address lies
// in the peer executable itself (a statically linked library has no file of its own).
std::string loaded_from(const void* address) {
  static const char in_the_peer = 0;
  Dl_info library{};
  Dl_info peer{};
  if (address == nullptr || ::dladdr(address, &library) == 0 || library.dli_fname == nullptr ||
      *library.dli_fname == '\0')
    return "";
  if (::dladdr(&in_the_peer, &peer) != 0 && peer.dli_fbase == library.dli_fbase) return "";
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(library.dli_fname, ec);
  return ec ? std::string(library.dli_fname) : absolute.string();
}

}  // namespace

Capabilities probe_capabilities(StackAdapter& adapter) {
  const auto id = adapter.identity();
  Capabilities caps;
  caps.stack = id.stack;
  caps.library = id.library;
  caps.version = id.version;
  caps.version_text = id.version_text;
  caps.library_file = loaded_from(id.library_address);
  // Two phases: what needs nothing, then what needs the item tables of the first.
  const HandshakePlan first[] = {probe::plan_items_required(), probe::plan_psk(),
                                 probe::plan_endpoint_features()};
  run_plans(adapter, first, caps);
  const HandshakePlan second[] = {probe::plan_items_excluded(caps),
                                  probe::plan_negotiation_features(caps)};
  run_plans(adapter, second, caps);
  return caps;
}

}  // namespace tlsmatrix
