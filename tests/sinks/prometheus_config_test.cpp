// The alert rules and the Grafana dashboard in config/ stay in step with the metrics rssflow
// writes. (promtool check/test rules on the rules themselves run as separate ctest tests.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include "sinks/prometheus_metrics.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

namespace fs = std::filesystem;
const fs::path kConfig = fs::path(RSSFLOW_SOURCE_DIR) / "config";

// Families rssflow can write: every family of a run that succeeded (the superset).
std::set<std::string> written_families() {
  RunMetrics run;
  run.exit_status = 0;
  const std::string text = render_prometheus_text(run);
  std::set<std::string> names;
  const std::regex type_line(R"(# TYPE (\w+) )");
  for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it) names.insert((*it)[1]);
  return names;
}

std::set<std::string> referenced_metrics(const std::string& text) {
  std::set<std::string> names;
  const std::regex metric(R"(\brssflow_[a-z_]+)");
  for (std::sregex_iterator it(text.begin(), text.end(), metric), end; it != end; ++it) {
    std::string name = (*it)[0];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (name.ends_with(suffix) && !name.ends_with("_total")) name.resize(name.size() - std::string(suffix).size());
    }
    names.insert(name);
  }
  return names;
}

nlohmann::json dashboard() { return nlohmann::json::parse(testing::read_file((kConfig / "grafana" / "rssflow.json").string())); }

std::vector<std::string> dashboard_queries() {
  std::vector<std::string> queries;
  const nlohmann::json d = dashboard();
  for (const auto& panel : d["panels"]) {
    if (!panel.contains("targets")) continue;
    for (const auto& target : panel["targets"]) queries.push_back(target["expr"].get<std::string>());
  }
  return queries;
}

TEST(MonitoringConfig, AlertRulesUseOnlyMetricsRssflowWrites) {
  const auto written = written_families();
  const auto used = referenced_metrics(testing::read_file((kConfig / "prometheus" / "rssflow.rules.yml").string()));
  EXPECT_GE(used.size(), 5u);
  for (const std::string& name : used) EXPECT_TRUE(written.count(name)) << name << " is not written by rssflow";
}

TEST(MonitoringConfig, DashboardUsesOnlyMetricsRssflowWrites) {
  const auto written = written_families();
  std::string all;
  for (const std::string& query : dashboard_queries()) all += query + "\n";
  const auto used = referenced_metrics(all);
  EXPECT_GE(used.size(), 10u);
  for (const std::string& name : used) EXPECT_TRUE(written.count(name)) << name << " is not written by rssflow";
}

TEST(MonitoringConfig, DashboardQueriesAreValidPromQL) {
  // promtool parses every expression of a rules file: wrap each query in a recording rule.
  std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
  int n = 0;
  for (std::string query : dashboard_queries()) {
    query = std::regex_replace(query, std::regex(R"(\$shard)"), ".*");
    rules += "      - record: dashboard:query" + std::to_string(n++) + "\n        expr: " + nlohmann::json(query).dump() + "\n";
  }
  ASSERT_GT(n, 10);
  testing::TempDir dir;
  testing::write_file(dir.file("dashboard.rules.yml"), rules);
  const auto check = testing::run_command({"promtool", "check", "rules", dir.file("dashboard.rules.yml")});
  EXPECT_EQ(check.exit_status, 0) << check.out << check.err;
}

TEST(MonitoringConfig, DashboardIsReadyForFileProvisioning) {
  const nlohmann::json d = dashboard();
  EXPECT_TRUE(d["id"].is_null());  // provisioning assigns the id; the uid is the stable handle
  EXPECT_EQ(d["uid"], "rssflow");
  std::set<int> ids;
  for (const auto& panel : d["panels"]) {
    EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second) << "duplicate panel id " << panel["id"];
    EXPECT_TRUE(panel.contains("gridPos")) << panel["title"];
    if (panel["type"] != "row") {
      EXPECT_EQ(panel["datasource"]["uid"], "${datasource}") << panel["title"];
    }
  }
  std::set<std::string> variables;
  for (const auto& variable : d["templating"]["list"]) variables.insert(variable["name"].get<std::string>());
  EXPECT_EQ(variables, (std::set<std::string>{"datasource", "shard"}));
  const std::string provisioning = testing::read_file((kConfig / "grafana" / "provisioning.yml").string());
  EXPECT_THAT(provisioning, ::testing::HasSubstr("apiVersion: 1"));
  EXPECT_THAT(provisioning, ::testing::HasSubstr("type: file"));
}

}  // namespace
}  // namespace rssflow
