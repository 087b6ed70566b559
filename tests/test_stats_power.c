/* Tests for stats_power: closed forms against published sample sizes (R
 * power.prop.test, Cohen's tables, Schoenfeld's example), round trips, the
 * Wilson interval against Newcombe (1998), and power formulas against
 * simulated trials analysed with stats_two_proportion_z and stats_logrank. */
#include <math.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats/stats_power.h"
#include "stats/stats_survival.h"
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

/* ---------------------------------------------------------------- two proportions */

Test(stats_power, n_two_prop_matches_published_example)
{
    /* R power.prop.test(p1 = .50, p2 = .75, power = .90): n = 76.7 per arm. */
    double n;
    cr_assert_eq(stats_n_two_prop(0.50, 0.75, 0.90, 0.05, STATS_TWO_SIDED, &n), STATS_OK);
    NEAR(n, 76.7, 0.05);
    NEAR(n, 76.70692845177743, 1e-9); /* closed form, by hand */
    double same;
    cr_assert_eq(stats_n_two_prop(0.75, 0.50, 0.90, 0.05, STATS_TWO_SIDED, &same), STATS_OK);
    NEAR(same, n, 1e-12);
}

Test(stats_power, two_prop_power_and_n_round_trip)
{
    const double cases[][3] = {{0.31, 0.46, 0.8}, {0.12, 0.2, 0.9}, {0.55, 0.48, 0.85}};
    for (size_t i = 0; i < 3; i++) {
        double n, pw, below;
        cr_assert_eq(stats_n_two_prop(cases[i][0], cases[i][1], cases[i][2], 0.05,
                                      STATS_TWO_SIDED, &n), STATS_OK);
        cr_assert_eq(stats_power_two_prop(cases[i][0], cases[i][1], n, 0.05, STATS_TWO_SIDED,
                                          &pw), STATS_OK);
        /* The far tail adds a negligible amount on top of the target. */
        cr_assert(pw >= cases[i][2] && pw < cases[i][2] + 1e-6, "power %.9f", pw);
        cr_assert_eq(stats_power_two_prop(cases[i][0], cases[i][1], ceil(n) - 1.0, 0.05,
                                          STATS_TWO_SIDED, &below), STATS_OK);
        cr_assert(below < cases[i][2]);
    }
    /* One-sided at alpha equals two-sided at 2 alpha, up to the far tail. */
    double n1, n2;
    cr_assert_eq(stats_n_two_prop(0.46, 0.31, 0.8, 0.025, STATS_GREATER, &n1), STATS_OK);
    cr_assert_eq(stats_n_two_prop(0.46, 0.31, 0.8, 0.05, STATS_TWO_SIDED, &n2), STATS_OK);
    NEAR(n1, n2, 1e-9);
}

Test(stats_power, two_prop_power_is_alpha_without_effect)
{
    double pw;
    cr_assert_eq(stats_power_two_prop(0.37, 0.37, 250, 0.05, STATS_TWO_SIDED, &pw), STATS_OK);
    NEAR(pw, 0.05, 1e-12);
    cr_assert_eq(stats_power_two_prop(0.37, 0.37, 250, 0.025, STATS_GREATER, &pw), STATS_OK);
    NEAR(pw, 0.025, 1e-12);
    /* Wrong direction for a one-sided test: below alpha. */
    cr_assert_eq(stats_power_two_prop(0.30, 0.37, 250, 0.025, STATS_GREATER, &pw), STATS_OK);
    cr_assert(pw < 0.025);
}

Test(stats_power, two_prop_rejects_degenerate_input)
{
    double v = 0.0;
    cr_assert_eq(stats_power_two_prop(1.2, 0.3, 50, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert(isnan(v));
    cr_assert_eq(stats_power_two_prop(0.2, 0.3, 0, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_power_two_prop(0.2, 0.3, 50, 0.0, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_power_two_prop(0.2, NAN, 50, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_power_two_prop(0.2, 0.3, 50, 0.05, STATS_TWO_SIDED, NULL), STATS_EINVAL);
    cr_assert_eq(stats_power_two_prop(0.0, 0.0, 50, 0.05, STATS_TWO_SIDED, &v), STATS_EDEGEN);
    cr_assert_eq(stats_power_two_prop(0.0, 1.0, 3, 0.05, STATS_TWO_SIDED, &v), STATS_OK);
    NEAR(v, 1.0, 0.0); /* certain outcome in each arm */
    cr_assert_eq(stats_n_two_prop(0.3, 0.3, 0.8, 0.05, STATS_TWO_SIDED, &v), STATS_EDEGEN);
    cr_assert(isinf(v));
    cr_assert_eq(stats_n_two_prop(0.3, 0.4, 0.8, 0.05, STATS_GREATER, &v), STATS_EINVAL);
    cr_assert_eq(stats_n_two_prop(0.3, 0.4, 1.0, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_n_two_prop(0.3, 0.4, 0.01, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_n_two_prop(0.3, 0.4, 0.8, 0.05, STATS_TWO_SIDED, NULL), STATS_EINVAL);
}

Test(stats_power, two_prop_power_matches_simulated_trials)
{
    /* 30% vs 45% job entry with 150 per arm, analysed by stats_two_proportion_z. */
    double formula;
    cr_assert_eq(stats_power_two_prop(0.45, 0.30, 150, 0.05, STATS_TWO_SIDED, &formula),
                 STATS_OK);
    gsl_rng *rng = seeded_rng(424242);
    size_t reps = 4000, rejections = 0;
    for (size_t i = 0; i < reps; i++) {
        stats_result r;
        cr_assert_eq(stats_two_proportion_z(gsl_ran_binomial(rng, 0.45, 150), 150,
                                            gsl_ran_binomial(rng, 0.30, 150), 150, 0.05,
                                            STATS_TWO_SIDED, &r), STATS_OK);
        rejections += r.p_value < 0.05;
    }
    double sim = (double)rejections / (double)reps;
    double mcse = stats_mc_se(sim, reps), lo, hi;
    cr_assert(fabs(sim - formula) <= 3.0 * mcse, "simulated %.4f, formula %.4f", sim, formula);
    cr_assert_eq(stats_wilson_interval(rejections, reps, 0.001, &lo, &hi), STATS_OK);
    cr_assert(lo < formula && formula < hi);
    gsl_rng_free(rng);
}

/* ---------------------------------------------------------------- Cohen's h */

Test(stats_power, cohen_h_matches_published_table)
{
    /* Cohen (1988), Table 6.4.1: h = 0.2, alpha = .05 two-sided, power .80:
     * n = 392 per group (the table rounds to the nearest person). */
    double n, pw;
    cr_assert_eq(stats_n_cohen_h(0.2, 0.80, 0.05, STATS_TWO_SIDED, &n), STATS_OK);
    NEAR(n, 392.0, 0.5);
    NEAR(n, 392.44398671745427, 1e-9);
    NEAR(stats_cohen_h(0.65, 0.45), 2.0 * asin(sqrt(0.65)) - 2.0 * asin(sqrt(0.45)), 0.0);
    NEAR(stats_cohen_h(0.5, 0.5), 0.0, 0.0);
    NEAR(stats_cohen_h(1.0, 0.0), acos(-1.0), 1e-15);
    cr_assert(isnan(stats_cohen_h(-0.1, 0.5)));
    /* Round trip, and alpha when h = 0. */
    cr_assert_eq(stats_power_cohen_h(-0.2, n, 0.05, STATS_TWO_SIDED, &pw), STATS_OK);
    cr_assert(pw >= 0.80 && pw < 0.80 + 1e-6);
    cr_assert_eq(stats_power_cohen_h(0.0, 80, 0.05, STATS_TWO_SIDED, &pw), STATS_OK);
    NEAR(pw, 0.05, 1e-12);
    cr_assert_eq(stats_power_cohen_h(0.3, 80, 0.05, STATS_GREATER, &pw), STATS_OK);
    NEAR(pw, gsl_cdf_ugaussian_P(0.3 * sqrt(40.0) - gsl_cdf_ugaussian_Qinv(0.05)), 1e-15);
}

Test(stats_power, cohen_h_rejects_degenerate_input)
{
    double v;
    cr_assert_eq(stats_n_cohen_h(0.0, 0.8, 0.05, STATS_TWO_SIDED, &v), STATS_EDEGEN);
    cr_assert(isinf(v));
    cr_assert_eq(stats_n_cohen_h(-0.2, 0.8, 0.05, STATS_GREATER, &v), STATS_EINVAL);
    cr_assert(isnan(v));
    cr_assert_eq(stats_n_cohen_h(INFINITY, 0.8, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_n_cohen_h(0.2, 0.01, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_power_cohen_h(0.2, -4, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_power_cohen_h(0.2, 40, 0.05, STATS_TWO_SIDED, NULL), STATS_EINVAL);
}

/* ---------------------------------------------------------------- Schoenfeld */

Test(stats_power, schoenfeld_matches_published_example)
{
    /* HR 0.75, 1:1, alpha .05 two-sided, power .80: about 380 events. */
    double d, pw;
    cr_assert_eq(stats_schoenfeld_events(0.75, 0.5, 0.80, 0.05, STATS_TWO_SIDED, &d), STATS_OK);
    NEAR(ceil(d), 380.0, 0.0);
    NEAR(d, 379.3517295973811, 1e-9);
    /* The same for HR 1/0.75. */
    double inv;
    cr_assert_eq(stats_schoenfeld_events(1.0 / 0.75, 0.5, 0.80, 0.05, STATS_TWO_SIDED, &inv),
                 STATS_OK);
    NEAR(inv, d, 1e-9);
    cr_assert_eq(stats_schoenfeld_power(0.75, 0.5, d, 0.05, STATS_TWO_SIDED, &pw), STATS_OK);
    cr_assert(pw >= 0.80 && pw < 0.80 + 1e-6);
    /* Unequal allocation 2:1 and one-sided 0.025 (by hand: 417.6479). */
    cr_assert_eq(stats_schoenfeld_events(1.4, 2.0 / 3.0, 0.90, 0.025, STATS_GREATER, &d),
                 STATS_OK);
    NEAR(d, 417.64786182454736, 1e-8);
    cr_assert_eq(stats_schoenfeld_power(1.0, 0.5, 200, 0.05, STATS_TWO_SIDED, &pw), STATS_OK);
    NEAR(pw, 0.05, 1e-12);
}

Test(stats_power, schoenfeld_rejects_degenerate_input)
{
    double v;
    cr_assert_eq(stats_schoenfeld_events(1.0, 0.5, 0.8, 0.05, STATS_TWO_SIDED, &v), STATS_EDEGEN);
    cr_assert(isinf(v));
    cr_assert_eq(stats_schoenfeld_events(0.0, 0.5, 0.8, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert(isnan(v));
    cr_assert_eq(stats_schoenfeld_events(0.7, 1.0, 0.8, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_schoenfeld_events(0.7, 0.5, 0.8, 0.05, STATS_GREATER, &v), STATS_EINVAL);
    cr_assert_eq(stats_schoenfeld_events(0.7, 0.5, 0.01, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_schoenfeld_power(0.7, 0.5, -1, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_schoenfeld_power(-0.7, 0.5, 10, 0.05, STATS_TWO_SIDED, &v), STATS_EINVAL);
    cr_assert_eq(stats_schoenfeld_power(0.7, 0.5, 10, 0.05, STATS_TWO_SIDED, NULL), STATS_EINVAL);
    cr_assert_eq(stats_schoenfeld_power(0.7, 0.5, 0, 0.05, STATS_TWO_SIDED, &v), STATS_OK);
    NEAR(v, 0.05, 1e-12);
}

Test(stats_power, schoenfeld_power_matches_simulated_logrank)
{
    /* 200 people, 1:1, exponential times with HR 1.5 (IPS faster to a job), no
     * censoring: D = 200 events. */
    enum { N = 200 };
    double formula;
    cr_assert_eq(stats_schoenfeld_power(1.5, 0.5, N, 0.05, STATS_TWO_SIDED, &formula), STATS_OK);
    gsl_rng *rng = seeded_rng(777);
    double t[N];
    int ev[N], g[N];
    size_t reps = 2500, rejections = 0;
    for (size_t rep = 0; rep < reps; rep++) {
        for (size_t i = 0; i < N; i++) {
            g[i] = (int)(i % 2);
            t[i] = gsl_ran_exponential(rng, g[i] ? 180.0 / 1.5 : 180.0);
            ev[i] = 1;
        }
        stats_logrank_result r;
        cr_assert_eq(stats_logrank(t, ev, g, NULL, N, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
        rejections += r.p_value < 0.05;
    }
    double sim = (double)rejections / (double)reps, mcse = stats_mc_se(sim, reps);
    cr_assert(fabs(sim - formula) <= 3.0 * mcse, "simulated %.4f, Schoenfeld %.4f", sim, formula);
    gsl_rng_free(rng);
}

/* ---------------------------------------------------------------- Monte Carlo precision */

Test(stats_power, mc_se_values)
{
    NEAR(stats_mc_se(0.8, 1000), sqrt(0.8 * 0.2 / 1000.0), 1e-16);
    NEAR(stats_mc_se(0.5, 2500), 0.01, 1e-16);
    NEAR(stats_mc_se(0.0, 10), 0.0, 0.0);
    cr_assert(isnan(stats_mc_se(0.5, 0)));
    cr_assert(isnan(stats_mc_se(1.5, 10)));
}

Test(stats_power, wilson_matches_newcombe_1998)
{
    /* Newcombe (1998), Statistics in Medicine 17:857, method 3 (score). */
    const size_t cases[][2] = {{81, 263}, {15, 148}, {0, 20}, {1, 29}};
    const double lo[] = {0.2553, 0.0624, 0.0, 0.0061}, hi[] = {0.3662, 0.1605, 0.1611, 0.1718};
    for (size_t i = 0; i < 4; i++) {
        double l, h;
        cr_assert_eq(stats_wilson_interval(cases[i][0], cases[i][1], 0.05, &l, &h), STATS_OK);
        NEAR(l, lo[i], 5e-5);
        NEAR(h, hi[i], 5e-5);
    }
    double l, h;
    cr_assert_eq(stats_wilson_interval(20, 20, 0.05, &l, &h), STATS_OK);
    NEAR(h, 1.0, 0.0);
    NEAR(l, 1.0 - 0.1611, 5e-5);
}

Test(stats_power, wilson_rejects_degenerate_input)
{
    double l = 0, h = 0;
    cr_assert_eq(stats_wilson_interval(0, 0, 0.05, &l, &h), STATS_EEMPTY);
    cr_assert(isnan(l) && isnan(h));
    cr_assert_eq(stats_wilson_interval(5, 4, 0.05, &l, &h), STATS_EINVAL);
    cr_assert_eq(stats_wilson_interval(2, 4, 0.0, &l, &h), STATS_EINVAL);
    cr_assert_eq(stats_wilson_interval(2, 4, 0.05, NULL, &h), STATS_EINVAL);
}
