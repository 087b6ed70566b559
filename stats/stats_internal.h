/* stats_internal: helpers shared by the stats_ source files; not part of the
 * public interface. All are pure and need no allocation. */
#ifndef IPSIM_STATS_INTERNAL_H
#define IPSIM_STATS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "stats/stats_common.h"

/* True when alpha is in (0, 1) and sided is a known value. */
bool stats_args_ok(double alpha, stats_sided sided);

/* Normal critical value: z_{1-alpha/2} (two-sided) or z_{1-alpha}. */
double stats_z_crit(double alpha, stats_sided sided);

/* p-value of a standard normal statistic for the given sidedness. */
double stats_p_from_z(double z, stats_sided sided);

/* Sets every field of *r to NAN. */
void stats_result_nan(stats_result *r);

/* Fills lower/upper as estimate -/+ crit * se, one-sided when asked. */
void stats_wald_limits(stats_result *r, double crit, stats_sided sided);

/* True when all n values are finite (n = 0 is true). */
bool stats_all_finite(const double *x, size_t n);

/* qsort comparator for doubles, ascending. */
int stats_cmp_double(const void *a, const void *b);

/* Defines `static void NAME(TYPE *a, TYPE *tmp, size_t n)`: a stable
 * bottom-up merge sort of a[0..n-1] (insertion-sorted runs of 16, then
 * merge passes through tmp[0..n-1]) with the comparison LESS(&x, &y)
 * inlined. It orders like qsort with the matching comparator but costs no
 * call per comparison, which matters when a power analysis sorts thousands
 * of trial arms. O(n log n), no allocation. Needs <string.h>. */
#define STATS_DEFINE_SORT(NAME, TYPE, LESS)                                          \
    static void NAME(TYPE *a, TYPE *tmp, size_t n)                                   \
    {                                                                                \
        const size_t run = 16;                                                       \
        for (size_t lo = 0; lo < n; lo += run) {                                     \
            size_t hi = lo + run < n ? lo + run : n;                                 \
            for (size_t i = lo + 1; i < hi; i++) {                                   \
                TYPE v = a[i];                                                       \
                size_t j = i;                                                        \
                while (j > lo && LESS(&v, &a[j - 1])) {                              \
                    a[j] = a[j - 1];                                                 \
                    j--;                                                             \
                }                                                                    \
                a[j] = v;                                                            \
            }                                                                        \
        }                                                                            \
        TYPE *src = a, *dst = tmp;                                                   \
        for (size_t width = run; width < n; width *= 2) {                            \
            for (size_t lo = 0; lo < n; lo += 2 * width) {                           \
                size_t mid = lo + width < n ? lo + width : n;                        \
                size_t hi = lo + 2 * width < n ? lo + 2 * width : n;                 \
                size_t i = lo, j = mid, k = lo;                                      \
                while (i < mid && j < hi)                                            \
                    dst[k++] = LESS(&src[j], &src[i]) ? src[j++] : src[i++];         \
                while (i < mid)                                                      \
                    dst[k++] = src[i++];                                             \
                while (j < hi)                                                       \
                    dst[k++] = src[j++];                                             \
            }                                                                        \
            TYPE *swap_ = src;                                                       \
            src = dst;                                                               \
            dst = swap_;                                                             \
        }                                                                            \
        if (src != a)                                                                \
            memcpy(a, src, n * sizeof *a);                                           \
    }

#endif
