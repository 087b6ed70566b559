/* trial_analysis: the plan, and every planned test on a hand-made outcome
 * table compared with the stats_ function called directly on the same
 * numbers (missing values left out, IPS as group 1, coaches as clusters,
 * region as stratum), so the plumbing between the two is checked. */
#include <math.h>
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "models/trial_analysis.h"
#include "stats/stats_cluster.h"
#include "stats/stats_survival.h"
#include "stats/stats_tests.h"
#include "tests/test_util.h"

#define N 400

static trial_design design;
static trial_person people[N];

/* A synthetic trial: arms alternate, three regions, IPS clients spread over
 * the design's coaches (some without one), outcomes drawn at random with a
 * few missing values. */
static void make_table(void)
{
    ipsim_config cfg;
    cr_assert_eq(tu_config("{\"trial\": {\"coach_icc\": 0}}", &cfg), CONFIG_OK);
    char err[256];
    cr_assert_eq(trial_design_init(&design, &cfg.model, &cfg.trial, N, 1.0, err, sizeof err), 0);
    config_clear(&cfg);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31337);
    for (size_t i = 0; i < N; i++) {
        trial_person *x = &people[i];
        memset(x, 0, sizeof *x);
        x->id = (uint32_t)i;
        x->arm = i % 2;
        x->region = (uint8_t)gsl_rng_uniform_int(r, N_REGION);
        x->received = x->arm ? RECEIVED_IPS : RECEIVED_CONTROL;
        x->coach = x->arm && i % 7 ? (uint16_t)gsl_rng_uniform_int(r, design.coaches[x->region])
                                   : TRIAL_NO_COACH;
        double p = x->arm ? 0.45 : 0.3;
        for (size_t k = 0; k < TRIAL_MAX_WINDOWS; k++) {
            x->ever[k] = gsl_rng_uniform(r) < p;
            x->working[k] = gsl_rng_uniform(r) < p / 2;
            x->working_on_benefit[k] = x->working[k] && gsl_rng_uniform(r) < 0.5;
        }
        x->sustained = gsl_rng_uniform(r) < p / 3;
        if (i % 23 == 0) /* lost before 18 months */
            x->ever[0] = x->ever[1] = x->working[0] = x->sustained = TRIAL_MISSING;
        x->time = (float)floor(gsl_ran_exponential(r, x->arm ? 500 : 800));
        x->event = x->time < 1826;
        if (!x->event)
            x->time = 1826;
        x->days_worked = i % 23 == 0 ? NAN : (float)(x->event ? 1826 - x->time : 0);
        x->benefit_eur = i % 23 == 0 ? NAN : (float)(1300 * (1 - x->days_worked / 1826 / 2));
    }
    gsl_rng_free(r);
}

static size_t find(const trial_plan *plan, const char *name)
{
    for (size_t k = 0; k < plan->n_tests; k++)
        if (!strcmp(plan->test[k].name, name))
            return k;
    cr_assert_fail("no test %s", name);
    return 0;
}

Test(trial_analysis, plan_lists_every_outcome_with_its_tests)
{
    trial_params tp;
    trial_params_default(&tp);
    trial_plan plan;
    trial_plan_build(&tp, &plan);
    /* 2 + 2 + 2 + 1 binary outcomes x 4 tests, 2 log-rank, 2 x 2 continuous */
    cr_expect_eq(plan.n_outcomes, 10);
    cr_expect_eq(plan.n_tests, 34);
    cr_expect_str_eq(plan.outcome[plan.primary].name, "ever_worked_18m");
    cr_expect_str_eq(plan.test[0].name, "ever_worked_18m/z");
    cr_expect_str_eq(plan.test[33].name, "benefit_eur_per_month/mann_whitney");
}

Test(trial_analysis, tests_match_direct_stats_calls)
{
    make_table();
    trial_plan plan;
    trial_plan_build(&design.tp, &plan);
    trial_analysis_ws *ws = trial_analysis_ws_alloc(N);
    trial_test_result res[TRIAL_MAX_TESTS];
    trial_arm_value arms[TRIAL_MAX_OUTCOMES];
    cr_assert_eq(trial_analyse(&plan, &design, people, N, 0.95, ws, res, arms, NULL), 0);

    /* binary: ever worked by 18 months, missing values left out */
    size_t x1 = 0, n1 = 0, x2 = 0, n2 = 0;
    stats_2x2 t[N_REGION] = { { 0 } };
    size_t off[N_REGION + 1] = { 0 };
    for (int g = 0; g < N_REGION; g++)
        off[g + 1] = off[g] + design.coaches[g];
    size_t succ[64 + N] = { 0 }, size[64 + N] = { 0 }, nc = off[N_REGION];
    cr_assert_leq(nc, 64);
    for (size_t i = 0; i < N; i++) {
        const trial_person *x = &people[i];
        if (x->ever[0] == TRIAL_MISSING)
            continue;
        if (x->arm) {
            x1 += x->ever[0];
            n1++;
            t[x->region].x1 += x->ever[0];
            t[x->region].n1++;
            size_t c = x->coach != TRIAL_NO_COACH ? off[x->region] + x->coach : nc++;
            succ[c] += x->ever[0];
            size[c]++;
        } else {
            x2 += x->ever[0];
            n2++;
            t[x->region].x2 += x->ever[0];
            t[x->region].n2++;
        }
    }
    stats_result r;
    cr_assert_eq(stats_two_proportion_z(x1, n1, x2, n2, 0.05, STATS_TWO_SIDED, &r), 0);
    size_t k = find(&plan, "ever_worked_18m/z");
    cr_expect_eq(res[k].p_value, r.p_value);
    cr_expect_eq(res[k].estimate, r.estimate);
    cr_expect_eq(res[k].lower, r.lower);
    cr_expect_eq(arms[plan.test[k].outcome].n[ARM_IPS], n1);
    cr_expect_float_eq(arms[plan.test[k].outcome].mean[ARM_CONTROL], (double)x2 / (double)n2, 1e-15);
    stats_cmh_result m;
    cr_assert_eq(stats_cmh(t, N_REGION, 0.05, STATS_TWO_SIDED, false, &m), 0);
    k = find(&plan, "ever_worked_18m/cmh");
    cr_expect_eq(res[k].p_value, m.p_value);
    cr_expect_eq(res[k].estimate, m.risk_diff);
    cr_assert_eq(stats_partial_cluster_diff(succ, size, nc, x2, n2, 0.05, STATS_TWO_SIDED, &r), 0);
    k = find(&plan, "ever_worked_18m/cluster");
    cr_expect_eq(res[k].estimate, r.estimate);
    cr_expect_eq(res[k].statistic, r.statistic);
    /* the z statistic on t with Satterthwaite df: J - 1 for the IPS arm's
     * cluster-robust variance, n2 - 1 for the control arm's binomial one */
    size_t J = 0;
    for (size_t c = 0; c < nc; c++)
        J += size[c] > 0;
    double p2 = (double)x2 / (double)n2, v2 = p2 * (1 - p2) / (double)n2;
    double v = r.se * r.se, v1 = v - v2;
    double df = v * v / (v1 * v1 / (double)(J - 1) + v2 * v2 / (double)(n2 - 1));
    cr_expect_gt(df, 30);
    cr_expect_float_eq(res[k].p_value, 2 * gsl_cdf_tdist_Q(fabs(r.statistic), df), 1e-12);
    cr_expect_float_eq(res[k].upper, r.estimate + gsl_cdf_tdist_Qinv(0.025, df) * r.se, 1e-12);
    cr_expect_gt(res[k].p_value, r.p_value, "t is more cautious than z");

    /* time to first job: unsorted input to the stats function */
    double tm[N];
    int ev[N], grp[N];
    size_t st[N];
    for (size_t i = 0; i < N; i++) {
        tm[i] = people[i].time;
        ev[i] = people[i].event;
        grp[i] = people[i].arm;
        st[i] = people[i].region;
    }
    stats_logrank_result lr;
    cr_assert_eq(stats_logrank(tm, ev, grp, st, N, 0.05, STATS_TWO_SIDED, &lr), 0);
    k = find(&plan, "time_to_first_job/logrank_stratified");
    cr_expect_eq(res[k].p_value, lr.p_value);
    cr_expect_eq(res[k].estimate, lr.hazard_ratio);
    cr_assert_eq(stats_logrank(tm, ev, grp, NULL, N, 0.05, STATS_TWO_SIDED, &lr), 0);
    k = find(&plan, "time_to_first_job/logrank");
    cr_expect_eq(res[k].p_value, lr.p_value);

    /* continuous: benefit, in table order (unsorted) */
    double a[N], b[N];
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < N; i++) {
        if (isnan(people[i].benefit_eur))
            continue;
        if (people[i].arm)
            a[na++] = people[i].benefit_eur;
        else
            b[nb++] = people[i].benefit_eur;
    }
    cr_assert_eq(stats_welch_t(a, na, b, nb, 0.05, STATS_TWO_SIDED, &r), 0);
    k = find(&plan, "benefit_eur_per_month/welch");
    cr_expect_float_eq(res[k].p_value, r.p_value, 1e-12); /* summation order differs */
    cr_expect_float_eq(res[k].estimate, r.estimate, 1e-9);
    cr_assert_eq(stats_mann_whitney(a, na, b, nb, true, 0.05, STATS_TWO_SIDED, &r), 0);
    k = find(&plan, "benefit_eur_per_month/mann_whitney");
    cr_expect_eq(res[k].p_value, r.p_value);
    cr_expect_eq(res[k].estimate, r.estimate);
    trial_analysis_ws_free(ws);
}

Test(trial_analysis, one_sided_benefit_tests_ips_lower)
{
    make_table();
    design.tp.sided = STATS_GREATER;
    trial_plan plan;
    trial_plan_build(&design.tp, &plan);
    trial_analysis_ws *ws = trial_analysis_ws_alloc(N);
    trial_test_result res[TRIAL_MAX_TESTS];
    cr_assert_eq(trial_analyse(&plan, &design, people, N, 0.95, ws, res, NULL, NULL), 0);
    size_t k = find(&plan, "benefit_eur_per_month/welch");
    /* IPS works more, so is paid less: one-sided "IPS lower" is significant
     * while the estimate stays IPS minus control (negative) */
    cr_expect_lt(res[k].estimate, 0);
    cr_expect_lt(res[k].p_value, 0.05);
    cr_expect(res[k].lower < res[k].estimate && res[k].estimate < res[k].upper);
    k = find(&plan, "benefit_eur_per_month/mann_whitney");
    cr_expect_lt(res[k].estimate, 0.5);
    cr_expect_lt(res[k].p_value, 0.05);
    k = find(&plan, "days_worked/welch");
    cr_expect_gt(res[k].estimate, 0);
    cr_expect_lt(res[k].p_value, 0.05);
    trial_analysis_ws_free(ws);
}
