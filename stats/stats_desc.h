/* stats_desc: descriptive summaries of one sample (run summaries across
 * replications): mean, variance, type-7 quantile and a t-based CI of a mean.
 * Non-finite data are rejected rather than propagated. */
#ifndef IPSIM_STATS_DESC_H
#define IPSIM_STATS_DESC_H

#include <stddef.h>

#include "stats/stats_common.h"

/* Arithmetic mean of x[0..n-1] into *mean.
 * Returns STATS_EINVAL (NULL pointers, non-finite data), STATS_EEMPTY (n = 0);
 * *mean is NAN on failure. */
int stats_mean(const double *x, size_t n, double *mean);

/* Sample variance (denominator n - 1) into *var.
 * Returns STATS_EINVAL (NULL pointers, non-finite data), STATS_EEMPTY (n < 2);
 * *var is NAN on failure. */
int stats_variance(const double *x, size_t n, double *var);

/* Empirical quantile of ascending `sorted` data, Hyndman-Fan type 7 (R's
 * default): h = (n-1) prob, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 * No allocation. Returns STATS_EINVAL (NULL pointers, prob outside [0,1],
 * data not ascending or not finite), STATS_EEMPTY (n = 0); *q NAN on failure. */
int stats_quantile_sorted(const double *sorted, size_t n, double prob, double *q);

/* Type-7 quantile of unsorted data: sorts a private copy (O(n) memory,
 * O(n log n)). Returns as stats_quantile_sorted, plus STATS_ENOMEM. */
int stats_quantile(const double *x, size_t n, double prob, double *q);

/* Mean with its 1-alpha two-sided t interval: estimate = mean, se = s/sqrt(n),
 * lower/upper = mean -/+ t_{1-alpha/2, n-1} se, df = n - 1, statistic = t
 * and p_value for H0: mean = 0.
 * Returns STATS_EINVAL (NULL pointers, non-finite data, alpha outside (0,1)),
 * STATS_EEMPTY (n < 2; estimate filled when n = 1), STATS_EDEGEN (all
 * values equal: se = 0, CI [mean, mean], statistic and p NAN). */
int stats_mean_ci(const double *x, size_t n, double alpha, stats_result *out);

/* Spearman's rank correlation of the pairs (x[i * x_stride], y[i]) where
 * y[i] is not NaN (an undefined figure has no rank): Pearson's correlation
 * of their mid-ranks (GSL's gsl_stats_spearman). *rho is NaN with fewer
 * than 3 such pairs or without spread. Returns STATS_OK or STATS_ENOMEM. */
int stats_spearman_defined(const double *x, size_t x_stride, const double *y, size_t n,
                           double *rho);

#endif
