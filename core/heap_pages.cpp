#include "core/heap_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

extern char end;  // first address past the program's data: the brk heap lies above it

#if defined(__SANITIZE_ADDRESS__)
#define RSSFLOW_GLIBC_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSSFLOW_GLIBC_MALLOC 0
#endif
#endif
#ifndef RSSFLOW_GLIBC_MALLOC
#define RSSFLOW_GLIBC_MALLOC 1  // ASan brings its own allocator, whose heap is not glibc's
#endif

namespace rssflow {
namespace {

constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
// glibc's HEAP_MAX_SIZE on 64-bit (2 * DEFAULT_MMAP_THRESHOLD_MAX): a non-main arena's heap is
// a reservation of this size aligned to it, with its heap_info at the start.
constexpr std::uintptr_t kThreadHeapBytes = std::uintptr_t{64} << 20;

// The head of glibc's heap_info (malloc/arena.c), enough to recognise one.
struct HeapInfoHead {
  void* arena;
  void* previous;
  std::size_t size;
  std::size_t mprotect_size;
};

bool in_brk_heap(std::uintptr_t p) {
  return p >= reinterpret_cast<std::uintptr_t>(&end) && p < reinterpret_cast<std::uintptr_t>(sbrk(0));
}

}  // namespace

bool heaps_are_glibcs() { return RSSFLOW_GLIBC_MALLOC == 1; }

void advise_huge_pages_for_main_heap(std::size_t bytes) {
  if (!heaps_are_glibcs()) return;
  void* block = std::malloc(bytes);
  if (block == nullptr) return;
  const auto p = reinterpret_cast<std::uintptr_t>(block);
  if (in_brk_heap(p)) {
    const std::uintptr_t first = (p + kHugePage - 1) & ~(kHugePage - 1);
    const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHugePage - 1);
    if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  }
  std::free(block);
}

void advise_huge_pages_for_thread_heap() {
  thread_local bool done = false;
  if (done || !heaps_are_glibcs()) return;
  done = true;
  void* probe = std::malloc(64);  // attaches this thread to its arena
  const auto p = reinterpret_cast<std::uintptr_t>(probe);
  std::free(probe);
  if (probe == nullptr || in_brk_heap(p)) return;
  const std::uintptr_t base = p & ~(kThreadHeapBytes - 1);
  unsigned char resident = 0;
  if (mincore(reinterpret_cast<void*>(base), 1, &resident) != 0) return;  // not mapped: not a heap
  const auto* head = reinterpret_cast<const HeapInfoHead*>(base);
  const auto arena = reinterpret_cast<std::uintptr_t>(head->arena);
  // An arena's first heap holds the arena itself just after heap_info; a later heap of a
  // grown arena points back to it. Anything else is not a layout this knows: leave it.
  const bool first_heap = arena > base && arena - base <= 256;
  if (!first_heap || head->size > kThreadHeapBytes || head->mprotect_size > kThreadHeapBytes) return;
  madvise(reinterpret_cast<void*>(base), kThreadHeapBytes, MADV_HUGEPAGE);
}

}  // namespace rssflow
