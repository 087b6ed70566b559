/* `ipsim trial` and `ipsim power` through the command line: located errors
 * with exit status 2 and nothing written for every kind of bad input, the
 * files a good run writes, and JSON that scripts can read. */
#include <dirent.h>
#include <math.h>
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <hdf5.h>

#include "tests/test_util.h"

/* Number of entries in dir other than . and .. */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

typedef struct bad_case {
    const char *json;    /* the config, NULL for none */
    const char *args;    /* extra arguments */
    const char *expect[3];
} bad_case;

/* Runs `ipsim CMD cfg -o dir/out.h5 ARGS` and checks status 2, the messages
 * and that the directory holds nothing but the config afterwards. */
static void check_bad(const char *cmd, const bad_case *c)
{
    char dir[64], cfg[128], out[128], line[1024], err[8192], so[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/bad.json", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    if (c->json)
        cr_assert_eq(tu_write_file(cfg, c->json), 0);
    snprintf(line, sizeof line, "%s %s -o %s --quiet %s", cmd, c->json ? cfg : "", out,
             c->args ? c->args : "");
    int st = tu_run_ipsim(line, so, sizeof so, err, sizeof err);
    cr_expect_eq(st, 2, "%s: exit status %d, stderr: %s", line, st, err);
    for (int i = 0; i < 3 && c->expect[i]; i++)
        cr_expect(strstr(err, c->expect[i]) != NULL, "%s: expected '%s' in: %s", cmd, c->expect[i],
                  err);
    cr_expect_eq(dir_entries(dir), c->json ? 1 : 0, "%s: something was written", line);
    unlink(cfg);
    rmdir(dir);
}

static void check_bad_both(const bad_case *c)
{
    check_bad("trial", c);
    check_bad("power --reps 2", c);
}

Test(trial_cli, unknown_trial_key_suggests_the_closest)
{
    bad_case c = { "{\"trial\": {\n  \"folow_up_months\": 30}}", NULL,
                   { "bad.json:2:3", "unknown key 'folow_up_months'", "follow_up_months" } };
    check_bad_both(&c);
}

Test(trial_cli, odd_block_size)
{
    bad_case c = { "{\"trial\": {\"block_size\": 5}}", NULL,
                   { "trial.block_size", "5 is odd", "2, 4, ..., 64" } };
    check_bad_both(&c);
}

Test(trial_cli, primary_outcome_must_be_listed)
{
    bad_case c = { "{\"trial\": {\"outcomes\": {\"primary\": \"ever_worked_12m\"}}}", NULL,
                   { "trial.outcomes.primary", "ever_worked_12m", "allowed: ever_worked_18m" } };
    check_bad_both(&c);
}

Test(trial_cli, window_beyond_follow_up)
{
    bad_case c = { "{\"trial\": {\"follow_up_months\": 24}}", NULL,
                   { "trial.outcomes.ever_worked_months", "30 months (the default) is beyond", NULL } };
    check_bad_both(&c);
}

Test(trial_cli, arm_must_name_a_programme_policy)
{
    bad_case c = { "{\"trial\": {\"arms\": {\"ips\": \"status_quo\", \"control\": \"ttp\"}}}", NULL,
                   { "trial.arms.ips", "status_quo policy", "no policy named 'ttp'" } };
    check_bad_both(&c);
}

Test(trial_cli, ages_probabilities_and_lists_are_checked)
{
    bad_case c = { "{\"trial\": {\"inclusion\": {\"min_age\": 60, \"max_age\": 40,"
                   " \"severity\": [\"mild\", \"acute\"]}, \"non_compliance\": {\"ips\": 1.5}}}",
                   NULL,
                   { "min_age 60 must be below max_age 40", "'acute' is not allowed",
                     "trial.non_compliance.ips" } };
    check_bad_both(&c);
}

Test(trial_cli, unreachable_icc)
{
    bad_case c = { "{\"work\": {\"part_time_share\": 0}, \"trial\": {\"coach_icc\": 0.05,"
                   " \"outcomes\": {\"primary\": \"working_on_benefit_18m\"},"
                   " \"participants\": {\"flanders\": 40, \"wallonia\": 20, \"brussels\": 12},"
                   " \"coach_pilot_clients\": 3000}}", NULL,
                   { "trial.coach_icc", "cannot be reached", NULL } };
    check_bad_both(&c);
}

Test(trial_cli, inclusion_that_excludes_everyone)
{
    /* everyone in the stock is 50 or older; the trial wants people under 40 */
    bad_case c = { "{\"population\": {\"stock\": {\"age_shares\": {\"18-29\": 0, \"30-39\": 0,"
                   " \"40-49\": 0, \"50-64\": 1}}}, \"trial\": {\"coach_icc\": 0,"
                   " \"inclusion\": {\"max_age\": 40}}}", NULL,
                   { "trial.inclusion", "were not eligible", NULL } };
    check_bad_both(&c);
}

Test(trial_cli, bad_grid_options)
{
    bad_case a = { NULL, "--n 600,abc", { "--n: 'abc' is not a whole decimal number", NULL } };
    check_bad("power", &a);
    bad_case b = { NULL, "--effect 0.5,", { "--effect", NULL } };
    check_bad("power", &b);
    bad_case c = { NULL, "--reps 0", { "--reps", NULL } };
    check_bad("power", &c);
    bad_case d = { NULL, "--n 2", { "--n", "4..", NULL } };
    check_bad("power", &d);
}

/* --n and trial.power.n take whole decimal numbers only: no rounding of
 * 600.5, no hexadecimal, no exponent; --effect takes decimal numbers */
Test(trial_cli, grid_sizes_must_be_whole_decimal_numbers)
{
    const char *bad_n[] = { "600.5", "0x258", "6e2", "600,601.5", "+600", " 600" };
    for (size_t i = 0; i < sizeof bad_n / sizeof bad_n[0]; i++) {
        char args[64], expect[96];
        snprintf(args, sizeof args, "--n '%s'", bad_n[i]);
        const char *item = strchr(bad_n[i], ',') ? strchr(bad_n[i], ',') + 1 : bad_n[i];
        snprintf(expect, sizeof expect, "--n: '%s' is not a whole decimal number", item);
        bad_case c = { NULL, args, { expect, "4..1000000", NULL } };
        check_bad("power", &c);
    }
    bad_case e = { NULL, "--effect 0x1", { "--effect: '0x1' is not a decimal number", NULL } };
    check_bad("power", &e);
    bad_case inf = { NULL, "--effect inf", { "--effect: 'inf' is not a decimal number", NULL } };
    check_bad("power", &inf);
    bad_case cfg = { "{\"trial\": {\"power\": {\n  \"n\": [600, 600.5]}}}", NULL,
                     { "bad.json:2:14: trial.power.n[1]: 600.5 is not a whole number", NULL } };
    check_bad("power --reps 2", &cfg);
    /* the config check is the validator's too */
    char dir[64], path[128], line[256], err[4096], so[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(path, sizeof path, "%s/n.json", dir);
    cr_assert_eq(tu_write_file(path, "{\"trial\": {\"power\": {\"n\": [600.5]}}}"), 0);
    snprintf(line, sizeof line, "validate %s", path);
    cr_expect_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "trial.power.n[0]: 600.5 is not a whole number") != NULL, "%s", err);
    unlink(path);
    rmdir(dir);
}

/* an option where a value belongs is reported as a missing value, not as a
 * second CONFIG; errors of the shared options name the command */
Test(trial_cli, option_values_and_command_names)
{
    char dir[64], line[512], so[4096], err[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(line, sizeof line,
             "trial %s/configs/trial_belgium_realised.json --quiet --csv -o %s/x.h5",
             IPSIM_SOURCE_DIR, dir);
    cr_expect_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "ipsim trial: --csv needs a file name, not the option '-o'") != NULL,
              "%s", err);
    cr_expect_null(strstr(err, "only one CONFIG"), "%s", err);
    cr_expect_eq(dir_entries(dir), 0, "something was written");
    rmdir(dir);
    bad_case cases[] = {
        { NULL, "-o --json", { "ipsim power: -o needs a file name, not the option '--json'" } },
        { NULL, "--reps x", { "ipsim power: --reps: 'x' is not a whole number" } },
        { NULL, "--threads 0", { "ipsim power: --threads: '0' is not a whole number" } },
        { NULL, "--seed -1", { "ipsim power: --seed: '-1' is not a whole number" } },
        { NULL, "--n --effect 1", { "ipsim power: --n needs a list of whole numbers, not the"
                                    " option '--effect'" } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_bad("power", &cases[i]);
    bad_case rep = { NULL, "--rep 1.5", { "ipsim trial: --rep: '1.5' is not a whole number" } };
    check_bad("trial", &rep);
    /* --csv needs a name before .csv (the tests go to NAME.tests.csv) */
    char arg[128];
    snprintf(arg, sizeof arg, "--csv %s/.csv", dir);
    bad_case nameless = { NULL, arg, { ": give a file name such as people.csv" } };
    check_bad("trial", &nameless);
    snprintf(arg, sizeof arg, "--csv %s/", dir);
    check_bad("trial", &nameless);
    bad_case reps = { NULL, "--reps", { "ipsim run: --reps needs a whole number" } };
    check_bad("run", &reps);
    /* a negative number is a value, not an option */
    bad_case neg = { NULL, "--effect -20", { "ipsim power: --effect: '-20' is not a decimal number"
                                             " in -10..10" } };
    check_bad("power", &neg);
}

Test(trial_cli, malformed_json)
{
    bad_case c = { "{\"trial\": {\"coach_icc\": }}", NULL, { "bad.json:1:25", "malformed JSON", NULL } };
    check_bad_both(&c);
}

/* The whole of a small text file (at most size - 1 bytes), NUL-terminated. */
static void read_text(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = 0;
    if (f)
        fclose(f);
}

/* --force replaces results, never the config they come from: -o or --csv
 * (or the tests file --csv implies) naming CONFIG, however spelt, is
 * refused, and CONFIG is left as it was (run and project too). */
Test(trial_cli, outputs_never_replace_the_config)
{
    static const struct { const char *config, *args; } cases[] = {
        { "c.json", "power %s/c.json --reps 2 -o %s/c.json" },
        { "c.json", "trial %s/c.json -o %s/./c.json" },
        { "c.json", "trial %s/c.json --csv %s/c.json -o %s/t.h5" },
        { "c.tests.csv", "trial %s/c.tests.csv --csv %s/c.csv -o %s/t.h5" },
        { "c.json", "run %s/c.json --reps 1 -o %s/c.json" },
        { "c.json", "project %s/c.json --reps 1 -o %s/c.json" },
    };
    static char text[65536], back[65536];
    char dir[64], cfg[128], fmt[256], line[1024], err[8192], so[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (!strncmp(cases[k].args, "project", 7))
            read_text(IPSIM_SOURCE_DIR "/configs/projection_2035.json", text, sizeof text);
        else
            snprintf(text, sizeof text, "{\"trial\": {\"model\": \"binomial\"}}");
        cr_assert_neq(text[0], 0);
        snprintf(cfg, sizeof cfg, "%s/%s", dir, cases[k].config);
        cr_assert_eq(tu_write_file(cfg, text), 0);
        snprintf(fmt, sizeof fmt, "%s --force --quiet", cases[k].args);
        snprintf(line, sizeof line, fmt, dir, dir, dir);
        int st = tu_run_ipsim(line, so, sizeof so, err, sizeof err);
        cr_expect_eq(st, 2, "%s: exit %d, %s", line, st, err);
        cr_expect(strstr(err, "is the config this command reads") != NULL, "%s: %s", line, err);
        read_text(cfg, back, sizeof back);
        cr_expect(strcmp(back, text) == 0, "%s replaced the config", line);
        cr_expect_eq(dir_entries(dir), 1, "%s: something was written", line);
        unlink(cfg);
    }
    rmdir(dir);
}

/* A small trial with a small coach-effect pilot (50 replications of 60 IPS
 * clients), for tests of the command rather than of the pilot's precision. */
static const char *small_trial =
    "{\"trial\": {\"participants\": {\"flanders\": 68, \"wallonia\": 40, \"brussels\": 12},"
    " \"recruitment_months\": 6, \"ips_capacity\": {\"coaches\": {\"flanders\": 2,"
    " \"wallonia\": 1, \"brussels\": 1}}, \"coach_icc\": 0.03, \"coach_pilot_clients\": 3000}}";

Test(trial_cli, trial_writes_hdf5_and_csv_and_refuses_to_overwrite)
{
    char dir[64], cfg[128], out[128], csv[128], tests[160], line[1024], err[8192];
    static char so[65536];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/t.json", dir);
    snprintf(out, sizeof out, "%s/t.h5", dir);
    snprintf(csv, sizeof csv, "%s/people.csv", dir);
    snprintf(tests, sizeof tests, "%s/people.tests.csv", dir);
    cr_assert_eq(tu_write_file(cfg, small_trial), 0);
    snprintf(line, sizeof line, "trial %s -o %s --csv %s --json --quiet", cfg, out, csv);
    int st = tu_run_ipsim(line, so, sizeof so, err, sizeof err);
    cr_assert_eq(st, 0, "%s", err);
    cr_expect(tu_file_exists(out) && tu_file_exists(csv) && tu_file_exists(tests));
    cJSON *j = cJSON_Parse(so);
    cr_assert_not_null(j, "stdout is not JSON: %.200s", so);
    const cJSON *t = cJSON_GetObjectItem(j, "tests");
    cr_expect_eq(cJSON_GetArraySize(t), 34);
    const cJSON *first = cJSON_GetArrayItem(t, 0);
    cr_expect_str_eq(cJSON_GetObjectItem(first, "test")->valuestring, "z");
    cr_expect(cJSON_IsNumber(cJSON_GetObjectItem(first, "p_value")));
    cJSON_Delete(j);
    /* 121 lines: header and 120 participants */
    FILE *f = fopen(csv, "r");
    int lines = 0;
    for (int ch; f && (ch = fgetc(f)) != EOF;)
        lines += ch == '\n';
    if (f)
        fclose(f);
    cr_expect_eq(lines, 121);
    /* no overwrite without --force; with it, the same seed gives the same file */
    st = tu_run_ipsim(line, so, sizeof so, err, sizeof err);
    cr_expect_eq(st, 2);
    cr_expect(strstr(err, "use --force") != NULL, "%s", err);
    snprintf(line, sizeof line, "trial %s -o %s --csv %s --quiet --force", cfg, out, csv);
    cr_expect_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect_eq(dir_entries(dir), 4, "no temporary files are left");
    unlink(out);
    unlink(csv);
    unlink(tests);
    unlink(cfg);
    rmdir(dir);
}

/* The CSV's numbers are the file's float32 values exactly (nine significant
 * digits), so a reanalysis of the CSV reproduces the printed tests: six
 * digits merged distinct days_worked values into ties and moved the
 * Mann-Whitney estimate and p-value. */
Test(trial_cli, csv_numbers_round_trip_the_hdf5_values)
{
    char dir[64], cfg[128], out[128], csv[128], tests[160], line[1024], err[8192];
    static char so[65536];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/t.json", dir);
    snprintf(out, sizeof out, "%s/t.h5", dir);
    snprintf(csv, sizeof csv, "%s/people.csv", dir);
    snprintf(tests, sizeof tests, "%s/people.tests.csv", dir);
    cr_assert_eq(tu_write_file(cfg, small_trial), 0);
    snprintf(line, sizeof line, "trial %s -o %s --csv %s --quiet --threads 2", cfg, out, csv);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    enum { N = 120 };
    typedef struct { float days_worked, benefit, time; } row;
    row h5[N];
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(t, "days_worked", HOFFSET(row, days_worked), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "benefit_eur_per_month", HOFFSET(row, benefit), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "time_to_first_job", HOFFSET(row, time), H5T_NATIVE_FLOAT);
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, "/trial/people", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    cr_assert_geq(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, h5), 0);
    H5Dclose(d);
    H5Fclose(f);
    H5Tclose(t);
    /* columns 14, 16 and 17 (1-based): time_to_first_job, days_worked, benefit */
    FILE *in = fopen(csv, "r");
    cr_assert_not_null(in);
    char buf[2048];
    cr_assert_not_null(fgets(buf, sizeof buf, in));
    cr_assert(strstr(buf, ",time_to_first_job,first_job_observed,days_worked,"
                          "benefit_eur_per_month,") != NULL, "%s", buf);
    int rows = 0, differ = 0;
    while (fgets(buf, sizeof buf, in) && rows < N) {
        float v[3] = { 0 };
        char *s = buf;
        for (int col = 1; col <= 17 && s; col++, s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL)
            if (col == 14 || col == 16 || col == 17)
                v[col == 14 ? 2 : col == 16 ? 0 : 1] = strtof(s, NULL);
        differ += v[0] != h5[rows].days_worked || v[1] != h5[rows].benefit
                  || v[2] != h5[rows].time;
        rows++;
    }
    fclose(in);
    cr_expect_eq(rows, N);
    cr_expect_eq(differ, 0, "%d of %d rows differ from the HDF5 file", differ, rows);
    unlink(out);
    unlink(csv);
    unlink(tests);
    unlink(cfg);
    rmdir(dir);
}

/* An odd total cannot be split 1:1: the trial prints the split it drew (the
 * IPS arm as in --json's "received"), power the range the design allows */
Test(trial_cli, the_printed_split_is_the_real_one)
{
    char dir[64], cfg[128], out[128], line[1024], err[8192];
    static char so[65536];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/t.json", dir);
    snprintf(out, sizeof out, "%s/t.h5", dir);
    /* 121 people: Flanders 69 = 17 blocks of 4 and one person */
    cr_assert_eq(tu_write_file(cfg, "{\"trial\": {\"participants\": {\"flanders\": 69,"
                                    " \"wallonia\": 40, \"brussels\": 12},"
                                    " \"recruitment_months\": 6, \"ips_capacity\": {\"coaches\":"
                                    " {\"flanders\": 2, \"wallonia\": 1, \"brussels\": 1}},"
                                    " \"coach_icc\": 0.03, \"coach_pilot_clients\": 3000}}"),
                 0);
    snprintf(line, sizeof line, "trial %s -o %s --quiet --force", cfg, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    size_t a = 0, b = 0;
    const char *d = strstr(so, "Design: 121 randomised ");
    cr_assert_not_null(d, "%s", so);
    cr_assert_eq(sscanf(d, "Design: 121 randomised %zu:%zu (IPS:control)", &a, &b), 2, "%s", so);
    cr_expect_eq(a + b, 121);
    cr_expect(a == 61 || a == 60, "%zu:%zu", a, b);
    snprintf(line, sizeof line, "trial %s -o %s --quiet --force --json", cfg, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cJSON *j = cJSON_Parse(so);
    cr_assert_not_null(j);
    const cJSON *ips = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "received"), "ips");
    double arm = 0;
    for (const cJSON *e = ips ? ips->child : NULL; e; e = e->next)
        arm += e->valuedouble;
    cr_expect_eq(arm, (double)a, "IPS arm %g, printed %zu", arm, a);
    cJSON_Delete(j);
    /* power over n = 121 and 120: a range, then an exact split */
    snprintf(line, sizeof line, "power %s -o %s --quiet --force --reps 2 --n 121,120 --threads 2",
             cfg, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "Design: 121 randomised in permuted blocks of 4") != NULL, "%s", so);
    cr_expect(strstr(so, "about 1:1 (IPS arm 60 to 61 of 121: the last block is incomplete in "
                         "Flanders)") != NULL, "%s", so);
    cr_expect_null(strstr(so, "randomised 1:1"), "%s", so);
    snprintf(line, sizeof line, "power %s -o %s --quiet --force --reps 2 --n 120 --threads 2",
             cfg, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "Design: 120 randomised 60:60 (IPS:control) in permuted blocks") != NULL,
              "%s", so);
    unlink(out);
    unlink(cfg);
    rmdir(dir);
}

Test(trial_cli, power_json_has_power_mcse_wilson_and_mde)
{
    char dir[64], cfg[128], out[128], line[1024], err[8192];
    static char so[1 << 20];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/p.json", dir);
    snprintf(out, sizeof out, "%s/p.h5", dir);
    cr_assert_eq(tu_write_file(cfg, small_trial), 0);
    snprintf(line, sizeof line, "power %s -o %s --reps 20 --n 120,240 --effect 0,1 --threads 2"
             " --json --quiet", cfg, out);
    int st = tu_run_ipsim(line, so, sizeof so, err, sizeof err);
    cr_assert_eq(st, 0, "%s", err);
    cJSON *j = cJSON_Parse(so);
    cr_assert_not_null(j);
    const cJSON *pts = cJSON_GetObjectItem(j, "points");
    cr_expect_eq(cJSON_GetArraySize(pts), 4);
    const cJSON *t0 = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 3), "tests"), 0);
    double p = cJSON_GetObjectItem(t0, "power")->valuedouble;
    double se = cJSON_GetObjectItem(t0, "mc_se")->valuedouble;
    cr_expect_float_eq(se, sqrt(p * (1 - p) / 20), 1e-12);
    cr_expect(cJSON_GetObjectItem(t0, "wilson_lower")->valuedouble <= p);
    const cJSON *mde = cJSON_GetObjectItem(j, "mde");
    cr_expect_eq(cJSON_GetArraySize(mde), 2);
    /* the pilot: ceil(3000 / 60) = 50 replications at n = 120, ceil(3000 / 120)
     * = 25 at n = 240 */
    static const double pilot[4] = { 50, 50, 25, 25 };
    for (int k = 0; k < 4; k++) {
        const cJSON *pr = cJSON_GetObjectItem(cJSON_GetArrayItem(pts, k), "coach_pilot_replications");
        cr_expect(cJSON_IsNumber(pr) && pr->valuedouble == pilot[k], "point %d: pilot %g", k,
                  cJSON_IsNumber(pr) ? pr->valuedouble : -1);
    }
    /* the same in the file's /power/points, its last column */
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, "/power/points", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2];
    cr_assert_eq(H5Sget_simple_extent_dims(sp, dims, NULL), 2);
    cr_assert(dims[0] == 4 && dims[1] == 7, "points %llu x %llu", (unsigned long long)dims[0],
              (unsigned long long)dims[1]);
    double rows[4][7];
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), 0);
    for (int k = 0; k < 4; k++)
        cr_expect_eq(rows[k][6], pilot[k], "point %d: pilot %g in the file", k, rows[k][6]);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    cr_expect(tu_file_exists(out));
    cJSON_Delete(j);
    unlink(out);
    unlink(cfg);
    rmdir(dir);
}

/* --csv: one row per grid point and test, the same figures as --json; a
 * CSV name that clashes with -o or an existing file stops before anything
 * is written. */
Test(trial_cli, power_csv_has_a_row_per_point_and_test)
{
    char dir[64], cfg[128], out[128], csv[128], line[1024], err[8192];
    static char so[1 << 20];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/p.json", dir);
    snprintf(out, sizeof out, "%s/p.h5", dir);
    snprintf(csv, sizeof csv, "%s/power.csv", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"trial\": {\"model\": \"binomial\", \"test_model\":"
                                    " {\"p_ips\": 0.35, \"p_control\": 0.2}}}"), 0);
    snprintf(line, sizeof line, "power %s -o %s --csv %s --reps 40 --n 200,400 --effect 0,0.5,1"
             " --threads 2 --json --quiet", cfg, out, csv);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cJSON *j = cJSON_Parse(so);
    cr_assert_not_null(j);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "csv")->valuestring, csv);
    const cJSON *pts = cJSON_GetObjectItem(j, "points");
    size_t npts = (size_t)cJSON_GetArraySize(pts);
    size_t ntests = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 0),
                                                                     "tests"));
    cr_expect_eq(npts, 6);
    FILE *f = fopen(csv, "r");
    cr_assert_not_null(f);
    char row[1024];
    cr_assert_not_null(fgets(row, sizeof row, f));
    cr_expect_str_eq(row, "n,effect,outcome,test,replications,rejections,power,mc_se,"
                          "wilson_lower,wilson_upper,failures,estimate_type,mean_estimate,"
                          "ips_mean,control_mean\n");
    size_t rows = 0, differ = 0;
    while (fgets(row, sizeof row, f)) {
        size_t p = rows / ntests, k = rows % ntests, n = 0, reps = 0, rej = 0;
        double effect = -1, power = -1, se = -1;
        char outcome[64] = "", test[64] = "";
        int got = sscanf(row, "%zu,%lf,%63[^,],%63[^,],%zu,%zu,%lf,%lf", &n, &effect, outcome,
                         test, &reps, &rej, &power, &se);
        const cJSON *pt = cJSON_GetArrayItem(pts, (int)p);
        const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(pt, "tests"), (int)k);
        differ += got != 8 || !pt || !t || n != (size_t)cJSON_GetObjectItem(pt, "n")->valuedouble
                  || effect != cJSON_GetObjectItem(pt, "effect")->valuedouble
                  || strcmp(outcome, cJSON_GetObjectItem(t, "outcome")->valuestring)
                  || strcmp(test, cJSON_GetObjectItem(t, "test")->valuestring) || reps != 40
                  || rej != (size_t)cJSON_GetObjectItem(t, "rejections")->valuedouble
                  || fabs(power - cJSON_GetObjectItem(t, "power")->valuedouble) > 1e-9
                  || fabs(se - sqrt(power * (1 - power) / 40)) > 1e-9;
        rows++;
    }
    fclose(f);
    cr_expect_eq(rows, npts * ntests);
    cr_expect_eq(differ, 0, "%zu of %zu rows differ from --json", differ, rows);
    cJSON_Delete(j);
    unlink(out);
    /* the CSV exists: without --force nothing is written, not even the HDF5 */
    snprintf(line, sizeof line, "power %s -o %s --csv %s --reps 2 --quiet", cfg, out, csv);
    cr_expect_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "power.csv") != NULL && strstr(err, "--force") != NULL, "%s", err);
    cr_expect_not(tu_file_exists(out));
    unlink(csv);
    snprintf(line, sizeof line, "power %s -o %s --csv %s --reps 2 --quiet --force", cfg, out, out);
    cr_expect_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 2);
    cr_expect(strstr(err, "name the same file") != NULL, "%s", err);
    cr_expect_eq(dir_entries(dir), 1, "only the config is left");
    unlink(cfg);
    rmdir(dir);
}

/* The power table gives mean risk differences in percentage points, as the
 * trial table and the power curves do (it printed 0.0993 beside +9.9pp). */
Test(trial_cli, power_table_gives_risk_differences_in_points)
{
    char dir[64], cfg[128], out[128], line[1024], err[8192];
    static char so[1 << 20], js[1 << 20];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/p.json", dir);
    snprintf(out, sizeof out, "%s/p.h5", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"trial\": {\"model\": \"binomial\", \"test_model\":"
                                    " {\"p_ips\": 0.3, \"p_control\": 0.2}}}"), 0);
    snprintf(line, sizeof line, "power %s -o %s --reps 50 --n 1000 --effect 0.5,1 --threads 2"
             " --quiet --force --json", cfg, out);
    cr_assert_eq(tu_run_ipsim(line, js, sizeof js, err, sizeof err), 0, "%s", err);
    snprintf(line, sizeof line, "power %s -o %s --reps 50 --n 1000 --effect 0.5,1 --threads 2"
             " --quiet --force", cfg, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cJSON *j = cJSON_Parse(js);
    cr_assert_not_null(j);
    const cJSON *t0 = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
                                             cJSON_GetObjectItem(j, "points"), 0), "tests"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(t0, "name")->valuestring, "ever_worked_18m/z");
    double rd = cJSON_GetObjectItem(t0, "mean_estimate")->valuedouble;
    const char *row = strstr(so, "\never_worked_18m/z ");
    cr_assert_not_null(row, "%s", so);
    double power, se, lo, hi, pp = NAN;
    int got = sscanf(row, " ever_worked_18m/z %lf%% (%lf) [%lf, %lf] %lf pp", &power, &se, &lo,
                     &hi, &pp);
    cr_expect_eq(got, 5, "%.200s", row);
    cr_expect(fabs(pp - 100 * rd) < 0.006, "table %g pp, JSON %g", pp, rd);
    /* and the minimal detectable effect's estimate */
    const char *mde = strstr(so, "Minimal detectable effect");
    cr_assert_not_null(mde, "%s", so);
    row = strstr(mde, "ever_worked_18m/z ");
    cr_assert_not_null(row);
    char *nl = strchr(row, '\n');
    cr_expect(nl && strstr(row, " pp") && strstr(row, " pp") < nl,
              "%.120s", row);
    cJSON_Delete(j);
    unlink(out);
    unlink(cfg);
    rmdir(dir);
}

/* The "points" of a power --json output, as text. */
static char *points_of(const char *json)
{
    cJSON *j = cJSON_Parse(json);
    cr_assert_not_null(j, "not JSON: %.200s", json);
    char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "points"));
    cJSON_Delete(j);
    return text;
}

/* Command-line overrides are written into /config: rerunning it gives the
 * same power figures, and a trial run with --seed the same trial. */
Test(trial_cli, rerunning_the_recorded_config_reproduces_power_and_trial)
{
    char dir[64], cfg[128], out[128], again[128], rec[128], line[1024], err[8192];
    static char so[1 << 20];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/p.json", dir);
    snprintf(out, sizeof out, "%s/p.h5", dir);
    snprintf(again, sizeof again, "%s/p2.h5", dir);
    snprintf(rec, sizeof rec, "%s/recorded.json", dir);
    cr_assert_eq(tu_write_file(cfg, small_trial), 0);
    snprintf(line, sizeof line, "power %s -o %s --reps 12 --n 120,160 --effect 0.5 --seed 99"
             " --json --quiet", cfg, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    char *first = points_of(so);
    /* the design reported is the grid that ran, not the config's */
    cJSON *j = cJSON_Parse(so);
    char *grid = cJSON_PrintUnformatted(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "design"), "power"));
    cr_expect_str_eq(grid, "{\"replications\":12,\"n\":[120,160],\"effect\":[0.5]}");
    free(grid);
    cJSON_Delete(j);
    char *text = tu_h5_text(out, "config");
    cr_assert_not_null(text);
    cr_assert_eq(tu_write_file(rec, text), 0);
    free(text);
    snprintf(line, sizeof line, "power %s -o %s --json --quiet", rec, again);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    char *second = points_of(so);
    cr_expect_str_eq(first, second);
    cr_expect(strstr(so, "\"seed\":\t99") != NULL, "%.300s", so);
    free(first);
    free(second);

    snprintf(line, sizeof line, "trial %s -o %s --seed 4321 --json --quiet --force", cfg, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cJSON *a = cJSON_Parse(so);
    text = tu_h5_text(out, "config");
    cr_assert_not_null(text);
    cr_assert_eq(tu_write_file(rec, text), 0);
    free(text);
    snprintf(line, sizeof line, "trial %s -o %s --json --quiet --force", rec, again);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cJSON *b = cJSON_Parse(so);
    char *ta = cJSON_PrintUnformatted(cJSON_GetObjectItem(a, "tests"));
    char *tb = cJSON_PrintUnformatted(cJSON_GetObjectItem(b, "tests"));
    cr_expect_str_eq(ta, tb);
    free(ta);
    free(tb);
    cJSON_Delete(a);
    cJSON_Delete(b);
    unlink(out);
    unlink(again);
    unlink(rec);
    unlink(cfg);
    rmdir(dir);
}

/* With under 2 IPS clients a coach the ANOVA estimate of the ICC means
 * nothing (n = 8 over 23 coaches gave -2.000): the heading says so. */
Test(trial_cli, power_heading_has_no_icc_estimate_for_tiny_coach_groups)
{
    char dir[64], out[128], line[1024], err[8192];
    static char so[1 << 20];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(out, sizeof out, "%s/p.h5", dir);
    snprintf(line, sizeof line, "power %s/configs/trial_belgium_realised.json -o %s --reps 10"
             " --n 8 --effect 1 --quiet", IPSIM_SOURCE_DIR, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "mean ICC estimate n/a: about 0.2 IPS clients a coach") != NULL, "%s",
              so);
    snprintf(line, sizeof line, "power %s/configs/trial_belgium_realised.json -o %s --reps 10"
             " --n 600 --effect 1 --quiet --force", IPSIM_SOURCE_DIR, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    const char *h = strstr(so, "mean ICC estimate ");
    double icc = NAN;
    cr_expect(h && sscanf(h, "mean ICC estimate %lf", &icc) == 1 && fabs(icc) < 0.5, "%.300s",
              h ? h : so);
    unlink(out);
    rmdir(dir);
}

/* The same guard in a single trial's ICC line. */
Test(trial_cli, trial_has_no_icc_estimate_for_tiny_coach_groups)
{
    char dir[64], cfg[128], out[128], line[1024], err[8192];
    static char so[1 << 20];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/t.json", dir);
    snprintf(out, sizeof out, "%s/t.h5", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"trial\": {\"participants\": {\"flanders\": 20, "
                                    "\"wallonia\": 8, \"brussels\": 4}, "
                                    "\"coach_pilot_clients\": 1000}}"), 0);
    snprintf(line, sizeof line, "trial %s -o %s --quiet", cfg, out);
    cr_assert_eq(tu_run_ipsim(line, so, sizeof so, err, sizeof err), 0, "%s", err);
    const char *icc = strstr(so, "ICC of ");
    cr_assert_not_null(icc, "%s", so);
    cr_expect(strstr(icc, "(ANOVA): n/a: about 0.7 IPS clients a coach") != NULL, "%s", so);
    unlink(out);
    unlink(cfg);
    rmdir(dir);
}
