// Driver of scripts/bench/fetch.sh: fetches N feeds that the loopback server answers after a
// fixed delay, through HttpFetcher, and prints the wall time against the ideal
// N x delay / concurrency (the best any fetcher bounded to `concurrency` transfers can do).
//
//   fetch_bench BASE_URL [COUNT=1000] [CONCURRENCY=32] [PER_HOST=1000] [DELAY_MS=100]
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "sources/http_fetcher.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s BASE_URL [COUNT] [CONCURRENCY] [PER_HOST] [DELAY_MS]\n", argv[0]);
    return 2;
  }
  const std::string base = argv[1];
  const int count = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int concurrency = argc > 3 ? std::atoi(argv[3]) : 32;
  const int per_host = argc > 4 ? std::atoi(argv[4]) : 1000;
  const int delay_ms = argc > 5 ? std::atoi(argv[5]) : 100;

  rssflow::FetchOptions options;
  options.max_in_flight = concurrency;
  options.max_per_host = per_host;
  rssflow::HttpFetcher fetcher(options);

  std::mutex mutex;
  std::condition_variable done;
  int remaining = count;
  int failures = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    rssflow::FetchRequest request;
    request.source.url = base + "/delay/" + std::to_string(i) + ".xml?ms=" + std::to_string(delay_ms);
    fetcher.submit(std::move(request), [&](rssflow::FetchResult result) {
      std::lock_guard lock(mutex);
      if (std::holds_alternative<rssflow::StageError>(result.outcome)) {
        if (failures++ == 0) std::fprintf(stderr, "%s\n", std::get<rssflow::StageError>(result.outcome).describe().c_str());
      }
      if (--remaining == 0) done.notify_all();
    });
  }
  {
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return remaining == 0; });
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double ideal = count * (delay_ms / 1000.0) / concurrency;
  std::printf("feeds %d\nconcurrency %d\nfailures %d\nwall_seconds %.3f\nideal_seconds %.3f\nratio %.3f\n", count,
              concurrency, failures, wall, ideal, wall / ideal);
  return failures == 0 ? 0 : 1;
}
