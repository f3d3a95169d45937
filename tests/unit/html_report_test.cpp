// report.html's page from a matrix: its embedded data (grid order, indices, shared parts), text
// that could end a <script> element, and matrices it must refuse. The page in a browser is
// tests/integration/report_browser_test.py's.
#include "html_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace tlsmatrix {
namespace {

using nlohmann::json;

json peer(const std::string& id, const std::string& stack, const std::string& version) {
  return {{"id", id}, {"stack", stack}, {"environment", "host"}, {"library_version", version}};
}

json cell(const std::string& client, const std::string& server, const std::string& status,
          const std::string& reason) {
  return {{"id", "psk/psk-ke/" + client + "->" + server},
          {"suite", "psk"},
          {"scenario", "psk-ke"},
          {"client", client},
          {"server", server},
          {"status", status},
          {"match", status == "error" ? "unexpected" : "expected"},
          {"reason", reason},
          {"wire", {{"client_hello", {{"groups", {"x25519", "secp256r1", "X25519MLKEM768"}}}}}}};
}

json matrix_of(json cells) {
  return {{"schema", "tlsmatrix-matrix"},
          {"schema_version", 7},
          {"run", {{"id", "r1"}, {"complete", true}}},
          {"peers",
           {peer("openssl-3.0.19@sid", "openssl", "3.0.19"), peer("gnutls@host", "gnutls", "3.7.9"),
            peer("openssl@host", "openssl", "3.0.9")}},
          {"suites", {{{"id", "psk"}, {"title", "PSK"}, {"scenarios", {{{"id", "psk-ke"}}}}}}},
          {"totals", {{"cells", cells.size()}}},
          {"cells", cells}};
}

// The JSON of the page's <script id=NAME type="application/json"> element.
json script_data(const std::string& page, const std::string& name) {
  const auto open = "<script id=\"" + name + "\" type=\"application/json\">";
  const auto begin = page.find(open);
  EXPECT_NE(begin, std::string::npos) << name;
  const auto from = begin + open.size();
  return json::parse(page.substr(from, page.find("</script>", from) - from));
}

Suite psk_suite() {
  Suite suite;
  suite.id = "psk";
  suite.description = "external PSKs";
  Scenario scenario;
  scenario.id = "psk-ke";
  scenario.title = "psk_ke only";
  scenario.description = "no (EC)DHE";
  Expectation e;
  e.fact = Fact::handshake;
  e.any_of = {"refused"};
  e.cite = "RFC 9257 §6";
  scenario.expectations.push_back(e);
  suite.scenarios.push_back(scenario);
  return suite;
}

TEST(HtmlReport, PeersAreGroupedByStackThenVersionAsNumbers) {
  const auto page = html_report(matrix_of(json::array()), {});
  const auto data = script_data(page, "tlsmatrix-data");
  std::vector<std::string> ids;
  for (const auto& p : data["peers"]) ids.push_back(p["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"gnutls@host", "openssl@host", "openssl-3.0.19@sid"}));
}

TEST(HtmlReport, CellsPointAtTheirPeersSuiteScenarioAndStatus) {
  const auto page =
      html_report(matrix_of({cell("openssl@host", "gnutls@host", "pass", "ok"),
                             cell("gnutls@host", "openssl-3.0.19@sid", "error", "peer crashed")}),
                  {psk_suite()});
  const auto data = script_data(page, "tlsmatrix-data");
  const auto& cells = data["cells"];
  ASSERT_EQ(cells["id"].size(), 2u);
  const auto& peers = data["peers"];
  EXPECT_EQ(peers[cells["client"][0].get<int>()]["id"], "openssl@host");
  EXPECT_EQ(peers[cells["server"][0].get<int>()]["id"], "gnutls@host");
  EXPECT_EQ(data["statuses"][cells["status"][1].get<int>()]["name"], "error");
  EXPECT_EQ(cells["unexpected"], json({0, 1}));
  const auto& scenario = data["suites"][0]["scenarios"][cells["scenario"][0].get<int>()];
  EXPECT_EQ(scenario["title"], "psk_ke only");
  EXPECT_EQ(scenario["expectations"][0]["cite"], "RFC 9257 §6");
}

TEST(HtmlReport, RepeatedPartsAreStoredOnce) {
  const auto page = html_report(matrix_of({cell("openssl@host", "gnutls@host", "pass", "ok"),
                                           cell("gnutls@host", "openssl@host", "pass", "ok")}),
                                {});
  const auto details = script_data(page, "tlsmatrix-details");
  ASSERT_EQ(details["cells"].size(), 2u);
  // Both cells' ClientHellos are the same (51 bytes of JSON): one shared entry, referred to
  // twice; the wire objects around them are shorter than 48 bytes and stay in place.
  const auto& hello = details["cells"][0]["wire"]["client_hello"];
  ASSERT_TRUE(hello.contains("@ref"));
  EXPECT_EQ(details["cells"][1]["wire"]["client_hello"], hello);
  EXPECT_EQ(details["shared"].size(), 1u);
  EXPECT_EQ(details["shared"][hello["@ref"].get<std::size_t>()]["groups"][2], "X25519MLKEM768");
  EXPECT_EQ(details["cells"][0]["reason"], "ok");  // short strings stay in place
}

TEST(HtmlReport, TextFromPeersCannotEndTheScriptElement) {
  const std::string hostile = "</script><script>alert(1)</script><!-- /*TLSMATRIX_DATA*/";
  const auto page =
      html_report(matrix_of({cell("openssl@host", "gnutls@host", "fail", hostile)}), {});
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.find("<!-- /*"), std::string::npos);
  // The text itself survives, in JSON form (long enough to be a shared part).
  const auto details = script_data(page, "tlsmatrix-details");
  const auto& reason = details["cells"][0]["reason"];
  ASSERT_TRUE(reason.contains("@ref"));
  EXPECT_EQ(details["shared"][reason["@ref"].get<std::size_t>()], hostile);
}

TEST(HtmlReport, ACellOfAnUnlistedPeerIsRefusedByName) {
  try {
    html_report(matrix_of({cell("openssl@host", "nss@sid", "pass", "ok")}), {});
    FAIL() << "a cell of a peer matrix.json does not list was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("psk/psk-ke/openssl@host->nss@sid"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tlsmatrix
