/* Tests for stats_tests: two proportions, chi-square, CMH, Welch t and
 * Mann-Whitney against hand computations, published examples, naive O(n^2)
 * re-implementations, exact identities and simulation under H0. */
#include <math.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

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

/* Rejection rate must be within 3 Monte Carlo SE of alpha. */
static void assert_size(size_t rejections, size_t reps, double alpha)
{
    double rate = (double)rejections / (double)reps;
    double mcse = sqrt(alpha * (1.0 - alpha) / (double)reps);
    cr_assert(fabs(rate - alpha) <= 3.0 * mcse, "rejection rate %.4f, alpha %.3f, 3 MCSE %.4f",
              rate, alpha, 3.0 * mcse);
}

/* ---------------------------------------------------------------- two proportions */

Test(stats_tests, two_proportion_matches_hand_computation)
{
    /* 38/112 vs 23/109; reference values computed by hand (Python, full precision). */
    stats_result r;
    cr_assert_eq(stats_two_proportion_z(38, 112, 23, 109, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
    NEAR(r.estimate, 0.12827653997378768, 1e-12);
    NEAR(r.se, 0.059404587200081585, 1e-12);
    NEAR(r.lower, 0.011845688545158717, 1e-9);
    NEAR(r.upper, 0.24470739140241665, 1e-9);
    NEAR(r.statistic, 2.1327538049088806, 1e-10);
    NEAR(r.p_value, 0.032944927581600725, 1e-9);
    cr_assert(isnan(r.df));
}

Test(stats_tests, two_proportion_one_sided_halves_p_and_opens_ci)
{
    stats_result two, one;
    cr_assert_eq(stats_two_proportion_z(38, 112, 23, 109, 0.05, STATS_TWO_SIDED, &two), STATS_OK);
    cr_assert_eq(stats_two_proportion_z(38, 112, 23, 109, 0.05, STATS_GREATER, &one), STATS_OK);
    NEAR(one.p_value, 0.016472463790800362, 1e-9);
    NEAR(one.p_value, two.p_value / 2.0, 1e-12);
    NEAR(one.lower, 0.030564689260178524, 1e-9); /* uses z_0.95 */
    cr_assert(isinf(one.upper) && one.upper > 0);
    /* Effect in the other direction: one-sided p is the complement. */
    cr_assert_eq(stats_two_proportion_z(23, 109, 38, 112, 0.05, STATS_GREATER, &one), STATS_OK);
    NEAR(one.p_value, 1.0 - two.p_value / 2.0, 1e-12);
}

Test(stats_tests, two_proportion_rejects_degenerate_input)
{
    stats_result r;
    cr_assert_eq(stats_two_proportion_z(0, 0, 3, 10, 0.05, STATS_TWO_SIDED, &r), STATS_EEMPTY);
    cr_assert(isnan(r.estimate) && isnan(r.p_value));
    cr_assert_eq(stats_two_proportion_z(3, 10, 0, 0, 0.05, STATS_TWO_SIDED, &r), STATS_EEMPTY);
    cr_assert_eq(stats_two_proportion_z(11, 10, 3, 10, 0.05, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_two_proportion_z(3, 10, 3, 10, 0.0, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_two_proportion_z(3, 10, 3, 10, 1.0, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_two_proportion_z(3, 10, 3, 10, NAN, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_two_proportion_z(3, 10, 3, 10, 0.05, (stats_sided)7, &r), STATS_EINVAL);
    cr_assert_eq(stats_two_proportion_z(3, 10, 3, 10, 0.05, STATS_TWO_SIDED, NULL), STATS_EINVAL);
    /* Everyone a success: the difference is 0 but no test is possible. */
    cr_assert_eq(stats_two_proportion_z(10, 10, 7, 7, 0.05, STATS_TWO_SIDED, &r), STATS_EDEGEN);
    NEAR(r.estimate, 0.0, 0.0);
    NEAR(r.lower, 0.0, 0.0);
    cr_assert(isnan(r.statistic) && isnan(r.p_value));
    /* All events in one group is not degenerate. */
    cr_assert_eq(stats_two_proportion_z(9, 20, 0, 20, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
    cr_assert(r.p_value < 0.01);
}

Test(stats_tests, chisq_without_correction_equals_z_squared)
{
    const size_t t[][4] = {{38, 112, 23, 109}, {1, 7, 6, 9}, {0, 25, 4, 31}, {250, 400, 201, 398}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        stats_result z, c;
        cr_assert_eq(stats_two_proportion_z(t[i][0], t[i][1], t[i][2], t[i][3], 0.05,
                                            STATS_TWO_SIDED, &z), STATS_OK);
        cr_assert_eq(stats_chisq_2x2(t[i][0], t[i][1], t[i][2], t[i][3], false, 0.05, &c),
                     STATS_OK);
        NEAR(c.statistic, z.statistic * z.statistic, 1e-9 * c.statistic);
        NEAR(c.p_value, z.p_value, 1e-10);
        NEAR(c.df, 1.0, 0.0);
        NEAR(c.estimate, z.estimate, 0.0);
    }
}

Test(stats_tests, chisq_yates_matches_hand_computation)
{
    stats_result c;
    cr_assert_eq(stats_chisq_2x2(38, 112, 23, 109, true, 0.05, &c), STATS_OK);
    NEAR(c.statistic, 3.9293648418028759, 1e-10);
    NEAR(c.p_value, 0.047449862483961214, 1e-9);
    /* |ad - bc| = |5*5 - 5*6|... below N/2: the correction stops at 0. */
    cr_assert_eq(stats_chisq_2x2(5, 10, 5, 11, true, 0.05, &c), STATS_OK);
    NEAR(c.statistic, 0.0, 0.0);
    NEAR(c.p_value, 1.0, 1e-15);
}

Test(stats_tests, chisq_rejects_degenerate_input)
{
    stats_result c;
    cr_assert_eq(stats_chisq_2x2(0, 12, 0, 9, false, 0.05, &c), STATS_EDEGEN);
    cr_assert(isnan(c.statistic) && isnan(c.p_value));
    NEAR(c.estimate, 0.0, 0.0);
    cr_assert_eq(stats_chisq_2x2(0, 0, 0, 9, false, 0.05, &c), STATS_EEMPTY);
    cr_assert_eq(stats_chisq_2x2(4, 3, 0, 9, false, 0.05, &c), STATS_EINVAL);
    cr_assert_eq(stats_chisq_2x2(1, 3, 0, 9, false, 2.0, &c), STATS_EINVAL);
    cr_assert_eq(stats_chisq_2x2(1, 3, 0, 9, false, 0.05, NULL), STATS_EINVAL);
}

Test(stats_tests, two_proportion_rejects_at_alpha_under_null)
{
    gsl_rng *rng = seeded_rng(20240611);
    size_t reps = 4000, rejections = 0;
    for (size_t i = 0; i < reps; i++) {
        unsigned x1 = gsl_ran_binomial(rng, 0.35, 150), x2 = gsl_ran_binomial(rng, 0.35, 150);
        stats_result r;
        cr_assert_eq(stats_two_proportion_z(x1, 150, x2, 150, 0.05, STATS_TWO_SIDED, &r),
                     STATS_OK);
        rejections += r.p_value < 0.05;
    }
    assert_size(rejections, reps, 0.05);
    gsl_rng_free(rng);
}

/* ---------------------------------------------------------------- CMH */

/* Agresti, Categorical Data Analysis (2nd ed. 2002, sec. 6.3; 3rd ed. 2013
 * p. 226): eight-centre trial of an active drug against control. */
static const stats_2x2 agresti_centres[] = {
    {11, 36, 10, 37}, {16, 20, 22, 32}, {14, 19, 7, 19}, {2, 16, 1, 17},
    {6, 17, 0, 12},   {1, 11, 0, 10},   {1, 5, 1, 9},    {4, 6, 6, 7},
};

Test(stats_tests, cmh_matches_agresti_eight_centre_trial)
{
    stats_cmh_result r;
    cr_assert_eq(stats_cmh(agresti_centres, 8, 0.05, STATS_TWO_SIDED, false, &r), STATS_OK);
    cr_assert_eq(r.strata_used, 8);
    /* Published: CMH = 6.38 (p = 0.012), MH odds ratio 2.13, MH risk
     * difference 0.130 with Sato SE 0.050. */
    NEAR(r.chisq, 6.38, 0.005);
    NEAR(r.p_value, 0.012, 0.0005);
    NEAR(r.odds_ratio, 2.13, 0.005);
    NEAR(r.risk_diff, 0.130, 0.0005);
    NEAR(r.rd_se, 0.050, 0.0005);
    /* Full precision, computed by hand from the formulas in docs/statistics.md. */
    NEAR(r.chisq, 6.384113424998931, 1e-9);
    NEAR(r.odds_ratio, 2.1345490671962937, 1e-12);
    NEAR(r.log_or_se, 0.3034676383435785, 1e-12);
    NEAR(r.or_lower, 1.1775897596457934, 1e-8);
    NEAR(r.or_upper, 3.8691740336117175, 1e-8);
    NEAR(r.risk_diff, 0.129870506570509, 1e-12);
    NEAR(r.rd_se, 0.05028278718814559, 1e-12);
    NEAR(r.rd_lower, 0.0313180546394516, 1e-8);
    NEAR(r.rd_upper, 0.2284229585015664, 1e-8);
    NEAR(r.rd_se_gr, 0.04849589762016271, 1e-12);
    /* With the continuity correction. */
    cr_assert_eq(stats_cmh(agresti_centres, 8, 0.05, STATS_TWO_SIDED, true, &r), STATS_OK);
    NEAR(r.chisq, 5.67164672460782, 1e-9);
    NEAR(r.p_value, gsl_cdf_chisq_Q(5.67164672460782, 1.0), 1e-12);
}

Test(stats_tests, cmh_one_stratum_is_pearson_times_n_minus_1_over_n)
{
    const stats_2x2 t[] = {{38, 112, 23, 109}, {3, 14, 9, 15}, {120, 200, 95, 210}};
    for (size_t i = 0; i < 3; i++) {
        stats_cmh_result m;
        stats_result c, z;
        cr_assert_eq(stats_cmh(&t[i], 1, 0.05, STATS_TWO_SIDED, false, &m), STATS_OK);
        cr_assert_eq(stats_chisq_2x2(t[i].x1, t[i].n1, t[i].x2, t[i].n2, false, 0.05, &c),
                     STATS_OK);
        cr_assert_eq(stats_two_proportion_z(t[i].x1, t[i].n1, t[i].x2, t[i].n2, 0.05,
                                            STATS_TWO_SIDED, &z), STATS_OK);
        double n = (double)(t[i].n1 + t[i].n2);
        NEAR(m.chisq, c.statistic * (n - 1.0) / n, 1e-10 * m.chisq);
        /* One stratum: MH odds ratio is ad/bc with Woolf's variance, and the
         * Greenland-Robins SE of the risk difference is the Wald SE. */
        double a = (double)t[i].x1, b = (double)(t[i].n1 - t[i].x1);
        double cc = (double)t[i].x2, d = (double)(t[i].n2 - t[i].x2);
        NEAR(m.odds_ratio, a * d / (b * cc), 1e-12 * m.odds_ratio);
        NEAR(m.log_or_se, sqrt(1 / a + 1 / b + 1 / cc + 1 / d), 1e-12);
        NEAR(m.risk_diff, z.estimate, 1e-14);
        NEAR(m.rd_se_gr, z.se, 1e-14);
    }
}

Test(stats_tests, cmh_is_invariant_to_stratum_order_and_skips_one_arm_strata)
{
    stats_2x2 shuffled[10];
    const size_t order[8] = {5, 2, 7, 0, 3, 6, 1, 4};
    for (size_t i = 0; i < 8; i++)
        shuffled[i] = agresti_centres[order[i]];
    shuffled[8] = (stats_2x2){4, 9, 0, 0};  /* control arm empty */
    shuffled[9] = (stats_2x2){0, 0, 3, 3};  /* treatment arm empty */
    stats_cmh_result a, b;
    cr_assert_eq(stats_cmh(agresti_centres, 8, 0.05, STATS_TWO_SIDED, false, &a), STATS_OK);
    cr_assert_eq(stats_cmh(shuffled, 10, 0.05, STATS_TWO_SIDED, false, &b), STATS_OK);
    cr_assert_eq(b.strata_used, 8);
    NEAR(b.chisq, a.chisq, 1e-12);
    NEAR(b.odds_ratio, a.odds_ratio, 1e-12);
    NEAR(b.rd_se, a.rd_se, 1e-12);
}

Test(stats_tests, cmh_one_sided_uses_signed_root)
{
    stats_cmh_result two, one;
    cr_assert_eq(stats_cmh(agresti_centres, 8, 0.05, STATS_TWO_SIDED, false, &two), STATS_OK);
    cr_assert_eq(stats_cmh(agresti_centres, 8, 0.05, STATS_GREATER, false, &one), STATS_OK);
    cr_assert(one.z > 0);
    NEAR(one.z * one.z, two.chisq, 1e-10);
    NEAR(one.p_value, two.p_value / 2.0, 1e-12);
    cr_assert(isinf(one.or_upper) && isinf(one.rd_upper));
    cr_assert(one.or_lower > two.or_lower);
}

Test(stats_tests, cmh_handles_degenerate_strata)
{
    stats_cmh_result r;
    cr_assert_eq(stats_cmh(agresti_centres, 0, 0.05, STATS_TWO_SIDED, false, &r), STATS_EEMPTY);
    cr_assert(isnan(r.chisq) && isnan(r.odds_ratio));
    cr_assert_eq(stats_cmh(NULL, 0, 0.05, STATS_TWO_SIDED, false, &r), STATS_EEMPTY);
    cr_assert_eq(stats_cmh(NULL, 2, 0.05, STATS_TWO_SIDED, false, &r), STATS_EINVAL);
    cr_assert_eq(stats_cmh(agresti_centres, 8, 0.05, STATS_TWO_SIDED, false, NULL), STATS_EINVAL);
    cr_assert_eq(stats_cmh(agresti_centres, 8, -0.1, STATS_TWO_SIDED, false, &r), STATS_EINVAL);
    const stats_2x2 bad[] = {{3, 5, 1, 5}, {6, 5, 1, 5}};
    cr_assert_eq(stats_cmh(bad, 2, 0.05, STATS_TWO_SIDED, false, &r), STATS_EINVAL);
    const stats_2x2 one_arm[] = {{3, 5, 0, 0}, {0, 0, 1, 5}};
    cr_assert_eq(stats_cmh(one_arm, 2, 0.05, STATS_TWO_SIDED, false, &r), STATS_EEMPTY);
    /* Everyone a success: estimates defined, the test is not. */
    const stats_2x2 all[] = {{5, 5, 4, 4}, {7, 7, 9, 9}};
    cr_assert_eq(stats_cmh(all, 2, 0.05, STATS_TWO_SIDED, false, &r), STATS_EDEGEN);
    NEAR(r.risk_diff, 0.0, 0.0);
    cr_assert(isnan(r.chisq) && isnan(r.p_value));
    /* No control successes anywhere: OR infinite with NAN limits, test fine. */
    const stats_2x2 zero[] = {{5, 20, 0, 18}, {3, 15, 0, 16}};
    cr_assert_eq(stats_cmh(zero, 2, 0.05, STATS_TWO_SIDED, false, &r), STATS_OK);
    cr_assert(isinf(r.odds_ratio) && isnan(r.or_lower) && isnan(r.or_upper));
    cr_assert(r.p_value < 0.01);
}

Test(stats_tests, cmh_rejects_at_alpha_under_null_with_unequal_strata)
{
    /* Stratified randomisation: four strata with different baseline job-start
     * probabilities, no treatment effect. */
    const double risk[4] = {0.12, 0.27, 0.41, 0.63};
    const unsigned size[4] = {30, 55, 42, 25};
    gsl_rng *rng = seeded_rng(7321);
    size_t reps = 4000, rejections = 0;
    for (size_t i = 0; i < reps; i++) {
        stats_2x2 t[4];
        for (size_t k = 0; k < 4; k++)
            t[k] = (stats_2x2){gsl_ran_binomial(rng, risk[k], size[k]), size[k],
                               gsl_ran_binomial(rng, risk[k], size[k]), size[k]};
        stats_cmh_result r;
        cr_assert_eq(stats_cmh(t, 4, 0.05, STATS_TWO_SIDED, false, &r), STATS_OK);
        rejections += r.p_value < 0.05;
    }
    assert_size(rejections, reps, 0.05);
    gsl_rng_free(rng);
}

/* ---------------------------------------------------------------- Welch */

/* Student's sleep data (Cushny & Peebles 1905), as in R's t.test example. */
static const double sleep1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
static const double sleep2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

Test(stats_tests, welch_matches_published_sleep_example)
{
    stats_result r;
    cr_assert_eq(stats_welch_t(sleep1, 10, sleep2, 10, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
    /* Published: t = -1.8608, df = 17.776, p = 0.07939, 95% CI -3.3654832 to 0.2054832. */
    NEAR(r.estimate, -1.58, 1e-12);
    NEAR(r.statistic, -1.8608, 5e-5);
    NEAR(r.df, 17.776, 5e-4);
    NEAR(r.p_value, 0.07939, 5e-6);
    NEAR(r.lower, -3.3654832, 5e-8);
    NEAR(r.upper, 0.2054832, 5e-8);
}

Test(stats_tests, welch_one_sided_and_equal_variances)
{
    stats_result two, one;
    cr_assert_eq(stats_welch_t(sleep2, 10, sleep1, 10, 0.05, STATS_TWO_SIDED, &two), STATS_OK);
    cr_assert_eq(stats_welch_t(sleep2, 10, sleep1, 10, 0.05, STATS_GREATER, &one), STATS_OK);
    NEAR(one.p_value, two.p_value / 2.0, 1e-12);
    NEAR(one.lower, one.estimate - gsl_cdf_tdist_Qinv(0.05, one.df) * one.se, 1e-12);
    cr_assert(isinf(one.upper));
    /* Equal sizes and variances: df = 2(n-1) exactly. */
    const double a[] = {1.5, 2.5, 3.5, 4.5}, b[] = {10.25, 11.25, 12.25, 13.25};
    cr_assert_eq(stats_welch_t(a, 4, b, 4, 0.05, STATS_TWO_SIDED, &two), STATS_OK);
    NEAR(two.df, 6.0, 1e-12);
    NEAR(two.estimate, -8.75, 1e-12);
    NEAR(two.se, sqrt(2.0 * (5.0 / 3.0) / 4.0), 1e-12);
}

Test(stats_tests, welch_rejects_degenerate_input)
{
    stats_result r;
    const double one[] = {2.385}, flat[] = {4.25, 4.25, 4.25}, flat2[] = {1.5, 1.5};
    const double bad[] = {1.0, NAN, 2.0};
    cr_assert_eq(stats_welch_t(one, 1, sleep2, 10, 0.05, STATS_TWO_SIDED, &r), STATS_EEMPTY);
    cr_assert(isnan(r.estimate));
    cr_assert_eq(stats_welch_t(sleep1, 10, NULL, 0, 0.05, STATS_TWO_SIDED, &r), STATS_EEMPTY);
    cr_assert_eq(stats_welch_t(sleep1, 10, NULL, 3, 0.05, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_welch_t(bad, 3, sleep2, 10, 0.05, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_welch_t(flat, 3, flat2, 2, 0.05, STATS_TWO_SIDED, &r), STATS_EDEGEN);
    NEAR(r.estimate, 2.75, 0.0);
    NEAR(r.se, 0.0, 0.0);
    cr_assert(isnan(r.statistic) && isnan(r.p_value));
    /* Only one sample flat: df = n - 1 of the other. */
    cr_assert_eq(stats_welch_t(flat, 3, sleep2, 10, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
    NEAR(r.df, 9.0, 1e-12);
}

Test(stats_tests, welch_rejects_at_alpha_under_null_with_unequal_variances)
{
    gsl_rng *rng = seeded_rng(99173);
    size_t reps = 4000, rejections = 0;
    double a[12], b[40];
    for (size_t i = 0; i < reps; i++) {
        for (size_t j = 0; j < 12; j++)
            a[j] = 3.2 + gsl_ran_gaussian(rng, 4.0);
        for (size_t j = 0; j < 40; j++)
            b[j] = 3.2 + gsl_ran_gaussian(rng, 1.0);
        stats_result r;
        cr_assert_eq(stats_welch_t(a, 12, b, 40, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
        rejections += r.p_value < 0.05;
    }
    assert_size(rejections, reps, 0.05);
    gsl_rng_free(rng);
}

/* ---------------------------------------------------------------- Mann-Whitney */

static const double mw1[] = {2.385, 3.1, 1.7, 3.1, 4.05, 2.9, 5.2, 3.1};
static const double mw2[] = {1.2, 2.385, 1.7, 2.2, 3.0, 0.9, 2.9};

Test(stats_tests, mann_whitney_matches_hand_computation_with_ties)
{
    stats_result r;
    cr_assert_eq(stats_mann_whitney(mw1, 8, mw2, 7, true, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
    NEAR(r.estimate * 8 * 7, 47.5, 1e-12); /* U */
    NEAR(r.statistic, 2.2126955732362208, 1e-12);
    NEAR(r.p_value, 0.026918640800526639, 1e-10);
    NEAR(r.se, 0.10159607587709713, 1e-12);
    NEAR(r.lower, 0.64908963602457681, 1e-9);
    NEAR(r.upper, 1.0, 0.0); /* clipped */
    cr_assert_eq(stats_mann_whitney(mw1, 8, mw2, 7, false, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
    NEAR(r.statistic, 2.2709244041108581, 1e-12);
    NEAR(r.p_value, 0.023151554637631744, 1e-10);
    cr_assert_eq(stats_mann_whitney(mw1, 8, mw2, 7, true, 0.05, STATS_GREATER, &r), STATS_OK);
    NEAR(r.p_value, 0.013459320400263319, 1e-10);
}

/* Naive reference: U and DeLong variance by counting pairs, mid-ranks and
 * tie groups by counting: O(n^2). */
static double psi(double a, double b)
{
    return a > b ? 1.0 : (a == b ? 0.5 : 0.0);
}

static void naive_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
                               double *u, double *z_cc, double *se)
{
    *u = 0.0;
    for (size_t i = 0; i < n1; i++)
        for (size_t j = 0; j < n2; j++)
            *u += psi(x[i], y[j]);
    size_t n = n1 + n2;
    double ties = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = i < n1 ? x[i] : y[i - n1], t = 0.0;
        for (size_t j = 0; j < n; j++)
            t += (j < n1 ? x[j] : y[j - n1]) == v;
        ties += t * t - 1.0; /* each of the t members adds (t^2 - 1): sum = t^3 - t */
    }
    double dn = (double)n, var = (double)(n1 * n2) / 12.0 * ((dn + 1.0) - ties / (dn * (dn - 1.0)));
    double dev = *u - (double)(n1 * n2) / 2.0;
    *z_cc = (dev - (dev > 0 ? 0.5 : dev < 0 ? -0.5 : 0.0)) / sqrt(var);
    double m10 = 0, m01 = 0, s10 = 0, s01 = 0;
    double *v10 = malloc(n1 * sizeof *v10), *v01 = malloc(n2 * sizeof *v01);
    for (size_t i = 0; i < n1; i++) {
        v10[i] = 0;
        for (size_t j = 0; j < n2; j++)
            v10[i] += psi(x[i], y[j]) / (double)n2;
        m10 += v10[i] / (double)n1;
    }
    for (size_t j = 0; j < n2; j++) {
        v01[j] = 0;
        for (size_t i = 0; i < n1; i++)
            v01[j] += psi(x[i], y[j]) / (double)n1;
        m01 += v01[j] / (double)n2;
    }
    for (size_t i = 0; i < n1; i++)
        s10 += (v10[i] - m10) * (v10[i] - m10) / (double)(n1 - 1);
    for (size_t j = 0; j < n2; j++)
        s01 += (v01[j] - m01) * (v01[j] - m01) / (double)(n2 - 1);
    *se = sqrt(s10 / (double)n1 + s01 / (double)n2);
    free(v10);
    free(v01);
}

Test(stats_tests, mann_whitney_matches_naive_pair_counting)
{
    gsl_rng *rng = seeded_rng(4455);
    double x[57], y[43];
    for (int rep = 0; rep < 25; rep++) {
        size_t n1 = 3 + gsl_rng_uniform_int(rng, 55), n2 = 2 + gsl_rng_uniform_int(rng, 42);
        /* Coarse values (multiples of 0.25) make many ties. */
        for (size_t i = 0; i < n1; i++)
            x[i] = 0.25 * (double)gsl_rng_uniform_int(rng, 12) + 0.25;
        for (size_t j = 0; j < n2; j++)
            y[j] = 0.25 * (double)gsl_rng_uniform_int(rng, 10);
        double u, z, se;
        naive_mann_whitney(x, n1, y, n2, &u, &z, &se);
        stats_result r;
        int st = stats_mann_whitney(x, n1, y, n2, true, 0.05, STATS_TWO_SIDED, &r);
        cr_assert_eq(st, STATS_OK);
        NEAR(r.estimate * (double)(n1 * n2), u, 1e-9);
        NEAR(r.statistic, z, 1e-10);
        NEAR(r.se, se, 1e-10);
    }
    gsl_rng_free(rng);
}

Test(stats_tests, mann_whitney_swapping_groups_mirrors_the_result)
{
    stats_result a, b;
    cr_assert_eq(stats_mann_whitney(mw1, 8, mw2, 7, false, 0.05, STATS_TWO_SIDED, &a), STATS_OK);
    cr_assert_eq(stats_mann_whitney(mw2, 7, mw1, 8, false, 0.05, STATS_TWO_SIDED, &b), STATS_OK);
    NEAR(a.estimate + b.estimate, 1.0, 1e-14);
    NEAR(a.statistic, -b.statistic, 1e-14);
    NEAR(a.p_value, b.p_value, 1e-14);
    NEAR(a.se, b.se, 1e-14);
}

Test(stats_tests, mann_whitney_rejects_degenerate_input)
{
    stats_result r;
    const double flat[] = {2.5, 2.5, 2.5}, bad[] = {INFINITY, 1.0};
    cr_assert_eq(stats_mann_whitney(mw1, 8, NULL, 0, true, 0.05, STATS_TWO_SIDED, &r),
                 STATS_EEMPTY);
    cr_assert(isnan(r.estimate) && isnan(r.p_value));
    cr_assert_eq(stats_mann_whitney(flat, 3, flat, 2, true, 0.05, STATS_TWO_SIDED, &r),
                 STATS_EDEGEN);
    NEAR(r.estimate, 0.5, 0.0);
    cr_assert(isnan(r.statistic) && isnan(r.p_value));
    cr_assert_eq(stats_mann_whitney(bad, 2, mw2, 7, true, 0.05, STATS_TWO_SIDED, &r),
                 STATS_EINVAL);
    cr_assert_eq(stats_mann_whitney(mw1, 8, mw2, 7, true, 1.5, STATS_TWO_SIDED, &r),
                 STATS_EINVAL);
    cr_assert_eq(stats_mann_whitney(mw1, 8, mw2, 7, true, 0.05, STATS_TWO_SIDED, NULL),
                 STATS_EINVAL);
    /* A single value in one group: the test exists, the DeLong SE does not. */
    cr_assert_eq(stats_mann_whitney(mw1, 1, mw2, 7, true, 0.05, STATS_TWO_SIDED, &r),
                 STATS_EEMPTY);
    cr_assert(!isnan(r.statistic) && !isnan(r.p_value) && isnan(r.se) && isnan(r.lower));
    NEAR(r.estimate, 4.5 / 7.0, 1e-15); /* 2.385 beats 1.2, 1.7, 2.2, 0.9, ties 2.385 */
}

Test(stats_tests, mann_whitney_rejects_at_alpha_under_null)
{
    gsl_rng *rng = seeded_rng(31337);
    size_t reps = 3000, rejections = 0;
    double a[35], b[28];
    for (size_t i = 0; i < reps; i++) {
        for (size_t j = 0; j < 35; j++)
            a[j] = gsl_ran_exponential(rng, 210.0);
        for (size_t j = 0; j < 28; j++)
            b[j] = gsl_ran_exponential(rng, 210.0);
        stats_result r;
        cr_assert_eq(stats_mann_whitney(a, 35, b, 28, false, 0.05, STATS_TWO_SIDED, &r),
                     STATS_OK);
        rejections += r.p_value < 0.05;
    }
    assert_size(rejections, reps, 0.05);
    gsl_rng_free(rng);
}

Test(stats_tests, strerror_names_every_status)
{
    cr_assert_str_eq(stats_strerror(STATS_OK), "ok");
    cr_assert_str_eq(stats_strerror(STATS_EEMPTY), "too few observations (empty group)");
    cr_assert_str_neq(stats_strerror(STATS_EINVAL), stats_strerror(STATS_EDEGEN));
    cr_assert_str_neq(stats_strerror(STATS_ENOMEM), stats_strerror(-99));
    cr_assert_str_eq(stats_strerror(-99), "unknown status");
}

/* Two ascending samples are merged instead of sorted; the result must be
 * that of the same values in any order, to the last bit. */
Test(stats_tests, mann_whitney_sorted_samples_match_unsorted)
{
    enum { N1 = 313, N2 = 287 };
    gsl_rng *r = seeded_rng(7);
    double x1[N1], x2[N2], y1[N1], y2[N2];
    for (size_t i = 0; i < N1; i++)
        x1[i] = y1[i] = floor(gsl_ran_exponential(r, 9.0)); /* many ties */
    for (size_t i = 0; i < N2; i++)
        x2[i] = y2[i] = floor(gsl_ran_exponential(r, 7.5));
    gsl_sort(y1, 1, N1);
    gsl_sort(y2, 1, N2);
    stats_result a, b;
    cr_assert_eq(stats_mann_whitney(x1, N1, x2, N2, true, 0.05, STATS_TWO_SIDED, &a), 0);
    cr_assert_eq(stats_mann_whitney(y1, N1, y2, N2, true, 0.05, STATS_TWO_SIDED, &b), 0);
    cr_expect_eq(a.estimate, b.estimate);
    cr_expect_eq(a.se, b.se);
    cr_expect_eq(a.statistic, b.statistic);
    cr_expect_eq(a.p_value, b.p_value);
    gsl_rng_free(r);
}
