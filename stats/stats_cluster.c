/* stats_cluster: cluster-robust comparison of proportions, the ANOVA ICC and
 * design effects. Works on per-cluster counts (the sufficient statistics for
 * a binary outcome), so nothing is allocated and cost is O(clusters). */
#include <math.h>

#include "stats/stats_cluster.h"
#include "stats/stats_internal.h"

static int check_clusters(const size_t *succ, const size_t *size, size_t n_clusters)
{
    if ((succ == NULL || size == NULL) && n_clusters > 0)
        return STATS_EINVAL;
    for (size_t j = 0; j < n_clusters; j++)
        if (succ[j] > size[j])
            return STATS_EINVAL;
    return STATS_OK;
}

int stats_partial_cluster_diff(const size_t *succ, const size_t *size, size_t n_clusters,
                               size_t x2, size_t n2, double alpha, stats_sided sided,
                               stats_result *out)
{
    if (out == NULL)
        return STATS_EINVAL;
    stats_result_nan(out);
    if (check_clusters(succ, size, n_clusters) != STATS_OK || x2 > n2 ||
        !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    double total = 0.0, events = 0.0, used = 0.0;
    for (size_t j = 0; j < n_clusters; j++) {
        if (size[j] == 0)
            continue;
        total += (double)size[j];
        events += (double)succ[j];
        used += 1.0;
    }
    if (used < 2.0 || n2 == 0)
        return STATS_EEMPTY;
    double p1 = events / total;
    /* Sandwich variance of a mean: squared cluster sums of residuals, with the
     * J/(J-1) small-sample factor. */
    double ss = 0.0;
    for (size_t j = 0; j < n_clusters; j++) {
        double r = (double)succ[j] - (double)size[j] * p1;
        ss += r * r;
    }
    double v1 = used / (used - 1.0) * ss / (total * total);
    double p2 = (double)x2 / (double)n2;
    double v2 = p2 * (1.0 - p2) / (double)n2;
    out->estimate = p1 - p2;
    out->se = sqrt(v1 + v2);
    stats_wald_limits(out, stats_z_crit(alpha, sided), sided);
    if (!(out->se > 0.0))
        return STATS_EDEGEN;
    out->statistic = out->estimate / out->se;
    out->p_value = stats_p_from_z(out->statistic, sided);
    return STATS_OK;
}

int stats_icc_anova(const size_t *succ, const size_t *size, size_t n_clusters, double *icc)
{
    if (icc == NULL)
        return STATS_EINVAL;
    *icc = NAN;
    if (check_clusters(succ, size, n_clusters) != STATS_OK)
        return STATS_EINVAL;
    double k = 0.0, n = 0.0, s = 0.0, s2m = 0.0, m2 = 0.0;
    for (size_t j = 0; j < n_clusters; j++) {
        if (size[j] == 0)
            continue;
        double m = (double)size[j], y = (double)succ[j];
        k += 1.0;
        n += m;
        s += y;
        s2m += y * y / m;
        m2 += m * m;
    }
    if (k < 2.0 || n - k < 1.0)
        return STATS_EEMPTY;
    double msb = (s2m - s * s / n) / (k - 1.0);
    double msw = (s - s2m) / (n - k);
    double m0 = (n - m2 / n) / (k - 1.0);
    double denom = msb + (m0 - 1.0) * msw;
    if (!(denom > 0.0))
        return STATS_EDEGEN;
    *icc = (msb - msw) / denom;
    return STATS_OK;
}

double stats_design_effect(double m, double icc)
{
    return stats_design_effect_unequal(m, 0.0, icc);
}

double stats_design_effect_unequal(double m, double cv, double icc)
{
    if (!isfinite(m) || !isfinite(cv) || !isfinite(icc) || m < 1.0 || cv < 0.0 ||
        icc < -1.0 || icc > 1.0)
        return NAN;
    return 1.0 + ((cv * cv + 1.0) * m - 1.0) * icc;
}
