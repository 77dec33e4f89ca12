// parse_feed over every document of a folder (default: tests/data/realworld), one pass per
// iteration; reports bytes/s and documents/s. Driver of scripts/bench/parser.sh.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sources/feed_parser.h"

namespace {

std::vector<std::string> g_documents;

void BM_ParseCorpus(benchmark::State& state) {
  const rssflow::ParseInput input{"https://example.com/feed", "https://example.com/feed", std::nullopt};
  std::size_t bytes = 0, entries = 0;
  for (auto _ : state) {
    for (const auto& document : g_documents) {
      auto outcome = rssflow::parse_feed(document, input);
      if (auto* doc = std::get_if<rssflow::FeedDocument>(&outcome)) entries += doc->entries.size();
      benchmark::DoNotOptimize(outcome);
      bytes += document.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["documents/s"] = benchmark::Counter(static_cast<double>(g_documents.size() * state.iterations()),
                                                    benchmark::Counter::kIsRate);
  state.counters["entries"] = static_cast<double>(entries) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ParseCorpus)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const std::filesystem::path folder = argc > 1 ? argv[1] : "tests/data/realworld";
  for (const auto& item : std::filesystem::directory_iterator(folder)) {
    if (item.path().extension() == ".md") continue;
    std::ifstream in(item.path(), std::ios::binary);
    g_documents.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
