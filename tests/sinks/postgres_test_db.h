// Shared by the PostgreSQL tests: the fixture cluster's conninfo (tests/sinks/README.md) and a
// fresh schema per test, so tests are independent and may run in parallel.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>

#include <pqxx/pqxx>

#include "sinks/postgres_options.h"

namespace rssflow::testing {

inline std::string test_conninfo() {
  std::ifstream in(RSSFLOW_PG_CONNINFO_FILE);
  std::string conninfo;
  std::getline(in, conninfo);
  if (conninfo.empty()) {
    ADD_FAILURE() << "no conninfo in " << RSSFLOW_PG_CONNINFO_FILE
                  << " (run through ctest, which starts the postgres fixture)";
  }
  return conninfo;
}

// "t_<suite>_<test><suffix>", lower case, at most 63 bytes (PostgreSQL's identifier limit).
inline std::string test_schema_name(const std::string& suffix = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("t_") + info->test_suite_name() + "_" + info->name();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  name = name.substr(0, 63 - suffix.size()) + suffix;
  return name;
}

// Options for an empty schema of this test (dropped with everything in it, then recreated
// empty by whoever migrates it).
inline PostgresOptions fresh_schema(const std::string& suffix = "") {
  PostgresOptions options;
  options.conninfo = test_conninfo();
  options.schema = test_schema_name(suffix);
  pqxx::connection conn(options.conninfo);
  pqxx::nontransaction tx(conn);
  tx.exec("DROP SCHEMA IF EXISTS " + tx.quote_name(options.schema) + " CASCADE");
  return options;
}

// First column of the first row of `sql`, as text ("" for NULL).
inline std::string query_value(const PostgresOptions& options, const std::string& sql) {
  pqxx::connection conn(options.conninfo);
  pqxx::nontransaction tx(conn);
  tx.exec("SET search_path TO " + tx.quote_name(options.schema));
  const pqxx::row row = tx.exec1(sql);
  return row[0].is_null() ? std::string() : row[0].as<std::string>();
}

inline long long query_count(const PostgresOptions& options, const std::string& sql) {
  return std::stoll(query_value(options, sql));
}

}  // namespace rssflow::testing
