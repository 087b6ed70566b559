/* cmd_power: `ipsim power`: simulation-based power of the config's trial
 * design over a grid of sample sizes and effect multipliers, on several
 * threads (results do not depend on their number), with Monte Carlo SEs,
 * Wilson intervals and minimal detectable effects; table or JSON, and
 * everything in one HDF5 file written atomically. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/cli.h"
#include "cli/report_trial.h"
#include "io/config.h"
#include "io/config_override.h"
#include "io/h5out.h"
#include "io/h5trial.h"
#include "models/trial_power.h"

static void power_usage(FILE *f)
{
    fprintf(f,
            "Usage: ipsim power [CONFIG] [--reps R] [--n LIST] [--effect LIST] [--seed S]\n"
            "                   [--threads T] [--set PATH=VALUE]... [-o FILE] [--csv FILE]\n"
            "                   [--force] [--json] [--quiet]\n"
            "\n"
            "Simulates the trial of CONFIG's \"trial\" section R times at each point of a grid\n"
            "and reports, for every outcome and test, the power (share of trials rejecting\n"
            "at the design's alpha) with its Monte Carlo SE and Wilson 95%% interval, power\n"
            "curves, and the minimal detectable effect at 80%% and 90%% power (interpolated\n"
            "on the effect grid). docs/power.md works through an example.\n"
            "\n"
            "  --reps R       replications per grid point (default: trial.power.replications)\n"
            "  --n LIST       total participants, comma-separated (e.g. 600,1200,1800); each\n"
            "                 is split over the regions like trial.participants (default:\n"
            "                 trial.power.n, else the configured participants)\n"
            "  --effect LIST  effect multipliers k, comma-separated (default: trial.power.effect,\n"
            "                 else 1). Claimant model: the IPS job-finding hazard ratio r\n"
            "                 becomes r^k (k = 1 as configured, 0 no job-development effect);\n"
            "                 test models: p_ips = p_control + k (p_ips - p_control), or\n"
            "                 rate_ips = rate_control (rate_ips/rate_control)^k\n"
            "  --seed S       master seed (default: run.seed of the config)\n"
            "  --threads T    worker threads (default: all processors); results do not\n"
            "                 depend on T\n"
            "  -o, --output FILE  HDF5 output (default: CONFIG's base name with _power.h5,\n"
            "                 or power.h5, in the current directory); never overwritten\n"
            "                 without --force\n"
            "  --csv FILE     also write the power of every grid point and test as CSV,\n"
            "                 one row each (for plotting power curves)\n"
            "  --set PATH=VALUE  override one value of the config (repeatable), e.g.\n"
            "                 --set trial.coach_icc=0.02; see docs/config.md\n"
            "  --force        replace existing output files\n"
            "  --json         print the results as JSON on stdout instead of a table\n"
            "  --quiet        no progress bar\n");
}

/* Parses "a,b,c" into out (at most max decimal numbers within [min, max_v],
 * whole numbers only when `whole`); prints an error naming `option`. */
static bool parse_list(const char *option, const char *text, bool whole, double min,
                       double max_v, double *out, size_t max, size_t *n)
{
    *n = 0;
    const char *s = text;
    while (*s) {
        size_t len = cli_decimal_length(s, whole);
        char *end;
        double v = len ? strtod(s, &end) : 0;
        if (!len || end != s + len || (*end && *end != ',') || !isfinite(v) || v < min
            || v > max_v) {
            int item = (int)strcspn(s, ",");
            fprintf(stderr, "ipsim power: %s: '%.*s' is not a %s in %.15g..%.15g (%s takes "
                    "a comma-separated list of at most %zu)\n", option, item, s,
                    whole ? "whole decimal number" : "decimal number", min, max_v, option, max);
            return false;
        }
        if (*n == max) {
            fprintf(stderr, "ipsim power: %s: at most %zu values\n", option, max);
            return false;
        }
        out[(*n)++] = v;
        s = *end ? end + 1 : end;
        if (*end == ',' && !*s) {
            fprintf(stderr, "ipsim power: %s: '%s' ends with a comma\n", option, text);
            return false;
        }
    }
    if (*n == 0) {
        fprintf(stderr, "ipsim power: %s: empty list\n", option);
        return false;
    }
    return true;
}

/* Every replication allocates and frees the same few hundred kilobytes
 * (claimant runs, event queues). By default glibc hands such memory back to
 * the kernel (heap trimming, mmap for larger blocks), so each replication
 * page-faults it in again: 15% of the run in the kernel. Keeping it costs
 * nothing here and removes that. */
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

static int write_csv(const char *path, const trial_power *pw)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = report_power_csv(f, pw);
    return fclose(f) == 0 ? rc : -1;
}

static void on_progress(size_t done, size_t total, uint64_t events, void *arg)
{
    cli_progress_update(arg, done, total, events);
}

int cmd_power(int argc, char **argv)
{
    const char *config = NULL, *output = NULL, *csv = NULL;
    uint64_t reps = 0, seed = 0, threads = (uint64_t)cli_default_threads();
    bool have_seed = false, force = false, json = false, quiet = false;
    config_overrides ov = { 0 };
    double n_list[16], e_list[16];
    size_t nn = 0, ne = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
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
            power_usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--csv")) {
            if (!(csv = cli_option_value(argc, argv, &i, "a file name")))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--reps")) {
            if (!cli_option_u64(argc, argv, &i, 1, 10000000, &reps))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--n")) {
            if (!(v = cli_option_value(argc, argv, &i, "a list of whole numbers"))
                || !parse_list("--n", v, true, 4, 1e6, n_list, 16, &nn))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--effect")) {
            if (!(v = cli_option_value(argc, argv, &i, "a list of numbers"))
                || !parse_list("--effect", v, false, -10, 10, e_list, 16, &ne))
                return EXIT_USAGE;
        } else if (cli_take_config_arg("power", a, &config) != 0) {
            return EXIT_USAGE;
        }
    }
    ipsim_config cfg;
    int rc = cli_load_config("power", config, &ov, &cfg);
    if (rc != EXIT_OK)
        return rc;
    cli_note_fixed_parameters("power", &cfg);
    if (have_seed)
        cfg.seed = seed;
    /* the output's /config must reproduce the file: record the overrides */
    if ((have_seed && config_record_u64(&cfg, "run.seed", seed) != 0)
        || (reps && config_record_u64(&cfg, "trial.power.replications", reps) != 0)
        || (nn && config_record(&cfg, "trial.power.n", cJSON_CreateDoubleArray(n_list, (int)nn))
                      != 0)
        || (ne && config_record(&cfg, "trial.power.effect",
                                cJSON_CreateDoubleArray(e_list, (int)ne)) != 0)) {
        fprintf(stderr, "ipsim power: out of memory\n");
        config_clear(&cfg);
        return EXIT_FAIL;
    }
    /* the design that is run is the one reported (--json "design", /trial_design) */
    if (reps)
        cfg.trial.power_reps = (size_t)reps;
    if (nn) {
        cfg.trial.n_grid_len = nn;
        memcpy(cfg.trial.n_grid, n_list, nn * sizeof *n_list);
    }
    if (ne) {
        cfg.trial.effect_grid_len = ne;
        memcpy(cfg.trial.effect_grid, e_list, ne * sizeof *e_list);
    }
    if (!reps)
        reps = cfg.trial.power_reps;
    if (nn == 0) {
        nn = cfg.trial.n_grid_len ? cfg.trial.n_grid_len : 1;
        for (size_t i = 0; i < nn; i++)
            n_list[i] = cfg.trial.n_grid_len ? cfg.trial.n_grid[i] : 0;
    }
    if (ne == 0) {
        ne = cfg.trial.effect_grid_len ? cfg.trial.effect_grid_len : 1;
        for (size_t i = 0; i < ne; i++)
            e_list[i] = cfg.trial.effect_grid_len ? cfg.trial.effect_grid[i] : 1.0;
    }

    char outbuf[4096], err[4600];
    const char *output_option = output ? "-o" : "the default output";
    if (!output) {
        cli_default_output(config, "_power.h5", "power.h5", outbuf, sizeof outbuf);
        output = outbuf;
    }
    if (cli_output_is_input("power", output_option, output, config, "config")
        || (csv && cli_output_is_input("power", "--csv", csv, config, "config"))) {
        config_clear(&cfg);
        return EXIT_USAGE;
    }
    if (csv && h5out_same_file(output, csv)) {
        fprintf(stderr, "ipsim power: -o %s and --csv %s name the same file\n", output, csv);
        config_clear(&cfg);
        return EXIT_USAGE;
    }
    h5out_target target, csv_t = { { 0 }, { 0 } };
    if (h5out_begin(&target, output, force, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim power: %s\n", err);
        config_clear(&cfg);
        return EXIT_USAGE;
    }
    cli_guard_tmp(target.tmp_path);
    if (csv && h5out_begin(&csv_t, csv, force, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim power: %s\n", err);
        h5out_abort(&target);
        h5out_abort(&csv_t);
        cli_unguard_tmp();
        config_clear(&cfg);
        return EXIT_USAGE;
    }
    if (csv)
        cli_guard_tmp(csv_t.tmp_path);
    keep_freed_memory();
    cli_progress bar;
    cli_progress_start(&bar, "ipsim power", quiet);
    trial_power pw;
    double t0 = cli_now();
    rc = trial_power_run(&cfg.model, &cfg.trial, cfg.seed, reps, (int)threads, n_list, nn, e_list,
                         ne, bar.enabled ? on_progress : NULL, &bar, &pw, err, sizeof err);
    double wall = cli_now() - t0;
    cli_progress_end(&bar);
    int status = EXIT_FAIL;
    if (rc != 0) {
        fprintf(stderr, "ipsim power: %s: %s\n", cfg.source, err);
        status = rc == -1 ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }
    if (h5trial_write_power(&target, &cfg, &pw, (int)threads, wall, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim power: %s\n", err);
        goto done;
    }
    if (csv && write_csv(csv_t.tmp_path, &pw) != 0) {
        fprintf(stderr, "ipsim power: %s: writing the CSV file failed (disk full?)\n", csv);
        goto done;
    }
    if (h5out_commit(&target, err, sizeof err) != 0
        || (csv && h5out_commit(&csv_t, err, sizeof err) != 0)) {
        fprintf(stderr, "ipsim power: %s\n", err);
        goto done;
    }
    cli_unguard_tmp();
    report_power_info ri = { &cfg, &pw, output, csv, (int)threads, wall };
    if (json)
        report_power_json(stdout, &ri);
    else
        report_power_table(stdout, &ri);
    status = EXIT_OK;
done:
    if (status != EXIT_OK) {
        h5out_abort(&target);
        cli_unguard_tmp();
    }
    if (rc == 0)
        trial_power_free(&pw);
    config_clear(&cfg);
    return status;
}
