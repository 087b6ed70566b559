/* stats_common: status strings and the small helpers every stats_ file uses
 * (critical values, p-values from z, Wald limits). Stateless. */
#include <math.h>

#include <gsl/gsl_cdf.h>

#include "stats/stats_common.h"
#include "stats/stats_internal.h"

const char *stats_strerror(int status)
{
    switch (status) {
    case STATS_OK:
        return "ok";
    case STATS_EINVAL:
        return "invalid argument";
    case STATS_EEMPTY:
        return "too few observations (empty group)";
    case STATS_EDEGEN:
        return "degenerate data (zero variance or no events)";
    case STATS_ENOMEM:
        return "out of memory";
    default:
        return "unknown status";
    }
}

bool stats_args_ok(double alpha, stats_sided sided)
{
    return alpha > 0.0 && alpha < 1.0 && (sided == STATS_TWO_SIDED || sided == STATS_GREATER);
}

double stats_z_crit(double alpha, stats_sided sided)
{
    return gsl_cdf_ugaussian_Qinv(sided == STATS_TWO_SIDED ? alpha / 2.0 : alpha);
}

double stats_p_from_z(double z, stats_sided sided)
{
    if (isnan(z))
        return NAN;
    /* Upper-tail functions keep precision for large |z|. */
    if (sided == STATS_GREATER)
        return gsl_cdf_ugaussian_Q(z);
    double p = 2.0 * gsl_cdf_ugaussian_Q(fabs(z));
    return p > 1.0 ? 1.0 : p;
}

void stats_result_nan(stats_result *r)
{
    r->estimate = r->se = r->lower = r->upper = NAN;
    r->statistic = r->df = r->p_value = NAN;
}

void stats_wald_limits(stats_result *r, double crit, stats_sided sided)
{
    r->lower = r->estimate - crit * r->se;
    r->upper = sided == STATS_GREATER ? INFINITY : r->estimate + crit * r->se;
}

bool stats_all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

int stats_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
