/* uncertainty: distributions of uncertain parameters and their keyed draws;
 * see uncertainty.h. */
#include "models/uncertainty.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "sim/sim_rng.h"

/* Parent label of the parameter streams under a replication key: far above
 * the labels the claimant model uses (person ids and its inflow labels are
 * below 2^33), so no person shares a stream with a parameter. */
#define UNC_STREAM_LABEL UINT64_C(0x5E4517171A000000)

static const char *const kind_names[N_UNC_KIND] = { "normal", "lognormal", "uniform", "beta",
                                                    "gamma" };

const char *unc_kind_name(unc_kind k)
{
    return (unsigned)k < N_UNC_KIND ? kind_names[k] : "?";
}

int unc_beta_from_moments(double mean, double sd, double *alpha, double *beta)
{
    double v = sd * sd;
    if (!(mean > 0 && mean < 1 && sd > 0 && v < mean * (1 - mean)))
        return -1;
    double k = mean * (1 - mean) / v - 1;
    if (k > UNC_BETA_MAX_SIZE)
        return -1;
    *alpha = mean * k;
    *beta = (1 - mean) * k;
    return 0;
}

int unc_gamma_from_moments(double mean, double sd, double *shape, double *scale)
{
    if (!(mean > 0 && sd > 0 && isfinite(mean) && isfinite(sd)))
        return -1;
    *shape = (mean / sd) * (mean / sd);
    *scale = sd * sd / mean;
    return 0;
}

/* A fixed value (no spread), or NaN when the distribution has a spread. */
static double fixed_value(const unc_dist *d)
{
    switch (d->kind) {
    case UNC_NORMAL:
    case UNC_LOGNORMAL:
        return d->b == 0 ? d->a : NAN;
    case UNC_UNIFORM:
        return d->a == d->b ? d->a : NAN;
    default:
        return NAN; /* beta and gamma are built from a positive sd */
    }
}

/* The distribution function P(x), or with upper the upper tail Q(x) = 1 - P(x)
 * computed as such, so that it keeps its precision where P rounds to 1. */
static double tail(const unc_dist *d, double x, bool upper)
{
    switch (d->kind) {
    case UNC_NORMAL:
        return upper ? gsl_cdf_gaussian_Q(x - d->a, d->b) : gsl_cdf_gaussian_P(x - d->a, d->b);
    case UNC_LOGNORMAL:
        if (x <= 0)
            return upper ? 1 : 0;
        return upper ? gsl_cdf_lognormal_Q(x, log(d->a), d->b)
                     : gsl_cdf_lognormal_P(x, log(d->a), d->b);
    case UNC_UNIFORM: {
        double p = x <= d->a ? 0 : x >= d->b ? 1 : (x - d->a) / (d->b - d->a);
        return upper ? 1 - p : p;
    }
    case UNC_BETA:
        if (x <= 0 || x >= 1)
            return (x <= 0) == upper ? 1 : 0;
        return upper ? gsl_cdf_beta_Q(x, d->a, d->b) : gsl_cdf_beta_P(x, d->a, d->b);
    case UNC_GAMMA:
        if (x <= 0)
            return upper ? 1 : 0;
        return upper ? gsl_cdf_gamma_Q(x, d->a, d->b) : gsl_cdf_gamma_P(x, d->a, d->b);
    default:
        return NAN;
    }
}

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double double_of(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* The smallest x in [lo, hi] (0 <= lo <= hi, finite) where P(x) >= t, or
 * with upper where Q(x) <= t. Bisection on the bit patterns, which order
 * non-negative doubles as their values: at most 64 evaluations of the
 * distribution function and exact to one unit in the last place at any
 * scale. Used for beta and gamma, whose GSL inverses fail to converge (NaN)
 * for small shapes and large alpha + beta, and for alpha + beta near 1e6
 * never return. */
static double bisect(const unc_dist *d, double t, bool upper, double lo, double hi)
{
    uint64_t a = bits_of(lo), b = bits_of(hi);
    if (upper ? tail(d, lo, true) <= t : tail(d, lo, false) >= t)
        return lo;
    while (b - a > 1) {
        uint64_t m = a + (b - a) / 2;
        double p = tail(d, double_of(m), upper);
        if (isnan(p))
            return NAN; /* an extreme distribution GSL cannot evaluate: refused, not guessed */
        if (upper ? p > t : p < t)
            a = m;
        else
            b = m;
    }
    return double_of(b);
}

/* The x where P(x) = t, or with upper Q(x) = t, within [lo, hi]. */
static double inverse(const unc_dist *d, double t, bool upper, double lo, double hi)
{
    switch (d->kind) {
    case UNC_NORMAL:
        return d->a + (upper ? gsl_cdf_gaussian_Qinv(t, d->b) : gsl_cdf_gaussian_Pinv(t, d->b));
    case UNC_LOGNORMAL:
        return upper ? gsl_cdf_lognormal_Qinv(t, log(d->a), d->b)
                     : gsl_cdf_lognormal_Pinv(t, log(d->a), d->b);
    case UNC_UNIFORM:
        return upper ? d->b - t * (d->b - d->a) : d->a + t * (d->b - d->a);
    case UNC_BETA:
        return bisect(d, t, upper, lo > 0 ? lo : 0, hi < 1 ? hi : 1);
    case UNC_GAMMA:
        return bisect(d, t, upper, lo > 0 ? lo : 0, hi < DBL_MAX ? hi : DBL_MAX);
    default:
        return NAN;
    }
}

double unc_quantile(const unc_dist *d, double q)
{
    double v = fixed_value(d);
    if (!isnan(v))
        return v >= d->lower && v <= d->upper ? v : NAN;
    /* GSL's default handler would abort the program where an extreme
     * distribution defeats it (an underflow in its distribution functions):
     * report NaN instead (called from the main thread only, before any run
     * starts) */
    gsl_error_handler_t *handler = gsl_set_error_handler_off();
    /* the truncation's mass below and above, each from its own tail so that a
     * truncation far in the upper tail is not lost to P rounding to 1 */
    double plo = isinf(d->lower) ? 0 : tail(d, d->lower, false);
    double phi = isinf(d->upper) ? 1 : tail(d, d->upper, false);
    double qlo = isinf(d->lower) ? 1 : tail(d, d->lower, true);
    double qhi = isinf(d->upper) ? 0 : tail(d, d->upper, true);
    double x = NAN;
    if (phi > plo || qlo > qhi) {
        double t = plo + q * (phi - plo);
        if (t <= 0.5)
            x = inverse(d, t, false, d->lower, d->upper);
        else
            x = inverse(d, qlo - q * (qlo - qhi), true, d->lower, d->upper);
    }
    gsl_set_error_handler(handler);
    if (!isfinite(x))
        return NAN;
    /* rounding in the distribution function must not step outside */
    if (x < d->lower)
        x = d->lower;
    if (x > d->upper)
        x = d->upper;
    return x;
}

double unc_uniform(uint64_t master_seed, size_t rep, size_t param)
{
    uint64_t key = sim_rng_child(sim_rng_replication_key(master_seed, rep), UNC_STREAM_LABEL);
    sim_stream s = sim_stream_at(sim_rng_child(key, (uint64_t)param));
    /* the middle of one of 2^53 equal cells: never 0 or 1 */
    return ((double)(sim_stream_u64(&s) >> 11) + 0.5) * 0x1.0p-53;
}

double unc_draw(const unc_dist *d, uint64_t master_seed, size_t rep, size_t param)
{
    return unc_quantile(d, unc_uniform(master_seed, rep, param));
}
