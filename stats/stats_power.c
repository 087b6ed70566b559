/* stats_power: closed-form power and sample size (normal approximations) and
 * Monte Carlo precision. Two-sided power adds the far tail so that power at
 * no effect equals alpha; sample sizes use the near tail only. */
#include <math.h>

#include <gsl/gsl_cdf.h>

#include "stats/stats_internal.h"
#include "stats/stats_power.h"

static bool prob_ok(double p)
{
    return p >= 0.0 && p <= 1.0; /* false for NAN */
}

static bool power_ok(double power)
{
    return power > 0.0 && power < 1.0;
}

/* Phi(num / den) where den may be 0 (a certain outcome). */
static double phi_ratio(double num, double den)
{
    if (den > 0.0)
        return gsl_cdf_ugaussian_P(num / den);
    return num > 0.0 ? 1.0 : 0.0;
}

int stats_power_two_prop(double p1, double p2, double n_per_arm, double alpha,
                         stats_sided sided, double *power)
{
    if (power == NULL)
        return STATS_EINVAL;
    *power = NAN;
    if (!prob_ok(p1) || !prob_ok(p2) || !(n_per_arm > 0.0) || !isfinite(n_per_arm) ||
        !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    double pbar = (p1 + p2) / 2.0;
    double null_sd = sqrt(2.0 * pbar * (1.0 - pbar));
    double alt_sd = sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
    if (!(null_sd > 0.0))
        return STATS_EDEGEN; /* p1 = p2 in {0, 1}: nothing varies */
    double za = stats_z_crit(alpha, sided), rn = sqrt(n_per_arm);
    double d = p1 - p2;
    if (sided == STATS_GREATER) {
        *power = phi_ratio(d * rn - za * null_sd, alt_sd);
    } else {
        d = fabs(d);
        *power = phi_ratio(d * rn - za * null_sd, alt_sd) +
                 phi_ratio(-d * rn - za * null_sd, alt_sd);
    }
    return STATS_OK;
}

int stats_n_two_prop(double p1, double p2, double power, double alpha, stats_sided sided,
                     double *n_per_arm)
{
    if (n_per_arm == NULL)
        return STATS_EINVAL;
    *n_per_arm = NAN;
    if (!prob_ok(p1) || !prob_ok(p2) || !power_ok(power) || !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    if (sided == STATS_GREATER && !(p1 > p2))
        return STATS_EINVAL;
    if (p1 == p2) {
        *n_per_arm = INFINITY;
        return STATS_EDEGEN;
    }
    double pbar = (p1 + p2) / 2.0;
    double bracket = stats_z_crit(alpha, sided) * sqrt(2.0 * pbar * (1.0 - pbar)) +
                     gsl_cdf_ugaussian_Pinv(power) * sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
    if (!(bracket > 0.0))
        return STATS_EINVAL;
    *n_per_arm = bracket * bracket / ((p1 - p2) * (p1 - p2));
    return STATS_OK;
}

double stats_cohen_h(double p1, double p2)
{
    if (!prob_ok(p1) || !prob_ok(p2))
        return NAN;
    return 2.0 * asin(sqrt(p1)) - 2.0 * asin(sqrt(p2));
}

int stats_power_cohen_h(double h, double n_per_arm, double alpha, stats_sided sided,
                        double *power)
{
    if (power == NULL)
        return STATS_EINVAL;
    *power = NAN;
    if (!isfinite(h) || !(n_per_arm > 0.0) || !isfinite(n_per_arm) ||
        !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    double za = stats_z_crit(alpha, sided), shift = h * sqrt(n_per_arm / 2.0);
    if (sided == STATS_GREATER) {
        *power = gsl_cdf_ugaussian_P(shift - za);
    } else {
        shift = fabs(shift);
        *power = gsl_cdf_ugaussian_P(shift - za) + gsl_cdf_ugaussian_P(-shift - za);
    }
    return STATS_OK;
}

int stats_n_cohen_h(double h, double power, double alpha, stats_sided sided, double *n_per_arm)
{
    if (n_per_arm == NULL)
        return STATS_EINVAL;
    *n_per_arm = NAN;
    if (!isfinite(h) || !power_ok(power) || !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    if (sided == STATS_GREATER && !(h > 0.0))
        return STATS_EINVAL;
    double zsum = stats_z_crit(alpha, sided) + gsl_cdf_ugaussian_Pinv(power);
    if (!(zsum > 0.0))
        return STATS_EINVAL;
    if (h == 0.0) {
        *n_per_arm = INFINITY;
        return STATS_EDEGEN;
    }
    *n_per_arm = 2.0 * (zsum / h) * (zsum / h);
    return STATS_OK;
}

static bool schoenfeld_ok(double hr, double alloc1, double alpha, stats_sided sided)
{
    return hr > 0.0 && isfinite(hr) && alloc1 > 0.0 && alloc1 < 1.0 &&
           stats_args_ok(alpha, sided);
}

int stats_schoenfeld_events(double hr, double alloc1, double power, double alpha,
                            stats_sided sided, double *events)
{
    if (events == NULL)
        return STATS_EINVAL;
    *events = NAN;
    if (!schoenfeld_ok(hr, alloc1, alpha, sided) || !power_ok(power))
        return STATS_EINVAL;
    if (sided == STATS_GREATER && !(hr > 1.0))
        return STATS_EINVAL;
    double zsum = stats_z_crit(alpha, sided) + gsl_cdf_ugaussian_Pinv(power);
    if (!(zsum > 0.0))
        return STATS_EINVAL;
    if (hr == 1.0) {
        *events = INFINITY;
        return STATS_EDEGEN;
    }
    double lhr = log(hr);
    *events = zsum * zsum / (alloc1 * (1.0 - alloc1) * lhr * lhr);
    return STATS_OK;
}

int stats_schoenfeld_power(double hr, double alloc1, double events, double alpha,
                           stats_sided sided, double *power)
{
    if (power == NULL)
        return STATS_EINVAL;
    *power = NAN;
    if (!schoenfeld_ok(hr, alloc1, alpha, sided) || !(events >= 0.0) || !isfinite(events))
        return STATS_EINVAL;
    double za = stats_z_crit(alpha, sided);
    double shift = sqrt(events * alloc1 * (1.0 - alloc1)) * log(hr);
    if (sided == STATS_GREATER) {
        *power = gsl_cdf_ugaussian_P(shift - za);
    } else {
        shift = fabs(shift);
        *power = gsl_cdf_ugaussian_P(shift - za) + gsl_cdf_ugaussian_P(-shift - za);
    }
    return STATS_OK;
}

double stats_mc_se(double p, size_t reps)
{
    if (reps == 0 || !prob_ok(p))
        return NAN;
    return sqrt(p * (1.0 - p) / (double)reps);
}

int stats_wilson_interval(size_t successes, size_t trials, double alpha, double *lower,
                          double *upper)
{
    if (lower == NULL || upper == NULL)
        return STATS_EINVAL;
    *lower = *upper = NAN;
    if (successes > trials || !(alpha > 0.0 && alpha < 1.0))
        return STATS_EINVAL;
    if (trials == 0)
        return STATS_EEMPTY;
    double n = (double)trials, p = (double)successes / n;
    double z = gsl_cdf_ugaussian_Qinv(alpha / 2.0), z2 = z * z;
    double centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    double half = z / (1.0 + z2 / n) * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    *lower = fmax(centre - half, 0.0);
    *upper = fmin(centre + half, 1.0);
    return STATS_OK;
}
