/* sim_memory: large, cache-line-aligned allocations; see sim_memory.h. */
#define _DEFAULT_SOURCE /* madvise */
#include "sim/sim_memory.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define LARGE_ENOUGH (2 * HUGE_PAGE) /* below this the hint is not worth the rounding */

bool sim_huge_pages_wanted(void)
{
    const char *v = getenv("IPSIM_HUGE_PAGES");
    return v && strcmp(v, "1") == 0;
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
