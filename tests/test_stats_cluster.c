/* Tests for stats_cluster: the partially clustered comparison of proportions,
 * the ANOVA ICC and design effects, against hand computations, individual-
 * level re-implementations and beta-binomial simulation. */
#include <math.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats/stats_cluster.h"
#include "stats/stats_tests.h"

#define NEAR(got, want, tol)                                                                   \
    cr_assert(fabs((got) - (want)) <= (tol), "%s = %.15g, expected %.15g (tol %g)", #got,     \
              (double)(got), (double)(want), (double)(tol))

static gsl_rng *seeded_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

/* Six IPS coaches and an unclustered control arm of 60. */
static const size_t coach_succ[] = {3, 5, 1, 6, 2, 4};
static const size_t coach_size[] = {10, 12, 8, 9, 11, 7};

Test(stats_cluster, partial_cluster_diff_matches_hand_computation)
{
    stats_result r;
    cr_assert_eq(stats_partial_cluster_diff(coach_succ, coach_size, 6, 14, 60, 0.05,
                                            STATS_TWO_SIDED, &r), STATS_OK);
    NEAR(r.estimate, 0.13508771929824559, 1e-14);
    NEAR(r.se, 0.098193473836586553, 1e-14);
    NEAR(r.lower, -0.0573679529383401, 1e-9);
    NEAR(r.upper, 0.32754339153483125, 1e-9);
    NEAR(r.statistic, 1.3757301174929242, 1e-12);
    NEAR(r.p_value, 0.16890520397136211, 1e-10);
    cr_assert(isnan(r.df));
}

Test(stats_cluster, sandwich_matches_individual_level_computation)
{
    /* Expand the clusters to 0/1 people and compute the robust variance of
     * the mean from individual residuals summed within cluster. */
    double total = 0, events = 0;
    for (size_t j = 0; j < 6; j++) {
        total += (double)coach_size[j];
        events += (double)coach_succ[j];
    }
    double p1 = events / total, meat = 0;
    for (size_t j = 0; j < 6; j++) {
        double score = 0;
        for (size_t i = 0; i < coach_size[j]; i++)
            score += (i < coach_succ[j] ? 1.0 : 0.0) - p1;
        meat += score * score;
    }
    double v1 = 6.0 / 5.0 * meat / (total * total), p2 = 14.0 / 60.0;
    stats_result r;
    cr_assert_eq(stats_partial_cluster_diff(coach_succ, coach_size, 6, 14, 60, 0.05,
                                            STATS_TWO_SIDED, &r), STATS_OK);
    NEAR(r.se * r.se, v1 + p2 * (1 - p2) / 60.0, 1e-15);
}

Test(stats_cluster, clusters_of_one_give_binomial_variance)
{
    /* J clusters of size 1: J/(J-1) sum (y - p)^2 / J^2 = p(1-p)/(J-1). */
    size_t succ[40], size[40];
    for (size_t j = 0; j < 40; j++) {
        succ[j] = j % 5 < 2; /* 16 of 40 */
        size[j] = 1;
    }
    stats_result r;
    cr_assert_eq(stats_partial_cluster_diff(succ, size, 40, 9, 35, 0.05, STATS_TWO_SIDED, &r),
                 STATS_OK);
    double p1 = 0.4, p2 = 9.0 / 35.0;
    NEAR(r.se * r.se, p1 * (1 - p1) / 39.0 + p2 * (1 - p2) / 35.0, 1e-15);
    NEAR(r.estimate, p1 - p2, 1e-15);
}

Test(stats_cluster, empty_clusters_are_ignored)
{
    const size_t succ[] = {3, 0, 5, 1, 6, 0, 2, 4}, size[] = {10, 0, 12, 8, 9, 0, 11, 7};
    stats_result a, b;
    cr_assert_eq(stats_partial_cluster_diff(coach_succ, coach_size, 6, 14, 60, 0.05,
                                            STATS_GREATER, &a), STATS_OK);
    cr_assert_eq(stats_partial_cluster_diff(succ, size, 8, 14, 60, 0.05, STATS_GREATER, &b),
                 STATS_OK);
    NEAR(b.se, a.se, 0.0);
    NEAR(b.p_value, a.p_value, 0.0);
    cr_assert(isinf(b.upper));
    NEAR(b.p_value, 0.16890520397136211 / 2.0, 1e-10);
}

Test(stats_cluster, partial_cluster_diff_rejects_degenerate_input)
{
    stats_result r;
    const size_t one_s[] = {4}, one_m[] = {9}, bad_s[] = {3, 12}, bad_m[] = {10, 11};
    cr_assert_eq(stats_partial_cluster_diff(one_s, one_m, 1, 14, 60, 0.05, STATS_TWO_SIDED, &r),
                 STATS_EEMPTY);
    cr_assert(isnan(r.estimate));
    cr_assert_eq(stats_partial_cluster_diff(coach_succ, coach_size, 6, 0, 0, 0.05,
                                            STATS_TWO_SIDED, &r), STATS_EEMPTY);
    cr_assert_eq(stats_partial_cluster_diff(bad_s, bad_m, 2, 14, 60, 0.05, STATS_TWO_SIDED, &r),
                 STATS_EINVAL);
    cr_assert_eq(stats_partial_cluster_diff(coach_succ, coach_size, 6, 61, 60, 0.05,
                                            STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_partial_cluster_diff(NULL, coach_size, 6, 14, 60, 0.05,
                                            STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_partial_cluster_diff(coach_succ, coach_size, 6, 14, 60, 0.05,
                                            STATS_TWO_SIDED, NULL), STATS_EINVAL);
    cr_assert_eq(stats_partial_cluster_diff(coach_succ, coach_size, 6, 14, 60, 1.05,
                                            STATS_TWO_SIDED, &r), STATS_EINVAL);
    /* Nobody succeeds anywhere: zero variance. */
    const size_t zero[] = {0, 0, 0};
    cr_assert_eq(stats_partial_cluster_diff(zero, coach_size, 3, 0, 60, 0.05, STATS_TWO_SIDED, &r),
                 STATS_EDEGEN);
    NEAR(r.estimate, 0.0, 0.0);
    cr_assert(isnan(r.statistic) && isnan(r.p_value));
}

/* ---------------------------------------------------------------- ICC */

Test(stats_cluster, icc_anova_matches_hand_computation)
{
    double icc;
    cr_assert_eq(stats_icc_anova(coach_succ, coach_size, 6, &icc), STATS_OK);
    NEAR(icc, 0.081140565033761353, 1e-14);
}

Test(stats_cluster, icc_anova_matches_individual_level_sums_of_squares)
{
    /* One-way ANOVA from 0/1 data: SSB = sum m_j (ybar_j - ybar)^2,
     * SSW = sum (y - ybar_j)^2. */
    const size_t succ[] = {7, 2, 9, 4, 0}, size[] = {15, 9, 13, 14, 6};
    double n = 0, s = 0, m2 = 0;
    for (size_t j = 0; j < 5; j++) {
        n += (double)size[j];
        s += (double)succ[j];
        m2 += (double)(size[j] * size[j]);
    }
    double ybar = s / n, ssb = 0, ssw = 0;
    for (size_t j = 0; j < 5; j++) {
        double yj = (double)succ[j] / (double)size[j];
        ssb += (double)size[j] * (yj - ybar) * (yj - ybar);
        for (size_t i = 0; i < size[j]; i++) {
            double y = i < succ[j] ? 1.0 : 0.0;
            ssw += (y - yj) * (y - yj);
        }
    }
    double msb = ssb / 4.0, msw = ssw / (n - 5.0), m0 = (n - m2 / n) / 4.0;
    double icc;
    cr_assert_eq(stats_icc_anova(succ, size, 5, &icc), STATS_OK);
    NEAR(icc, (msb - msw) / (msb + (m0 - 1.0) * msw), 1e-13);
}

Test(stats_cluster, icc_anova_is_near_unbiased_for_beta_binomial_clusters)
{
    /* Beta(a, b) cluster probabilities give ICC = 1 / (a + b + 1). */
    const double a = 3.8, b = 15.2, rho = 1.0 / (a + b + 1.0); /* 0.05, mean 0.2 */
    gsl_rng *rng = seeded_rng(5150);
    size_t succ[30], size[30], reps = 1500;
    double sum = 0, sumsq = 0;
    for (size_t rep = 0; rep < reps; rep++) {
        for (size_t j = 0; j < 30; j++) {
            size[j] = 15 + gsl_rng_uniform_int(rng, 16);
            succ[j] = gsl_ran_binomial(rng, gsl_ran_beta(rng, a, b), (unsigned)size[j]);
        }
        double icc;
        cr_assert_eq(stats_icc_anova(succ, size, 30, &icc), STATS_OK);
        sum += icc;
        sumsq += icc * icc;
    }
    double mean = sum / (double)reps;
    double mcse = sqrt((sumsq / (double)reps - mean * mean) / (double)reps);
    /* The ANOVA estimator has a small O(1/k) bias; allow 3 MCSE plus 0.005. */
    cr_assert(fabs(mean - rho) <= 3.0 * mcse + 0.005, "mean ICC %.4f, true %.4f, MCSE %.4f",
              mean, rho, mcse);
    gsl_rng_free(rng);
}

Test(stats_cluster, icc_anova_rejects_degenerate_input)
{
    double icc = 0.0;
    const size_t one[] = {3}, sz1[] = {8};
    cr_assert_eq(stats_icc_anova(one, sz1, 1, &icc), STATS_EEMPTY);
    cr_assert(isnan(icc));
    const size_t s1[] = {1, 0, 1}, m1[] = {1, 1, 1}; /* no within-cluster df */
    cr_assert_eq(stats_icc_anova(s1, m1, 3, &icc), STATS_EEMPTY);
    const size_t all[] = {5, 7, 4}, allm[] = {5, 7, 4};
    cr_assert_eq(stats_icc_anova(all, allm, 3, &icc), STATS_EDEGEN);
    cr_assert(isnan(icc));
    const size_t bad[] = {6, 1}, badm[] = {5, 3};
    cr_assert_eq(stats_icc_anova(bad, badm, 2, &icc), STATS_EINVAL);
    cr_assert_eq(stats_icc_anova(NULL, badm, 2, &icc), STATS_EINVAL);
    cr_assert_eq(stats_icc_anova(bad, badm, 2, NULL), STATS_EINVAL);
    /* Perfect separation between clusters: ICC = 1; identical cluster
     * proportions: negative. */
    const size_t sep[] = {0, 6, 0, 6}, sepm[] = {6, 6, 6, 6};
    cr_assert_eq(stats_icc_anova(sep, sepm, 4, &icc), STATS_OK);
    NEAR(icc, 1.0, 1e-14);
    const size_t even[] = {3, 3, 3}, evenm[] = {6, 6, 6};
    cr_assert_eq(stats_icc_anova(even, evenm, 3, &icc), STATS_OK);
    NEAR(icc, -1.0 / 5.0, 1e-14); /* MSB = 0: -1/(m0 - 1) */
}

Test(stats_cluster, partial_cluster_test_holds_alpha_where_naive_test_does_not)
{
    /* Coach effect (ICC 0.05) in the treatment arm, no treatment effect on
     * average: the robust z keeps its size, the binomial z over-rejects. */
    const double a = 3.8, b = 15.2; /* mean 0.2 */
    gsl_rng *rng = seeded_rng(60606);
    size_t succ[50], size[50], reps = 3000, robust = 0, naive = 0;
    for (size_t rep = 0; rep < reps; rep++) {
        size_t x1 = 0, n1 = 0;
        for (size_t j = 0; j < 50; j++) {
            size[j] = 20;
            succ[j] = gsl_ran_binomial(rng, gsl_ran_beta(rng, a, b), 20);
            x1 += succ[j];
            n1 += size[j];
        }
        size_t x2 = gsl_ran_binomial(rng, 0.2, 1000);
        stats_result r, z;
        cr_assert_eq(stats_partial_cluster_diff(succ, size, 50, x2, 1000, 0.05, STATS_TWO_SIDED,
                                                &r), STATS_OK);
        cr_assert_eq(stats_two_proportion_z(x1, n1, x2, 1000, 0.05, STATS_TWO_SIDED, &z),
                     STATS_OK);
        robust += r.p_value < 0.05;
        naive += z.p_value < 0.05;
    }
    double mcse = sqrt(0.05 * 0.95 / (double)reps);
    double rate = (double)robust / (double)reps, naive_rate = (double)naive / (double)reps;
    cr_assert(fabs(rate - 0.05) <= 3.0 * mcse, "robust rate %.4f", rate);
    cr_assert(naive_rate > 0.05 + 3.0 * mcse, "naive rate %.4f", naive_rate);
    gsl_rng_free(rng);
}

/* ---------------------------------------------------------------- design effect */

Test(stats_cluster, design_effect_values)
{
    NEAR(stats_design_effect(12.0, 0.05), 1.55, 1e-15);
    NEAR(stats_design_effect(1.0, 0.3), 1.0, 0.0);
    NEAR(stats_design_effect(25.0, 0.0), 1.0, 0.0);
    NEAR(stats_design_effect_unequal(12.0, 0.0, 0.05), 1.55, 1e-15);
    NEAR(stats_design_effect_unequal(12.0, 0.5, 0.05), 1.0 + (1.25 * 12.0 - 1.0) * 0.05, 1e-15);
    cr_assert(isnan(stats_design_effect(0.5, 0.05)));
    cr_assert(isnan(stats_design_effect(12.0, 1.5)));
    cr_assert(isnan(stats_design_effect(NAN, 0.05)));
    cr_assert(isnan(stats_design_effect(INFINITY, 0.05)));
    cr_assert(isnan(stats_design_effect_unequal(12.0, -0.1, 0.05)));
}
