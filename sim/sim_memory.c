/* sim_memory: large, cache-line-aligned allocations; see sim_memory.h. */
#define _DEFAULT_SOURCE /* madvise */
#include "sim/sim_memory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define LARGE_ENOUGH (2 * HUGE_PAGE) /* below this the hint is not worth the rounding */

bool sim_huge_pages_wanted(void)
{
    const char *v = getenv("IPSIM_HUGE_PAGES");
    return v && strcmp(v, "1") == 0;
}

void sim_prefault(void *p, size_t bytes)
{
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels refuse it */
#endif
    long ps = sysconf(_SC_PAGESIZE); /* called once per megabyte or so */
    size_t page = ps > 0 ? (size_t)ps : 4096;
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(uintptr_t)(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE); /* a hint only */
}

void *sim_alloc_large(size_t bytes)
{
    void *p = NULL;
    if (bytes == 0)
        bytes = 1;
    bool huge = bytes >= LARGE_ENOUGH && sim_huge_pages_wanted();
    if (posix_memalign(&p, huge ? HUGE_PAGE : 64, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (huge)
        (void)madvise(p, bytes & ~(HUGE_PAGE - 1), MADV_HUGEPAGE); /* a hint only */
#endif
    return p;
}
