/* Every number of the config language at its edges: each numeric value of
 * the shipped configs is replaced in turn by extreme and odd values, and by
 * values of the wrong type. The reader must refuse or accept each without
 * crashing (the suite also runs under AddressSanitizer and UBSan); a refusal
 * must say why ("path: message"); every accepted scenario must simulate:
 * each policy runs two years at a small scale to its horizon within an
 * event budget, with its counters consistent (claimant_run_check); and every
 * accepted trial design must run and be analysed, or be refused with a
 * reason. */
#include <criterion/criterion.h>
#include <math.h>
#include <cjson/cJSON.h>

#include "io/config_override.h"
#include "io/config_tree.h"
#include "io/proj_config.h"
#include "models/claimant_model.h"
#include "models/schedule.h"
#include "models/trial.h"
#include "models/trial_analysis.h"
#include "test_util.h"

#define MAX_LEAVES 1024

typedef struct leaves {
    char path[MAX_LEAVES][256];
    size_t n;
} leaves;

/* The paths of every number under node (free-form "sources" excluded). */
static void collect(const cJSON *node, const char *path, leaves *out)
{
    if (cJSON_IsNumber(node)) {
        cr_assert_lt(out->n, MAX_LEAVES);
        snprintf(out->path[out->n++], sizeof out->path[0], "%s", path);
        return;
    }
    int i = 0;
    for (const cJSON *c = node->child; c; c = c->next, i++) {
        char p[256];
        if (cJSON_IsObject(node)) {
            if (!*path && !strcmp(c->string, "sources"))
                continue;
            snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", c->string);
        } else {
            snprintf(p, sizeof p, "%s[%d]", path, i);
        }
        collect(c, p, out);
    }
}

/* The resolved config of a shipped file (NULL: the built-in default). */
static char *resolved_text(const char *file)
{
    char path[512];
    if (file)
        snprintf(path, sizeof path, "%s/configs/%s", IPSIM_SOURCE_DIR, file);
    ipsim_config cfg;
    cr_assert_eq(config_load(file ? path : NULL, &cfg, stderr), CONFIG_OK);
    char *text = strdup(cfg.resolved_json);
    config_clear(&cfg);
    return text;
}

/* Runs every policy to the horizon within an event budget (a few hundred
 * events a person: far more than any person has) and checks the counters;
 * a message names the edited value on failure. Scenarios of more than
 * 100,000 simulated people (a scale or inflow edited upwards) are only
 * loaded: false. */
static bool simulate(const ipsim_config *cfg, const char *what)
{
    const model_params *mp = &cfg->model;
    double years = mp->horizon_days / DAYS_PER_YEAR;
    double people = mp->scale * (mp->stock.people
                                 + years * schedule_max(&mp->inflow_per_year, mp->start_year,
                                                        mp->start_year + years, 0));
    if (!(people <= 100000))
        return false;
    for (size_t pol = 0; pol < cfg->model.npolicies; pol++) {
        claimant_run *run = claimant_run_alloc(&cfg->model, pol, cfg->seed, 0);
        cr_assert_not_null(run, "%s: policy %zu could not start", what, pol);
        uint64_t budget = 1000 * (uint64_t)people + 100000;
        int rc;
        while ((rc = claimant_run_step(run)) > 0 && claimant_run_events(run) < budget)
            ;
        cr_assert_geq(rc, 0, "%s: policy %zu failed", what, pol);
        cr_assert_lt(claimant_run_events(run), budget, "%s: policy %zu ran over %llu events",
                     what, pol, (unsigned long long)budget);
        char msg[256];
        cr_assert_eq(claimant_run_check(run, msg, sizeof msg), 0, "%s: %s", what, msg);
        run_results res;
        cr_assert_eq(claimant_run_finish(run, &res), 0, "%s", what);
        results_clear(&res);
        claimant_run_free(run);
    }
    return true;
}

/* Runs the config's trial, as ipsim trial does: design, coach effect,
 * one replication and every planned test. A refusal of the design (no one
 * to randomise, an ICC out of reach) must say why; designs of more than
 * 20,000 participants are not run. False when not run. */
static bool simulate_trial(const ipsim_config *cfg, const char *what)
{
    trial_design *d = malloc(sizeof *d);
    char err[512] = "";
    bool ran = false;
    int rc = trial_design_init(d, &cfg->model, &cfg->trial, 0, 1.0, err, sizeof err);
    if (rc == 0 && d->n <= 20000)
        rc = trial_design_fit_coach_effect(d, cfg->seed, 1, err, sizeof err);
    else if (rc == 0)
        goto done;
    cr_assert(rc == 0 || rc == -1, "%s: trial design returned %d", what, rc);
    if (rc == 0) {
        trial_workspace *w = trial_workspace_alloc(d->n);
        trial_analysis_ws *ws = trial_analysis_ws_alloc(d->n);
        cr_assert(w && ws, "%s", what);
        const trial_person *people;
        trial_info info;
        rc = trial_simulate(d, cfg->seed, 0, w, &people, &info, err, sizeof err);
        cr_assert(rc == 0 || rc == -1, "%s: trial_simulate returned %d", what, rc);
        if (rc == 0) {
            trial_plan plan;
            trial_plan_build(&cfg->trial, &plan);
            trial_test_result tests[TRIAL_MAX_TESTS];
            trial_arm_value arms[TRIAL_MAX_OUTCOMES];
            double icc;
            cr_assert_eq(trial_analyse(&plan, d, people, d->n, cfg->trial.ci_level, ws, tests,
                                       arms, &icc), 0, "%s", what);
            for (size_t t = 0; t < plan.n_tests; t++)
                cr_expect(tests[t].status != 0
                              || (tests[t].p_value >= 0 && tests[t].p_value <= 1),
                          "%s: test %s p = %g", what, plan.test[t].name, tests[t].p_value);
            ran = true;
        }
        trial_analysis_ws_free(ws);
        trial_workspace_free(w);
    }
    if (rc == -1)
        cr_expect(strlen(err) > 10, "%s: a refused design without a reason", what);
done:
    free(d);
    return ran;
}

/* Loads the edited text with config_load_text or, for a projection config,
 * proj_config_load_text_to; the problems go to msg. The load's code. */
static int load_edited(const char *text, bool projection, ipsim_config *cfg, char *msg,
                       size_t len)
{
    FILE *f = fmemopen(msg, len, "w");
    int rc;
    if (projection) {
        proj_config *pc = calloc(1, sizeof *pc);
        rc = proj_config_load_text("edited", text, strlen(text), pc, f);
        if (rc == PROJ_OK)
            proj_config_clear(pc);
        free(pc);
    } else {
        rc = config_load_text("edited", text, strlen(text), cfg, f);
    }
    fclose(f);
    return rc;
}

/* Edits each number of `file` to each of the values and loads it; with
 * `run`, simulates what is accepted. Returns the number accepted. */
enum { LOAD_ONLY, RUN_SCENARIO, RUN_TRIAL };

static size_t edit_every_number(const char *file, bool projection, int run,
                                const char *const *values, size_t nvalues,
                                const char *const *base_sets, size_t nbase)
{
    char *base = resolved_text(file), *small = NULL, err[512];
    cr_assert_eq(config_override_text(base, base_sets, nbase, &small, err, sizeof err),
                 CONFIG_OK, "%s", err);
    cJSON *tree = cJSON_Parse(small);
    static leaves lv;
    lv.n = 0;
    collect(tree, "", &lv);
    cJSON_Delete(tree);
    cr_assert_gt(lv.n, 20);
    size_t accepted = 0, simulated = 0;
    for (size_t i = 0; i < lv.n; i++) {
        for (size_t v = 0; v < nvalues; v++) {
            char set[512], msg[8192] = "";
            snprintf(set, sizeof set, "%s=%s", lv.path[i], values[v]);
            const char *sets[] = { set };
            char *text = NULL;
            cr_assert_eq(config_override_text(small, sets, 1, &text, err, sizeof err), CONFIG_OK,
                         "%s: %s", set, err);
            ipsim_config cfg;
            int rc = load_edited(text, projection, &cfg, msg, sizeof msg);
            cr_assert(rc == CONFIG_OK || rc == CONFIG_INVALID, "%s: load returned %d", set, rc);
            if (rc == CONFIG_INVALID) {
                /* a refusal says what is wrong, at a path */
                cr_expect(strstr(msg, ": ") && strlen(msg) > 10, "%s: no message", set);
            } else {
                accepted++;
                if ((run == RUN_SCENARIO && simulate(&cfg, set))
                    || (run == RUN_TRIAL && simulate_trial(&cfg, set)))
                    simulated++;
                if (!projection)
                    config_clear(&cfg);
            }
            free(text);
        }
    }
    free(small);
    free(base);
    cr_log_info("%s: %zu numbers x %zu values, %zu accepted, %zu simulated",
                file ? file : "built-in default", lv.n, nvalues, accepted, simulated);
    if (run == RUN_SCENARIO)
        cr_expect_gt(simulated, accepted * 9 / 10, "%zu of %zu accepted were simulated",
                     simulated, accepted);
    return accepted;
}

static const char *const extremes[] = { "-1", "0", "1e-300", "0.5", "3", "1e9", "1e300",
                                        "-1e300", "2.5e-9" };
static const char *const wrong_types[] = { "\"x\"", "null", "true", "[]", "{}", "[1, 2]" };

/* Two years at a small scale, so that accepted scenarios simulate quickly
 * (and an edit of these two values still gets its own turn). */
static const char *const small_run[] = { "run.years=2", "run.scale=0.001" };

/* A small trial: 96 people, a year of follow-up, no coach effect (the
 * pilot that finds it runs when coach_icc itself is edited, with its
 * smallest size). */
static const char *const small_trial[] = {
    "trial.coach_icc=0",
    "trial.participants.flanders=48", "trial.participants.wallonia=32",
    "trial.participants.brussels=16", "trial.recruitment_months=6",
    "trial.follow_up_months=12", "trial.coach_pilot_clients=1000",
    "trial.outcomes.ever_worked_months=[6, 12]", "trial.outcomes.working_at_months=[6, 12]",
    "trial.outcomes.primary=\"working_on_benefit_12m\"" };

Test(config_extremes, every_number_of_the_default_at_extreme_values, .timeout = 600)
{
    size_t accepted = edit_every_number(NULL, false, RUN_SCENARIO, extremes,
                                        sizeof extremes / sizeof *extremes, small_run, 2);
    cr_expect_gt(accepted, 100); /* many values are legal somewhere: the runs are exercised */
}

Test(config_extremes, numbers_of_the_wrong_type_are_refused)
{
    size_t accepted = edit_every_number(NULL, false, LOAD_ONLY, wrong_types,
                                        sizeof wrong_types / sizeof *wrong_types, small_run, 2);
    cr_expect_eq(accepted, 0);
}

Test(config_extremes, trial_and_projection_sections_at_extreme_values, .timeout = 600)
{
    size_t accepted = edit_every_number("trial_belgium_planned.json", false, RUN_TRIAL,
                                        extremes, sizeof extremes / sizeof *extremes,
                                        small_trial, sizeof small_trial / sizeof *small_trial);
    cr_expect_gt(accepted, 100);
    accepted = edit_every_number("trial_belgium_planned.json", false, LOAD_ONLY, wrong_types,
                                 sizeof wrong_types / sizeof *wrong_types, small_run, 2);
    cr_expect_eq(accepted, 0);
    edit_every_number("projection_2035.json", true, LOAD_ONLY, extremes,
                      sizeof extremes / sizeof *extremes, NULL, 0);
    accepted = edit_every_number("projection_2035.json", true, LOAD_ONLY, wrong_types,
                                        sizeof wrong_types / sizeof *wrong_types, NULL, 0);
    cr_expect_eq(accepted, 0);
}
