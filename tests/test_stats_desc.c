/* Tests for stats_desc: mean, variance, type-7 quantiles and the t interval
 * of a mean against hand computations and published t quantiles, plus the
 * coverage of that interval in simulation. */
#include <math.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats/stats_desc.h"

#define NEAR(got, want, tol)                                                                   \
    cr_assert(fabs((got) - (want)) <= (tol), "%s = %.15g, expected %.15g (tol %g)", #got,     \
              (double)(got), (double)(want), (double)(tol))

static const double sample[] = {7.25, 2.385, 9.5, 4.0, 3.125, 11.75};

Test(stats_desc, mean_and_variance_match_hand_computation)
{
    double m, v;
    cr_assert_eq(stats_mean(sample, 6, &m), STATS_OK);
    NEAR(m, 6.335, 1e-14);
    cr_assert_eq(stats_variance(sample, 6, &v), STATS_OK);
    NEAR(v, 14.3071, 1e-12);
    /* Shift invariance of the variance at a large offset (two-pass stability). */
    double shifted[6];
    for (size_t i = 0; i < 6; i++)
        shifted[i] = sample[i] + 1.0e9;
    cr_assert_eq(stats_variance(shifted, 6, &v), STATS_OK);
    NEAR(v, 14.3071, 1e-5);
}

Test(stats_desc, quantile_type7_matches_hand_computation)
{
    /* Sorted: 2.385 3.125 4.0 7.25 9.5 11.75; h = 5 p. */
    const double probs[] = {0.0, 0.3, 0.5, 0.9, 1.0, 0.2};
    const double want[] = {2.385, 3.5625, 5.625, 10.625, 11.75, 3.125};
    for (size_t i = 0; i < 6; i++) {
        double q;
        cr_assert_eq(stats_quantile(sample, 6, probs[i], &q), STATS_OK);
        NEAR(q, want[i], 1e-12);
    }
    const double sorted[] = {2.385, 3.125, 4.0, 7.25, 9.5, 11.75};
    double q;
    cr_assert_eq(stats_quantile_sorted(sorted, 6, 0.3, &q), STATS_OK);
    NEAR(q, 3.5625, 1e-12);
    const double single[] = {4.75};
    cr_assert_eq(stats_quantile(single, 1, 0.37, &q), STATS_OK);
    NEAR(q, 4.75, 0.0);
}

Test(stats_desc, quantile_does_not_modify_input)
{
    double copy[6];
    for (size_t i = 0; i < 6; i++)
        copy[i] = sample[i];
    double q;
    cr_assert_eq(stats_quantile(copy, 6, 0.5, &q), STATS_OK);
    for (size_t i = 0; i < 6; i++)
        NEAR(copy[i], sample[i], 0.0);
}

Test(stats_desc, mean_ci_uses_t_quantile)
{
    stats_result r;
    cr_assert_eq(stats_mean_ci(sample, 6, 0.05, &r), STATS_OK);
    NEAR(r.estimate, 6.335, 1e-14);
    NEAR(r.se, 1.5441880282746228, 1e-13);
    NEAR(r.df, 5.0, 0.0);
    /* Published t quantile t(0.975, 5) = 2.570582. */
    NEAR(r.lower, 6.335 - 2.570582 * 1.5441880282746228, 1e-5);
    NEAR(r.upper, 6.335 + 2.570582 * 1.5441880282746228, 1e-5);
    NEAR(r.statistic, 6.335 / 1.5441880282746228, 1e-12);
    cr_assert(r.p_value > 0.0 && r.p_value < 0.05);
}

Test(stats_desc, mean_ci_covers_at_nominal_rate)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 1234567);
    double x[8];
    size_t reps = 4000, covered = 0;
    for (size_t rep = 0; rep < reps; rep++) {
        for (size_t i = 0; i < 8; i++)
            x[i] = 41.5 + gsl_ran_gaussian(rng, 6.25);
        stats_result r;
        cr_assert_eq(stats_mean_ci(x, 8, 0.1, &r), STATS_OK);
        covered += r.lower <= 41.5 && 41.5 <= r.upper;
    }
    double rate = (double)covered / (double)reps, mcse = sqrt(0.9 * 0.1 / (double)reps);
    cr_assert(fabs(rate - 0.9) <= 3.0 * mcse, "coverage %.4f", rate);
    gsl_rng_free(rng);
}

Test(stats_desc, rejects_degenerate_input)
{
    double v = 0.0;
    const double bad[] = {1.0, NAN}, unsorted[] = {3.0, 1.0}, flat[] = {2.5, 2.5, 2.5};
    cr_assert_eq(stats_mean(NULL, 0, &v), STATS_EEMPTY);
    cr_assert(isnan(v));
    cr_assert_eq(stats_mean(sample, 6, NULL), STATS_EINVAL);
    cr_assert_eq(stats_mean(bad, 2, &v), STATS_EINVAL);
    cr_assert_eq(stats_variance(sample, 1, &v), STATS_EEMPTY);
    cr_assert(isnan(v));
    cr_assert_eq(stats_variance(bad, 2, &v), STATS_EINVAL);
    cr_assert_eq(stats_quantile(sample, 0, 0.5, &v), STATS_EEMPTY);
    cr_assert_eq(stats_quantile(sample, 6, 1.5, &v), STATS_EINVAL);
    cr_assert_eq(stats_quantile(sample, 6, NAN, &v), STATS_EINVAL);
    cr_assert_eq(stats_quantile(bad, 2, 0.5, &v), STATS_EINVAL);
    cr_assert_eq(stats_quantile_sorted(unsorted, 2, 0.5, &v), STATS_EINVAL);
    cr_assert(isnan(v));
    stats_result r;
    cr_assert_eq(stats_mean_ci(sample, 1, 0.05, &r), STATS_EEMPTY);
    NEAR(r.estimate, 7.25, 0.0);
    cr_assert(isnan(r.se) && isnan(r.lower));
    cr_assert_eq(stats_mean_ci(NULL, 0, 0.05, &r), STATS_EEMPTY);
    cr_assert(isnan(r.estimate));
    cr_assert_eq(stats_mean_ci(sample, 6, 0.0, &r), STATS_EINVAL);
    cr_assert_eq(stats_mean_ci(sample, 6, 0.05, NULL), STATS_EINVAL);
    cr_assert_eq(stats_mean_ci(flat, 3, 0.05, &r), STATS_EDEGEN);
    NEAR(r.lower, 2.5, 0.0);
    NEAR(r.upper, 2.5, 0.0);
    cr_assert(isnan(r.statistic) && isnan(r.p_value));
}

/* Spearman over the defined pairs: x = 1..5 against y = (10, NaN, 30, 20,
 * 50) keeps pairs (1,10) (3,30) (4,20) (5,50): ranks (1,1) (2,3) (3,2)
 * (4,4), rho = 1 - 6 * 2 / (4 * 15) = 0.8 by the no-ties formula. */
Test(stats_desc, spearman_over_defined_pairs)
{
    const double x[10] = { 1, -1, 2, -1, 3, -1, 4, -1, 5, -1 }; /* stride 2 */
    const double y[5] = { 10, NAN, 30, 20, 50 };
    double rho = 0;
    cr_assert_eq(stats_spearman_defined(x, 2, y, 5, &rho), STATS_OK);
    cr_expect(fabs(rho - 0.8) < 1e-12, "%g", rho);
    const double few[5] = { 1, NAN, NAN, NAN, 2 };
    cr_assert_eq(stats_spearman_defined(x, 2, few, 5, &rho), STATS_OK);
    cr_expect(isnan(rho), "two pairs: %g", rho);
    const double flat[5] = { 7, 7, 7, 7, 7 };
    cr_assert_eq(stats_spearman_defined(x, 2, flat, 5, &rho), STATS_OK);
    cr_expect(isnan(rho), "no spread: %g", rho);
}
