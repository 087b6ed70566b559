/* Simulation-based power against closed forms. In the test models the
 * outcome is a plain binomial (or an exponential time), so the simulated
 * rejection rates must match the normal-approximation two-proportion power
 * (Fleiss, Tytun & Ury 1980) and Schoenfeld's log-rank power within 3
 * Monte Carlo SE, and equal alpha for every test when there is no effect.
 * Also: the same seed gives identical results on 1 and 2 threads. */
#include <math.h>
#include <criterion/criterion.h>

#include "models/trial_power.h"
#include "stats/stats_power.h"
#include "tests/test_util.h"

#define SEED 20240917

static void run_grid(const char *json, size_t reps, double n, double effect, trial_power *pw,
                     ipsim_config *cfg, int threads)
{
    cr_assert_eq(tu_config(json, cfg), CONFIG_OK, "config: %s", json);
    char err[512];
    int rc = trial_power_run(&cfg->model, &cfg->trial, SEED, reps, threads, &n, 1, &effect, 1,
                             NULL, NULL, pw, err, sizeof err);
    cr_assert_eq(rc, 0, "trial_power_run: %s", err);
}

static size_t test_index(const trial_power *pw, const char *name)
{
    for (size_t k = 0; k < pw->plan.n_tests; k++)
        if (!strcmp(pw->plan.test[k].name, name))
            return k;
    cr_assert_fail("no test %s", name);
    return 0;
}

typedef struct prop_point {
    double p1, p2, n; /* n: both arms */
} prop_point;

Test(trial_power, binomial_power_matches_two_proportion_formula)
{
    static const prop_point pts[] = {
        { 0.30, 0.20, 600 }, { 0.25, 0.18, 800 }, { 0.50, 0.40, 800 }, { 0.61, 0.50, 700 },
        { 0.15, 0.08, 600 }, { 0.39, 0.315, 1200 }, { 0.40, 0.30, 500 } };
    const size_t reps = 3000;
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{\"trial\": {\"model\": \"binomial\", \"test_model\": {\"p_ips\": %g, "
                 "\"p_control\": %g}}}", pts[i].p1, pts[i].p2);
        ipsim_config cfg;
        trial_power pw;
        run_grid(json, reps, pts[i].n, 1.0, &pw, &cfg, 2);
        double expect;
        cr_assert_eq(stats_power_two_prop(pts[i].p1, pts[i].p2, pts[i].n / 2, 0.05,
                                          STATS_TWO_SIDED, &expect), 0);
        double se = stats_mc_se(expect, reps);
        const char *names[2] = { "ever_worked_18m/z", "ever_worked_18m/chisq" };
        for (int j = 0; j < 2; j++) {
            trial_power_value v;
            trial_power_value_at(&pw, 0, test_index(&pw, names[j]), &v);
            cr_expect(fabs(v.power - expect) <= 3 * se,
                      "p1 %.3f p2 %.3f n %.0f %s: simulated %.4f, formula %.4f, 3 SE %.4f",
                      pts[i].p1, pts[i].p2, pts[i].n, names[j], v.power, expect, 3 * se);
        }
        trial_power_free(&pw);
        config_clear(&cfg);
    }
}

typedef struct rate_point {
    double rate_control, rate_ips, n; /* per year; both arms */
} rate_point;

Test(trial_power, logrank_power_matches_schoenfeld)
{
    static const rate_point pts[] = {
        { 0.4, 0.5, 1200 }, { 0.3, 0.39, 800 }, { 0.5, 0.6, 1200 }, { 0.2, 0.3, 600 } };
    const size_t reps = 3000;
    const double years = 2.0;
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"trial\": {\"model\": \"exponential\", \"follow_up_months\": 24,"
                 " \"outcomes\": {\"ever_worked_months\": [12, 24], \"working_at_months\": [12, 24]},"
                 " \"test_model\": {\"rate_ips_per_year\": %g, \"rate_control_per_year\": %g}}}",
                 pts[i].rate_ips, pts[i].rate_control);
        ipsim_config cfg;
        trial_power pw;
        run_grid(json, reps, pts[i].n, 1.0, &pw, &cfg, 2);
        /* expected events: everyone followed two years, exponential times */
        double events = pts[i].n / 2 * ((1 - exp(-pts[i].rate_control * years))
                                         + (1 - exp(-pts[i].rate_ips * years)));
        double expect;
        cr_assert_eq(stats_schoenfeld_power(pts[i].rate_ips / pts[i].rate_control, 0.5, events,
                                            0.05, STATS_TWO_SIDED, &expect), 0);
        double se = stats_mc_se(expect, reps);
        const char *names[2] = { "time_to_first_job/logrank", "time_to_first_job/logrank_stratified" };
        for (int j = 0; j < 2; j++) {
            trial_power_value v;
            trial_power_value_at(&pw, 0, test_index(&pw, names[j]), &v);
            cr_expect(fabs(v.power - expect) <= 3 * se,
                      "HR %.3f, %.0f events, %s: simulated %.4f, Schoenfeld %.4f, 3 SE %.4f",
                      pts[i].rate_ips / pts[i].rate_control, events, names[j], v.power, expect,
                      3 * se);
        }
        trial_power_free(&pw);
        config_clear(&cfg);
    }
}

static void check_size(const char *json, double alpha)
{
    const size_t reps = 4000;
    ipsim_config cfg;
    trial_power pw;
    run_grid(json, reps, 600, 1.0, &pw, &cfg, 2);
    double se = stats_mc_se(alpha, reps);
    for (size_t k = 0; k < pw.plan.n_tests; k++) {
        trial_power_value v;
        trial_power_value_at(&pw, 0, k, &v);
        cr_expect_eq(v.failures, 0, "%s failed %zu times", pw.plan.test[k].name, v.failures);
        cr_expect(fabs(v.power - alpha) <= 3 * se, "%s: rejection rate %.4f, alpha %.3f, 3 SE %.4f",
                  pw.plan.test[k].name, v.power, alpha, 3 * se);
    }
    trial_power_free(&pw);
    config_clear(&cfg);
}

Test(trial_power, no_effect_rejects_at_alpha_for_every_test)
{
    check_size("{\"trial\": {\"model\": \"exponential\", \"test_model\": "
               "{\"rate_ips_per_year\": 0.5, \"rate_control_per_year\": 0.5}}}", 0.05);
}

Test(trial_power, no_effect_one_sided_rejects_at_alpha)
{
    check_size("{\"trial\": {\"model\": \"binomial\", \"analysis\": {\"alpha\": 0.1, \"sided\": "
               "\"greater\"}, \"test_model\": {\"p_ips\": 0.35, \"p_control\": 0.35}}}", 0.1);
}

Test(trial_power, same_results_on_one_and_two_threads)
{
    const char *json = "{\"trial\": {\"participants\": {\"flanders\": 80, \"wallonia\": 48,"
                       " \"brussels\": 16}, \"recruitment_months\": 6, \"follow_up_months\": 30,"
                       " \"ips_capacity\": {\"coaches\": {\"flanders\": 2, \"wallonia\": 2,"
                       " \"brussels\": 1}}, \"coach_pilot_clients\": 5000}}";
    ipsim_config cfg;
    cr_assert_eq(tu_config(json, &cfg), CONFIG_OK);
    double n[2] = { 0, 96 }, e[2] = { 1.0, 0.5 };
    trial_power a, b;
    char err[512];
    cr_assert_eq(trial_power_run(&cfg.model, &cfg.trial, SEED, 12, 1, n, 2, e, 2, NULL, NULL, &a,
                                 err, sizeof err), 0, "%s", err);
    cr_assert_eq(trial_power_run(&cfg.model, &cfg.trial, SEED, 12, 2, n, 2, e, 2, NULL, NULL, &b,
                                 err, sizeof err), 0, "%s", err);
    size_t cells = a.npoints * a.reps * a.plan.n_tests;
    cr_expect_eq(memcmp(a.estimate, b.estimate, cells * sizeof *a.estimate), 0);
    cr_expect_eq(memcmp(a.p_value, b.p_value, cells * sizeof *a.p_value), 0);
    cr_expect_eq(memcmp(a.reject, b.reject, cells), 0);
    cr_expect_eq(memcmp(a.icc, b.icc, a.npoints * a.reps * sizeof *a.icc), 0);
    for (size_t p = 0; p < a.npoints; p++)
        cr_expect_eq(a.design[p].coach_sigma, b.design[p].coach_sigma);
    cr_expect_eq(a.events, b.events);
    cr_expect_gt(a.events, 0);
    trial_power_free(&a);
    trial_power_free(&b);
    config_clear(&cfg);
}
