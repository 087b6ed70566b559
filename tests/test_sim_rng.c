/* Keyed random streams: reproducible by key, distinct across keys, and the
 * right moments through GSL's distributions. */
#include <math.h>
#include <stdlib.h>
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>

#include "sim/sim_rng.h"

Test(sim_rng, same_key_same_numbers_other_key_other_numbers)
{
    gsl_rng *r = sim_rng_alloc(sim_rng_child(42, 7));
    double first[8];
    for (int i = 0; i < 8; i++)
        first[i] = gsl_rng_uniform(r);
    sim_rng_rekey(r, sim_rng_child(42, 7));
    for (int i = 0; i < 8; i++)
        cr_expect_eq(gsl_rng_uniform(r), first[i]);
    sim_rng_rekey(r, sim_rng_child(42, 8));
    int same = 0;
    for (int i = 0; i < 8; i++)
        same += gsl_rng_uniform(r) == first[i];
    cr_expect_eq(same, 0);
    cr_expect_neq(sim_rng_replication_key(1, 0), sim_rng_replication_key(1, 1));
    cr_expect_neq(sim_rng_replication_key(1, 0), sim_rng_replication_key(2, 0));
    gsl_rng_free(r);
}

Test(sim_rng, uniform_mean_and_exponential_mean)
{
    gsl_rng *r = sim_rng_alloc(sim_rng_replication_key(5, 0));
    const int n = 200000;
    double su = 0, se = 0;
    for (int i = 0; i < n; i++) {
        su += gsl_rng_uniform(r);
        se += gsl_ran_exponential(r, 1.0);
    }
    /* means within 4 standard errors: U(0,1) sd 0.2887, Exp(1) sd 1 */
    cr_expect_leq(fabs(su / n - 0.5), 4 * 0.2887 / sqrt(n));
    cr_expect_leq(fabs(se / n - 1.0), 4 * 1.0 / sqrt(n));
    gsl_rng_free(r);
}

Test(sim_rng, inline_stream_gives_the_generator_numbers)
{
    uint64_t key = sim_rng_child(sim_rng_replication_key(9, 3), 17);
    gsl_rng *r = sim_rng_alloc(key);
    sim_stream s = sim_stream_at(key);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(sim_stream_uniform(&s), gsl_rng_uniform(r));
    gsl_rng_free(r);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The ziggurat exponential against the Exp(1) law: Kolmogorov-Smirnov over
 * the whole range, a chi-square over 200 equiprobable bins (which sees each
 * layer's wedge), the tail beyond the base layer and the first two moments. */
Test(sim_rng, ziggurat_exponential_follows_exp1)
{
    const size_t n = 1000000;
    double *x = malloc(n * sizeof *x);
    cr_assert_not_null(x);
    sim_stream s = sim_stream_at(sim_rng_replication_key(11, 0));
    double sum = 0, sum2 = 0;
    size_t beyond8 = 0;
    enum { BINS = 200 };
    size_t bin[BINS] = { 0 };
    for (size_t i = 0; i < n; i++) {
        x[i] = sim_stream_exponential(&s);
        cr_assert(x[i] >= 0 && isfinite(x[i]));
        sum += x[i];
        sum2 += x[i] * x[i];
        beyond8 += x[i] > 8;
        size_t b = (size_t)(-expm1(-x[i]) * BINS); /* F(x) in [0,1) */
        bin[b < BINS ? b : BINS - 1]++;
    }
    double mean = sum / (double)n, var = sum2 / (double)n - mean * mean;
    cr_expect_leq(fabs(mean - 1), 4 / sqrt((double)n), "mean %g", mean);
    cr_expect_leq(fabs(var - 1), 4 * sqrt(8.0 / (double)n), "variance %g", var); /* var of X^2 is 20-4 */
    double p8 = exp(-8.0), e8 = p8 * (double)n;
    cr_expect_leq(fabs((double)beyond8 - e8), 4 * sqrt(e8 * (1 - p8)), "beyond 8: %zu vs %g",
                  beyond8, e8);
    double chi2 = 0, e = (double)n / BINS;
    for (int b = 0; b < BINS; b++)
        chi2 += ((double)bin[b] - e) * ((double)bin[b] - e) / e;
    /* 199 degrees of freedom: the 0.9999 quantile is about 283 */
    cr_expect_lt(chi2, 283, "chi-square %g over %d bins", chi2, BINS);
    qsort(x, n, sizeof *x, compare_double);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = -expm1(-x[i]);
        double lo = f - (double)i / (double)n, hi = (double)(i + 1) / (double)n - f;
        d = fmax(d, fmax(lo, hi));
    }
    /* Kolmogorov: P(sqrt(n) D > 1.95) = 0.001 */
    cr_expect_lt(sqrt((double)n) * d, 1.95, "KS statistic sqrt(n) D = %g", sqrt((double)n) * d);
    free(x);
}
