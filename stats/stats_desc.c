/* stats_desc: one-sample summaries on top of GSL's statistics routines (which
 * use stable two-pass / recurrence formulas). Only stats_quantile allocates. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "stats/stats_desc.h"
#include "stats/stats_internal.h"

int stats_mean(const double *x, size_t n, double *mean)
{
    if (mean == NULL)
        return STATS_EINVAL;
    *mean = NAN;
    if ((x == NULL && n > 0) || !stats_all_finite(x, n))
        return STATS_EINVAL;
    if (n == 0)
        return STATS_EEMPTY;
    *mean = gsl_stats_mean(x, 1, n);
    return STATS_OK;
}

int stats_variance(const double *x, size_t n, double *var)
{
    if (var == NULL)
        return STATS_EINVAL;
    *var = NAN;
    if ((x == NULL && n > 0) || !stats_all_finite(x, n))
        return STATS_EINVAL;
    if (n < 2)
        return STATS_EEMPTY;
    *var = gsl_stats_variance(x, 1, n);
    return STATS_OK;
}

int stats_quantile_sorted(const double *sorted, size_t n, double prob, double *q)
{
    if (q == NULL)
        return STATS_EINVAL;
    *q = NAN;
    if ((sorted == NULL && n > 0) || !(prob >= 0.0 && prob <= 1.0) ||
        !stats_all_finite(sorted, n))
        return STATS_EINVAL;
    for (size_t i = 1; i < n; i++)
        if (sorted[i] < sorted[i - 1])
            return STATS_EINVAL;
    if (n == 0)
        return STATS_EEMPTY;
    *q = gsl_stats_quantile_from_sorted_data(sorted, 1, n, prob); /* type 7 */
    return STATS_OK;
}

int stats_quantile(const double *x, size_t n, double prob, double *q)
{
    if (q == NULL)
        return STATS_EINVAL;
    *q = NAN;
    if ((x == NULL && n > 0) || !(prob >= 0.0 && prob <= 1.0) || !stats_all_finite(x, n))
        return STATS_EINVAL;
    if (n == 0)
        return STATS_EEMPTY;
    double *copy = n <= SIZE_MAX / sizeof *copy ? malloc(n * sizeof *copy) : NULL;
    if (copy == NULL)
        return STATS_ENOMEM;
    memcpy(copy, x, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, stats_cmp_double);
    int status = stats_quantile_sorted(copy, n, prob, q);
    free(copy);
    return status;
}

int stats_mean_ci(const double *x, size_t n, double alpha, stats_result *out)
{
    if (out == NULL)
        return STATS_EINVAL;
    stats_result_nan(out);
    if ((x == NULL && n > 0) || !stats_all_finite(x, n) || !(alpha > 0.0 && alpha < 1.0))
        return STATS_EINVAL;
    if (n == 0)
        return STATS_EEMPTY;
    out->estimate = gsl_stats_mean(x, 1, n);
    if (n < 2)
        return STATS_EEMPTY;
    double dn = (double)n;
    out->df = dn - 1.0;
    out->se = sqrt(gsl_stats_variance_m(x, 1, n, out->estimate) / dn);
    if (!(out->se > 0.0)) {
        out->lower = out->upper = out->estimate;
        return STATS_EDEGEN;
    }
    stats_wald_limits(out, gsl_cdf_tdist_Qinv(alpha / 2.0, out->df), STATS_TWO_SIDED);
    out->statistic = out->estimate / out->se;
    out->p_value = fmin(1.0, 2.0 * gsl_cdf_tdist_Q(fabs(out->statistic), out->df));
    return STATS_OK;
}

int stats_spearman_defined(const double *x, size_t x_stride, const double *y, size_t n,
                           double *rho)
{
    *rho = NAN;
    double *buf = malloc(4 * (n ? n : 1) * sizeof *buf); /* pairs, then GSL's 2n of work */
    if (!buf)
        return STATS_ENOMEM;
    double *xs = buf, *ys = buf + n, *work = buf + 2 * n;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i])) {
            xs[m] = x[i * x_stride];
            ys[m++] = y[i];
        }
    if (m >= 3) {
        double v = gsl_stats_spearman(xs, 1, ys, 1, m, work);
        *rho = isfinite(v) ? v : NAN;
    }
    free(buf);
    return STATS_OK;
}

