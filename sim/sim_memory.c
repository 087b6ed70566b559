/* sim_memory: large, huge-page-friendly allocations; see sim_memory.h. */
#define _DEFAULT_SOURCE /* madvise */
#include "sim/sim_memory.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define LARGE_ENOUGH (2 * HUGE_PAGE) /* below this the hint is not worth the rounding */

void *sim_alloc_large(size_t bytes)
{
    void *p = NULL;
    if (bytes == 0)
        bytes = 1;
    size_t align = bytes >= LARGE_ENOUGH ? HUGE_PAGE : 64;
    if (posix_memalign(&p, align, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (align == HUGE_PAGE)
        (void)madvise(p, bytes & ~(HUGE_PAGE - 1), MADV_HUGEPAGE); /* a hint only */
#endif
    return p;
}
