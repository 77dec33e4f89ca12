// Development driver for scripts/compare_feedparser.py: parses files with parse_feed and prints
// one JSON Lines record per entry, the same record `rssflow parse` prints (build_articles +
// append_json_line), or with --raw the FeedEntry fields as parsed. Errors go to stderr.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.h"
#include "sources/feed_parser.h"
#include "transforms/article_builder.h"
#include "transforms/json_record.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::json raw_entry(const rssflow::FeedEntry& e) {
  auto opt = [](const std::optional<std::string>& s) { return s ? nlohmann::json(*s) : nlohmann::json(); };
  auto date = [](const std::optional<rssflow::Instant>& t) {
    return t ? nlohmann::json(rssflow::format_rfc3339(*t)) : nlohmann::json();
  };
  return {{"title", opt(e.title)},     {"title_is_html", e.title_is_html}, {"link", opt(e.link)},
          {"guid", opt(e.guid)},       {"permalink", e.guid_is_permalink}, {"author", opt(e.author)},
          {"published", date(e.published)}, {"updated", date(e.updated)}, {"summary_html", opt(e.summary_html)},
          {"content_html", opt(e.content_html)}, {"categories", e.categories}};
}

}  // namespace

int main(int argc, char** argv) {
  bool raw = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--raw") raw = true;
    else files.push_back(arg);
  }
  const auto keywords = rssflow::KeywordMatcher::from_file(std::filesystem::path(RSSFLOW_SOURCE_DIR) / "config" / "keywords.tsv");
  int failures = 0;
  for (const auto& path : files) {
    const std::string url = "file://" + std::filesystem::absolute(path).string();
    rssflow::ParseInput input{url, url, std::nullopt};
    auto outcome = rssflow::parse_feed(read_file(path), input);
    if (auto* error = std::get_if<rssflow::StageError>(&outcome)) {
      std::cerr << error->describe() << "\n";
      ++failures;
      continue;
    }
    const auto& doc = std::get<rssflow::FeedDocument>(outcome);
    for (const auto& repair : doc.repairs) std::cerr << path << ": repair: " << repair << "\n";
    if (raw) {
      for (const auto& entry : doc.entries) std::cout << raw_entry(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      continue;
    }
    std::string out;
    for (const auto& article : rssflow::build_articles(doc, keywords, rssflow::now_seconds(), {}))
      rssflow::append_json_line(out, article);
    std::cout << out;
  }
  return failures ? 1 : 0;
}
