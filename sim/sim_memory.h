/* sim_memory: allocation of the large per-entity arrays of a run.
 *
 * A national run touches its people array at random, one record per event;
 * with 4 KiB pages nearly every access also misses the TLB. Arrays of
 * several megabytes are therefore aligned to 2 MiB and offered to the kernel
 * for transparent huge pages (madvise), which it may or may not grant; the
 * results never depend on it. The memory is ordinary heap memory: release it
 * with free(); to grow it and keep the alignment, allocate anew and copy
 * (realloc works but drops the alignment and the hint).
 */
#ifndef IPSIM_SIM_MEMORY_H
#define IPSIM_SIM_MEMORY_H

#include <stddef.h>

/* Allocates `bytes` (at least 1) aligned to a 64-byte cache line, and to
 * 2 MiB with a huge-page hint when large. NULL when out of memory. */
void *sim_alloc_large(size_t bytes);

#endif
