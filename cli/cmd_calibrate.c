/* cmd_calibrate: `ipsim calibrate`: fits the free parameters of a config's
 * "calibration" section to a targets file (Nelder-Mead over the status-quo
 * simulation with common random numbers), prints the fit report and writes
 * the calibrated config (and optionally an HDF5 calibration group), each
 * atomically. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "io/calib_config.h"
#include "io/h5calib.h"
#include "io/h5out.h"
#include "io/json_check.h"
#include "models/calibrate.h"

static void calibrate_usage(FILE *f)
{
    fprintf(f,
            "Usage: ipsim calibrate CONFIG --targets FILE -o CALIBRATED.json [--h5 FILE]\n"
            "                       [--threads T] [--max-evals N] [--seed S] [--reps N]\n"
            "                       [--evaluate] [--force]\n"
            "                       [--json] [--quiet]\n"
            "\n"
            "Fits the free parameters listed in CONFIG's \"calibration\" section (JSON paths\n"
            "with bounds) to the published figures in the targets file, by simulating the\n"
            "national system without programme (status quo) from run.start_year, at the\n"
            "section's scale and replications, with the same seed for every evaluation\n"
            "(common random numbers). The loss is the weighted sum of squared relative\n"
            "errors; the minimiser is GSL's Nelder-Mead simplex on a logit transform of\n"
            "the bounds. Prints the fit report (every target with the simulated mean, its\n"
            "95%% interval and the relative error) and writes the calibrated config with\n"
            "the report under \"calibration_report\". See docs/calibration.md.\n"
            "\n"
            "  --targets FILE     targets file (e.g. configs/targets/inami.json)\n"
            "  -o, --output FILE  calibrated config (JSON); never overwritten without --force\n"
            "  --h5 FILE          also write the loss trace, parameters and report (HDF5)\n"
            "  --threads T        worker threads (default: all processors); results do not\n"
            "                     depend on T\n"
            "  --max-evals N      stop after N evaluations (default: calibration.max_evaluations)\n"
            "  --seed S, --reps N override calibration.seed and calibration.replications (for\n"
            "                     checking a fit with other random numbers: --evaluate --seed 7)\n"
            "  --evaluate         no fit: evaluate the config's own values once and report\n"
            "                     (-o is then optional)\n"
            "  --force            replace existing output files\n"
            "  --json             print the report as JSON on stdout instead of a table\n"
            "  --quiet            no progress line\n"
            "\n"
            "Exit status: 0 done, 1 runtime failure, 2 bad input (config, targets, bounds).\n");
}

typedef struct progress_state {
    cli_progress bar;
    size_t max_evals;
} progress_state;

static void on_evaluation(size_t evals, double loss, double best, void *arg)
{
    progress_state *ps = arg;
    if (!ps->bar.enabled)
        return;
    double el = cli_now() - ps->bar.start;
    fprintf(stderr, "\rcalibrate: evaluation %zu/%zu  loss %.5g  best %.5g  %.0fs elapsed   ",
            evals, ps->max_evals, loss, best, el);
    fflush(stderr);
}

/* ---- the report table ------------------------------------------------------ */

static void fmt_value(char *buf, size_t len, const calib_target *t, double v)
{
    if (!isfinite(v))
        snprintf(buf, len, "n/a");
    else if (calib_quantity_is_share(t->quantity))
        snprintf(buf, len, "%.2f%%", 100 * v);
    else
        snprintf(buf, len, "%.0f", v);
}

static void print_table(FILE *f, const calib_spec *s, const calib_targets *t,
                        const calib_outcome *o, bool fitted)
{
    static const char *const sex[N_SEX] = { "male", "female" };
    static const char *const diag[N_DIAG] = { "mental", "other" };
    static const char *const rel[N_CALIB_RELATION] = { "=", ">=", "<=" };
    fprintf(f, "ipsim %s calibrate: %s against %s\n", IPSIM_VERSION, s->config_path, t->path);
    if (fitted)
        fprintf(f, "Fit: %zu evaluations (%zu restarts) in %.1f s on %d thread%s, loss %.6g\n"
                   "Stopped: %s\n",
                o->evaluations, o->restarts, o->seconds, o->threads, o->threads == 1 ? "" : "s",
                o->loss, o->stop_reason);
    else
        fprintf(f, "Evaluation of the config's values in %.1f s on %d thread%s, loss %.6g\n",
                o->seconds, o->threads, o->threads == 1 ? "" : "s", o->loss);
    fprintf(f, "Status quo from 1 January %.0f for %.4g years at scale %g, %zu replications, "
               "seed %llu (common random numbers)\n\n",
            s->cfg.model.start_year, s->cfg.model.horizon_days / DAYS_PER_YEAR, s->scale,
            s->replications, (unsigned long long)s->seed);
    fprintf(f, "%-52s %12s %12s  %s\n", "Parameter", "start", fitted ? "fitted" : "value",
            "bounds");
    for (size_t i = 0; i < s->nparams; i++) {
        const calib_param *cp = &s->param[i];
        char name[200];
        if (cp->npaths > 1)
            snprintf(name, sizeof name, "%s (+%zu tied)", cp->path[0], cp->npaths - 1);
        else
            snprintf(name, sizeof name, "%s", cp->path[0]);
        fprintf(f, "%-52s %12.6g %12.6g  [%g, %g]\n", name, cp->start, o->best[i], cp->lower,
                cp->upper);
    }
    fprintf(f, "\nTargets: simulated mean [95%% interval of the mean over replications]; error "
               "is relative (points for shares)\n");
    fprintf(f, "%-34s %4s %-6s %-6s %11s  %-30s %9s %8s %4s %s\n", "target", "year", "sex",
            "diag", "published", "simulated", "error", "tol", "w", "ok");
    size_t pass = 0, checked = 0;
    for (size_t i = 0; i < t->n; i++) {
        const calib_target *tg = &t->target[i];
        const calib_fit_row *r = &o->rows[i];
        bool share = calib_quantity_is_share(tg->quantity);
        char pub[40], pubr[44], mean[32], lo[32], hi[32], sim[100], err[32], tol[24];
        fmt_value(pub, sizeof pub, tg, tg->value);
        snprintf(pubr, sizeof pubr, "%s%s", tg->relation == CALIB_EQUAL ? "" : rel[tg->relation],
                 pub);
        fmt_value(mean, sizeof mean, tg, r->mean);
        fmt_value(lo, sizeof lo, tg, r->lo);
        fmt_value(hi, sizeof hi, tg, r->hi);
        snprintf(sim, sizeof sim, "%s [%s, %s]", mean, lo, hi);
        if (!isfinite(r->mean))
            snprintf(err, sizeof err, "n/a");
        else if (share)
            snprintf(err, sizeof err, "%+.2f pt", 100 * (r->mean - tg->value));
        else
            snprintf(err, sizeof err, "%+.2f%%", 100 * r->rel_error);
        if (tg->tolerance <= 0)
            snprintf(tol, sizeof tol, "-");
        else if (share)
            snprintf(tol, sizeof tol, "%.3g pt", 100 * tg->tolerance);
        else
            snprintf(tol, sizeof tol, "%.3g%%", 100 * tg->tolerance);
        bool has_check = tg->tolerance > 0 || tg->relation != CALIB_EQUAL;
        checked += has_check;
        pass += has_check && r->pass;
        fprintf(f, "%-34s %4d %-6s %-6s %11s  %-30s %9s %8s %4g %s\n", tg->name, tg->year,
                tg->sex == CALIB_ALL ? "all" : sex[tg->sex],
                tg->diagnosis == CALIB_ALL ? "all" : diag[tg->diagnosis], pubr, sim, err, tol,
                tg->weight, !has_check ? "" : r->pass ? "yes" : "NO");
    }
    fprintf(f, "\n%zu of %zu targets with a tolerance are within it.\n", pass, checked);
    if (o->mix && o->mix->invalidity > 0) {
        const calib_stock_mix *m = o->mix;
        fprintf(f, "\nAt the end of the run (1 January %.0f): %.0f on invalidity benefit, %.0f on "
                   "primary-incapacity benefit; invalidity: %.1f%% women, mental share men %.1f%% "
                   "women %.1f%%,\n"
                   "ages 18-29/30-39/40-49/50-64 %.1f/%.1f/%.1f/%.1f%%, mean %.2f years since onset.\n",
                s->cfg.model.start_year + s->cfg.model.horizon_days / DAYS_PER_YEAR,
                m->invalidity, m->primary, 100 * m->share_female,
                100 * m->mental_share[SEX_MALE], 100 * m->mental_share[SEX_FEMALE],
                100 * m->age_shares[0], 100 * m->age_shares[1], 100 * m->age_shares[2],
                100 * m->age_shares[3], m->mean_years_since_onset);
    }
}

/* Writes text to path atomically, as every output is written (h5out_begin:
 * a temporary file in the same directory, renamed when complete). 0, or -1
 * with err. */
static int write_text_atomic(const char *path, const char *text, bool force, char *err,
                             size_t errlen)
{
    h5out_target t;
    if (h5out_begin(&t, path, force, err, errlen) != 0)
        return -1;
    cli_guard_tmp(t.tmp_path);
    FILE *f = fopen(t.tmp_path, "w");
    bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = (f && fclose(f) == 0) && ok;
    int rc = 0;
    if (!ok) {
        snprintf(err, errlen, "%s: writing failed: %s", path, strerror(errno));
        h5out_abort(&t);
        rc = -1;
    } else {
        rc = h5out_commit(&t, err, errlen);
    }
    cli_unguard_tmp();
    return rc;
}

/* An output that could not be written at the end (checked before the fit
 * starts: a calibration takes minutes). */
static bool output_blocked(const char *path, bool force)
{
    char err[4600];
    if (path && h5out_check(path, force, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim calibrate: %s\n", err);
        return true;
    }
    return false;
}

int cmd_calibrate(int argc, char **argv)
{
    const char *config = NULL, *targets_path = NULL, *output = NULL, *h5path = NULL;
    uint64_t threads = (uint64_t)cli_default_threads(), max_evals = 0, seed = 0, reps = 0;
    bool have_seed = false;
    bool force = false, json = false, quiet = false, evaluate_only = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int taken = cli_take_output_flag(argc, argv, &i, &output, &force, &json, &quiet);
        if (taken == 0)
            taken = cli_take_seed_threads(argc, argv, &i, &seed, &have_seed, &threads);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            calibrate_usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--targets")) {
            if (!(targets_path = cli_option_value(argc, argv, &i, "a file name")))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--h5")) {
            if (!(h5path = cli_option_value(argc, argv, &i, "a file name")))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--max-evals")) {
            if (!cli_option_u64(argc, argv, &i, 1, 1000000, &max_evals))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--reps")) {
            if (!cli_option_u64(argc, argv, &i, 1, 10000, &reps))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--evaluate")) {
            evaluate_only = true;
        } else if (cli_take_config_arg("calibrate", a, &config) != 0) {
            return EXIT_USAGE;
        }
    }
    if (!config || !targets_path || (!output && !evaluate_only)) {
        fprintf(stderr, "ipsim calibrate: needs CONFIG, --targets FILE%s "
                        "(see ipsim calibrate --help)\n",
                evaluate_only ? "" : " and -o CALIBRATED.json");
        return EXIT_USAGE;
    }
    if (output && h5path && h5out_same_file(output, h5path)) {
        fprintf(stderr, "ipsim calibrate: -o %s and --h5 %s name the same file\n", output,
                h5path);
        return EXIT_USAGE;
    }
    if (cli_output_is_input("calibrate", "-o", output, config, "config")
        || cli_output_is_input("calibrate", "-o", output, targets_path, "targets file")
        || cli_output_is_input("calibrate", "--h5", h5path, config, "config")
        || cli_output_is_input("calibrate", "--h5", h5path, targets_path, "targets file"))
        return EXIT_USAGE;
    if (output_blocked(output, force) || output_blocked(h5path, force))
        return EXIT_USAGE;

    calib_targets *tg = calloc(1, sizeof *tg);
    calib_spec *spec = calloc(1, sizeof *spec);
    calib_fit_row *rows = NULL;
    calib_minimizer *m = NULL;
    char *config_text = NULL, *report_text = NULL;
    int status = EXIT_FAIL;
    if (!tg || !spec) {
        fprintf(stderr, "ipsim calibrate: out of memory\n");
        free(tg);
        free(spec);
        return EXIT_FAIL;
    }
    int rt = calib_targets_load(targets_path, tg, stderr);
    int rs = calib_spec_load(config, spec, stderr);
    if (rt == CALIB_NOMEM || rs == CALIB_NOMEM) {
        fprintf(stderr, "ipsim calibrate: out of memory reading the inputs\n");
        goto done_loaded;
    }
    if (rt != CALIB_OK || rs != CALIB_OK) {
        status = EXIT_USAGE;
        goto done_loaded;
    }
    if (calib_spec_check_targets(spec, tg, stderr) != CALIB_OK) {
        status = EXIT_USAGE;
        goto done_loaded;
    }
    if (max_evals)
        spec->max_evaluations = max_evals;
    if (have_seed)
        spec->seed = seed;
    if (reps)
        spec->replications = reps;

    double lower[CALIB_MAX_PARAMS], upper[CALIB_MAX_PARAMS], x0[CALIB_MAX_PARAMS];
    for (size_t i = 0; i < spec->nparams; i++) {
        lower[i] = spec->param[i].lower;
        upper[i] = spec->param[i].upper;
        x0[i] = spec->param[i].start;
    }
    calib_problem pb = { .nparams = spec->nparams, .lower = lower, .upper = upper,
                         .targets = tg->target, .ntargets = tg->n, .build = calib_spec_build,
                         .build_arg = spec, .seed = spec->seed, .reps = spec->replications,
                         .threads = (int)threads };
    progress_state ps = { .max_evals = evaluate_only ? 1 : spec->max_evaluations };
    cli_progress_start(&ps.bar, "calibrate", quiet);
    char err[1024];
    calib_outcome out = { .threads = (int)threads };
    calib_stock_mix mix;
    double t0 = cli_now();
    const double *trace_loss = NULL, *trace_x = NULL;
    size_t ntrace = 0, restarts = 0;
    if (evaluate_only) {
        rows = calloc(tg->n, sizeof *rows);
        if (!rows) {
            fprintf(stderr, "ipsim calibrate: out of memory\n");
            goto done_loaded;
        }
        double loss;
        if (calib_evaluate(&pb, x0, rows, &mix, &loss, err, sizeof err) != 0) {
            fprintf(stderr, "ipsim calibrate: %s\n", err);
            goto done_loaded;
        }
        out.best = x0;
        out.rows = rows;
        out.mix = &mix;
        out.loss = loss;
        out.evaluations = 1;
        out.stop_reason = "evaluation only";
        trace_loss = &out.loss;
        trace_x = x0;
        ntrace = 1;
    } else {
        m = calib_minimizer_alloc(&pb);
        if (!m) {
            fprintf(stderr, "ipsim calibrate: out of memory\n");
            goto done_loaded;
        }
        calib_minimizer_set_progress(m, on_evaluation, &ps);
        calib_minimizer_set_max_evaluations(m, spec->max_evaluations);
        if (calib_minimizer_set(m, x0, spec->initial_step, err, sizeof err) != 0) {
            cli_progress_end(&ps.bar);
            fprintf(stderr, "ipsim calibrate: %s\n", err);
            goto done_loaded;
        }
        /* Nelder-Mead until the simplex collapses, then fresh simplexes at
         * the best point (half the step each time) while they still help */
        double step = spec->initial_step, before = INFINITY;
        for (size_t round = 0;; round++) {
            while (!calib_minimizer_test(m, spec->size_tolerance)) {
                if (calib_minimizer_iterate(m, err, sizeof err) != 0) {
                    cli_progress_end(&ps.bar);
                    fprintf(stderr, "ipsim calibrate: %s\n", err);
                    goto done_loaded;
                }
            }
            double best = calib_minimizer_best_loss(m);
            if (calib_minimizer_evaluations(m) + spec->nparams + 1 >= spec->max_evaluations) {
                out.stop_reason = "evaluation limit reached";
                break;
            }
            if (before - best <= 1e-3 * best) {
                out.stop_reason = "a restart did not improve the loss by 0.1%";
                break;
            }
            if (round >= spec->restarts) {
                out.stop_reason = "simplex size below calibration.size_tolerance after the "
                                  "last restart";
                break;
            }
            before = best;
            step /= 2;
            restarts++;
            if (calib_minimizer_restart(m, step, err, sizeof err) != 0) {
                cli_progress_end(&ps.bar);
                fprintf(stderr, "ipsim calibrate: %s\n", err);
                goto done_loaded;
            }
        }
        out.best = calib_minimizer_best(m);
        out.rows = calib_minimizer_best_rows(m);
        out.mix = calib_minimizer_best_mix(m);
        out.loss = calib_minimizer_best_loss(m);
        out.evaluations = calib_minimizer_evaluations(m);
        out.restarts = restarts;
        ntrace = calib_minimizer_trace(m, &trace_loss, &trace_x);
    }
    out.seconds = cli_now() - t0;
    cli_progress_end(&ps.bar);

    cJSON *report = calib_report_json(spec, tg, &out);
    report_text = report ? jc_print(report, true) : NULL;
    config_text = calib_config_text(spec, tg, &out);
    if (!report_text || !config_text) {
        cJSON_Delete(report);
        fprintf(stderr, "ipsim calibrate: out of memory\n");
        goto done_loaded;
    }
    if (output && write_text_atomic(output, config_text, force, err, sizeof err) != 0) {
        cJSON_Delete(report);
        fprintf(stderr, "ipsim calibrate: %s\n", err);
        goto done_loaded;
    }
    if (h5path) {
        h5out_target target;
        if (h5out_begin(&target, h5path, force, err, sizeof err) != 0) {
            cJSON_Delete(report);
            fprintf(stderr, "ipsim calibrate: %s\n", err);
            goto done_loaded;
        }
        cli_guard_tmp(target.tmp_path);
        h5calib_data hd = { spec, tg, &out, trace_loss, trace_x, ntrace, report_text, config_text };
        if (h5calib_write(&target, &hd, err, sizeof err) != 0
            || h5out_commit(&target, err, sizeof err) != 0) {
            h5out_abort(&target);
            cli_unguard_tmp();
            cJSON_Delete(report);
            fprintf(stderr, "ipsim calibrate: %s\n", err);
            goto done_loaded;
        }
        cli_unguard_tmp();
    }
    if (json) {
        report_print_json(stdout, report); /* frees report */
    } else {
        cJSON_Delete(report);
        print_table(stdout, spec, tg, &out, !evaluate_only);
        if (output)
            printf("calibrated config: %s\n", output);
        if (h5path)
            printf("calibration trace: %s\n", h5path);
    }
    status = EXIT_OK;
done_loaded:
    calib_minimizer_free(m);
    free(rows);
    free(config_text);
    free(report_text);
    if (rt == CALIB_OK)
        calib_targets_clear(tg);
    if (rs == CALIB_OK)
        calib_spec_clear(spec);
    free(tg);
    free(spec);
    return status;
}
