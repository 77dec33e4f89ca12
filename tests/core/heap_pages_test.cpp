#include "core/heap_pages.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace rssflow {
namespace {

// The VmFlags line of the mapping in /proc/self/smaps that holds `address`; "" if none does.
std::string vm_flags_of(std::uintptr_t p) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t low = 0, high = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> low >> dash >> high && dash == '-') {
      inside = low <= p && p < high;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

bool kernel_has_thp() {
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  return enabled.good();
}

// The advice lands on the thread's own arena heap: the mapping that holds what the thread
// allocates afterwards carries the kernel's "hg" (VM_HUGEPAGE) flag, and asking twice is
// harmless.
TEST(HeapPages, AThreadsArenaHeapIsAdvisedForHugePages) {
  ASSERT_TRUE(kernel_has_thp()) << "this kernel has no transparent huge pages to advise";
  std::string before, after;
  std::thread worker([&] {
    void* block = std::malloc(100 << 10);
    before = vm_flags_of(reinterpret_cast<std::uintptr_t>(block));
    advise_huge_pages_for_thread_heap();
    advise_huge_pages_for_thread_heap();
    after = vm_flags_of(reinterpret_cast<std::uintptr_t>(block));
    std::free(block);
  });
  worker.join();
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(before.find(" hg"), std::string::npos) << before;
  if (heaps_are_glibcs()) {
    EXPECT_NE(after.find(" hg"), std::string::npos) << after;
  } else {
    EXPECT_EQ(after, before) << "another allocator's heap is left alone";
  }
}

// The main heap, with malloc set up as rssflow's main sets it (blocks up to 8 MiB from the
// heap, freed memory kept): a block allocated after the advice lies in advised memory.
TEST(HeapPages, TheMainHeapIsAdvisedForHugePages) {
  ASSERT_TRUE(kernel_has_thp()) << "this kernel has no transparent huge pages to advise";
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  advise_huge_pages_for_main_heap(6 << 20);
  void* block = std::malloc(3 << 20);
  // The advice starts at the first 2 MiB boundary inside the grown heap: look past it.
  const std::string flags = vm_flags_of(reinterpret_cast<std::uintptr_t>(block) + (5 << 19));
  std::free(block);
  EXPECT_EQ(flags.find(" hg") != std::string::npos, heaps_are_glibcs()) << flags;
}

}  // namespace
}  // namespace rssflow
