/* sim_memory: allocation of the large per-entity arrays of a run.
 *
 * A national run touches its people array at random, one record per event,
 * and touches every new record once. Two costs pull apart: with 4 KiB pages
 * nearly every access misses the TLB, while transparent huge pages remove
 * those misses but each fresh 2 MiB page must be zeroed whole when first
 * touched. On the virtual machines this project is benchmarked on a fresh
 * huge page costs about 2.5 ns a byte (the host backs it on first touch),
 * more than the TLB misses it saves, so arrays get 4 KiB pages by default
 * (docs/performance.md has the figures). IPSIM_HUGE_PAGES=1 in the
 * environment asks for huge pages instead (2 MiB alignment and a madvise
 * hint, which the kernel may or may not grant): worth trying on machines
 * where fresh memory is cheap. Results never depend on it. The memory is
 * ordinary heap memory: release it with free(); to grow it and keep the
 * alignment, allocate anew and copy (realloc works but drops the alignment
 * and the hint).
 */
#ifndef IPSIM_SIM_MEMORY_H
#define IPSIM_SIM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

/* Allocates `bytes` (at least 1) aligned to a 64-byte cache line, and to
 * 2 MiB with a huge-page hint when large and sim_huge_pages_wanted(). NULL
 * when out of memory. */
void *sim_alloc_large(size_t bytes);

/* Asks the kernel to map the whole pages within [p, p + bytes) now, in one
 * call, instead of one page fault per page at first touch; ignored where
 * not supported. The contents stay as they were (zero if never written). */
void sim_prefault(void *p, size_t bytes);

/* Whether IPSIM_HUGE_PAGES=1 is set in the environment. */
bool sim_huge_pages_wanted(void);

#endif
