#include "html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>

#include "verdict.hpp"

namespace tlsmatrix {

extern const std::string_view kHtmlReportTemplate;

namespace {

using nlohmann::json;

// How the page shows each status: a symbol (the grid must read without colour) and what it
// means (the statuses table of results/README.md, shortened).
struct StatusLook {
  Status status;
  const char* symbol;
  const char* meaning;
};
constexpr StatusLook kStatusLooks[] = {
    {Status::pass, "\u2713", "every check held"},
    {Status::deviation, "\u2248", "the required outcome, a detail differs"},
    {Status::fail, "\u2717", "contradicts a check, or stalled"},
    {Status::unsupported, "\u2013", "a side cannot produce the configuration"},
    {Status::error, "!", "no trustworthy result (harness)"},
};

// "3.0.19" < "3.0.20" < "3.5.1": digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t i_end = i, j_end = j;
      while (i_end < a.size() && std::isdigit(static_cast<unsigned char>(a[i_end]))) ++i_end;
      while (j_end < b.size() && std::isdigit(static_cast<unsigned char>(b[j_end]))) ++j_end;
      const auto x = a.substr(i, i_end - i), y = b.substr(j, j_end - j);
      const auto x_trim = x.substr(std::min(x.find_first_not_of('0'), x.size()));
      const auto y_trim = y.substr(std::min(y.find_first_not_of('0'), y.size()));
      if (x_trim.size() != y_trim.size()) return x_trim.size() < y_trim.size();
      if (x_trim != y_trim) return x_trim < y_trim;
      i = i_end, j = j_end;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string text_of(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Many cells repeat whole parts of another (the same client sends the same ClientHello to every
// server): every object, array or string of 48 bytes or more is kept once in `shared` and
// stands as {"@ref": N} in the cells. The page expands a cell when it is shown.
class SharedParts {
 public:
  // Replaces `value`'s parts, then `value` itself, by references where they are long enough.
  void intern(json& value) {
    if (value.is_object() || value.is_array())
      for (auto& item : value) intern(item);
    else if (!value.is_string() || value.get_ref<const std::string&>().size() < 48)
      return;
    auto text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() < 48) return;
    const auto [it, added] = index_.try_emplace(std::move(text), parts_.size());
    if (added) parts_.push_back(std::move(value));
    value = json{{"@ref", it->second}};
  }
  json take() { return std::move(parts_); }

 private:
  std::unordered_map<std::string, std::size_t> index_;
  json parts_ = json::array();
};

// JSON inside <script>: "<" only occurs in strings, where \u003c means the same and cannot end
// the element or open a comment.
std::string script_json(const json& value) {
  const auto text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

json scenario_json(const Scenario& s) {
  json expectations = json::array();
  for (const auto& e : s.expectations)
    expectations.push_back({{"fact", fact_name(e.fact)}, {"any_of", e.any_of}, {"cite", e.cite}});
  return {{"id", s.id},
          {"title", s.title},
          {"description", s.description},
          {"expectations", expectations}};
}

// The suites as matrix.json lists them, with text and citations from the checkout's suites.
json suites_json(const json& matrix, const std::vector<Suite>& suites,
                 std::map<std::string, std::pair<int, std::map<std::string, int>>>& index) {
  json out = json::array();
  for (const auto& listed : matrix.value("suites", json::array())) {
    const auto id = text_of(listed, "id");
    const auto known =
        std::find_if(suites.begin(), suites.end(), [&](const Suite& s) { return s.id == id; });
    json scenarios = json::array();
    auto& [suite_index, scenario_index] = index[id];
    suite_index = static_cast<int>(out.size());
    for (const auto& sc : listed.value("scenarios", json::array())) {
      const auto scenario_id = text_of(sc, "id");
      scenario_index[scenario_id] = static_cast<int>(scenarios.size());
      const Scenario* full = nullptr;
      if (known != suites.end())
        for (const auto& s : known->scenarios)
          if (s.id == scenario_id) full = &s;
      scenarios.push_back(full ? scenario_json(*full)
                               : json{{"id", scenario_id},
                                      {"title", text_of(sc, "title")},
                                      {"description", "(not in this checkout's suites)"},
                                      {"expectations", json::array()}});
    }
    out.push_back({{"id", id},
                   {"title", text_of(listed, "title")},
                   {"description", known != suites.end() ? known->description : std::string()},
                   {"scenarios", scenarios}});
  }
  return out;
}

void replace_marker(std::string& page, std::string_view marker, const std::string& text) {
  const auto at = page.find(marker);
  if (at == std::string::npos)
    throw std::logic_error(fmt::format("report template lacks {}", marker));
  page.replace(at, marker.size(), text);
}

}  // namespace

std::string html_report(const json& matrix, const std::vector<Suite>& suites) {
  // Peers grouped by stack, then version, then environment.
  const auto listed_peers = matrix.value("peers", json::array());
  std::vector<std::size_t> order(listed_peers.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = listed_peers[a], &y = listed_peers[b];
    if (text_of(x, "stack") != text_of(y, "stack"))
      return text_of(x, "stack") < text_of(y, "stack");
    if (text_of(x, "library_version") != text_of(y, "library_version"))
      return natural_less(text_of(x, "library_version"), text_of(y, "library_version"));
    return text_of(x, "environment") < text_of(y, "environment");
  });
  json peers = json::array();
  std::map<std::string, int> peer_index;
  for (auto i : order) {
    const auto& p = listed_peers[i];
    peer_index[text_of(p, "id")] = static_cast<int>(peers.size());
    peers.push_back({{"id", text_of(p, "id")},
                     {"stack", text_of(p, "stack")},
                     {"environment", text_of(p, "environment")},
                     {"library", text_of(p, "library")},
                     {"library_version", text_of(p, "library_version")}});
  }
  std::map<std::string, std::pair<int, std::map<std::string, int>>> suite_index;
  auto suites_data = suites_json(matrix, suites, suite_index);

  json statuses = json::array();
  std::map<std::string, int> status_index;
  for (const auto& look : kStatusLooks) {
    status_index[status_name(look.status)] = static_cast<int>(statuses.size());
    statuses.push_back(
        {{"name", status_name(look.status)}, {"symbol", look.symbol}, {"meaning", look.meaning}});
  }

  json ids = json::array(), suite_of = json::array(), scenario_of = json::array(),
       client_of = json::array(), server_of = json::array(), status_of = json::array(),
       unexpected = json::array(), details = json::array();
  SharedParts shared;
  static const json kNone = json::array();
  const auto listed_cells = matrix.find("cells");
  for (const auto& cell : listed_cells != matrix.end() ? *listed_cells : kNone) {
    const auto id = text_of(cell, "id");
    const auto suite = suite_index.find(text_of(cell, "suite"));
    const auto client = peer_index.find(text_of(cell, "client"));
    const auto server = peer_index.find(text_of(cell, "server"));
    const auto status = status_index.find(text_of(cell, "status"));
    if (suite == suite_index.end() || client == peer_index.end() || server == peer_index.end() ||
        status == status_index.end())
      throw std::runtime_error(fmt::format(
          "matrix.json: cell {} names a suite, peer or status the run does not list", id));
    const auto scenario = suite->second.second.find(text_of(cell, "scenario"));
    if (scenario == suite->second.second.end())
      throw std::runtime_error(
          fmt::format("matrix.json: cell {} names a scenario its suite does not list", id));
    ids.push_back(id);
    suite_of.push_back(suite->second.first);
    scenario_of.push_back(scenario->second);
    client_of.push_back(client->second);
    server_of.push_back(server->second);
    status_of.push_back(status->second);
    unexpected.push_back(text_of(cell, "match") == "unexpected" ? 1 : 0);
    json detail = json::object();
    for (const auto& [key, part] : cell.items()) {
      if (key == "id" || key == "suite" || key == "scenario" || key == "client" ||
          key == "server" || key == "status")
        continue;
      auto& kept = detail[key] = part;
      shared.intern(kept);
    }
    details.push_back(std::move(detail));
  }

  const auto run = matrix.value("run", json::object());
  const json data = {{"format", 1},
                     {"run",
                      {{"id", text_of(run, "id")},
                       {"started", text_of(run, "started")},
                       {"finished", text_of(run, "finished")},
                       {"complete", run.value("complete", false)},
                       {"shard", text_of(run, "shard")},
                       {"tlsmatrix_version", text_of(run, "tlsmatrix_version")}}},
                     {"totals", matrix.value("totals", json::object())},
                     {"statuses", statuses},
                     {"peers", peers},
                     {"suites", suites_data},
                     {"cells",
                      {{"id", ids},
                       {"suite", suite_of},
                       {"scenario", scenario_of},
                       {"client", client_of},
                       {"server", server_of},
                       {"status", status_of},
                       {"unexpected", unexpected}}}};
  // The details first: the data's text, inserted before them, may hold either marker's text.
  std::string page(kHtmlReportTemplate);
  replace_marker(page, "/*TLSMATRIX_DETAILS*/",
                 script_json({{"cells", details}, {"shared", shared.take()}}));
  replace_marker(page, "/*TLSMATRIX_DATA*/", script_json(data));
  return page;
}

}  // namespace tlsmatrix
