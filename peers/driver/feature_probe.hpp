// The features of peers/protocol/features.cpp other than the PSK ones, each measured the same
// way for every stack (the definitions are the features' meaning texts).
#pragma once

#include "handshake_plan.hpp"

namespace tlsmatrix::probe {

// session_tickets, keylog, hostname_verification, client_certificates, fallback_scsv.
HandshakePlan plan_endpoint_features();
// key_share_selection, key_share_first_group, group_order, server_preference,
// hello_retry_request_report: they need two groups and two TLS 1.3 cipher suites the stack
// can require in both roles, so they run after the item tables are filled.
HandshakePlan plan_negotiation_features(const Capabilities& caps);

}  // namespace tlsmatrix::probe
