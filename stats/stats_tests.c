/* stats_tests: two-group tests on proportions, means and ranks. Counts are
 * converted to double before any product so large trials cannot overflow;
 * only stats_mann_whitney allocates (a sorted copy of the pooled sample). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "stats/stats_internal.h"
#include "stats/stats_tests.h"

/* Shared by the z and chi-square tests: risk difference with Wald SE/CI. */
static void risk_difference(size_t x1, size_t n1, size_t x2, size_t n2, double alpha,
                            stats_sided sided, stats_result *out)
{
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    out->estimate = p1 - p2;
    out->se = sqrt(p1 * (1.0 - p1) / (double)n1 + p2 * (1.0 - p2) / (double)n2);
    stats_wald_limits(out, stats_z_crit(alpha, sided), sided);
}

int stats_two_proportion_z(size_t x1, size_t n1, size_t x2, size_t n2, double alpha,
                           stats_sided sided, stats_result *out)
{
    if (out == NULL)
        return STATS_EINVAL;
    stats_result_nan(out);
    if (x1 > n1 || x2 > n2 || !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    if (n1 == 0 || n2 == 0)
        return STATS_EEMPTY;
    risk_difference(x1, n1, x2, n2, alpha, sided, out);
    double pool = (double)(x1 + x2) / (double)(n1 + n2);
    double v0 = pool * (1.0 - pool) * (1.0 / (double)n1 + 1.0 / (double)n2);
    if (!(v0 > 0.0))
        return STATS_EDEGEN;
    out->statistic = out->estimate / sqrt(v0);
    out->p_value = stats_p_from_z(out->statistic, sided);
    return STATS_OK;
}

int stats_chisq_2x2(size_t x1, size_t n1, size_t x2, size_t n2, bool yates, double alpha,
                    stats_result *out)
{
    if (out == NULL)
        return STATS_EINVAL;
    stats_result_nan(out);
    if (x1 > n1 || x2 > n2 || !stats_args_ok(alpha, STATS_TWO_SIDED))
        return STATS_EINVAL;
    if (n1 == 0 || n2 == 0)
        return STATS_EEMPTY;
    risk_difference(x1, n1, x2, n2, alpha, STATS_TWO_SIDED, out);
    out->df = 1.0;
    double a = (double)x1, b = (double)(n1 - x1), c = (double)x2, d = (double)(n2 - x2);
    double n = a + b + c + d;
    double margins = (a + b) * (c + d) * (a + c) * (b + d);
    if (!(margins > 0.0))
        return STATS_EDEGEN;
    double cross = fabs(a * d - b * c);
    if (yates)
        cross -= fmin(n / 2.0, cross);
    out->statistic = n * cross * cross / margins;
    out->p_value = gsl_cdf_chisq_Q(out->statistic, 1.0);
    return STATS_OK;
}

static void cmh_nan(stats_cmh_result *r)
{
    r->chisq = r->z = r->p_value = NAN;
    r->odds_ratio = r->log_or_se = r->or_lower = r->or_upper = NAN;
    r->risk_diff = r->rd_se = r->rd_se_gr = r->rd_lower = r->rd_upper = NAN;
    r->strata_used = 0;
}

int stats_cmh(const stats_2x2 *tables, size_t k, double alpha, stats_sided sided,
              bool continuity, stats_cmh_result *out)
{
    if (out == NULL)
        return STATS_EINVAL;
    cmh_nan(out);
    if ((tables == NULL && k > 0) || !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    for (size_t i = 0; i < k; i++)
        if (tables[i].x1 > tables[i].n1 || tables[i].x2 > tables[i].n2)
            return STATS_EINVAL;

    /* Sums over strata: CMH (a - E, V), MH odds ratio (R, S and the
     * Robins-Breslow-Greenland P/Q products), MH risk difference (weights,
     * numerator, Sato's P and Q, Greenland-Robins variance numerator). */
    double dev = 0.0, var = 0.0;
    double sr = 0.0, ss = 0.0, spr = 0.0, spsqr = 0.0, sqs = 0.0;
    double sw = 0.0, srd = 0.0, sato_p = 0.0, sato_q = 0.0, gr = 0.0;
    size_t used = 0;
    for (size_t i = 0; i < k; i++) {
        double a = (double)tables[i].x1, n1 = (double)tables[i].n1;
        double c = (double)tables[i].x2, n0 = (double)tables[i].n2;
        double b = n1 - a, d = n0 - c, n = n1 + n0;
        if (n1 == 0.0 || n0 == 0.0)
            continue; /* no within-stratum comparison */
        used++;
        double m1 = a + c, m0 = b + d;
        dev += a - n1 * m1 / n;
        var += n1 * n0 * m1 * m0 / (n * n * (n - 1.0)); /* n >= 2 here */

        double r = a * d / n, s = b * c / n, p = (a + d) / n, q = (b + c) / n;
        sr += r;
        ss += s;
        spr += p * r;
        spsqr += p * s + q * r;
        sqs += q * s;

        sw += n1 * n0 / n;
        srd += (a * n0 - c * n1) / n;
        sato_p += (n1 * n1 * c - n0 * n0 * a + n1 * n0 * (n0 - n1) / 2.0) / (n * n);
        sato_q += (a * (n0 - c) + c * (n1 - a)) / (2.0 * n);
        gr += (a * b * n0 * n0 * n0 + c * d * n1 * n1 * n1) / (n1 * n0 * n * n);
    }
    out->strata_used = used;
    if (used == 0)
        return STATS_EEMPTY;

    double crit = stats_z_crit(alpha, sided);
    out->risk_diff = srd / sw;
    double vs = (out->risk_diff * sato_p + sato_q) / (sw * sw);
    out->rd_se = sqrt(fmax(vs, 0.0)); /* guard rounding just below 0 */
    out->rd_se_gr = sqrt(gr / (sw * sw));
    out->rd_lower = out->risk_diff - crit * out->rd_se;
    out->rd_upper = sided == STATS_GREATER ? INFINITY : out->risk_diff + crit * out->rd_se;

    out->odds_ratio = sr / ss;
    if (sr > 0.0 && ss > 0.0) {
        double v = spr / (2.0 * sr * sr) + spsqr / (2.0 * sr * ss) + sqs / (2.0 * ss * ss);
        out->log_or_se = sqrt(v);
        out->or_lower = out->odds_ratio * exp(-crit * out->log_or_se);
        out->or_upper = sided == STATS_GREATER ? INFINITY
                                               : out->odds_ratio * exp(crit * out->log_or_se);
    }

    if (!(var > 0.0))
        return STATS_EDEGEN;
    double adev = fabs(dev);
    if (continuity)
        adev -= fmin(0.5, adev);
    out->chisq = adev * adev / var;
    out->z = (dev < 0.0 ? -1.0 : 1.0) * adev / sqrt(var);
    out->p_value = sided == STATS_TWO_SIDED ? gsl_cdf_chisq_Q(out->chisq, 1.0)
                                            : stats_p_from_z(out->z, sided);
    return STATS_OK;
}

int stats_welch_t(const double *x1, size_t n1, const double *x2, size_t n2, double alpha,
                  stats_sided sided, stats_result *out)
{
    if (out == NULL)
        return STATS_EINVAL;
    stats_result_nan(out);
    if ((x1 == NULL && n1 > 0) || (x2 == NULL && n2 > 0) || !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    if (!stats_all_finite(x1, n1) || !stats_all_finite(x2, n2))
        return STATS_EINVAL;
    if (n1 < 2 || n2 < 2)
        return STATS_EEMPTY;
    double m1 = gsl_stats_mean(x1, 1, n1), m2 = gsl_stats_mean(x2, 1, n2);
    double w1 = gsl_stats_variance_m(x1, 1, n1, m1) / (double)n1;
    double w2 = gsl_stats_variance_m(x2, 1, n2, m2) / (double)n2;
    out->estimate = m1 - m2;
    out->se = sqrt(w1 + w2);
    if (!(out->se > 0.0)) {
        out->lower = out->upper = out->estimate;
        return STATS_EDEGEN;
    }
    out->df = (w1 + w2) * (w1 + w2) / (w1 * w1 / (double)(n1 - 1) + w2 * w2 / (double)(n2 - 1));
    double crit = gsl_cdf_tdist_Qinv(sided == STATS_TWO_SIDED ? alpha / 2.0 : alpha, out->df);
    stats_wald_limits(out, crit, sided);
    out->statistic = out->estimate / out->se;
    if (sided == STATS_GREATER) {
        out->p_value = gsl_cdf_tdist_Q(out->statistic, out->df);
    } else {
        out->p_value = 2.0 * gsl_cdf_tdist_Q(fabs(out->statistic), out->df);
        if (out->p_value > 1.0)
            out->p_value = 1.0;
    }
    return STATS_OK;
}

typedef struct mw_obs {
    double value;
    int group; /* 1 or 2 */
} mw_obs;

static inline bool mw_less(const mw_obs *x, const mw_obs *y)
{
    if (x->value != y->value)
        return x->value < y->value;
    return x->group < y->group; /* only for a reproducible order */
}

STATS_DEFINE_SORT(mw_sort, mw_obs, mw_less)

int stats_mann_whitney(const double *x1, size_t n1, const double *x2, size_t n2,
                       bool continuity, double alpha, stats_sided sided, stats_result *out)
{
    if (out == NULL)
        return STATS_EINVAL;
    stats_result_nan(out);
    if ((x1 == NULL && n1 > 0) || (x2 == NULL && n2 > 0) || !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    if (!stats_all_finite(x1, n1) || !stats_all_finite(x2, n2))
        return STATS_EINVAL;
    if (n1 == 0 || n2 == 0)
        return STATS_EEMPTY;

    size_t n = n1 + n2;
    mw_obs *obs = n <= SIZE_MAX / (2 * sizeof *obs) ? malloc(2 * n * sizeof *obs) : NULL;
    if (obs == NULL)
        return STATS_ENOMEM;
    bool sorted = true;
    for (size_t i = 1; sorted && i < n1; i++)
        sorted = !(x1[i] < x1[i - 1]);
    for (size_t j = 1; sorted && j < n2; j++)
        sorted = !(x2[j] < x2[j - 1]);
    if (sorted) {
        /* both samples ascending: merge in O(n), ties group 1 first as mw_less */
        size_t i = 0, j = 0, k = 0;
        while (i < n1 && j < n2)
            obs[k++] = x2[j] < x1[i] ? (mw_obs){x2[j++], 2} : (mw_obs){x1[i++], 1};
        while (i < n1)
            obs[k++] = (mw_obs){x1[i++], 1};
        while (j < n2)
            obs[k++] = (mw_obs){x2[j++], 2};
    } else {
        for (size_t i = 0; i < n1; i++)
            obs[i] = (mw_obs){x1[i], 1};
        for (size_t j = 0; j < n2; j++)
            obs[n1 + j] = (mw_obs){x2[j], 2};
        mw_sort(obs, obs + n, n);
    }

    /* One pass over tie blocks gives the rank sum of group 1 (mid-ranks),
     * the tie term sum(t^3 - t) and the DeLong placement values: a group-1
     * value's placement is the share of group 2 below it (ties count half),
     * and symmetrically for group 2. */
    double rank_sum1 = 0.0, ties = 0.0;
    double below1 = 0.0, below2 = 0.0; /* group counts before the block */
    double sv10 = 0.0, sv10sq = 0.0, sv01 = 0.0, sv01sq = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double c1 = 0.0, c2 = 0.0;
        while (j < n && obs[j].value == obs[i].value) {
            if (obs[j].group == 1)
                c1 += 1.0;
            else
                c2 += 1.0;
            j++;
        }
        double t = (double)(j - i);
        double mid = ((double)i + 1.0 + (double)j) / 2.0; /* ranks i+1..j */
        rank_sum1 += c1 * mid;
        ties += t * t * t - t;
        double v10 = (below2 + c2 / 2.0) / (double)n2;
        double v01 = ((double)n1 - below1 - c1 / 2.0) / (double)n1;
        sv10 += c1 * v10;
        sv10sq += c1 * v10 * v10;
        sv01 += c2 * v01;
        sv01sq += c2 * v01 * v01;
        below1 += c1;
        below2 += c2;
        i = j;
    }
    free(obs);

    double dn1 = (double)n1, dn2 = (double)n2, dn = (double)n;
    double u = rank_sum1 - dn1 * (dn1 + 1.0) / 2.0;
    out->estimate = u / (dn1 * dn2);
    int status = STATS_OK;
    if (n1 >= 2 && n2 >= 2) {
        double s10 = (sv10sq - sv10 * sv10 / dn1) / (dn1 - 1.0);
        double s01 = (sv01sq - sv01 * sv01 / dn2) / (dn2 - 1.0);
        out->se = sqrt(fmax(s10 / dn1 + s01 / dn2, 0.0));
        stats_wald_limits(out, stats_z_crit(alpha, sided), sided);
        out->lower = fmax(out->lower, 0.0);
        out->upper = fmin(out->upper, 1.0);
    } else {
        status = STATS_EEMPTY;
    }

    double var = dn1 * dn2 / 12.0 * ((dn + 1.0) - ties / (dn * (dn - 1.0)));
    if (!(var > 0.0))
        return STATS_EDEGEN;
    double dev = u - dn1 * dn2 / 2.0, corr = 0.0;
    if (continuity)
        corr = sided == STATS_GREATER ? 0.5 : 0.5 * ((dev > 0.0) - (dev < 0.0));
    out->statistic = (dev - corr) / sqrt(var);
    out->p_value = stats_p_from_z(out->statistic, sided);
    return status;
}
