// Google Benchmark for the text transforms on real feed content (driven by scripts/bench/text.sh).
//
//   transforms_bench [benchmark flags] CORPUS KEYWORDS
// CORPUS is the NUL-separated fragment file written by scripts/bench/text_corpus.py from
// tests/data/realworld; KEYWORDS is config/keywords.tsv. Throughput is reported as bytes of
// HTML (or of stripped text, for match) per second.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "transforms/keyword_matcher.h"
#include "transforms/strip_html.h"

namespace {

struct Corpus {
  std::vector<std::string> html;
  std::vector<std::string> text;  // strip_html(html), the input of match()
  std::size_t html_bytes = 0;
  std::size_t text_bytes = 0;
};

Corpus& corpus() {
  static Corpus instance;
  return instance;
}

const rssflow::KeywordMatcher* g_matcher = nullptr;
const char* g_keywords_path = nullptr;

void BM_StripHtml(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (const std::string& fragment : c.html) benchmark::DoNotOptimize(rssflow::strip_html(fragment));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.html_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.html.size()));
}
BENCHMARK(BM_StripHtml)->Unit(benchmark::kMillisecond);

void BM_KeywordMatch(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (const std::string& text : c.text) benchmark::DoNotOptimize(g_matcher->match(text));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.text_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.text.size()));
}
BENCHMARK(BM_KeywordMatch)->Unit(benchmark::kMillisecond);

// A fresh matcher per iteration: dictionary compilation plus RE2's lazy DFA construction,
// which is what one short `rssflow run` pays.
void BM_KeywordMatchCold(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    const rssflow::KeywordMatcher cold = rssflow::KeywordMatcher::from_file(g_keywords_path);
    for (const std::string& text : c.text) benchmark::DoNotOptimize(cold.match(text));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.text_bytes));
}
BENCHMARK(BM_KeywordMatchCold)->Unit(benchmark::kMillisecond)->Iterations(3);

// The clean + keyword stages as the pipeline runs them, per fragment.
void BM_StripThenMatch(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (const std::string& fragment : c.html) {
      benchmark::DoNotOptimize(g_matcher->match(rssflow::strip_html(fragment)));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.html_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.html.size()));
}
BENCHMARK(BM_StripThenMatch)->Unit(benchmark::kMillisecond);

// The same work spread over all cores: match() and strip_html are shared, const and reentrant.
void BM_StripThenMatchThreaded(benchmark::State& state) {
  const Corpus& c = corpus();
  const std::size_t stride = static_cast<std::size_t>(state.threads());
  for (auto _ : state) {
    for (std::size_t k = static_cast<std::size_t>(state.thread_index()); k < c.html.size(); k += stride) {
      benchmark::DoNotOptimize(g_matcher->match(rssflow::strip_html(c.html[k])));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.html_bytes / stride));
}
BENCHMARK(BM_StripThenMatchThreaded)->Unit(benchmark::kMillisecond)->ThreadRange(1, 2)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s [benchmark flags] CORPUS KEYWORDS\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Corpus& c = corpus();
  for (std::size_t begin = 0; begin < all.size();) {
    std::size_t end = all.find('\0', begin);
    if (end == std::string::npos) end = all.size();
    c.html.emplace_back(all, begin, end - begin);
    c.html_bytes += end - begin;
    begin = end + 1;
  }
  for (const std::string& fragment : c.html) {
    c.text.push_back(rssflow::strip_html(fragment));
    c.text_bytes += c.text.back().size();
  }
  const rssflow::KeywordMatcher matcher = rssflow::KeywordMatcher::from_file(argv[2]);
  g_matcher = &matcher;
  g_keywords_path = argv[2];
  std::fprintf(stderr, "corpus: %zu fragments, %zu HTML bytes, %zu text bytes, %zu keywords\n", c.html.size(),
               c.html_bytes, c.text_bytes, matcher.size());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
