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

#endif
