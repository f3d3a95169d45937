#include "junit_xml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "safe_text.hpp"

namespace tlsmatrix {
namespace {

std::string seconds(double ms) {
  return fmt::format("{:.3f}", ms / 1000);
}

// What a reader of the CI's test page needs beside the name: both statuses and where the
// expectation comes from.
std::string cell_details(const CellResult& c) {
  std::string text =
      fmt::format("status: {}\nreason: {}\nexpected: {}", status_name(c.verdict.status),
                  c.verdict.reason, status_name(c.expected.status));
  if (!c.expected.source.empty()) text += fmt::format(" ({})", c.expected.source);
  if (!c.expected.reason.empty()) text += fmt::format("\nknown deviation: {}", c.expected.reason);
  if (!c.expected.reference.empty()) text += fmt::format("\nreference: {}", c.expected.reference);
  return text;
}

std::string testcase(const CellResult& c) {
  const auto open =
      fmt::format(R"(    <testcase classname="{}" name="{}" time="{}")",
                  markup_text(fmt::format("tlsmatrix.{}.{}", c.suite->id, c.scenario->id)),
                  markup_text(fmt::format("{}->{}", c.client->entry.id, c.server->entry.id)),
                  seconds(c.wall_ms));
  const auto details = markup_text(cell_details(c));
  if (!as_expected(c)) {
    // `error` (the harness could not judge the cell) is never expected: JUnit's <error>.
    const char* element = c.verdict.status == Status::error ? "error" : "failure";
    return fmt::format("{}>\n      <{} type=\"{}\" message=\"{}\">{}</{}>\n    </testcase>\n", open,
                       element, status_name(c.verdict.status),
                       markup_text(fmt::format("{}, expected {}: {}", status_name(c.verdict.status),
                                               status_name(c.expected.status), c.verdict.reason)),
                       details, element);
  }
  if (c.verdict.status == Status::unsupported)
    return fmt::format("{}>\n      <skipped message=\"{}\"/>\n    </testcase>\n", open,
                       markup_text(c.verdict.reason));
  // Expected cells pass in CI terms; a known deviation says so in its output.
  if (c.verdict.status != Status::pass)
    return fmt::format("{}>\n      <system-out>{}</system-out>\n    </testcase>\n", open, details);
  return open + "/>\n";
}

struct SuiteCounts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double ms = 0;
  void add(const CellResult& c) {
    ++tests;
    ms += c.wall_ms;
    if (!as_expected(c))
      ++(c.verdict.status == Status::error ? errors : failures);
    else if (c.verdict.status == Status::unsupported)
      ++skipped;
  }
  std::string attributes() const {
    return fmt::format(R"(tests="{}" failures="{}" errors="{}" skipped="{}" time="{}")", tests,
                       failures, errors, skipped, seconds(ms));
  }
};

}  // namespace

std::string junit_xml(const RunInfo& info, const std::vector<Suite>& suites,
                      const std::vector<CellResult>& cells) {
  std::map<std::string, std::vector<const CellResult*>> by_suite;
  SuiteCounts all;
  for (const auto& c : cells) {
    by_suite[c.suite->id].push_back(&c);
    all.add(c);
  }
  std::string xml =
      fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\" {}>\n",
                  markup_text(fmt::format("tlsmatrix run {}", info.id)), all.attributes());
  for (const auto& suite : suites) {  // in the run's suite order, cells by id
    auto it = by_suite.find(suite.id);
    if (it == by_suite.end()) continue;
    auto& members = it->second;
    std::sort(members.begin(), members.end(),
              [](const CellResult* a, const CellResult* b) { return a->id < b->id; });
    SuiteCounts counts;
    for (const auto* c : members) counts.add(*c);
    xml += fmt::format("  <testsuite name=\"{}\" {} timestamp=\"{}\">\n", markup_text(suite.id),
                       counts.attributes(), markup_text(info.started));
    for (const auto* c : members) xml += testcase(*c);
    xml += "  </testsuite>\n";
  }
  return xml + "</testsuites>\n";
}

}  // namespace tlsmatrix
