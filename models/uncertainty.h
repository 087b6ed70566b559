/* uncertainty: parameter uncertainty across replications (probabilistic
 * sensitivity analysis). Each uncertain parameter has a distribution;
 * replication r draws every parameter once, from a stream keyed by (master
 * seed, r, parameter), so a replication's values do not depend on the number
 * of replications or threads, nor on the other parameters. Every policy of
 * replication r runs with the same values, so policy differences stay
 * paired. Draws are by inversion of the (truncated) distribution function,
 * one uniform each. No JSON here: io/uncertainty_config.c reads the
 * "uncertainty" section of a config and applies the values.
 */
#ifndef IPSIM_UNCERTAINTY_H
#define IPSIM_UNCERTAINTY_H

#include <stddef.h>
#include <stdint.h>

typedef enum unc_kind {
    UNC_NORMAL,     /* a = mean, b = sd */
    UNC_LOGNORMAL,  /* a = median, b = sd of the log */
    UNC_UNIFORM,    /* a = lower, b = upper */
    UNC_BETA,       /* a = alpha, b = beta (from the mean and sd) */
    UNC_GAMMA,      /* a = shape, b = scale (from the mean and sd) */
    N_UNC_KIND
} unc_kind;

typedef struct unc_dist {
    unc_kind kind;
    double a, b;          /* see unc_kind; b == 0 (a == b for uniform): fixed value */
    double lower, upper;  /* truncation: values outside are never drawn
                           * (-INFINITY, +INFINITY: none) */
} unc_dist;

/* "normal", "lognormal", "uniform", "beta", "gamma"; "?" for another kind. */
const char *unc_kind_name(unc_kind k);

/* Largest alpha + beta of a beta distribution (sd^2 = mean (1 - mean) /
 * (alpha + beta + 1)): beyond it GSL's beta distribution function loses its
 * precision (NaN at the mean from 1e7), and the beta is a normal anyway. */
#define UNC_BETA_MAX_SIZE 1e6

/* Beta parameters with the given mean (0..1) and sd (0 < sd^2 < mean (1 -
 * mean), alpha + beta at most UNC_BETA_MAX_SIZE), and gamma parameters with
 * the given mean and sd (both > 0). 0, or -1 when no such distribution
 * exists. */
int unc_beta_from_moments(double mean, double sd, double *alpha, double *beta);
int unc_gamma_from_moments(double mean, double sd, double *shape, double *scale);

/* Quantile q (0 < q < 1) of the distribution truncated to [lower, upper],
 * found in the tail it lies in (so a truncation far in the upper tail keeps
 * its precision); beta and gamma by bisection on their distribution
 * functions (at most 64 evaluations). NaN when the truncation leaves no
 * probability or GSL cannot evaluate the distribution. Switches GSL's
 * process-wide error handler off while it runs: main thread only, not
 * while other threads run. */
double unc_quantile(const unc_dist *d, double q);

/* The value of parameter `param` in replication `rep` under `master_seed`
 * (unc_quantile of its keyed uniform: main thread only). */
double unc_draw(const unc_dist *d, uint64_t master_seed, size_t rep, size_t param);

/* The uniform unc_draw inverts (exposed for tests). */
double unc_uniform(uint64_t master_seed, size_t rep, size_t param);

#endif
