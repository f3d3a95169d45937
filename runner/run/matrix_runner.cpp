#include "matrix_runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>

#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include "cell_executor.hpp"
#include "facts_from_run.hpp"
#include "protocol_json.hpp"
#include "recording_relay.hpp"
#include "refusal.hpp"
#include "requirements.hpp"
#include "running_server_fit.hpp"
#include "tls_transcript.hpp"

namespace tlsmatrix {
namespace {

bool selected(const std::string& id, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const auto& f : filters)
    if (::fnmatch(f.c_str(), id.c_str(), 0) == 0) return true;
  return false;
}

// Fresh random application data per cell, so a peer cannot pass by echoing a constant.
std::string app_data(const char* direction, const std::string& id) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("tlsmatrix {} {} {:016x}{:016x}\n", direction, id, rng(), rng());
}

// The verdict of a cell that ran, from what its peers reported and what the wire showed of
// each connection (`wires`, one per connection of the run).
void judge_run(CellResult& result, const CellRun& run, const std::vector<WireObservation>& wires,
               const CellRequest& request, const PlannedCell& cell) {
  const auto first = run.connection(0);
  if (auto refused = refusal_verdict(first, wires.front(), request)) {
    result.verdict = std::move(*refused);
    // Listed with what capabilities rule out, so reports can say per peer why cells did not run.
    if (result.verdict.status == Status::unsupported) {
      const auto refusal = [](const HandshakeOutcome* peer, std::vector<std::string>& missing) {
        if (peer && peer->refused) missing.push_back("refused " + peer->refused->setting);
      };
      refusal(first.client, result.client_missing);
      refusal(first.server, result.server_missing);
    }
    return;
  }
  if (auto failed = configure_failure_verdict(first, request)) {
    result.verdict = std::move(*failed);
    return;
  }
  if (!run.harness_error.empty()) {
    result.verdict = error_verdict(run.harness_error);
    return;
  }
  if (first.server && !run.client.started) {
    // A result before `listening` that is no configure failure (say, the server could not
    // bind): no handshake was tried, so there is nothing to judge.
    result.verdict = error_verdict(
        fmt::format("server peer {} reported stage {} without listening: {}", cell.server->entry.id,
                    stage_name(first.server->stage), first.server->error));
    return;
  }
  // A running server reports nothing: its side is the wire's (cell_executor.hpp).
  const bool server_reports = !cell.server->entry.running_server;
  if (!first.client || (server_reports && !first.server)) {
    result.verdict = error_verdict(
        fmt::format("{} peer {} ended without a result", first.client ? "server" : "client",
                    first.client ? cell.server->entry.id : cell.client->entry.id));
    return;
  }
  result.client_handshake_ms = first.client->handshake_ms;
  if (first.server) result.server_handshake_ms = first.server->handshake_ms;
  // Facts of every connection both peers reported on; a later one only exists when the one
  // before it completed on both sides (peers/PROTOCOL.md, "Connections").
  std::vector<CellFacts> facts;
  for (std::size_t i = 0; i < wires.size(); ++i) {
    const auto connection = run.connection(i);
    if (!connection.client || (server_reports && !connection.server)) break;
    facts.push_back(facts_from_run(connection, wires[i], request, cell.client->capabilities));
  }
  result.fact_sources = facts.front().sources;
  for (std::size_t i = 1; i < facts.size(); ++i)
    result.later_connections.at(i - 1)["fact_sources"] = facts[i].sources;
  result.verdict = judge(*cell.scenario, facts);
}

// What the scenario's attacker did over all connections of the cell: per mutation the messages
// it changed, what it did and what a message it targets lacked; null without an attacker.
nlohmann::json attack_report(const Scenario& scenario, const std::vector<RelayedBytes>& relayed) {
  if (scenario.relay.empty()) return nullptr;
  auto out = nlohmann::json::array();
  for (std::size_t m = 0; m < scenario.relay.size(); ++m) {
    const auto& mutation = scenario.relay[m];
    int applied = 0;
    std::vector<std::string> did;
    std::optional<std::string> absent;
    for (const auto& connection : relayed) {
      if (m >= connection.attack.size()) continue;
      const auto& record = connection.attack[m];
      applied += record.applied;
      for (const auto& d : record.did)
        if (std::find(did.begin(), did.end(), d) == did.end()) did.push_back(d);
      if (!absent) absent = record.absent;
    }
    auto entry = to_json(mutation);
    entry["target"] =
        mutation.definition->target == MutationTarget::client_hello ? "ClientHello" : "ServerHello";
    entry["applied"] = applied;
    entry["did"] = did;
    entry["absent"] = absent ? nlohmann::json(*absent) : nlohmann::json(nullptr);
    out.push_back(std::move(entry));
  }
  return out;
}

// A mutation that found nothing to change where its target message lacked what it attacks
// (no such group, no such extension) leaves the scenario untested: `unsupported`, naming it,
// never a pass of a handshake nobody attacked.
void unsupported_when_attack_missed(CellResult& result, const Scenario& scenario) {
  if (result.attack.is_null() || result.verdict.status == Status::error ||
      result.verdict.status == Status::unsupported)
    return;
  for (std::size_t m = 0; m < scenario.relay.size(); ++m) {
    const auto& entry = result.attack[m];
    if (entry["applied"] != 0 || entry["absent"].is_null()) continue;
    const auto& mutation = scenario.relay[m];
    const auto missing = fmt::format("attack target absent: {}: {}", mutation_text(mutation),
                                     entry["absent"].get<std::string>());
    (mutation.definition->target == MutationTarget::client_hello ? result.client_missing
                                                                 : result.server_missing)
        .push_back(missing);
    const auto unattacked =
        fmt::format("{}: {}", status_name(result.verdict.status), result.verdict.reason);
    result.verdict.status = Status::unsupported;
    result.verdict.reason = fmt::format(
        "the attack could not be made ({}); the unattacked handshake gave {}", missing, unattacked);
    return;
  }
}

// A peer's outcome as the cell lists it: null when it gave none, and without its key log,
// whose secrets are written only to logs/CELL.keylog (results/README.md).
nlohmann::json outcome_json(const HandshakeOutcome* outcome) {
  if (!outcome) return nullptr;
  auto json = to_json(*outcome);
  json.erase("keylog");
  return json;
}

// A direction the relay stopped recording (RecordingRelay: kMaxRecordedBytes) is noted in
// `wire.truncated`. Its verdict would rest on an incomplete record, which only a misbehaving
// peer produces (a handshake is a few KiB), so the cell becomes `error`; the reason names the
// cap either way.
void mark_capped_record(CellResult& result, const CellRun& run) {
  std::vector<std::string> capped;
  for (std::size_t i = 0; i < run.relayed.size(); ++i) {
    const auto where = run.relayed.size() > 1 ? fmt::format("connection {} ", i + 1) : "";
    if (record_capped(run.relayed[i].client_to_server)) capped.push_back(where + "client->server");
    if (record_capped(run.relayed[i].server_to_client)) capped.push_back(where + "server->client");
  }
  if (capped.empty()) return;
  for (const auto& direction : capped)
    result.wire["truncated"].push_back(
        fmt::format("{}: only the first {} bytes were recorded; all were relayed", direction,
                    kMaxRecordedBytes));
  const auto cap = fmt::format("the wire record was capped at {} bytes ({})", kMaxRecordedBytes,
                               fmt::join(capped, ", "));
  if (result.verdict.status == Status::error) {
    result.verdict.reason += "; " + cap;
    return;
  }
  // A fresh verdict: an `error` cell has no checks or security note to rest on
  // (results/README.md).
  result.verdict =
      error_verdict(fmt::format("{}, so the verdict ({}: {}) would rest on an incomplete record",
                                cap, status_name(result.verdict.status), result.verdict.reason));
}

// State carried over from an earlier request makes the cell an error: its result would
// depend on the cells before it (isolation_check.hpp).
void mark_isolation_breach(CellResult& result, const std::vector<WireObservation>& wires,
                           const CellRequest& request, RandomRegistry* randoms) {
  const auto breach = isolation_breach(wires, request, result.id, randoms);
  if (!breach) return;
  if (result.verdict.status == Status::error) {
    result.verdict.reason += "; " + *breach;
    return;
  }
  result.verdict =
      error_verdict(fmt::format("{} (the verdict would have been {}: {})", *breach,
                                status_name(result.verdict.status), result.verdict.reason));
}

}  // namespace

std::vector<PlannedCell> plan_cells(const std::vector<Suite>& suites,
                                    const std::vector<Peer>& peers, const RunOptions& options) {
  std::vector<PlannedCell> cells;
  // Every conflict between known-deviation entries is listed at once, not only the first, so
  // whoever adds a stack sees all the entries to narrow in one run.
  std::vector<std::string> conflicts;
  std::size_t position = 0;
  for (const auto& suite : suites)
    for (const auto& scenario : suite.scenarios)
      for (const auto& client : peers)
        for (const auto& server : peers) {
          if (options.pairs && !options.pairs(client, server)) continue;
          // Not planned at all: a running server cannot be set up as the scenario says, and
          // certify lists these scenarios with the reason (running_server_fit.hpp).
          if (server.entry.running_server &&
              running_server_obstacle(scenario, *server.entry.running_server))
            continue;
          auto id = cell_id(suite.id, scenario.id, client.entry.id, server.entry.id);
          if (!selected(id, options.filters)) continue;
          if (position++ % options.shard_count != options.shard_index) continue;
          ExpectedResult expected;
          try {
            if (options.known_deviations)
              expected = options.known_deviations->expected_for(id, client, server);
          } catch (const ExpectationsError& e) {
            conflicts.push_back(e.what());
          }
          cells.push_back(
              {std::move(id), &suite, &scenario, &client, &server, std::move(expected)});
        }
  if (!conflicts.empty())
    throw ExpectationsError(fmt::format("{} cells with conflicting known deviations:\n{}",
                                        conflicts.size(), fmt::join(conflicts, "\n")));
  return cells;
}

CellResult run_cell(const PlannedCell& cell, std::chrono::milliseconds timeout,
                    const std::atomic<bool>& cancelled, const CellContext& context) {
  CellResult result;
  result.id = cell.id;
  result.suite = cell.suite;
  result.scenario = cell.scenario;
  result.client = cell.client;
  result.server = cell.server;
  result.expected = cell.expected;

  result.client_missing = missing_capabilities(cell.scenario->client, cell.client->capabilities,
                                               cell.scenario->client_requires);
  const Counterpart client{cell.scenario->client, cell.client->capabilities};
  const auto& running_server = cell.server->entry.running_server;
  // A running server that declared nothing is tried on every cell: nothing rules one out.
  if (!running_server || running_server->capabilities_declared)
    result.server_missing = missing_capabilities(cell.scenario->server, cell.server->capabilities,
                                                 cell.scenario->server_requires, &client);
  if (!result.client_missing.empty() || !result.server_missing.empty()) {
    result.verdict = unsupported_verdict(result.client_missing, result.server_missing,
                                         cell.client->entry.id, cell.server->entry.id);
    return result;
  }

  CellRequest request;
  request.client = &cell.client->entry;
  request.server = &cell.server->entry;
  request.client_config = cell.scenario->client;
  request.server_config = cell.scenario->server;
  request.client_config.send_data = request.server_config.expect_data =
      app_data("client->server", cell.id);
  request.server_config.send_data = request.client_config.expect_data =
      app_data("server->client", cell.id);
  // A running server is an echo service (peers/VENDORS.md, "A running server"): the client
  // must get back exactly what it sent, which only a server holding the same keys can do.
  if (running_server) request.client_config.expect_data = request.client_config.send_data;
  // Peers give up on a step well before the cell's deadline, so a stuck handshake still
  // yields a result from the side that is waiting.
  // Key logs cost nothing on the wire and make every capture of the cell decryptable.
  if (cell.client->capabilities.has(Feature::keylog)) request.client_config.keylog = true;
  request.client_config.timeout_ms = request.server_config.timeout_ms =
      static_cast<std::uint32_t>(std::max<std::int64_t>(timeout.count() / 4, 1000));
  // Each connection may take as long as a whole cell of one.
  request.deadline = timeout * std::max(1, cell.scenario->connections());
  request.attack = &cell.scenario->relay;
  request.pool = context.pool;
  request.client_serves = cell.client->capabilities.serve;
  request.server_serves = cell.server->capabilities.serve;

  auto run = execute_cell(request, cancelled);
  result.wall_ms = run.wall_ms;
  // The secrets of every connection, from the client (else the server) where it reported them,
  // so a capture of the cell can be decrypted.
  for (const auto* side : {&run.client, &run.server}) {
    for (const auto& outcome : side->outcomes)
      result.keylog.insert(result.keylog.end(), outcome.keylog.begin(), outcome.keylog.end());
    if (!result.keylog.empty()) break;
  }
  result.client_exit = run.client.exit;
  result.server_exit = run.server.exit;
  result.client_log = run.client.stderr_log;
  result.server_log = run.server.stderr_log;
  // The first connection at the top of the cell, any later ones in `later_connections`.
  std::vector<WireObservation> wires;
  for (std::size_t i = 0; i < run.connection_count(); ++i) {
    const auto connection = run.connection(i);
    wires.push_back(observe_handshake(connection.client_to_server, connection.server_to_client));
    auto client_json = outcome_json(connection.client);
    auto server_json = outcome_json(connection.server);
    if (i == 0) {
      result.client_outcome = std::move(client_json);
      result.server_outcome = std::move(server_json);
      result.wire = to_json(wires.back());
    } else {
      result.later_connections.push_back({{"connection", i + 1},
                                          {"client_outcome", std::move(client_json)},
                                          {"server_outcome", std::move(server_json)},
                                          {"wire", to_json(wires.back())}});
    }
  }
  result.attack = attack_report(*cell.scenario, run.relayed);
  judge_run(result, run, wires, request, cell);
  unsupported_when_attack_missed(result, *cell.scenario);
  mark_isolation_breach(result, wires, request, context.randoms);
  mark_capped_record(result, run);
  // Moved, not copied (up to 4 MiB per direction), once nothing views it any more; the
  // results writer keeps it only for a capture (results_writer.cpp).
  result.relayed = std::move(run.relayed);
  return result;
}

void run_cells(const std::vector<PlannedCell>& cells, const RunOptions& options,
               const std::atomic<bool>& cancelled,
               const std::function<void(CellResult&&)>& on_cell) {
  std::atomic<std::size_t> next{0};
  std::mutex report;
  // Set by `cancelled` or by a failure of `on_cell`: ends the cells in flight and starts none.
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  RandomRegistry randoms;
  const auto worker = [&] {
    try {
      // Declared in the worker's thread: its processes die with the thread that started them.
      PeerPool pool;
      const CellContext context{options.reuse_peer_processes ? &pool : nullptr, &randoms};
      for (std::size_t i; !stop && (i = next++) < cells.size();) {
        auto result = run_cell(cells[i], options.cell_timeout, stop, context);
        if (stop && result.verdict.status == Status::error) break;  // interrupted, not a finding
        const std::lock_guard lock(report);
        if (failure) break;
        on_cell(std::move(result));
      }
    } catch (...) {
      const std::lock_guard lock(report);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
  };
  {
    std::jthread forward_cancel([&](std::stop_token done) {
      while (!done.stop_requested() && !stop) {
        if (cancelled) stop = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    std::vector<std::jthread> workers;
    for (unsigned j = 0; j < std::max(1u, options.jobs); ++j) workers.emplace_back(worker);
    for (auto& w : workers) w.join();
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace tlsmatrix
