/* Config validation through the command line: every class of bad input
 * gives a located message, exit status 2, and no output file. */
#include <sys/stat.h>
#include <criterion/criterion.h>

#include "tests/test_util.h"

typedef struct bad_case {
    const char *json;
    const char *expect[3]; /* substrings of stderr */
} bad_case;

/* Writes json to a file, runs `ipsim run FILE -o OUT` and `ipsim validate
 * FILE`, and checks status 2, the messages and that OUT does not exist. */
static void check_bad(const bad_case *c)
{
    char dir[64], cfg[128], out[128], cmd[512], err[8192], so[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/bad.json", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    cr_assert_eq(tu_write_file(cfg, c->json), 0);
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet", cfg, out);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_expect_eq(st, 2, "exit status %d, stderr: %s", st, err);
    for (int i = 0; i < 3 && c->expect[i]; i++)
        cr_expect(strstr(err, c->expect[i]) != NULL, "expected '%s' in: %s", c->expect[i], err);
    cr_expect_not(tu_file_exists(out), "an output file was written");
    snprintf(cmd, sizeof cmd, "validate %s", cfg);
    st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_expect_eq(st, 2);
    for (int i = 0; i < 3 && c->expect[i]; i++)
        cr_expect(strstr(err, c->expect[i]) != NULL, "validate: expected '%s' in: %s",
                  c->expect[i], err);
    unlink(cfg);
    rmdir(dir);
}

Test(config_errors, malformed_json_reports_file_line_column)
{
    bad_case c = { "{\n  \"run\": {\n    \"years\": 5,\n    \"scale\" 0.01\n  }\n}\n",
                   { "bad.json:4:13: malformed JSON", NULL } };
    check_bad(&c);
}

Test(config_errors, unknown_key_names_the_closest_valid_key)
{
    bad_case c = { "{\"policies\": [{\"name\": \"ips\", \"type\": \"ips\",\n"
                   " \"programme\": {\"fidelty\": {\"score\": 100}}}]}",
                   { "bad.json:2:16", "unknown key 'fidelty'", "did you mean 'fidelity'" } };
    check_bad(&c);
}

Test(config_errors, wrong_type_names_path_and_types)
{
    bad_case c = { "{\"run\": {\"years\": \"ten\"}}",
                   { "run.years", "expected a number, found a string", NULL } };
    check_bad(&c);
}

Test(config_errors, probability_outside_unit_interval)
{
    bad_case c = { "{\"work\": {\"offer_refusal\": 1.25}}",
                   { "work.offer_refusal", "1.25", "0..1" } };
    check_bad(&c);
}

Test(config_errors, negative_rate)
{
    bad_case c = { "{\"transitions\": {\"relapse\": {\"rate_per_year\": -0.4}}}",
                   { "transitions.relapse.rate_per_year", "-0.4", NULL } };
    check_bad(&c);
}

Test(config_errors, negative_duration)
{
    bad_case c = { "{\"work\": {\"benefit_return_days\": -30}}",
                   { "work.benefit_return_days", "-30", NULL } };
    check_bad(&c);
}

Test(config_errors, fidelity_outside_25_to_125)
{
    bad_case c = { "{\"policies\": [{\"type\": \"ips\", \"programme\": {\"fidelity\": {\"score\": 130}}}]}",
                   { "policies[0].programme.fidelity.score", "130 is outside 25..125", NULL } };
    check_bad(&c);
}

Test(config_errors, caseload_below_one)
{
    bad_case c = { "{\"policies\": [{\"type\": \"ips\", \"programme\": {\"caseload\": 0}}]}",
                   { "policies[0].programme.caseload", "0 is outside 1..1000", NULL } };
    check_bad(&c);
}

/* day 0 is 1 January of run.start_year: a fractional year was accepted and
 * then printed rounded ("10 years from 2018" for 2017.5) */
Test(config_errors, start_year_is_a_whole_year)
{
    bad_case c = { "{\"run\": {\"start_year\": 2017.5}}",
                   { "bad.json:1:24: run.start_year", "2017.5 is not a whole number",
                     "1900..2200" } };
    check_bad(&c);
}

Test(config_errors, shares_not_summing_to_one)
{
    bad_case c = { "{\"population\": {\"stock\": {\"region_shares\": "
                   "{\"flanders\": 0.5, \"wallonia\": 0.3, \"brussels\": 0.17}}}}",
                   { "population.stock.region_shares", "shares sum to 0.97, must sum to 1", NULL } };
    check_bad(&c);
}

Test(config_errors, unknown_policy_type_lists_choices)
{
    bad_case c = { "{\"policies\": [{\"type\": \"place_train\"}]}",
                   { "policies[0].type", "place_train", "ips" } };
    check_bad(&c);
}

Test(config_errors, all_problems_reported_at_once)
{
    bad_case c = { "{\"run\": {\"years\": -1, \"scale\": 0}, \"work\": {\"part_time_share\": 2}}",
                   { "run.years", "run.scale", "work.part_time_share" } };
    check_bad(&c);
}

/* Problems are listed in the order they appear in the file, whatever order
 * the checks run in (scale is written before years here, and checked
 * after); a bound that six digits cannot hold reads "about". */
Test(config_errors, problems_in_file_order_with_readable_bounds)
{
    char dir[64], cfg[128], cmd[512], err[8192], so[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/bad.json", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"work\": {\"part_time_share\": 2},\n"
                                    " \"run\": {\"scale\": -1,\n  \"years\": 0}}"), 0);
    snprintf(cmd, sizeof cmd, "validate %s", cfg);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    const char *work = strstr(err, "bad.json:1:30: work.part_time_share");
    const char *scale = strstr(err, "bad.json:2:19: run.scale");
    const char *years = strstr(err, "bad.json:3:12: run.years: 0 is outside about 0.0833333..100");
    cr_assert(work && scale && years, "%s", err);
    cr_expect(work < scale && scale < years, "not in file order: %s", err);
    unlink(cfg);
    rmdir(dir);
}

Test(config_errors, missing_config_file)
{
    char err[4096], out[1024];
    int st = tu_run_ipsim("run /nonexistent/x.json -o /tmp/never.h5 --quiet", out, sizeof out,
                          err, sizeof err);
    cr_expect_eq(st, 2);
    cr_expect(strstr(err, "/nonexistent/x.json") != NULL, "%s", err);
    cr_expect_not(tu_file_exists("/tmp/never.h5"));
}

Test(config_errors, existing_output_not_overwritten_without_force)
{
    char dir[64], out[128], cmd[512], err[4096], so[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(out, sizeof out, "%s/keep.h5", dir);
    cr_assert_eq(tu_write_file(out, "precious"), 0);
    snprintf(cmd, sizeof cmd, "run -o %s --reps 1 --quiet", out);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_expect_eq(st, 2);
    cr_expect(strstr(err, "--force") != NULL, "%s", err);
    FILE *f = fopen(out, "r");
    char buf[32] = { 0 };
    cr_assert_not_null(f);
    cr_expect_eq(fread(buf, 1, sizeof buf - 1, f), 8);
    fclose(f);
    cr_expect_str_eq(buf, "precious");
    unlink(out);
    rmdir(dir);
}

Test(config_errors, bad_command_line_values)
{
    char err[4096], out[1024];
    cr_expect_eq(tu_run_ipsim("run --reps 0", out, sizeof out, err, sizeof err), 2);
    cr_expect(strstr(err, "--reps") != NULL, "%s", err);
    cr_expect_eq(tu_run_ipsim("run --threads x", out, sizeof out, err, sizeof err), 2);
    cr_expect_eq(tu_run_ipsim("run --bogus", out, sizeof out, err, sizeof err), 2);
    cr_expect_eq(tu_run_ipsim("frobnicate", out, sizeof out, err, sizeof err), 2);
}

Test(config_errors, default_config_is_valid)
{
    char err[4096], out[4096], cmd[512];
    snprintf(cmd, sizeof cmd, "validate %s/configs/belgium_default.json", IPSIM_SOURCE_DIR);
    int st = tu_run_ipsim(cmd, out, sizeof out, err, sizeof err);
    cr_expect_eq(st, 0, "%s", err);
    cr_expect(strstr(out, "valid") != NULL);
}

/* Output names that could never be written are refused before any work
 * starts, with exit status 2, and nothing is replaced. */
Test(config_errors, impossible_output_names_are_refused_up_front)
{
    char dir[64], cmd[1024], err[4096], so[8192], path[256];
    cr_assert_not_null(tu_tmpdir(dir));
    cr_expect_eq(tu_run_ipsim("run --reps 1 --quiet -o ''", so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "file name is empty") != NULL, "%s", err);

    snprintf(cmd, sizeof cmd, "run --reps 1 --quiet --force -o %s", dir);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "is a directory") != NULL, "%s", err);

    snprintf(cmd, sizeof cmd, "run --reps 1 --quiet -o %s/sub/", dir);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "names a directory") != NULL, "%s", err);

    /* a folder that does not exist is named (calibrate's below) */
    snprintf(cmd, sizeof cmd, "run --reps 1 --quiet -o %s/none/x.h5", dir);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    char expect[256];
    snprintf(expect, sizeof expect, "the folder %s/none does not exist", dir);
    cr_expect(strstr(err, expect) != NULL, "%s", err);

    /* a special file is never replaced, even with --force */
    snprintf(path, sizeof path, "%s/fifo", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    snprintf(cmd, sizeof cmd, "run --reps 1 --quiet --force -o %s", path);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "not a regular file") != NULL, "%s", err);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect(S_ISFIFO(st.st_mode), "the FIFO was replaced");
    unlink(path);

    /* two outputs of one command naming the same file */
    snprintf(cmd, sizeof cmd,
             "trial %s/configs/trial_belgium_realised.json --quiet -o %s/same.csv --csv %s/same.csv",
             IPSIM_SOURCE_DIR, dir, dir);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "name the same file") != NULL, "%s", err);
    snprintf(path, sizeof path, "%s/same.csv", dir);
    cr_expect_not(tu_file_exists(path));
    snprintf(cmd, sizeof cmd,
             "calibrate %s/configs/calibration/belgium_history.json --targets "
             "%s/configs/targets/inami.json -o %s/c.json --h5 %s/./c.json --quiet",
             IPSIM_SOURCE_DIR, IPSIM_SOURCE_DIR, dir, dir);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "name the same file") != NULL, "%s", err);
    /* an unwritable calibration output is found before the fit, not after */
    snprintf(cmd, sizeof cmd,
             "calibrate %s/configs/calibration/belgium_history.json --targets "
             "%s/configs/targets/inami.json -o %s/missing/c.json --quiet",
             IPSIM_SOURCE_DIR, IPSIM_SOURCE_DIR, dir);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    snprintf(expect, sizeof expect, "the folder %s/missing does not exist", dir);
    cr_expect(strstr(err, expect) != NULL, "%s", err);
    rmdir(dir);
}

/* An output that names the input it reads (the config, a calibration's
 * targets), given or by default, is refused even with --force: the input
 * stays as it was and no temporary file is left. */
Test(config_errors, an_output_never_replaces_the_input_it_reads)
{
    static const char *const text = "{\"run\": {\"replications\": 1, \"years\": 1}}\n";
    char dir[64], cfg[128], h5cfg[128], targets[128], cmd[1024], err[4096], so[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/my.json", dir);
    snprintf(h5cfg, sizeof h5cfg, "%s/my.h5", dir);
    snprintf(targets, sizeof targets, "%s/targets.json", dir);
    cr_assert_eq(tu_write_file(cfg, text), 0);
    cr_assert_eq(tu_write_file(h5cfg, text), 0);
    /* the default output (my.h5 in the current directory) is the config my.h5 */
    cr_assert_eq(chdir(dir), 0);
    char cmds[6][512];
    snprintf(cmds[0], sizeof cmds[0], "run %s -o %s --force --quiet", cfg, cfg);
    snprintf(cmds[1], sizeof cmds[1], "run my.json -o %s/../%s/my.json --force --quiet", dir,
             strrchr(dir, '/') + 1);
    snprintf(cmds[2], sizeof cmds[2], "run %s --force --quiet", h5cfg);
    snprintf(cmds[3], sizeof cmds[3], "power %s -o %s --force --quiet --reps 1", cfg, cfg);
    snprintf(cmds[4], sizeof cmds[4], "trial %s --csv %s --force --quiet", cfg, cfg);
    snprintf(cmds[5], sizeof cmds[5], "project %s -o ./my.json --force --quiet", cfg);
    for (int i = 0; i < 6; i++) {
        int st = tu_run_ipsim(cmds[i], so, sizeof so, err, sizeof err);
        cr_expect_eq(st, 2, "%s: exit status %d, stderr: %s", cmds[i], st, err);
        cr_expect(strstr(err, "is the config this command reads") != NULL, "%s: %s", cmds[i],
                  err);
    }
    FILE *f = fopen(targets, "w");
    cr_assert_not_null(f);
    fputs("{}\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "calibrate %s/configs/calibration/belgium_history.json --targets %s -o %s --force "
             "--quiet", IPSIM_SOURCE_DIR, targets, targets);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "is the targets file this command reads") != NULL, "%s", err);
    const char *inputs[2] = { cfg, h5cfg };
    for (int i = 0; i < 2; i++) {
        char buf[256] = { 0 };
        f = fopen(inputs[i], "r");
        cr_assert_not_null(f);
        cr_expect_gt(fread(buf, 1, sizeof buf - 1, f), 0);
        fclose(f);
        cr_expect_str_eq(buf, text, "%s was replaced", inputs[i]);
        unlink(inputs[i]);
    }
    unlink(targets);
    cr_expect_eq(rmdir(dir), 0, "files left in %s", dir);
}

Test(config_errors, seed_beyond_2_pow_53_is_refused)
{
    char dir[64], cmd[512], err[4096], out[1024], path[128];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(path, sizeof path, "%s/never.h5", dir);
    snprintf(cmd, sizeof cmd, "run --reps 1 --quiet --seed 9007199254740992 -o %s", path);
    cr_expect_eq(tu_run_ipsim(cmd, out, sizeof out, err, sizeof err), 2);
    cr_expect(strstr(err, "0..9007199254740991") != NULL, "%s", err);
    cr_expect_not(tu_file_exists(path));
    rmdir(dir);
}

/* validate also checks the sections read by ipsim project and calibrate */
Test(config_errors, validate_checks_projection_and_calibration_sections)
{
    char dir[64], cfg[128], cmd[512], err[4096], so[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/p.json", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"projection\": {\"first_year\": 2017, \"last_year\": 2018,\n"
                                    " \"bogus\": 1}}"), 0);
    snprintf(cmd, sizeof cmd, "validate %s", cfg);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "p.json:2:2: projection: unknown key 'bogus'") != NULL, "%s", err);
    cr_expect(strstr(err, "missing required key 'benefits'") != NULL, "%s", err);
    cr_assert_eq(tu_write_file(cfg, "{\"calibration\": {\"parametres\": []}}"), 0);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "did you mean 'parameters'") != NULL, "%s", err);
    unlink(cfg);
    rmdir(dir);
    snprintf(cmd, sizeof cmd, "validate %s/configs/projection_2035.json", IPSIM_SOURCE_DIR);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    snprintf(cmd, sizeof cmd, "validate %s/configs/calibration/belgium_history.json",
             IPSIM_SOURCE_DIR);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
}

/* a default that a changed follow-up makes impossible is reported as such */
Test(config_errors, trial_default_beyond_a_shorter_follow_up)
{
    bad_case c = { "{\"trial\": {\"follow_up_months\": 6, \"outcomes\": {\"ever_worked_months\": [6],"
                   " \"working_at_months\": [6], \"primary\": \"ever_worked_6m\"}}}",
                   { "trial.outcomes.sustained_months: 12 months (the default) is beyond "
                     "follow_up_months 6", NULL } };
    check_bad(&c);
}

/* The "errors" of `validate --json`, each rebuilt as FILE:LINE:COL: PATH:
 * message, must be exactly the lines on stderr, in order. Returns the
 * parsed output (caller frees). */
static cJSON *validate_json(const char *file, int status, size_t nerrors, char *err,
                            size_t errlen)
{
    char cmd[512], so[16384];
    snprintf(cmd, sizeof cmd, "validate %s --json", file);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, errlen);
    cr_expect_eq(st, status, "exit status %d: %s", st, err);
    cJSON *o = cJSON_Parse(so);
    cr_assert_not_null(o, "not JSON: %s", so);
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(o, "errors");
    cr_assert(cJSON_IsArray(errors), "%s", so);
    cr_expect_eq((size_t)cJSON_GetArraySize(errors), nerrors, "%s", so);
    const char *line = err;
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        char rebuilt[2048], loc[64] = "", path[512] = "";
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "file");
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(e, "line");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "col");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        cr_assert(cJSON_IsString(f) && cJSON_IsString(m), "%s", so);
        cr_expect_eq(cJSON_IsNumber(l), cJSON_IsNumber(c));
        if (cJSON_IsNumber(l))
            snprintf(loc, sizeof loc, ":%d:%d", l->valueint, c->valueint);
        if (cJSON_IsString(p))
            snprintf(path, sizeof path, "%s: ", p->valuestring);
        else
            cr_expect(cJSON_IsNull(p), "%s", so);
        snprintf(rebuilt, sizeof rebuilt, "%s%s: %s%s\n", f->valuestring, loc, path,
                 m->valuestring);
        size_t n = strlen(rebuilt);
        cr_expect(strncmp(line, rebuilt, n) == 0, "expected\n%s at\n%s", rebuilt, line);
        const char *next = strchr(line, '\n');
        line = next ? next + 1 : line + strlen(line);
    }
    cr_expect_str_eq(line, "", "stderr has more lines than errors: %s", line);
    return o;
}

static const char *section_state(const cJSON *o, const char *name)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "sections");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, name);
    return cJSON_IsString(v) ? v->valuestring : "(missing)";
}

Test(config_errors, validate_json_lists_every_error_as_on_stderr)
{
    char dir[64], cfg[128], err[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/v.json", dir);
    /* two problems in the scenario */
    cr_assert_eq(tu_write_file(cfg, "{\"run\": {\"years\": 3, \"yeers\": 2},\n"
                                    " \"policies\": [{\"name\": \"a\", \"type\": \"ipz\"}]}"), 0);
    cJSON *o = validate_json(cfg, 2, 2, err, sizeof err);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "valid")));
    const cJSON *e1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "errors"), 1);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(e1, "line")->valueint, 2);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(e1, "col")->valueint, 37);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(e1, "path")->valuestring,
                     "policies[0].type");
    cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(e1, "message")->valuestring,
                     "'ipz' is not allowed") != NULL);
    cr_expect_str_eq(section_state(o, "projection"), "absent");
    cJSON_Delete(o);

    /* problems of the projection section (a second reader) are listed too */
    cr_assert_eq(tu_write_file(cfg, "{\"run\": {\"years\": 3},\n \"projection\": {\"first_year\":"
                                    " 2017, \"last_year\": 2018,\n \"bogus\": 1}}"), 0);
    o = validate_json(cfg, 2, 2, err, sizeof err);
    cr_expect(strstr(err, "v.json:3:2: projection: unknown key 'bogus'") != NULL, "%s", err);
    cr_expect_str_eq(section_state(o, "projection"), "checked");
    cr_expect_str_eq(section_state(o, "calibration"), "absent");
    cJSON_Delete(o);

    /* malformed JSON: located, but no path */
    cr_assert_eq(tu_write_file(cfg, "{\"run\": "), 0);
    o = validate_json(cfg, 2, 1, err, sizeof err);
    const cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "errors"), 0);
    cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e0, "path")));
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(e0, "col")->valueint, 9);
    cr_expect_str_eq(section_state(o, "projection"), "not checked");
    cJSON_Delete(o);
    unlink(cfg);

    /* a missing file: neither located nor a path */
    o = validate_json(cfg, 2, 1, err, sizeof err);
    e0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "errors"), 0);
    cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e0, "line")));
    cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(e0, "message")->valuestring,
                     "cannot open") != NULL);
    cJSON_Delete(o);
    rmdir(dir);

    /* a valid file: no errors, nothing on stderr */
    snprintf(cfg, sizeof cfg, "%s/configs/projection_2035.json", IPSIM_SOURCE_DIR);
    o = validate_json(cfg, 0, 0, err, sizeof err);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "valid")));
    cr_expect_str_eq(section_state(o, "projection"), "checked");
    cr_expect_str_eq(section_state(o, "trial"), "absent");
    cJSON_Delete(o);
}

/* The uncertainty section's paths are checked against the resolved config,
 * which is only built when the rest is valid: after an error elsewhere
 * validate --json says the section was not checked (it said "checked",
 * and its unknown path came up only once the other error was fixed). */
Test(config_errors, validate_json_says_when_the_uncertainty_paths_went_unchecked)
{
    char dir[64], cfg[128], err[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/u.json", dir);
    const char *section = "\"uncertainty\": {\"parameters\": [{\"name\": \"x\", \"path\":"
                          " \"policies[7].caseload\", \"distribution\": \"uniform\", "
                          "\"lower\": 10, \"upper\": 20}]}}";
    char text[1024];
    snprintf(text, sizeof text, "{\"run\": {\"years\": -1},\n %s", section);
    cr_assert_eq(tu_write_file(cfg, text), 0);
    cJSON *o = validate_json(cfg, 2, 1, err, sizeof err);
    cr_expect(strstr(err, "run.years") != NULL, "%s", err);
    cr_expect_str_eq(section_state(o, "uncertainty"), "not checked");
    cJSON_Delete(o);
    /* the rest valid: the path is checked and its error reported */
    snprintf(text, sizeof text, "{\"run\": {\"years\": 2},\n %s", section);
    cr_assert_eq(tu_write_file(cfg, text), 0);
    o = validate_json(cfg, 2, 1, err, sizeof err);
    cr_expect(strstr(err, "uncertainty.parameters[0].path: unknown parameter path") != NULL, "%s",
              err);
    cr_expect_str_eq(section_state(o, "uncertainty"), "checked");
    cJSON_Delete(o);
    unlink(cfg);
    rmdir(dir);
}

Test(config_errors, validate_says_which_sections_it_checked)
{
    char cmd[512], err[4096], so[4096];
    snprintf(cmd, sizeof cmd, "validate %s/configs/projection_2035.json", IPSIM_SOURCE_DIR);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "\"projection\" section (ipsim project): present, checked") != NULL,
              "%s", so);
    cr_expect(strstr(so, "\"calibration\" section (ipsim calibrate): absent") != NULL, "%s", so);
    cr_expect(strstr(so, "\"trial\" section (ipsim trial, ipsim power): absent") != NULL, "%s",
              so);
    snprintf(cmd, sizeof cmd, "validate %s/configs/trial_belgium_realised.json",
             IPSIM_SOURCE_DIR);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "\"trial\" section (ipsim trial, ipsim power): present, checked") != NULL,
              "%s", so);
    cr_expect(strstr(so, "\"projection\" section (ipsim project): absent") != NULL, "%s", so);
    snprintf(cmd, sizeof cmd, "validate %s/configs/calibration/belgium_history.json",
             IPSIM_SOURCE_DIR);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "\"calibration\" section (ipsim calibrate): present, checked") != NULL,
              "%s", so);
}

Test(config_errors, validate_checks_a_targets_file_as_one)
{
    char dir[64], file[128], err[8192], so[4096], cmd[512];
    /* the shipped targets file: valid, and said to be a targets file */
    snprintf(cmd, sizeof cmd, "validate %s/configs/targets/inami.json", IPSIM_SOURCE_DIR);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "valid targets file (23 targets;") != NULL, "%s", so);
    snprintf(file, sizeof file, "%s/configs/targets/inami.json", IPSIM_SOURCE_DIR);
    cJSON *o = validate_json(file, 0, 0, err, sizeof err);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(o, "kind")->valuestring, "targets");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(o, "targets")->valueint, 23);
    cJSON_Delete(o);

    /* its problems are a targets file's, located, in file order (not
     * "unknown key 'ipsim_targets'" of a scenario config) */
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(file, sizeof file, "%s/t.json", dir);
    cr_assert_eq(tu_write_file(file, "{\"ipsim_targets\": 1, \"targets\": [\n"
                                     " {\"name\": \"a\", \"quantty\": \"invalidity_stock\"}],\n"
                                     " \"descripton\": \"x\"}"), 0);
    o = validate_json(file, 2, 7, err, sizeof err);
    cr_expect(strstr(err, "unknown key 'ipsim_targets'") == NULL, "%s", err);
    cr_expect(strstr(err, "t.json:2:16: targets[0]: unknown key 'quantty'; did you mean "
                          "'quantity'?") != NULL, "%s", err);
    cr_expect(strstr(err, "t.json:3:2: unknown key 'descripton'; did you mean "
                          "'description'?") != NULL, "%s", err);
    const char *first = strstr(err, "quantty"), *last = strstr(err, "descripton");
    cr_expect(first && last && first < last, "not in file order: %s", err);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(o, "kind")->valuestring, "targets");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "valid")));
    cJSON_Delete(o);
    unlink(file);
    rmdir(dir);
}
