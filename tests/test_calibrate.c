/* Calibration: target values from hand-made results, the loss, the fit on a
 * problem with a known answer, common random numbers across parameter
 * values, and every class of bad targets file or bounds through the CLI
 * (located message, exit status 2, nothing written). */
#include <math.h>
#include <criterion/criterion.h>

#include "io/calib_config.h"
#include "models/calibrate.h"
#include "models/claimant_model.h"
#include "tests/test_util.h"

/* ---- targets on hand-made results ------------------------------------------ */

/* Two years from 1 January 2010 at scale 0.5: month 12 is 31 December 2010. */
static void fake_results(run_results *r)
{
    cr_assert_eq(results_init(r, 24), 0);
    /* 31 Dec 2010: invalidity men mental 30, men other 70, women mental 45, women other 55 */
    r->benefit_counts[RES_BENEFIT_IDX(12, BENEFIT_INVALIDITY, DIAG_MENTAL, SEX_MALE)] = 30;
    r->benefit_counts[RES_BENEFIT_IDX(12, BENEFIT_INVALIDITY, DIAG_OTHER, SEX_MALE)] = 70;
    r->benefit_counts[RES_BENEFIT_IDX(12, BENEFIT_INVALIDITY, DIAG_MENTAL, SEX_FEMALE)] = 45;
    r->benefit_counts[RES_BENEFIT_IDX(12, BENEFIT_INVALIDITY, DIAG_OTHER, SEX_FEMALE)] = 55;
    /* primary incapacity must not count */
    r->benefit_counts[RES_BENEFIT_IDX(12, BENEFIT_PRIMARY, DIAG_OTHER, SEX_MALE)] = 999;
    /* the month before must not count either */
    r->benefit_counts[RES_BENEFIT_IDX(11, BENEFIT_INVALIDITY, DIAG_OTHER, SEX_MALE)] = 777;
    /* entries during 2011 (months 12..23): men 3 mental + 9 other, women 4 + 4 */
    r->invalidity_entries[RES_ENTRY_IDX(12, DIAG_MENTAL, SEX_MALE)] = 2;
    r->invalidity_entries[RES_ENTRY_IDX(23, DIAG_MENTAL, SEX_MALE)] = 1;
    r->invalidity_entries[RES_ENTRY_IDX(15, DIAG_OTHER, SEX_MALE)] = 9;
    r->invalidity_entries[RES_ENTRY_IDX(20, DIAG_MENTAL, SEX_FEMALE)] = 4;
    r->invalidity_entries[RES_ENTRY_IDX(20, DIAG_OTHER, SEX_FEMALE)] = 4;
    r->invalidity_entries[RES_ENTRY_IDX(11, DIAG_OTHER, SEX_FEMALE)] = 500; /* 2010 */
    /* arrivals during 2010: 40 */
    r->flows[RES_FLOW_IDX(3, ST_OUTSIDE, ST_PRIMARY)] = 25;
    r->flows[RES_FLOW_IDX(11, ST_OUTSIDE, ST_PRIMARY)] = 15;
    /* part-time on 31 Dec 2010 */
    r->state_counts[RES_STATE_IDX(12, ST_EMPLOYED_PT, REGION_WALLONIA, SEX_FEMALE)] = 6;
    r->state_counts[RES_STATE_IDX(12, ST_EMPLOYED_PT, REGION_FLANDERS, SEX_MALE)] = 5;
}

static calib_target target(int q, int year, int sex, int diag, double value)
{
    calib_target t = { .quantity = q, .year = year, .sex = sex, .diagnosis = diag,
                       .value = value, .weight = 1, .relation = CALIB_EQUAL };
    return t;
}

Test(calibrate, target_values_read_the_right_months_and_cells)
{
    run_results r;
    fake_results(&r);
    double scale = 0.5, y0 = 2010;
    calib_target t = target(CQ_INVALIDITY_STOCK, 2010, CALIB_ALL, CALIB_ALL, 1);
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 400.0, 1e-9);
    t = target(CQ_INVALIDITY_STOCK, 2010, SEX_FEMALE, DIAG_MENTAL, 1);
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 90.0, 1e-9);
    t = target(CQ_INVALIDITY_STOCK_MENTAL_SHARE, 2010, CALIB_ALL, CALIB_ALL, 0.3);
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 75.0 / 200.0, 1e-12);
    t = target(CQ_INVALIDITY_STOCK_POPULATION_SHARE, 2010, CALIB_ALL, CALIB_ALL, 0.05);
    t.population = 8000;
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 400.0 / 8000.0, 1e-12);
    t = target(CQ_INVALIDITY_ENTRIES, 2011, SEX_MALE, CALIB_ALL, 1);
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 24.0, 1e-9);
    t = target(CQ_INVALIDITY_ENTRIES_MENTAL_SHARE, 2011, SEX_MALE, CALIB_ALL, 0.2);
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 3.0 / 12.0, 1e-12);
    t = target(CQ_INVALIDITY_ENTRIES_MENTAL_SHARE, 2011, SEX_FEMALE, CALIB_ALL, 0.2);
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 0.5, 1e-12);
    t = target(CQ_PART_TIME_WORKERS, 2010, CALIB_ALL, CALIB_ALL, 1);
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 22.0, 1e-9);
    t = target(CQ_PRIMARY_TO_INVALIDITY, 2011, CALIB_ALL, CALIB_ALL, 0.2);
    cr_expect_float_eq(calib_target_value(&t, &r, scale, y0), 20.0 / 40.0, 1e-12);
    results_clear(&r);
}

Test(calibrate, coverage_needs_the_whole_year)
{
    calib_target stock = target(CQ_INVALIDITY_STOCK, 2011, CALIB_ALL, CALIB_ALL, 1);
    cr_expect(calib_target_covered(&stock, 2010, 24));  /* snapshot month 24 */
    cr_expect_not(calib_target_covered(&stock, 2010, 23));
    cr_expect(calib_target_covered(&stock, 2012, 60)); /* 31 Dec 2011 is day 0 */
    cr_expect_not(calib_target_covered(&stock, 2013, 60)); /* before the start */
    calib_target entries = target(CQ_INVALIDITY_ENTRIES, 2011, CALIB_ALL, CALIB_ALL, 1);
    cr_expect(calib_target_covered(&entries, 2011, 12));
    cr_expect_not(calib_target_covered(&entries, 2011, 11));
    calib_target ratio = target(CQ_PRIMARY_TO_INVALIDITY, 2011, CALIB_ALL, CALIB_ALL, 0.2);
    cr_expect_not(calib_target_covered(&ratio, 2011, 24)); /* needs 2010's arrivals */
    cr_expect(calib_target_covered(&ratio, 2010, 24));
}

Test(calibrate, loss_is_weighted_squared_relative_error_and_one_sided_bounds)
{
    calib_target t = target(CQ_INVALIDITY_STOCK, 2010, CALIB_ALL, CALIB_ALL, 200);
    t.weight = 2.5;
    cr_expect_float_eq(calib_target_loss(&t, 230), 2.5 * 0.15 * 0.15, 1e-12);
    cr_expect_float_eq(calib_target_loss(&t, 170), 2.5 * 0.15 * 0.15, 1e-12);
    t.relation = CALIB_AT_LEAST;
    cr_expect_eq(calib_target_loss(&t, 230), 0);
    cr_expect_float_eq(calib_target_loss(&t, 170), 2.5 * 0.15 * 0.15, 1e-12);
    t.relation = CALIB_AT_MOST;
    cr_expect_eq(calib_target_loss(&t, 170), 0);
    t.weight = 0;
    cr_expect_eq(calib_target_loss(&t, 1e9), 0);
    t.weight = 1;
    cr_expect_gt(calib_target_loss(&t, NAN), 1e20);
}

/* ---- the fit on a problem with a known answer -------------------------------- */

/* Nobody leaves, nobody arrives: the invalidity stock at 31 December is the
 * initial stock, so the fitted stock.people must equal the target. The second
 * parameter (relapse rate) does not matter at all. */
static const char *closed_config =
    "{\"run\": {\"start_year\": 2010, \"years\": 2, \"scale\": 0.01, \"seed\": 3},"
    " \"population\": {\"stock\": {\"people\": 150000},"
    "                 \"inflow\": {\"cases_per_year\": [[2010, 0]]}},"
    " \"transitions\": {\"recovery\": {\"shape\": \"none\"}, \"part_time_start\": {\"shape\": \"none\"}},"
    " \"mortality\": {\"gompertz_a\": {\"male\": 0, \"female\": 0}},"
    " \"pension_age\": [[2000, 75]],"
    " \"policies\": [{\"name\": \"sq\", \"type\": \"status_quo\"}],"
    " \"calibration\": {\"replications\": 2, \"scale\": 0.01, \"max_evaluations\": 80,"
    "   \"size_tolerance\": 1e-4,"
    "   \"parameters\": [{\"path\": \"population.stock.people\", \"lower\": 50000, \"upper\": 400000},"
    "                    {\"path\": \"transitions.relapse.rate_per_year\", \"lower\": 0.01, \"upper\": 1}]}}";

static const char *closed_targets =
    "{\"ipsim_targets\": 1, \"targets\": ["
    " {\"name\": \"stock\", \"quantity\": \"invalidity_stock\", \"year\": 2010, \"value\": 238.5e3,"
    "  \"unit\": \"people\", \"weight\": 1, \"tolerance_relative\": 0.01, \"source\": \"test\"}]}";

Test(calibrate, nelder_mead_finds_the_stock_that_matches_a_closed_population)
{
    char dir[64], cfgp[128], tgp[128];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfgp, sizeof cfgp, "%s/closed.json", dir);
    snprintf(tgp, sizeof tgp, "%s/targets.json", dir);
    cr_assert_eq(tu_write_file(cfgp, closed_config), 0);
    cr_assert_eq(tu_write_file(tgp, closed_targets), 0);
    calib_spec spec;
    calib_targets tg;
    cr_assert_eq(calib_spec_load(cfgp, &spec, stderr), CALIB_OK);
    cr_assert_eq(calib_targets_load(tgp, &tg, stderr), CALIB_OK);
    cr_assert_eq(calib_spec_check_targets(&spec, &tg, stderr), CALIB_OK);
    double lower[2] = { spec.param[0].lower, spec.param[1].lower };
    double upper[2] = { spec.param[0].upper, spec.param[1].upper };
    double x0[2] = { spec.param[0].start, spec.param[1].start };
    calib_problem pb = { .nparams = 2, .lower = lower, .upper = upper, .targets = tg.target,
                         .ntargets = tg.n, .build = calib_spec_build, .build_arg = &spec,
                         .seed = spec.seed, .reps = spec.replications, .threads = 2 };
    calib_minimizer *m = calib_minimizer_alloc(&pb);
    cr_assert_not_null(m);
    calib_minimizer_set_max_evaluations(m, spec.max_evaluations);
    char err[512];
    cr_assert_eq(calib_minimizer_set(m, x0, 0.1, err, sizeof err), 0, "%s", err);
    size_t iterations = 0;
    while (!calib_minimizer_test(m, spec.size_tolerance)) {
        cr_assert_eq(calib_minimizer_iterate(m, err, sizeof err), 0, "%s", err);
        iterations++;
    }
    cr_expect_gt(iterations, 2);
    cr_expect_leq(calib_minimizer_evaluations(m), 80 + 4);
    /* the stock is simulated as round(people x 0.01): within one simulated
     * person (100 real people) of the target */
    const calib_fit_row *rows = calib_minimizer_best_rows(m);
    cr_expect(fabs(rows[0].mean - 238500.0) <= 100, "simulated %g", rows[0].mean);
    cr_expect(rows[0].pass);
    double people = calib_minimizer_best(m)[0];
    cr_expect(fabs(people - 238500) <= 150, "fitted people %g", people);
    /* every evaluation is in the trace; the best one has the smallest loss */
    const double *losses, *params;
    size_t n = calib_minimizer_trace(m, &losses, &params);
    cr_expect_eq(n, calib_minimizer_evaluations(m));
    for (size_t k = 0; k < n; k++)
        cr_expect_geq(losses[k], calib_minimizer_best_loss(m));
    calib_minimizer_free(m);
    calib_targets_clear(&tg);
    calib_spec_clear(&spec);
    unlink(cfgp);
    unlink(tgp);
    rmdir(dir);
}

/* ---- common random numbers across parameter values ---------------------------- */

static run_results run_text(const char *text)
{
    ipsim_config cfg;
    cr_assert_eq(tu_config(text, &cfg), CONFIG_OK);
    run_results res;
    claimant_run *run = claimant_run_alloc(&cfg.model, 0, cfg.seed, 1);
    cr_assert_not_null(run);
    cr_assert_eq(claimant_run_finish(run, &res), 0);
    claimant_run_free(run);
    config_clear(&cfg);
    return res;
}

static bool same_person(const person_outcome *a, const person_outcome *b)
{
    return a->sex == b->sex && a->region == b->region && a->diagnosis == b->diagnosis
           && a->severity == b->severity && a->age_at_arrival == b->age_at_arrival
           && a->arrival_day == b->arrival_day && a->final_state == b->final_state
           && a->first_job_day == b->first_job_day
           && (a->exit_day == b->exit_day || (isinf(a->exit_day) && isinf(b->exit_day)));
}

Test(calibrate, a_larger_stock_or_inflow_leaves_everyone_else_unchanged)
{
    /* the inflow peaks at 3000 in both runs (the thinning bound), so the
     * candidate arrivals are the same and the higher rate accepts a superset */
    const char *fmt =
        "{\"run\": {\"years\": 4, \"scale\": 0.01, \"seed\": 11},"
        " \"population\": {\"stock\": {\"people\": %d},"
        "   \"inflow\": {\"cases_per_year\": [[2017, 2000], [2018, %d], [2020, 3000]]}},"
        " \"policies\": [{\"name\": \"sq\", \"type\": \"status_quo\"}]}";
    char a_text[1024], b_text[1024];
    snprintf(a_text, sizeof a_text, fmt, 20000, 1000);
    snprintf(b_text, sizeof b_text, fmt, 23000, 2600);
    run_results a = run_text(a_text), b = run_text(b_text);
    size_t sa = 0, sb = 0;
    while (sa < a.npeople && a.people[sa].from_stock)
        sa++;
    while (sb < b.npeople && b.people[sb].from_stock)
        sb++;
    cr_assert_eq(sa, 200);
    cr_assert_eq(sb, 230);
    for (size_t i = 0; i < sa; i++)
        cr_assert(same_person(&a.people[i], &b.people[i]), "stock person %zu differs", i);
    cr_assert_gt(b.npeople - sb, a.npeople - sa);
    /* every arrival of run a arrives in run b too, as the same person */
    size_t j = sb, matched = 0;
    for (size_t i = sa; i < a.npeople; i++) {
        while (j < b.npeople && b.people[j].arrival_day < a.people[i].arrival_day)
            j++;
        cr_assert_lt(j, b.npeople, "arrival at day %g missing", a.people[i].arrival_day);
        cr_assert(same_person(&a.people[i], &b.people[j]), "arrival at day %g differs",
                  a.people[i].arrival_day);
        matched++;
    }
    cr_expect_gt(matched, 50);
    results_clear(&a);
    results_clear(&b);
}

/* ---- bad inputs through the CLI ---------------------------------------------- */

static const char *good_targets =
    "{\"ipsim_targets\": 1, \"targets\": [\n"
    " {\"name\": \"stock\", \"quantity\": \"invalidity_stock\", \"year\": 2017, \"value\": 390765,\n"
    "  \"unit\": \"people\", \"weight\": 1, \"source\": \"seed 003\"}]}\n";

static const char *good_config =
    "{\"run\": {\"years\": 2, \"scale\": 0.001},\n"
    " \"policies\": [{\"name\": \"sq\", \"type\": \"status_quo\"}],\n"
    " \"calibration\": {\"parameters\": [\n"
    "   {\"path\": \"population.stock.people\", \"lower\": 100000, \"upper\": 500000}]}}\n";

typedef struct bad_input {
    const char *config, *targets;
    const char *expect[3];
} bad_input;

static void check_bad(const bad_input *c)
{
    char dir[64], cfgp[128], tgp[128], out[128], cmd[600], err[8192], so[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfgp, sizeof cfgp, "%s/cfg.json", dir);
    snprintf(tgp, sizeof tgp, "%s/targets.json", dir);
    snprintf(out, sizeof out, "%s/calibrated.json", dir);
    cr_assert_eq(tu_write_file(cfgp, c->config ? c->config : good_config), 0);
    cr_assert_eq(tu_write_file(tgp, c->targets ? c->targets : good_targets), 0);
    snprintf(cmd, sizeof cmd, "calibrate %s --targets %s -o %s --quiet --max-evals 3", cfgp, tgp,
             out);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_expect_eq(st, 2, "exit status %d, stderr: %s", st, err);
    for (int i = 0; i < 3 && c->expect[i]; i++)
        cr_expect(strstr(err, c->expect[i]) != NULL, "expected '%s' in: %s", c->expect[i], err);
    cr_expect_not(tu_file_exists(out), "an output file was written");
    unlink(cfgp);
    unlink(tgp);
    rmdir(dir);
}

Test(calibrate_errors, unknown_parameter_path_is_located)
{
    bad_input c = { "{\"run\": {\"years\": 2, \"scale\": 0.001},\n"
                    " \"calibration\": {\"parameters\": [\n"
                    "   {\"path\": \"population.stock.peeple\", \"lower\": 1, \"upper\": 2}]}}\n",
                    NULL,
                    { "cfg.json:3:13: calibration.parameters[0].path",
                      "unknown parameter path 'population.stock.peeple'", "no key 'peeple'" } };
    check_bad(&c);
}

Test(calibrate_errors, path_to_something_that_is_not_a_number)
{
    bad_input c = { "{\"calibration\": {\"parameters\": [\n"
                    "   {\"path\": \"transitions.recovery.shape\", \"lower\": 1, \"upper\": 2}]}}\n",
                    NULL, { "calibration.parameters[0].path", "is not a number", NULL } };
    check_bad(&c);
}

Test(calibrate_errors, array_index_out_of_range)
{
    bad_input c = { "{\"calibration\": {\"parameters\": [\n"
                    "   {\"path\": \"population.inflow.cases_per_year[3][1]\", \"lower\": 1, \"upper\": 2}]}}\n",
                    NULL, { "calibration.parameters[0].path", "index 3 is out of range", NULL } };
    check_bad(&c);
}

Test(calibrate_errors, lower_above_upper)
{
    bad_input c = { "{\"calibration\": {\"parameters\": [\n"
                    "   {\"path\": \"population.stock.people\", \"lower\": 500000, \"upper\": 100000}]}}\n",
                    NULL,
                    { "cfg.json:2:66: calibration.parameters[0].upper",
                      "upper 100000 must be greater than lower 500000", NULL } };
    check_bad(&c);
}

Test(calibrate_errors, start_value_outside_bounds)
{
    bad_input c = { "{\"population\": {\"stock\": {\"people\": 390765}},\n"
                    " \"calibration\": {\"parameters\": [\n"
                    "   {\"path\": \"population.stock.people\", \"lower\": 1000, \"upper\": 2000}]}}\n",
                    NULL, { "calibration.parameters[0].path", "390765", "strictly inside 1000..2000" } };
    check_bad(&c);
}

Test(calibrate_errors, bound_that_makes_the_config_invalid)
{
    bad_input c = { "{\"calibration\": {\"parameters\": [\n"
                    "   {\"path\": \"work.offer_refusal\", \"lower\": 0.1, \"upper\": 1.5}]}}\n",
                    NULL,
                    { "calibration.parameters[0].upper", "gives an invalid config",
                      "work.offer_refusal" } };
    check_bad(&c);
}

Test(calibrate_errors, missing_calibration_section)
{
    bad_input c = { "{\"run\": {\"years\": 2}}\n", NULL,
                    { "calibration", "missing required key", NULL } };
    check_bad(&c);
}

Test(calibrate_errors, target_without_source)
{
    bad_input c = { NULL,
                    "{\"ipsim_targets\": 1, \"targets\": [\n"
                    " {\"name\": \"stock\", \"quantity\": \"invalidity_stock\", \"year\": 2017,\n"
                    "  \"value\": 390765, \"unit\": \"people\", \"weight\": 1}]}\n",
                    { "targets.json:2:2: targets[0]", "missing required key 'source'", NULL } };
    check_bad(&c);
}

Test(calibrate_errors, target_with_empty_source_unknown_quantity_and_wrong_unit)
{
    bad_input c = { NULL,
                    "{\"ipsim_targets\": 1, \"targets\": [\n"
                    " {\"name\": \"a\", \"quantity\": \"invalidity_stok\", \"year\": 2017,\n"
                    "  \"value\": 1, \"unit\": \"people\", \"weight\": 1, \"source\": \"x\"},\n"
                    " {\"name\": \"b\", \"quantity\": \"invalidity_stock_mental_share\", \"year\": 2017,\n"
                    "  \"value\": 0.33, \"unit\": \"people\", \"weight\": 1, \"source\": \"\"}]}\n",
                    { "did you mean 'invalidity_stock'", "targets[1].unit",
                      "targets[1].source: is empty" } };
    check_bad(&c);
}

Test(calibrate_errors, target_year_outside_the_run)
{
    bad_input c = { NULL,
                    "{\"ipsim_targets\": 1, \"targets\": [\n"
                    " {\"name\": \"stock\", \"quantity\": \"invalidity_stock\", \"year\": 2030,\n"
                    "  \"value\": 390765, \"unit\": \"people\", \"weight\": 1, \"source\": \"s\"}]}\n",
                    { "targets[0].year: 2030 is outside the run", NULL } };
    check_bad(&c);
}

Test(calibrate_errors, duplicate_names_and_share_above_one)
{
    bad_input c = { NULL,
                    "{\"ipsim_targets\": 1, \"targets\": [\n"
                    " {\"name\": \"s\", \"quantity\": \"invalidity_stock_mental_share\", \"year\": 2017,\n"
                    "  \"value\": 33, \"unit\": \"share\", \"weight\": 1, \"source\": \"x\"},\n"
                    " {\"name\": \"s\", \"quantity\": \"invalidity_stock\", \"year\": 2017,\n"
                    "  \"value\": 1, \"unit\": \"people\", \"weight\": 1, \"source\": \"x\"}]}\n",
                    { "targets[0].value", "outside 0..1", "names must be unique" } };
    check_bad(&c);
}

Test(calibrate_errors, malformed_targets_file)
{
    bad_input c = { NULL, "{\"ipsim_targets\": 1, \"targets\": [\n  {\"name\" \"x\"}]}\n",
                    { "targets.json:2:11: malformed JSON", NULL } };
    check_bad(&c);
}

Test(calibrate, cli_writes_config_with_report_and_h5)
{
    char dir[64], cfgp[128], tgp[128], out[128], h5[128], cmd[700], err[8192], so[16384];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfgp, sizeof cfgp, "%s/cfg.json", dir);
    snprintf(tgp, sizeof tgp, "%s/targets.json", dir);
    snprintf(out, sizeof out, "%s/calibrated.json", dir);
    snprintf(h5, sizeof h5, "%s/trace.h5", dir);
    cr_assert_eq(tu_write_file(cfgp, good_config), 0);
    cr_assert_eq(tu_write_file(tgp, good_targets), 0);
    snprintf(cmd, sizeof cmd, "calibrate %s --targets %s -o %s --h5 %s --max-evals 6 --json",
             cfgp, tgp, out, h5);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_assert_eq(st, 0, "stderr: %s", err);
    cJSON *report = cJSON_Parse(so);
    cr_assert_not_null(report, "stdout is not JSON: %s", so);
    cr_expect_geq(cJSON_GetObjectItem(report, "evaluations")->valuedouble, 6);
    cJSON_Delete(report);
    /* the calibrated config loads, carries its report and the targets' sources */
    ipsim_config cfg;
    cr_assert_eq(config_load(out, &cfg, stderr), CONFIG_OK);
    cJSON *tree = cJSON_Parse(cfg.resolved_json);
    cJSON *rep = cJSON_GetObjectItem(tree, "calibration_report");
    cr_assert_not_null(rep);
    cJSON *rows = cJSON_GetObjectItem(rep, "targets");
    cr_expect_eq(cJSON_GetArraySize(rows), 1);
    cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "source")->valuestring,
                     "seed 003");
    cr_expect_not_null(cJSON_GetObjectItem(tree, "sources"));
    cJSON_Delete(tree);
    config_clear(&cfg);
    cr_expect(tu_file_exists(h5));
    /* existing outputs are never replaced without --force */
    st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_expect_eq(st, 2);
    cr_expect(strstr(err, "--force") != NULL, "%s", err);
    unlink(out);
    unlink(h5);
    unlink(cfgp);
    unlink(tgp);
    rmdir(dir);
}
