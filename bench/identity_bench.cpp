// Google Benchmark for the identity and format transforms on the real-world corpus (driven by
// scripts/bench/identity.sh).
//
//   identity_bench [benchmark flags] REALWORLD_DIR KEYWORDS
// Every feed of REALWORLD_DIR is parsed once up front; the benchmarks then time the format
// stage (build_articles), the JSON Lines writer against nlohmann::json, URL canonicalisation,
// fingerprinting, exact dedupe and the banded near-duplicate index against a linear scan.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/time.h"
#include "sources/feed_parser.h"
#include "transforms/article_builder.h"
#include "transforms/dedupe.h"
#include "transforms/json_record.h"
#include "transforms/near_duplicate.h"
#include "transforms/url.h"

namespace {

using namespace rssflow;

struct Corpus {
  std::vector<std::string> raw;  // feed bytes
  std::vector<std::string> urls;
  std::vector<FeedDocument> documents;
  std::vector<Article> articles;
  std::vector<std::string> links;
};

Corpus& corpus() {
  static Corpus instance;
  return instance;
}

const KeywordMatcher* g_keywords = nullptr;

void load(const std::filesystem::path& dir) {
  Corpus& c = corpus();
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() != ".md") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    const std::string url = "file://" + file.string();
    auto parsed = parse_feed(s.str(), ParseInput{url, url, std::nullopt});
    if (!std::holds_alternative<FeedDocument>(parsed)) continue;
    c.raw.push_back(s.str());
    c.urls.push_back(url);
    FeedDocument& doc = std::get<FeedDocument>(parsed);
    for (const FeedEntry& e : doc.entries) {
      if (e.link) c.links.push_back(*e.link);
    }
    for (Article& a : build_articles(doc, *g_keywords, now_seconds(), {})) c.articles.push_back(std::move(a));
    c.documents.push_back(std::move(doc));
  }
}

void BM_ParseFeed(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (std::size_t i = 0; i < c.raw.size(); ++i) benchmark::DoNotOptimize(parse_feed(c.raw[i], ParseInput{c.urls[i], c.urls[i], std::nullopt}));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.articles.size()));
}
BENCHMARK(BM_ParseFeed)->Unit(benchmark::kMillisecond);

void BM_BuildArticles(benchmark::State& state) {
  const Corpus& c = corpus();
  const Instant now = now_seconds();
  for (auto _ : state) {
    for (const FeedDocument& doc : c.documents) benchmark::DoNotOptimize(build_articles(doc, *g_keywords, now, {}));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.articles.size()));
}
BENCHMARK(BM_BuildArticles)->Unit(benchmark::kMillisecond);

void BM_AppendJsonLine(benchmark::State& state) {
  const Corpus& c = corpus();
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (const Article& a : c.articles) append_json_line(out, a);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.articles.size()));
}
BENCHMARK(BM_AppendJsonLine)->Unit(benchmark::kMillisecond);

// The obvious alternative: build an nlohmann::json object per record and dump it (replacing
// invalid UTF-8 like append_json_line does).
void BM_NlohmannJsonLine(benchmark::State& state) {
  const Corpus& c = corpus();
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (const Article& a : c.articles) {
      nlohmann::ordered_json j;
      j["url"] = a.url;
      j["guid"] = a.guid;
      j["title"] = a.title;
      j["author"] = a.author ? nlohmann::ordered_json(*a.author) : nlohmann::ordered_json(nullptr);
      j["published_at"] = a.published_at ? nlohmann::ordered_json(format_rfc3339(*a.published_at)) : nlohmann::ordered_json(nullptr);
      j["summary"] = a.summary;
      j["content_text"] = a.content_text;
      j["keywords"] = a.keywords;
      j["categories"] = a.categories;
      j["feed_url"] = a.feed_url;
      j["url_hash"] = a.url_hash.hex();
      j["content_hash"] = a.content_hash.hex();
      j["fetched_at"] = format_rfc3339(a.fetched_at);
      j["duplicate_of"] = a.duplicate_of ? nlohmann::ordered_json(a.duplicate_of->hex()) : nlohmann::ordered_json(nullptr);
      out += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      out += '\n';
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.articles.size()));
}
BENCHMARK(BM_NlohmannJsonLine)->Unit(benchmark::kMillisecond);

void BM_CanonicalizeUrl(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (const std::string& link : c.links) benchmark::DoNotOptimize(canonicalize_url(link));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.links.size()));
}
BENCHMARK(BM_CanonicalizeUrl)->Unit(benchmark::kMicrosecond);

void BM_Fingerprint(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (const Article& a : c.articles) benchmark::DoNotOptimize(fingerprint(a.title, a.content_text));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.articles.size()));
}
BENCHMARK(BM_Fingerprint)->Unit(benchmark::kMillisecond);

std::vector<Hash128> random_digests(std::size_t n) {
  std::mt19937_64 rng(1);
  std::vector<Hash128> out(n);
  for (Hash128& h : out) h = Hash128{rng(), rng()};
  return out;
}

void BM_Deduper(benchmark::State& state) {
  const auto digests = random_digests(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    Deduper d;
    for (const Hash128& h : digests) benchmark::DoNotOptimize(d.admit(h));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * digests.size()));
}
BENCHMARK(BM_Deduper)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_UnorderedSetDedupe(benchmark::State& state) {
  const auto digests = random_digests(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::unordered_set<Hash128, Hash128Hasher> seen;
    for (const Hash128& h : digests) benchmark::DoNotOptimize(seen.insert(h).second);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * digests.size()));
}
BENCHMARK(BM_UnorderedSetDedupe)->Arg(100'000)->Unit(benchmark::kMillisecond);

std::vector<std::uint64_t> random_prints(std::size_t n) {
  std::mt19937_64 rng(2);
  std::vector<std::uint64_t> out(n);
  for (auto& p : out) p = rng();
  return out;
}

void BM_NearDuplicateBanded(benchmark::State& state) {
  const auto prints = random_prints(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    NearDuplicateIndex index;
    for (std::size_t i = 0; i < prints.size(); ++i) {
      benchmark::DoNotOptimize(index.link_or_add(TextFingerprint{prints[i], 100}, i % 64, Hash128{i, i}));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * prints.size()));
}
BENCHMARK(BM_NearDuplicateBanded)->Arg(20'000)->Unit(benchmark::kMillisecond);

// What the banded index replaces: compare each new fingerprint with every indexed one.
void BM_NearDuplicateLinearScan(benchmark::State& state) {
  const auto prints = random_prints(static_cast<std::size_t>(state.range(0)));
  const int max_distance = NearDuplicateOptions{}.max_distance;
  for (auto _ : state) {
    std::vector<std::pair<std::uint64_t, std::size_t>> indexed;
    for (std::size_t i = 0; i < prints.size(); ++i) {
      bool linked = false;
      for (const auto& [p, feed] : indexed) {
        if (feed != i % 64 && hamming_distance(p, prints[i]) <= max_distance) {
          linked = true;
          break;
        }
      }
      if (!linked) indexed.emplace_back(prints[i], i % 64);
    }
    benchmark::DoNotOptimize(indexed.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * prints.size()));
}
BENCHMARK(BM_NearDuplicateLinearScan)->Arg(20'000)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: identity_bench [benchmark flags] REALWORLD_DIR KEYWORDS\n");
    return 2;
  }
  static const KeywordMatcher keywords = KeywordMatcher::from_file(argv[2]);
  g_keywords = &keywords;
  load(argv[1]);
  std::fprintf(stderr, "corpus: %zu documents, %zu articles, %zu links\n", corpus().documents.size(),
               corpus().articles.size(), corpus().links.size());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
