/* cmd_trial: `ipsim trial`: simulates one randomised trial of IPS against
 * the control programme from the config's "trial" section, runs every
 * planned analysis, prints effects with intervals and p-values (table or
 * JSON) and writes the participants and results to HDF5 (and CSV on
 * request), each file under a temporary name renamed when complete. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report_trial.h"
#include "io/config.h"
#include "io/config_override.h"
#include "io/h5out.h"
#include "io/h5trial.h"
#include "models/claimant.h"
#include "models/trial.h"
#include "models/trial_analysis.h"

static void trial_usage(FILE *f)
{
    fprintf(f,
            "Usage: ipsim trial [CONFIG] [-o FILE] [--csv FILE] [--seed S] [--rep R]\n"
            "                   [--threads T] [--set PATH=VALUE]... [--force] [--json] [--quiet]\n"
            "\n"
            "Simulates one randomised trial of IPS against train-then-place as set out in\n"
            "the config's \"trial\" section (default: the planned Belgian pilot, 1,200\n"
            "people followed 5 years; docs/power.md): participants drawn from the claimant\n"
            "population by the inclusion criteria, randomised 1:1 in permuted blocks within\n"
            "region, followed from randomisation. Prints each arm's outcomes and every\n"
            "planned test (two-proportion z, chi-square, CMH by region, coach-clustered test,\n"
            "log-rank plain and stratified, Welch t, Mann-Whitney) with its estimate,\n"
            "confidence interval and p-value.\n"
            "\n"
            "  -o, --output FILE  HDF5 output (default: CONFIG's base name with _trial.h5,\n"
            "                     or trial.h5, in the current directory); never\n"
            "                     overwritten without --force\n"
            "  --csv FILE         also write the participants as CSV to FILE and the tests\n"
            "                     to FILE with .tests.csv in place of .csv\n"
            "  --seed S           master seed (default: run.seed of the config)\n"
            "  --rep R            replication number under that seed (default 0); trial R of\n"
            "                     `ipsim power` with the same seed and design\n"
            "  --threads T        threads for the coach-effect pilot (default: all processors)\n"
            "  --set PATH=VALUE   override one value of the config (repeatable), e.g.\n"
            "                     --set policies[2].programme.fidelity.score=85; see\n"
            "                     docs/config.md\n"
            "  --force            replace existing output files\n"
            "  --json             print the results as JSON on stdout instead of a table\n"
            "  --quiet            no progress messages\n");
}

static void csv_binary(FILE *f, uint8_t v)
{
    if (v == TRIAL_MISSING)
        fputs(",", f);
    else
        fprintf(f, ",%u", v);
}

static void csv_float(FILE *f, float v)
{
    if (isnan(v))
        fputs(",", f);
    else if (isinf(v))
        fputs(",inf", f);
    else
        fprintf(f, ",%.9g", v);
}

static int write_people_csv(const char *path, const trial_design *d, const trial_person *pp)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    static const char *const arm[N_ARM] = { "control", "ips" };
    static const char *const rec[N_RECEIVED] = { "none", "control", "ips" };
    static const char *const region[N_REGION] = { "flanders", "wallonia", "brussels" };
    const trial_params *tp = &d->tp;
    fprintf(f, "id,region,block,arm,received,sex,severity,education,age,randomisation_day,coach,"
               "lost_day,first_job_day,time_to_first_job,first_job_observed,days_worked,"
               "benefit_eur_per_month,final_state");
    char name[40];
    for (int kind = 0; kind < N_OUT_BINARY_KIND; kind++)
        for (size_t w = 0; w < trial_binary_windows(tp, kind); w++) {
            trial_binary_name(tp, kind, w, name, sizeof name);
            fprintf(f, ",%s", name);
        }
    fputc('\n', f);
    for (size_t i = 0; i < d->n; i++) {
        const trial_person *x = &pp[i];
        fprintf(f, "%u,%s,%u,%s,%s,%s,%s,%s", x->id, region[x->region], x->block, arm[x->arm],
                rec[x->received], x->sex == SEX_FEMALE ? "female" : "male",
                x->severity == SEV_MILD ? "mild" : x->severity == SEV_MODERATE ? "moderate"
                : x->severity == SEV_SEVERE ? "severe" : "other",
                x->education == EDU_LOW ? "low" : x->education == EDU_MEDIUM ? "medium" : "high");
        csv_float(f, x->age);
        csv_float(f, x->rand_day);
        if (x->coach == TRIAL_NO_COACH)
            fputs(",", f);
        else
            fprintf(f, ",%u", x->coach);
        csv_float(f, x->lost_day);
        csv_float(f, x->first_job);
        csv_float(f, x->time);
        fprintf(f, ",%u", x->event);
        csv_float(f, x->days_worked);
        csv_float(f, x->benefit_eur);
        fprintf(f, ",%s", claimant_state_name(x->final_state));
        for (int kind = 0; kind < N_OUT_BINARY_KIND; kind++)
            for (size_t w = 0; w < trial_binary_windows(tp, kind); w++)
                csv_binary(f, trial_person_binary(x, kind, w));
        fputc('\n', f);
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int write_tests_csv(const char *path, const trial_plan *plan, const trial_test_result *t,
                           double ci_level)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "outcome,test,estimate_type,estimate,ci_lower,ci_upper,ci_level,statistic,p_value,"
               "reject,status\n");
    for (size_t k = 0; k < plan->n_tests; k++) {
        fprintf(f, "%s,%s,%s,%.10g,%.10g,%.10g,%g,%.10g,%.10g,%d,%d\n",
                plan->outcome[plan->test[k].outcome].name, trial_test_name(plan->test[k].kind),
                trial_estimate_label(plan->test[k].kind), t[k].estimate, t[k].lower, t[k].upper,
                ci_level, t[k].statistic, t[k].p_value, t[k].reject, t[k].status);
    }
    return fclose(f) == 0 ? 0 : -1;
}

int cmd_trial(int argc, char **argv)
{
    const char *config = NULL, *output = NULL, *csv = NULL;
    uint64_t seed = 0, rep = 0, threads = (uint64_t)cli_default_threads();
    bool have_seed = false, force = false, json = false, quiet = false;
    config_overrides ov = { 0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int taken = cli_take_output_flag(argc, argv, &i, &output, &force, &json, &quiet);
        if (taken == 0)
            taken = cli_take_seed_threads(argc, argv, &i, &seed, &have_seed, &threads);
        if (taken == 0)
            taken = cli_take_set(argc, argv, &i, &ov);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            trial_usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--csv")) {
            if (!(csv = cli_option_value(argc, argv, &i, "a file name")))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--rep")) {
            if (!cli_option_u64(argc, argv, &i, 0, 100000000, &rep))
                return EXIT_USAGE;
        } else if (cli_take_config_arg("trial", a, &config) != 0) {
            return EXIT_USAGE;
        }
    }
    if (csv) {
        /* the name without its directory and .csv must not be empty: the
         * tests go to NAME.tests.csv */
        const char *base = strrchr(csv, '/') ? strrchr(csv, '/') + 1 : csv;
        if (!*base || !strcmp(base, ".csv")) {
            fprintf(stderr, "ipsim trial: --csv %s: give a file name such as people.csv (the "
                    "tests then go to people.tests.csv)\n", csv);
            return EXIT_USAGE;
        }
    }
    ipsim_config cfg;
    int rc = cli_load_config("trial", config, &ov, &cfg);
    if (rc != EXIT_OK)
        return rc;
    cli_note_fixed_parameters("trial", &cfg);
    if (have_seed)
        cfg.seed = seed;
    /* the output's /config must reproduce the file: record the seed */
    if (have_seed && config_record_u64(&cfg, "run.seed", seed) != 0) {
        fprintf(stderr, "ipsim trial: out of memory\n");
        config_clear(&cfg);
        return EXIT_FAIL;
    }

    char outbuf[4096], err[4600], tests_csv[4200];
    const char *output_option = output ? "-o" : "the default output";
    if (!output) {
        cli_default_output(config, "_trial.h5", "trial.h5", outbuf, sizeof outbuf);
        output = outbuf;
    }
    if (csv) {
        const char *dot = strrchr(csv, '.');
        size_t stem = dot && !strcmp(dot, ".csv") ? (size_t)(dot - csv) : strlen(csv);
        snprintf(tests_csv, sizeof tests_csv, "%.*s.tests.csv", (int)stem, csv);
    }
    if (cli_output_is_input("trial", output_option, output, config, "config")
        || (csv && (cli_output_is_input("trial", "--csv", csv, config, "config")
                    || cli_output_is_input("trial", "--csv (tests)", tests_csv, config, "config")))) {
        config_clear(&cfg);
        return EXIT_USAGE;
    }
    int status = EXIT_USAGE;
    h5out_target target = { { 0 }, { 0 } }, csv_t = { { 0 }, { 0 } }, tests_t = { { 0 }, { 0 } };
    trial_design *d = malloc(sizeof *d);
    trial_workspace *w = NULL;
    trial_analysis_ws *ws = NULL;
    if (!d) {
        fprintf(stderr, "ipsim trial: out of memory\n");
        config_clear(&cfg);
        return EXIT_FAIL;
    }
    if (trial_design_init(d, &cfg.model, &cfg.trial, 0, 1.0, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim trial: %s: %s\n", cfg.source, err);
        goto done;
    }
    if (h5out_begin(&target, output, force, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim trial: %s\n", err);
        goto done;
    }
    cli_guard_tmp(target.tmp_path);
    if (csv) {
        if (h5out_same_file(output, csv) || h5out_same_file(output, tests_csv)) {
            fprintf(stderr, "ipsim trial: -o %s and --csv %s (with %s) name the same file\n",
                    output, csv, tests_csv);
            goto done;
        }
        if (h5out_begin(&csv_t, csv, force, err, sizeof err) != 0
            || h5out_begin(&tests_t, tests_csv, force, err, sizeof err) != 0) {
            fprintf(stderr, "ipsim trial: %s\n", err);
            goto done;
        }
        cli_guard_tmp(csv_t.tmp_path);
        cli_guard_tmp(tests_t.tmp_path);
    }
    double t0 = cli_now();
    if (!quiet && !json && cfg.trial.coach_icc > 0)
        fprintf(stderr, "ipsim trial: finding the coach effect for ICC %g...\n", cfg.trial.coach_icc);
    rc = trial_design_fit_coach_effect(d, cfg.seed, (int)threads, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "ipsim trial: %s: %s\n", cfg.source, err);
        status = rc == -1 ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }
    status = EXIT_FAIL;
    w = trial_workspace_alloc(d->n);
    ws = trial_analysis_ws_alloc(d->n);
    if (!w || !ws) {
        fprintf(stderr, "ipsim trial: out of memory\n");
        goto done;
    }
    const trial_person *people;
    trial_info info;
    rc = trial_simulate(d, cfg.seed, rep, w, &people, &info, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "ipsim trial: %s: %s\n", cfg.source, err);
        status = rc == -1 ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }
    trial_plan plan;
    trial_plan_build(&cfg.trial, &plan);
    trial_test_result tests[TRIAL_MAX_TESTS];
    trial_arm_value arms[TRIAL_MAX_OUTCOMES];
    double icc;
    if (trial_analyse(&plan, d, people, d->n, cfg.trial.ci_level, ws, tests, arms, &icc) != 0) {
        fprintf(stderr, "ipsim trial: out of memory in the analysis\n");
        goto done;
    }
    double wall = cli_now() - t0;
    h5trial_trial tr = { &cfg, d, &plan, people, tests, arms, &info, icc, (size_t)rep, wall };
    if (h5trial_write_trial(&target, &tr, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim trial: %s\n", err);
        goto done;
    }
    if (csv && (write_people_csv(csv_t.tmp_path, d, people) != 0
                || write_tests_csv(tests_t.tmp_path, &plan, tests, cfg.trial.ci_level) != 0)) {
        fprintf(stderr, "ipsim trial: %s: writing the CSV file failed (disk full?)\n", csv);
        goto done;
    }
    if (h5out_commit(&target, err, sizeof err) != 0
        || (csv && (h5out_commit(&csv_t, err, sizeof err) != 0
                    || h5out_commit(&tests_t, err, sizeof err) != 0))) {
        fprintf(stderr, "ipsim trial: %s\n", err);
        goto done;
    }
    cli_unguard_tmp();
    report_trial_info ri = { &cfg, d, &plan, people, tests, arms, &info, icc, cfg.seed,
                             (size_t)rep, output, csv, wall };
    if (json)
        report_trial_json(stdout, &ri);
    else
        report_trial_table(stdout, &ri);
    status = EXIT_OK;
done:
    if (status != EXIT_OK) {
        h5out_abort(&target);
        h5out_abort(&csv_t);
        h5out_abort(&tests_t);
        cli_unguard_tmp();
    }
    trial_workspace_free(w);
    trial_analysis_ws_free(ws);
    free(d);
    config_clear(&cfg);
    return status;
}
