/* Projections: benefit amounts against numerical integration, the by-year
 * coach schedule (closed before it opens, capacity, closing), common random
 * numbers between scenarios, thread independence, and the projection
 * config's errors through the CLI. */
#include <math.h>
#include <criterion/criterion.h>
#include <gsl/gsl_integration.h>

#include "io/proj_config.h"
#include "models/claimant_model.h"
#include "models/projection.h"
#include "tests/test_util.h"

/* ---- benefits --------------------------------------------------------------- */

typedef struct lognorm { double mu, s, cap; } lognorm;

static double capped_density(double w, void *arg)
{
    const lognorm *l = arg;
    double z = (log(w) - l->mu) / l->s;
    double pdf = exp(-z * z / 2) / (w * l->s * sqrt(2 * M_PI));
    return (w < l->cap ? w : l->cap) * pdf;
}

Test(projection, mean_capped_benefit_matches_numerical_integration)
{
    proj_wages w = { .median_monthly = 2137.5, .sigma_log = 0.47, .cap_monthly = 3950,
                     .household_share = { 0.35, 0.30, 0.35 },
                     .invalidity_rate = { 0.65, 0.55, 0.40 }, .primary_rate = 0.6,
                     .part_time_ratio = 0.5 };
    proj_benefits b;
    projection_benefits(&w, &b);
    lognorm l = { log(w.median_monthly), w.sigma_log, w.cap_monthly };
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
    gsl_function f = { capped_density, &l };
    double ref, abserr;
    gsl_integration_qagiu(&f, 1e-9, 1e-10, 1e-10, 1000, ws, &ref, &abserr);
    gsl_integration_workspace_free(ws);
    cr_expect_float_eq(b.mean_capped_wage, ref, 1e-6 * ref, "%g vs %g", b.mean_capped_wage, ref);
    cr_expect_float_eq(b.monthly_invalidity, (0.35 * 0.65 + 0.30 * 0.55 + 0.35 * 0.40) * ref,
                       1e-6 * ref);
    cr_expect_float_eq(b.monthly_primary, 0.6 * ref, 1e-6 * ref);
    cr_expect_lt(b.mean_capped_wage, w.cap_monthly);
}

/* ---- the coach schedule -------------------------------------------------------- */

/* IPS in Flanders only from 2019, 3 coaches until 2021, closed from 2021 */
static const char *scheduled =
    "{\"run\": {\"start_year\": 2017, \"years\": 6, \"scale\": 0.01, \"seed\": 5},"
    " \"transitions\": {\"referral\": {\"rate_per_year\": 0.3}},"
    " \"policies\": [{\"name\": \"sq\", \"type\": \"status_quo\"},"
    "   {\"name\": \"ips\", \"type\": \"ips\", \"programme\": {\"caseload\": 20,"
    "     \"coaches_by_year\": {\"flanders\": [[2019, 300], [2021, 0]]}}}]}";

Test(projection, schedule_is_closed_before_opening_and_keeps_capacity)
{
    ipsim_config cfg;
    cr_assert_eq(tu_config(scheduled, &cfg), CONFIG_OK);
    cr_assert(cfg.model.policy[1].prog.coaches_scheduled);
    run_results r[2];
    for (size_t pol = 0; pol < 2; pol++) {
        claimant_run *run = claimant_run_alloc(&cfg.model, pol, cfg.seed, 0);
        cr_assert_not_null(run);
        size_t months = results_months(cfg.model.horizon_days);
        for (size_t m = 1; m <= months; m++) {
            cr_assert_eq(claimant_run_until(run, m * DAYS_PER_MONTH), 0);
            char msg[256];
            cr_assert_eq(claimant_run_check(run, msg, sizeof msg), 0, "month %zu: %s", m, msg);
        }
        cr_assert_eq(claimant_run_finish(run, &r[pol]), 0);
        claimant_run_free(run);
    }
    /* until 2019 nothing differs from the status quo */
    size_t open = 24, close = 48, per = N_STATE * N_REGION * N_SEX;
    cr_expect_eq(memcmp(r[0].state_counts, r[1].state_counts, (open + 1) * per * sizeof(int32_t)),
                 0, "the closed programme changed something before it opened");
    /* 300 coaches x 20 x 0.01 = 60 places in Flanders, none elsewhere */
    int32_t most = 0, waiting_while_open = 0;
    for (size_t m = open + 1; m <= close; m++) {
        int32_t e = r[1].programme_counts[RES_PROG_IDX(m, 0, REGION_FLANDERS)];
        most = e > most ? e : most;
        waiting_while_open += r[1].programme_counts[RES_PROG_IDX(m, 1, REGION_FLANDERS)];
        cr_expect_eq(r[1].programme_counts[RES_PROG_IDX(m, 0, REGION_WALLONIA)], 0);
        cr_expect_eq(r[1].programme_counts[RES_PROG_IDX(m, 1, REGION_BRUSSELS)], 0);
    }
    cr_expect_eq(most, 60, "capacity reached %d of 60 places", most);
    cr_expect_gt(waiting_while_open, 0, "capacity never bound: test too weak");
    /* closed from 2021: the waiting list is gone and nobody new enrols */
    for (size_t m = close + 1; m <= r[1].months; m++) {
        cr_expect_eq(r[1].programme_counts[RES_PROG_IDX(m, 1, REGION_FLANDERS)], 0);
        cr_expect_leq(r[1].programme_counts[RES_PROG_IDX(m, 0, REGION_FLANDERS)],
                      r[1].programme_counts[RES_PROG_IDX(m - 1, 0, REGION_FLANDERS)]);
    }
    /* people in Wallonia never meet the programme: identical lives */
    size_t same = 0;
    cr_assert_eq(r[0].npeople, r[1].npeople);
    for (size_t i = 0; i < r[0].npeople; i++)
        if (r[0].people[i].region == REGION_WALLONIA) {
            cr_expect_eq(r[0].people[i].final_state, r[1].people[i].final_state);
            cr_expect_eq(r[0].people[i].first_job_day, r[1].people[i].first_job_day);
            same++;
        }
    cr_expect_gt(same, 100);
    results_clear(&r[0]);
    results_clear(&r[1]);
    config_clear(&cfg);
}

/* The pilot's 13/8/2 coaches at scale 0.05: 13, 8 and 2 places, whether
 * given as fixed coaches or as a schedule from the first year (one rule for
 * both); the old fixed rule gave one whole coach, 20 places, per region. */
static const char *pilot_fixed =
    "{\"run\": {\"start_year\": 2017, \"years\": 4, \"scale\": 0.05, \"seed\": 9},"
    " \"transitions\": {\"referral\": {\"rate_per_year\": 0.3}},"
    " \"policies\": [{\"name\": \"ips\", \"type\": \"ips\", \"programme\": {\"caseload\": 20,"
    "     \"coaches\": {\"flanders\": 13, \"wallonia\": 8, \"brussels\": 2}}}]}";
static const char *pilot_scheduled =
    "{\"run\": {\"start_year\": 2017, \"years\": 4, \"scale\": 0.05, \"seed\": 9},"
    " \"transitions\": {\"referral\": {\"rate_per_year\": 0.3}},"
    " \"policies\": [{\"name\": \"ips\", \"type\": \"ips\", \"programme\": {\"caseload\": 20,"
    "     \"coaches_by_year\": {\"flanders\": [[2017, 13]], \"wallonia\": [[2017, 8]],"
    "                          \"brussels\": [[2017, 2]]}}}]}";

static void run_one(const char *json, run_results *r)
{
    ipsim_config cfg;
    cr_assert_eq(tu_config(json, &cfg), CONFIG_OK);
    claimant_run *run = claimant_run_alloc(&cfg.model, 0, cfg.seed, 0);
    cr_assert_not_null(run);
    cr_assert_eq(claimant_run_finish(run, r), 0);
    claimant_run_free(run);
    config_clear(&cfg);
}

Test(projection, fixed_coaches_and_a_schedule_give_the_same_places)
{
    run_results a, b;
    run_one(pilot_fixed, &a);
    run_one(pilot_scheduled, &b);
    static const int32_t places[N_REGION] = { 13, 8, 2 };
    for (int g = 0; g < N_REGION; g++) {
        int32_t most = 0, waited = 0;
        for (size_t m = 1; m <= a.months; m++) {
            int32_t e = a.programme_counts[RES_PROG_IDX(m, 0, g)];
            most = e > most ? e : most;
            waited += a.programme_counts[RES_PROG_IDX(m, 1, g)];
        }
        cr_expect_eq(most, places[g], "region %d: at most %d enrolled, %d places", g, most,
                     places[g]);
        cr_expect_gt(waited, 0, "region %d: capacity never bound, test too weak", g);
    }
    cr_assert_eq(a.npeople, b.npeople);
    size_t per = (a.months + 1) * N_STATE * N_REGION * N_SEX;
    cr_expect_eq(memcmp(a.state_counts, b.state_counts, per * sizeof(int32_t)), 0,
                 "fixed coaches and the same schedule gave different runs");
    cr_expect_eq(memcmp(a.programme_counts, b.programme_counts,
                        (a.months + 1) * 2 * N_REGION * sizeof(int32_t)), 0);
    results_clear(&a);
    results_clear(&b);
}

Test(projection, bands_and_differences_do_not_depend_on_threads)
{
    ipsim_config cfg;
    cr_assert_eq(tu_config(scheduled, &cfg), CONFIG_OK);
    proj_wages w = { .median_monthly = 2000, .sigma_log = 0.45, .cap_monthly = 4400,
                     .household_share = { 0.35, 0.30, 0.35 },
                     .invalidity_rate = { 0.65, 0.55, 0.40 }, .primary_rate = 0.6,
                     .part_time_ratio = 0.5 };
    proj_spec s = { .p = &cfg.model, .seed = 9, .reps = 5, .threads = 1, .first_year = 2017,
                    .last_year = 2022 };
    projection_benefits(&w, &s.benefits);
    proj_result a, b;
    cr_assert_eq(projection_run(&s, &a, NULL, NULL), 0);
    s.threads = 3;
    cr_assert_eq(projection_run(&s, &b, NULL, NULL), 0);
    size_t n = a.npolicies * a.reps * a.nyears * N_PI;
    cr_expect_eq(memcmp(a.values, b.values, n * sizeof *a.values), 0);
    /* 2017 and 2018 are before the programme opens: differences are exactly 0 */
    for (size_t y = 0; y < 2; y++)
        for (int i = 0; i < N_PI; i++) {
            double band[3];
            cr_assert_eq(projection_band(&a, 1, 0, y, i, band), 0);
            if (isfinite(band[0]))
                cr_expect(band[0] == 0 && band[1] == 0 && band[2] == 0, "%s year %zu",
                          projection_indicator_name(i), y);
        }
    /* working = part-time + full-time; expenditure is positive */
    for (size_t y = 0; y < a.nyears; y++) {
        const double *v = &a.values[PROJ_IDX(&a, 0, 0, y, 0)];
        cr_expect_float_eq(v[PI_WORKING], v[PI_WORKING_PART_TIME] + v[PI_WORKING_FULL_TIME], 1e-9);
        cr_expect_gt(v[PI_EXPENDITURE], 0);
        cr_expect_eq(v[PI_WORKING_PART_TIME], v[PI_STATE + ST_EMPLOYED_PT]);
    }
    /* the programme scenario enrols people after opening */
    double enrolled[3];
    projection_band(&a, 1, -1, 3, PI_PROGRAMME_ENROLLED, enrolled);
    cr_expect_gt(enrolled[0], 0);
    projection_clear(&a);
    projection_clear(&b);
    config_clear(&cfg);
}

/* ---- projection config errors -------------------------------------------------- */

static void check_bad_projection(const char *json, const char *e1, const char *e2)
{
    char dir[64], cfgp[128], out[128], cmd[512], err[8192], so[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfgp, sizeof cfgp, "%s/p.json", dir);
    snprintf(out, sizeof out, "%s/p.h5", dir);
    cr_assert_eq(tu_write_file(cfgp, json), 0);
    snprintf(cmd, sizeof cmd, "project %s -o %s --quiet", cfgp, out);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_expect_eq(st, 2, "exit status %d: %s", st, err);
    cr_expect(strstr(err, e1) != NULL, "expected '%s' in: %s", e1, err);
    if (e2)
        cr_expect(strstr(err, e2) != NULL, "expected '%s' in: %s", e2, err);
    cr_expect_not(tu_file_exists(out));
    unlink(cfgp);
    rmdir(dir);
}


Test(projection_errors, years_outside_the_run)
{
    check_bad_projection("{\"run\": {\"years\": 3},\n \"projection\": {\"first_year\": 2017,"
                         " \"last_year\": 2030, " TU_BENEFITS "}}",
                         "projection.last_year", "need the run to cover");
}

/* each year is reported at its own key (file:line:col of that key's value) */
Test(projection_errors, each_year_outside_the_run_at_its_own_key)
{
    /* the default run starts on 1 January 2017 */
    check_bad_projection("{\"run\": {\"years\": 3},\n \"projection\": {\n  \"first_year\": 1990,"
                         "\n  \"last_year\": 2018, " TU_BENEFITS "}}",
                         "p.json:3:17: projection.first_year: 1990 is before the run starts",
                         NULL);
    check_bad_projection("{\"run\": {\"years\": 3},\n \"projection\": {\n  \"first_year\": 1990,"
                         "\n  \"last_year\": 2018, " TU_BENEFITS "}}",
                         "need the run to cover 1 January 1990", NULL);
    check_bad_projection("{\"run\": {\"years\": 3},\n \"projection\": {\n  \"first_year\": 2017,"
                         "\n  \"last_year\": 2030, " TU_BENEFITS "}}",
                         "p.json:4:16: projection.last_year: 2030 is after the run ends", NULL);
    /* both out: both reported */
    check_bad_projection("{\"run\": {\"years\": 3},\n \"projection\": {\n  \"first_year\": 1990,"
                         "\n  \"last_year\": 2030, " TU_BENEFITS "}}",
                         "p.json:3:17: projection.first_year:", "p.json:4:16: projection.last_year:");
    check_bad_projection("{\"run\": {\"years\": 3},\n \"projection\": {\n  \"first_year\": 2019,"
                         "\n  \"last_year\": 2018, " TU_BENEFITS "}}",
                         "p.json:4:16: projection.last_year: 2018 is before first_year 2019", NULL);
}

Test(projection_errors, unknown_scenario_in_a_difference)
{
    check_bad_projection("{\"run\": {\"years\": 3},\n \"projection\": {\"first_year\": 2017,"
                         " \"last_year\": 2018, \"differences\": [{\"scenario\": \"ipz\","
                         " \"minus\": \"status_quo\"}], " TU_BENEFITS "}}",
                         "projection.differences[0].scenario", "'ipz' is not the name");
}

/* the message lists the policies that may be named */
Test(projection_errors, unknown_scenario_lists_the_policies)
{
    check_bad_projection("{\"run\": {\"years\": 3},\n \"policies\": [{\"name\": \"sq\","
                         " \"type\": \"status_quo\"}, {\"name\": \"ips_fair\", \"type\": \"ips\"}],"
                         "\n \"projection\": {\"first_year\": 2017, \"last_year\": 2018,"
                         " \"differences\": [{\"scenario\": \"ips_nat\", \"minus\": \"sq\"},"
                         " {\"scenario\": \"ips_fair\", \"minus\": \"ttp\"}], " TU_BENEFITS "}}",
                         "projection.differences[0].scenario: 'ips_nat' is not the name of a policy"
                         " of this config (policies: sq, ips_fair)",
                         "projection.differences[1].minus: 'ttp' is not the name of a policy of"
                         " this config (policies: sq, ips_fair)");
}

/* Two differences stored under one HDF5 group name are refused before the
 * run (they used to pass the checks, run everything and then fail to write
 * the file): the same pair twice, or names that join alike around "_minus_". */
Test(projection_errors, differences_that_would_share_a_group_name)
{
    check_bad_projection("{\"run\": {\"years\": 3},\n \"projection\": {\"first_year\": 2017,"
                         " \"last_year\": 2018, \"differences\": [{\"scenario\": \"ips\","
                         " \"minus\": \"status_quo\"}, {\"scenario\": \"ips\", \"minus\":"
                         " \"status_quo\"}], " TU_BENEFITS "}}",
                         "p.json:2:116: projection.differences[1]: 'ips' minus 'status_quo' is "
                         "already projection.differences[0]", NULL);
    check_bad_projection("{\"run\": {\"years\": 3},\n \"policies\": [{\"name\": \"a_minus_b\","
                         " \"type\": \"status_quo\"}, {\"name\": \"c\", \"type\": \"ips\"},"
                         " {\"name\": \"a\", \"type\": \"train_then_place\"},"
                         " {\"name\": \"b_minus_c\", \"type\": \"ips\", \"programme\":"
                         " {\"caseload\": 15}}],\n \"projection\": {\"first_year\": 2017,"
                         " \"last_year\": 2018, \"differences\": [{\"scenario\": \"a_minus_b\","
                         " \"minus\": \"c\"}, {\"scenario\": \"a\", \"minus\": \"b_minus_c\"}], "
                         TU_BENEFITS "}}",
                         "projection.differences[1]: 'a' minus 'b_minus_c' and "
                         "projection.differences[0] would both be stored as "
                         "'a_minus_b_minus_c'", NULL);
}

Test(projection_errors, missing_benefits_and_bad_schedule)
{
    check_bad_projection("{\"run\": {\"years\": 3},\n \"policies\": [{\"name\": \"i\","
                         " \"type\": \"ips\", \"programme\": {\"coaches_by_year\":"
                         " {\"flanders\": [[2019, 5], [2018, 3]]}}}],\n"
                         " \"projection\": {\"first_year\": 2017, \"last_year\": 2018}}",
                         "coaches_by_year.flanders[1]", "must be later");
    check_bad_projection("{\"run\": {\"years\": 3},\n"
                         " \"projection\": {\"first_year\": 2017, \"last_year\": 2018}}",
                         "projection", "missing required key 'benefits'");
}

/* ---- the project command --------------------------------------------------------- */

/* A temporary folder `dir` holding the config `json` as dir/p.json (its
 * path in cfgp) and the path dir/p.h5 for the output (in out). */
static void project_files(const char *json, char dir[64], char cfgp[128], char out[128])
{
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfgp, 128, "%s/p.json", dir);
    snprintf(out, 128, "%s/p.h5", dir);
    cr_assert_eq(tu_write_file(cfgp, json), 0);
}

/* ---- project --json ----------------------------------------------------------- */

/* project --json names the run the way run --json does: program, version,
 * output, seed (exactly, even at 2^53 - 1), replications and threads */
Test(projection_cli, json_names_the_run_like_run_json)
{
    char dir[64], cfgp[128], out[128], cmd[512], err[4096];
    static char so[1 << 20];
    project_files("{\"run\": {\"years\": 3, \"scale\": 0.01},\n"
                  " \"projection\": {\"first_year\": 2017, \"last_year\": 2018,"
                  " \"replications\": 2, " TU_BENEFITS "}}", dir, cfgp, out);
    snprintf(cmd, sizeof cmd, "project %s -o %s --quiet --json --seed 9007199254740991"
             " --threads 3", cfgp, out);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_assert_eq(st, 0, "exit status %d: %s", st, err);
    cJSON *o = cJSON_Parse(so);
    cr_assert_not_null(o, "not JSON: %.200s", so);
    const cJSON *v;
    v = cJSON_GetObjectItemCaseSensitive(o, "program");
    cr_expect(cJSON_IsString(v) && !strcmp(v->valuestring, "ipsim"));
    v = cJSON_GetObjectItemCaseSensitive(o, "version");
    cr_expect(cJSON_IsString(v) && !strcmp(v->valuestring, IPSIM_VERSION));
    v = cJSON_GetObjectItemCaseSensitive(o, "output");
    cr_expect(cJSON_IsString(v) && !strcmp(v->valuestring, out));
    v = cJSON_GetObjectItemCaseSensitive(o, "threads");
    cr_expect(cJSON_IsNumber(v) && v->valuedouble == 3);
    v = cJSON_GetObjectItemCaseSensitive(o, "replications");
    cr_expect(cJSON_IsNumber(v) && v->valuedouble == 2);
    v = cJSON_GetObjectItemCaseSensitive(o, "seed"); /* 2^53 - 1: exact in a double */
    cr_expect(cJSON_IsNumber(v) && v->valuedouble == 9007199254740991.0, "%.400s", so);
    v = cJSON_GetObjectItemCaseSensitive(o, "scenarios");
    cr_expect(cJSON_IsObject(v));
    cJSON_Delete(o);
    unlink(out);
    unlink(cfgp);
    rmdir(dir);
}

/* The text tables: a column as wide as the longest policy name (up to 31
 * characters) or difference name, every cell of a column starting where its
 * header does, and no line ending in spaces. */
Test(projection_cli, tables_fit_long_names_without_trailing_spaces)
{
    char dir[64], cfgp[128], out[128], cmd[512], err[4096];
    static char so[1 << 20];
    project_files("{\"run\": {\"years\": 3, \"scale\": 0.01},\n"
                  " \"policies\": [{\"name\": \"sq\", \"type\": \"status_quo\"},"
                  " {\"name\": \"ips_with_a_very_long_name_31ch\", \"type\": \"ips\"},"
                  " {\"name\": \"ttp\", \"type\": \"train_then_place\"}],"
                  " \"projection\": {\"first_year\": 2017, \"last_year\": 2018,"
                  " \"replications\": 2, " TU_BENEFITS ","
                  " \"differences\": [{\"scenario\": \"ips_with_a_very_long_name_31ch\","
                  " \"minus\": \"ttp\"}, {\"scenario\": \"ttp\", \"minus\": \"sq\"}]}}",
                  dir, cfgp, out);
    snprintf(cmd, sizeof cmd, "project %s -o %s --quiet", cfgp, out);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_assert_eq(st, 0, "exit status %d: %s", st, err);
    size_t headers = 0, rows = 0;
    long col_ttp = -1, col_diff2 = -1;
    for (char *line = strtok(so, "\n"); line; line = strtok(NULL, "\n")) {
        size_t len = strlen(line);
        cr_expect(len == 0 || line[len - 1] != ' ', "trailing space: '%s'", line);
        char *t = strstr(line, "ttp");
        if (!strncmp(line, "year", 4)) { /* a header: where the third column starts */
            cr_assert_not_null(t);
            col_ttp = t - line;
            headers++;
        } else if (strstr(line, "ips_with_a_very_long_name_31ch - ttp")) {
            char *d2 = strstr(line, "ttp - sq");
            cr_assert_not_null(d2, "%s", line);
            col_diff2 = d2 - line;
        } else if (!strncmp(line, "2018", 4)) { /* a row: its third cell starts there */
            cr_assert_gt(col_ttp, 0);
            long col = col_diff2 > 0 ? col_diff2 : col_ttp;
            cr_expect(line[col - 1] == ' ' && line[col] != ' ', "misaligned at %ld: '%s'", col,
                      line);
            col_diff2 = -1; /* the next table's differences come after its header */
            rows++;
        }
    }
    cr_expect_geq(headers, 5, "%zu tables", headers);
    cr_expect_geq(rows, 10);
    unlink(out);
    unlink(cfgp);
    rmdir(dir);
}

/* As under the run summary, a projection of fewer than 10 replications says
 * under its tables that the bands are little more than the range of the
 * values, and counts are singular or plural. */
Test(projection_cli, few_replications_are_flagged_under_the_tables)
{
    char dir[64], cfgp[128], out[128], cmd[512], err[4096];
    static char so[1 << 18];
    project_files("{\"run\": {\"years\": 2, \"scale\": 0.005},\n"
                  " \"policies\": [{\"name\": \"sq\", \"type\": \"status_quo\"}],"
                  " \"projection\": {\"first_year\": 2017, \"last_year\": 2017, " TU_BENEFITS "}}",
                  dir, cfgp, out);
    snprintf(cmd, sizeof cmd, "project %s -o %s --quiet --reps 3", cfgp, out);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "1 scenario x 3 replications from") != NULL, "%s", so);
    const char *note = strstr(so, "Only 3 replications: each [5%, 95%] band is little more than "
                                  "the\nsmallest and largest of 3 values");
    cr_expect_not_null(note, "%s", so);
    cr_expect(note && note > strstr(so, "Programme clients"), "not under the tables: %s", so);
    snprintf(cmd, sizeof cmd, "project %s -o %s --quiet --reps 1 --force", cfgp, out);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "1 scenario x 1 replication from") != NULL, "%s", so);
    cr_expect(strstr(so, "Only 1 replication: each band is that one value") != NULL, "%s", so);
    snprintf(cmd, sizeof cmd, "project %s -o %s --quiet --reps 10 --force", cfgp, out);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect_null(strstr(so, "Only "), "%s", so);
    unlink(out);
    unlink(cfgp);
    rmdir(dir);
}
