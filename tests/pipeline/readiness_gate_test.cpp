#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "pipeline/readiness_gate.h"

namespace rssflow {
namespace {

TEST(ReadinessGate, KeepsWhatArrivesBeforeItOpensAndHandsItBackOnceInOrder) {
  ReadinessGate<int> gate;
  for (int item : {3, 1, 2}) EXPECT_FALSE(gate.admit(item));
  EXPECT_EQ(gate.open(), (std::vector<int>{3, 1, 2}));
  int later = 7;
  EXPECT_TRUE(gate.admit(later));
  EXPECT_EQ(later, 7) << "an admitted item stays with the caller";
  EXPECT_TRUE(gate.open().empty()) << "a second open() hands back nothing";
}

// Items admitted from several threads while another opens the gate: each comes back exactly
// once, either from admit() (gate open) or from open() (it waited).
TEST(ReadinessGate, EveryItemComesBackExactlyOnceWhileTheGateOpensUnderLoad) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  ReadinessGate<int> gate;
  std::vector<std::vector<int>> passed(kThreads);
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++started;
      for (int k = 0; k < kPerThread; ++k) {
        int item = t * kPerThread + k;
        if (gate.admit(item)) passed[t].push_back(item);
      }
    });
  }
  while (started.load() < kThreads) std::this_thread::yield();
  std::vector<int> all = gate.open();
  for (std::thread& thread : threads) thread.join();
  for (const auto& p : passed) all.insert(all.end(), p.begin(), p.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (int i = 0; i < kThreads * kPerThread; ++i) ASSERT_EQ(all[static_cast<std::size_t>(i)], i);
}

}  // namespace
}  // namespace rssflow
