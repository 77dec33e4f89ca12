// Load-rate driver for scripts/bench/load.sh: generates N articles of realistic size, writes
// them as a COPY text file for `psql \copy` (the baseline), then loads them with PostgresSink
// into an empty <schema>.articles, again unchanged, and again with every text changed, printing
// rows per second of each.
//
//   postgres_load_bench CONNINFO SCHEMA ROWS BATCH_ROWS COPY_FILE
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "core/time.h"
#include "sinks/postgres_migrate.h"
#include "sinks/postgres_sink.h"

namespace {

using rssflow::Article;

std::string words(std::mt19937_64& rng, std::size_t count) {
  static const std::vector<std::string> vocabulary = {
      "kernel", "release", "postgres", "compiler", "security", "update", "design", "the", "a",   "of",
      "network", "browser", "rust",    "feature",  "patch",    "über",   "café",   "and", "in", "with"};
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) text.push_back(' ');
    text += vocabulary[rng() % vocabulary.size()];
  }
  return text;
}

std::vector<Article> generate(std::size_t rows) {
  std::mt19937_64 rng(20240501);
  std::vector<Article> articles;
  articles.reserve(rows);
  for (std::size_t n = 0; n < rows; ++n) {
    Article a;
    a.url = "https://news.example.com/" + std::to_string(n % 97) + "/article-" + std::to_string(n);
    a.guid = "tag:news.example.com,2024:" + std::to_string(n);
    a.title = words(rng, 8);
    if (n % 3 != 0) a.author = "Author " + std::to_string(n % 50);
    a.published_at = rssflow::Instant{std::chrono::seconds{1700000000 + static_cast<long long>(n) * 60}};
    a.summary = words(rng, 45);          // ~300 bytes
    a.content_text = words(rng, 450);    // ~3 KB
    a.keywords = {"postgres", "security"};
    a.categories = {"Tech"};
    a.feed_url = "https://news.example.com/feed/" + std::to_string(n % 97) + ".xml";
    a.url_hash = rssflow::xxh3_128(a.url);
    a.content_hash = rssflow::xxh3_128(a.title + a.content_text);
    a.fetched_at = rssflow::Instant{std::chrono::seconds{1700100000}};
    articles.push_back(std::move(a));
  }
  return articles;
}

// COPY text format: tab-separated, \N for NULL, backslash escapes. The generated text has no
// tabs, newlines or backslashes, so only the bytea prefix needs one.
void write_copy_file(const std::vector<Article>& articles, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  for (const Article& a : articles) {
    out << "\\\\x" << a.url_hash.hex() << '\t' << a.url << '\t' << a.guid << '\t' << a.title << '\t'
        << (a.author ? *a.author : "\\N") << '\t' << rssflow::format_rfc3339(*a.published_at) << '\t' << a.summary
        << '\t' << a.content_text << "\t{postgres,security}\t{Tech}\t" << a.feed_url << "\t\\\\x"
        << a.content_hash.hex() << '\t' << rssflow::format_rfc3339(a.fetched_at) << "\t\\N\n";
  }
}

double load_rate(const rssflow::PostgresOptions& options, std::vector<Article> articles, rssflow::LoadStats& stats) {
  const auto started = std::chrono::steady_clock::now();
  rssflow::PostgresSink sink(options);
  const std::size_t rows = articles.size();
  // The pipeline hands over one source's articles at a time; 50 is a typical feed.
  for (std::size_t at = 0; at < rows; at += 50) {
    std::vector<Article> feed(std::make_move_iterator(articles.begin() + static_cast<std::ptrdiff_t>(at)),
                              std::make_move_iterator(articles.begin() + static_cast<std::ptrdiff_t>(std::min(rows, at + 50))));
    sink.write(std::move(feed));
  }
  stats = sink.finish();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  return static_cast<double>(rows) / elapsed.count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: postgres_load_bench CONNINFO SCHEMA ROWS BATCH_ROWS COPY_FILE\n";
    return 2;
  }
  rssflow::PostgresOptions options;
  options.conninfo = argv[1];
  options.schema = argv[2];
  options.batch_rows = std::stoul(argv[4]);
  try {
    rssflow::migrate(options);
    const std::vector<Article> articles = generate(std::stoul(argv[3]));
    write_copy_file(articles, argv[5]);
    std::vector<Article> edited = articles;
    for (Article& a : edited) {
      a.content_text += " (updated)";
      a.content_hash = rssflow::xxh3_128(a.title + a.content_text);
    }
    rssflow::LoadStats first, second, third;
    const double insert_rate = load_rate(options, articles, first);
    const double unchanged_rate = load_rate(options, articles, second);
    const double update_rate = load_rate(options, edited, third);
    std::printf("sink_insert_rows_per_s %.0f\nsink_unchanged_rows_per_s %.0f\nsink_update_rows_per_s %.0f\n",
                insert_rate, unchanged_rate, update_rate);
    const bool counts_right = first.inserted == articles.size() && second.unchanged == articles.size() &&
                              third.updated == articles.size();
    if (!counts_right) std::cerr << "postgres_load_bench: unexpected inserted/unchanged/updated counts\n";
    return counts_right ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 3;
  }
}
