// Output unchanged: every corpus feed through the old path (the pre-chain record builder and
// the RE2-only keyword matcher, kept as test-only references) and through the new chain of
// stage functions (parse -> dedupe -> clean -> keywords), in file order with one run-wide
// dedupe, gives the same records as JSON Lines, sorted. A difference would have to be a named
// fix; there is none today.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/stages.h"
#include "sources/feed_parser.h"
#include "tests/pipeline/article_builder_reference.h"
#include "transforms/json_record.h"

namespace rssflow {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class RecordingSink : public ArticleSink {
 public:
  void write(ArticleBatch&& batch) override {
    for (const Article& a : batch.articles) append_json_line(lines, a);
  }
  using ArticleSink::write;
  LoadStats finish() override { return {}; }
  std::string lines;
};

std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST(GoldenRecords, TheCorpusThroughTheOldAndTheNewPathGivesTheSameRecords) {
  const fs::path dictionary = fs::path(RSSFLOW_SOURCE_DIR) / "config/keywords.tsv";
  const KeywordMatcher keywords = KeywordMatcher::from_file(dictionary);
  const ReferenceKeywordMatcher reference_keywords = ReferenceKeywordMatcher::from_file(dictionary);
  const ArticleOptions options;
  const Instant fetched_at{std::chrono::seconds{1'700'000'000}};

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(RSSFLOW_TEST_DATA_DIR) / "realworld")) {
    if (entry.is_regular_file() && entry.path().extension() != ".md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  std::string old_lines;
  Deduper old_seen;
  RecordingSink sink;
  HashSet stored;
  DedupeStep dedupe(stored);
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string url = "file://" + files[i].string();
    const std::string bytes = read_file(files[i]);
    // Old: parse, build every article, dedupe and near-duplicates on the built articles.
    const Outcome<FeedDocument> parsed = parse_feed(bytes, ParseInput{url, url, std::nullopt});
    if (const auto* doc = std::get_if<FeedDocument>(&parsed)) {
      for (Article& a : reference::build_articles(*doc, reference_keywords, fetched_at, options)) {
        if (old_seen.admit(a)) append_json_line(old_lines, a);
      }
    }
    // New: the stage functions of the flow graph, in order.
    FetchedFeed feed;
    feed.final_url = url;
    feed.body = bytes;
    feed.fetched_at = fetched_at;
    FetchResult result;
    result.outcome = std::move(feed);
    SourceJob job{i, Source{url, "", {}, 0, {}, std::nullopt}, {}};
    SourceBatch batch = parse_source(FetchedSource{std::move(job), std::move(result)}, Hash128{});
    dedupe.run(batch);
    clean_source(batch, options);
    match_source_keywords(batch, keywords);
    format_source(batch, sink);
    for (Article& a : batch.articles.articles) {
      a.duplicate_of.reset();  // the old path links none here
      // Media and language (issue 14) postdate the reference builder; article_builder_test and
      // language_test check them.
      a.enclosures.clear();
      a.image_url.reset();
      a.language.reset();
    }
    sink.write(std::move(batch.articles));
  }
  const std::vector<std::string> old_records = sorted_lines(old_lines);
  const std::vector<std::string> new_records = sorted_lines(sink.lines);
  ASSERT_GT(old_records.size(), 5000u);
  EXPECT_EQ(new_records.size(), old_records.size());
  std::vector<std::string> only_old, only_new;
  std::set_difference(old_records.begin(), old_records.end(), new_records.begin(), new_records.end(),
                      std::back_inserter(only_old));
  std::set_difference(new_records.begin(), new_records.end(), old_records.begin(), old_records.end(),
                      std::back_inserter(only_new));
  EXPECT_TRUE(only_old.empty() && only_new.empty())
      << only_old.size() << " records only in the old output, " << only_new.size() << " only in the new; first:\n"
      << (only_old.empty() ? "" : only_old.front().substr(0, 600)) << "\n"
      << (only_new.empty() ? "" : only_new.front().substr(0, 600));
}

}  // namespace
}  // namespace rssflow
