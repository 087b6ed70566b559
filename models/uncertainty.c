/* uncertainty: distributions of uncertain parameters and their keyed draws;
 * see uncertainty.h. */
#include "models/uncertainty.h"

#include <math.h>
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

int unc_kind_from_name(const char *name)
{
    for (int k = 0; k < N_UNC_KIND; k++)
        if (!strcmp(name, kind_names[k]))
            return k;
    return -1;
}

int unc_beta_from_moments(double mean, double sd, double *alpha, double *beta)
{
    double v = sd * sd;
    if (!(mean > 0 && mean < 1 && sd > 0 && v < mean * (1 - mean)))
        return -1;
    double k = mean * (1 - mean) / v - 1;
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

static double cdf(const unc_dist *d, double x)
{
    switch (d->kind) {
    case UNC_NORMAL:
        return gsl_cdf_gaussian_P(x - d->a, d->b);
    case UNC_LOGNORMAL:
        return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, log(d->a), d->b);
    case UNC_UNIFORM:
        return x <= d->a ? 0 : x >= d->b ? 1 : (x - d->a) / (d->b - d->a);
    case UNC_BETA:
        return x <= 0 ? 0 : x >= 1 ? 1 : gsl_cdf_beta_P(x, d->a, d->b);
    case UNC_GAMMA:
        return x <= 0 ? 0 : gsl_cdf_gamma_P(x, d->a, d->b);
    default:
        return NAN;
    }
}

static double inverse_cdf(const unc_dist *d, double p)
{
    switch (d->kind) {
    case UNC_NORMAL:
        return d->a + gsl_cdf_gaussian_Pinv(p, d->b);
    case UNC_LOGNORMAL:
        return gsl_cdf_lognormal_Pinv(p, log(d->a), d->b);
    case UNC_UNIFORM:
        return d->a + p * (d->b - d->a);
    case UNC_BETA:
        return gsl_cdf_beta_Pinv(p, d->a, d->b);
    case UNC_GAMMA:
        return gsl_cdf_gamma_Pinv(p, d->a, d->b);
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
     * distribution defeats its inversion: report NaN instead (called from
     * the main thread only, before any run starts) */
    gsl_error_handler_t *handler = gsl_set_error_handler_off();
    double lo = isinf(d->lower) ? 0 : cdf(d, d->lower);
    double hi = isinf(d->upper) ? 1 : cdf(d, d->upper);
    double x = hi > lo ? inverse_cdf(d, lo + q * (hi - lo)) : NAN;
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
