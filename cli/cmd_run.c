/* cmd_run: `ipsim run`: runs every policy of a scenario over replications
 * in parallel, prints the summary table (or JSON) and writes the HDF5 file
 * atomically. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "io/config.h"
#include "io/config_override.h"
#include "io/h5out.h"
#include "io/uncertainty_config.h"
#include "models/runset.h"
#include "models/summary.h"

static void run_usage(FILE *f)
{
    fprintf(f,
            "Usage: ipsim run [CONFIG] [-o FILE] [--reps N] [--seed S] [--threads T]\n"
            "                 [--set PATH=VALUE]... [--force] [--json] [--event-log] [--quiet]\n"
            "\n"
            "Runs every policy of the scenario in CONFIG (default: the built-in Belgian\n"
            "scenario, configs/belgium_default.json) for N replications and writes one\n"
            "HDF5 file. Prints a summary per policy: share of the cohort (initial stock\n"
            "with a mental disorder) ever employed by months 6, 18 and 60, median days to\n"
            "first job, and people in each state at the horizon, each with the mean and\n"
            "the 2.5%%-97.5%% range across replications; then each policy after the first\n"
            "minus the first, taken within each replication (same people, same random\n"
            "numbers), with the same range of the differences.\n"
            "\n"
            "  -o, --output FILE  HDF5 output (default: CONFIG's base name with .h5, or\n"
            "                     belgium_default.h5, written in the current directory,\n"
            "                     not next to CONFIG); never overwritten without --force\n"
            "  --reps N           replications (default: run.replications of the config)\n"
            "  --seed S           master seed (default: run.seed of the config)\n"
            "  --threads T        worker threads (default: all processors); results do not\n"
            "                     depend on T\n"
            "  --set PATH=VALUE   override one value of the config (repeatable), e.g.\n"
            "                     --set policies[2].programme.fidelity.score=85; see\n"
            "                     docs/config.md\n"
            "  --force            replace an existing output file\n"
            "  --json             print the summary as JSON on stdout instead of a table\n"
            "  --event-log        also store every person's transitions (large)\n"
            "  --quiet            no progress bar\n");
}

typedef struct progress_ctx {
    cli_progress bar;
} progress_ctx;

static void on_progress(const runset_progress *pr, void *arg)
{
    progress_ctx *pc = arg;
    cli_progress_update(&pc->bar, atomic_load(&pr->runs_done), pr->runs_total,
                        atomic_load(&pr->events));
}

int cmd_run(int argc, char **argv)
{
    const char *config = NULL, *output = NULL;
    uint64_t reps = 0, seed = 0, threads = (uint64_t)cli_default_threads();
    bool have_seed = false, force = false, json = false, quiet = false, event_log = false;
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
            run_usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--reps")) {
            if (!cli_option_u64(argc, argv, &i, 1, 1000000, &reps))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--event-log")) {
            event_log = true;
        } else if (cli_take_config_arg("run", a, &config) != 0) {
            return EXIT_USAGE;
        }
    }
    ipsim_config cfg;
    int rc = cli_load_config("run", config, &ov, &cfg);
    if (rc != EXIT_OK)
        return rc;
    if (reps)
        cfg.replications = reps;
    if (have_seed)
        cfg.seed = seed;
    if (event_log)
        cfg.model.event_log = true;
    /* the output's /config must reproduce the run: record the overrides */
    if ((reps && config_record_u64(&cfg, "run.replications", reps) != 0)
        || (have_seed && config_record_u64(&cfg, "run.seed", seed) != 0)
        || (event_log && config_record_bool(&cfg, "run.event_log", true) != 0)) {
        fprintf(stderr, "ipsim run: out of memory\n");
        config_clear(&cfg);
        return EXIT_FAIL;
    }

    char outbuf[4096], err[4600];
    /* parameter uncertainty: every replication's values drawn and checked
     * before anything is written */
    unc_plan plan;
    rc = cli_uncertainty_plan("run", &cfg, cfg.replications, &plan);
    if (rc != EXIT_OK) {
        config_clear(&cfg);
        return rc;
    }
    const char *output_option = output ? "-o" : "the default output";
    if (!output) {
        cli_default_output(config, ".h5", "belgium_default.h5", outbuf, sizeof outbuf);
        output = outbuf;
    }
    h5out_target target;
    if (cli_output_is_input("run", output_option, output, config, "config")) {
        uncertainty_plan_clear(&plan);
        config_clear(&cfg);
        return EXIT_USAGE;
    }
    if (h5out_begin(&target, output, force, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim run: %s\n", err);
        uncertainty_plan_clear(&plan);
        config_clear(&cfg);
        return EXIT_USAGE;
    }
    cli_guard_tmp(target.tmp_path);

    size_t npol = cfg.model.npolicies, nrep = cfg.replications;
    threads = cli_threads_for(threads, npol * nrep);
    run_results *results = calloc(npol * nrep, sizeof *results);
    policy_summary *sums = calloc(npol, sizeof *sums);
    policy_summary *diffs = calloc(npol, sizeof *diffs); /* [p]: p minus policy 0 */
    int status = EXIT_FAIL;
    double *rank_corr = NULL; /* [parameter][policy], with uncertainty */
    int rank_corr_month = 0;
    if (!results || !sums || !diffs) {
        fprintf(stderr, "ipsim run: out of memory\n");
        goto done;
    }
    progress_ctx pc;
    cli_progress_start(&pc.bar, "ipsim run", quiet);
    double t0 = cli_now();
    rc = runset_run(&cfg.model, plan.u ? plan.params : NULL, cfg.seed, nrep, (int)threads,
                    results,
                    pc.bar.enabled ? on_progress : NULL, &pc);
    double wall = cli_now() - t0;
    cli_progress_end(&pc.bar);
    if (rc != 0) {
        fprintf(stderr, "ipsim run: a simulation run failed (out of memory?)\n");
        goto done;
    }
    for (size_t p = 0; p < npol; p++)
        if (summary_compute(&results[p * nrep], nrep, cfg.model.horizon_days, &sums[p]) != 0
            || (p > 0 && summary_compute_difference(&results[p * nrep], results, nrep,
                                                    cfg.model.horizon_days, &diffs[p]) != 0)) {
            fprintf(stderr, "ipsim run: out of memory\n");
            goto done;
        }
    /* with parameter uncertainty: which parameter moves the differences */
    if (plan.u && npol > 1) {
        rank_corr = malloc(plan.u->nparams * npol * sizeof *rank_corr);
        if (!rank_corr
            || summary_sensitivity(results, npol, nrep, plan.values, plan.u->nparams,
                                   cfg.model.horizon_days, rank_corr, &rank_corr_month) != 0) {
            fprintf(stderr, "ipsim run: out of memory\n");
            goto done;
        }
    }
    h5out_runset rs = { &cfg, npol, nrep, results, sums, diffs, wall, (int)threads,
                        plan.u ? &plan : NULL, rank_corr, rank_corr_month };
    if (h5out_write_runset(&target, &rs, err, sizeof err) != 0
        || h5out_commit(&target, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim run: %s\n", err);
        goto done;
    }
    cli_unguard_tmp();
    uint64_t events = 0;
    for (size_t i = 0; i < npol * nrep; i++)
        events += results[i].events;
    report_info info = { &cfg, output, nrep, (int)threads, events, wall, plan.u ? &plan : NULL,
                         rank_corr, rank_corr_month };
    if (json)
        report_run_json(stdout, &info, sums, diffs);
    else
        report_run_table(stdout, &info, sums, diffs);
    status = EXIT_OK;
done:
    if (status != EXIT_OK) {
        h5out_abort(&target);
        cli_unguard_tmp();
    }
    if (results)
        for (size_t i = 0; i < npol * nrep; i++)
            results_clear(&results[i]);
    free(results);
    free(sums);
    free(diffs);
    free(rank_corr);
    uncertainty_plan_clear(&plan);
    config_clear(&cfg);
    return status;
}
