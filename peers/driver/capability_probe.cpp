#include "capability_probe.hpp"

#include "feature_probe.hpp"
#include "item_probe.hpp"
#include "psk_probe.hpp"

namespace tlsmatrix {

Capabilities probe_capabilities(StackAdapter& adapter) {
  const auto id = adapter.identity();
  Capabilities caps;
  caps.stack = id.stack;
  caps.library = id.library;
  caps.version = id.version;
  caps.version_text = id.version_text;
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
