#pragma once

#include <cstddef>

// Transparent huge pages for malloc's heaps: what glibc's glibc.malloc.hugetlb=1 tunable does,
// which can only be set in the environment before the process starts. On the virtual machines
// measured a page fault costs tens of microseconds, and a run's heaps are touched fresh: with
// huge pages the corpus run takes a third of the page faults and ~7 % less CPU, an all-unchanged
// run ~7 % less (README "Benchmarks"). Only the kernel's "madvise" and "always" THP modes act on
// the advice; under "never" these calls cost a syscall and change nothing.
namespace rssflow {

// Grows the main arena's heap by `bytes` (below M_MMAP_THRESHOLD, so that it comes from brk)
// and advises huge pages for it; the block is freed again and kept (M_TRIM_THRESHOLD), so later
// allocations of the main thread fill it. Call once, early in main, after mallopt.
void advise_huge_pages_for_main_heap(std::size_t bytes);

// Advises huge pages for the heap of the calling thread's own malloc arena: glibc gives each
// thread that allocates an arena whose heap is one reservation aligned to its maximum size.
// Does nothing on the main arena, when the layout is not glibc's, or when already done on
// this thread. Cheap to call again.
void advise_huge_pages_for_thread_heap();

// False when malloc is not glibc's (an ASan build): then both calls above do nothing.
bool heaps_are_glibcs();

}  // namespace rssflow
