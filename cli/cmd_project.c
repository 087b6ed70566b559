/* cmd_project: `ipsim project`: runs every scenario (policy) of a config
 * over replications with common random numbers, reduces each run to yearly
 * national indicators, prints a compact year-by-scenario table (or JSON)
 * and writes one HDF5 file atomically. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "io/config_override.h"
#include "io/h5out.h"
#include "io/h5proj.h"
#include "io/json_check.h"
#include "io/proj_config.h"
#include "models/projection.h"

static void project_usage(FILE *f)
{
    fprintf(f,
            "Usage: ipsim project CONFIG -o FILE [--reps N] [--seed S] [--threads T]\n"
            "                     [--set PATH=VALUE]... [--force] [--json] [--quiet]\n"
            "\n"
            "Runs every scenario (policy) of CONFIG for N replications with common random\n"
            "numbers and reports, for each calendar year of its \"projection\" section, the\n"
            "stock of invalids, their mental-disorder share, people working (part-time on\n"
            "benefit, full-time off benefit), benefit expenditure, programme places and\n"
            "people in each state, each with a 90%% band across replications, and the\n"
            "differences between scenarios (taken within each replication, with their own\n"
            "band). See docs/projections.md.\n"
            "\n"
            "  -o, --output FILE  HDF5 output; never overwritten without --force\n"
            "  --reps N           replications (default: projection.replications)\n"
            "  --seed S           master seed (default: run.seed)\n"
            "  --threads T        worker threads (default: all processors); results do not\n"
            "                     depend on T\n"
            "  --set PATH=VALUE   override one value of the config (repeatable), e.g.\n"
            "                     --set policies[2].programme.fidelity.score=85; see\n"
            "                     docs/config.md\n"
            "  --force            replace an existing output file\n"
            "  --json             print every figure as JSON on stdout instead of tables\n"
            "  --quiet            no progress bar\n");
}

static void on_progress(const proj_progress *pr, void *arg)
{
    cli_progress_update(arg, atomic_load(&pr->runs_done), pr->runs_total, 0);
}

/* Cell text of a band: people in thousands, shares in %, EUR in millions. */
static void cell(char *buf, size_t len, int ind, const double b[3], bool diff)
{
    const char *sign = diff ? "+" : "";
    if (!isfinite(b[0])) {
        snprintf(buf, len, "n/a");
    } else if (ind == PI_MENTAL_SHARE) {
        if (diff)
            snprintf(buf, len, "%+.2f pt [%+.2f, %+.2f]", 100 * b[0], 100 * b[1], 100 * b[2]);
        else
            snprintf(buf, len, "%.1f%% [%.1f, %.1f]", 100 * b[0], 100 * b[1], 100 * b[2]);
    } else if (ind == PI_EXPENDITURE) {
        if (diff)
            snprintf(buf, len, "%+.1f [%+.1f, %+.1f]", b[0] / 1e6, b[1] / 1e6, b[2] / 1e6);
        else
            snprintf(buf, len, "%.0f [%.0f, %.0f]", b[0] / 1e6, b[1] / 1e6, b[2] / 1e6);
    } else if (diff) {
        (void)sign;
        snprintf(buf, len, "%+.2f [%+.2f, %+.2f]", b[0] / 1e3, b[1] / 1e3, b[2] / 1e3);
    } else {
        snprintf(buf, len, "%.1f [%.1f, %.1f]", b[0] / 1e3, b[1] / 1e3, b[2] / 1e3);
    }
}

static const int table_indicators[] = { PI_INVALIDITY_STOCK, PI_MENTAL_SHARE, PI_WORKING,
                                        PI_EXPENDITURE, PI_PROGRAMME_ENROLLED };

static const char *table_title(int ind)
{
    switch (ind) {
    case PI_INVALIDITY_STOCK: return "Invalids at 31 December (thousands)";
    case PI_MENTAL_SHARE: return "Mental-disorder share of the invalids at 31 December";
    case PI_WORKING: return "Working at 31 December: part-time on benefit + full-time off benefit (thousands)";
    case PI_EXPENDITURE: return "Incapacity and invalidity benefit paid in the year (EUR million)";
    case PI_PROGRAMME_ENROLLED: return "Programme clients at 31 December (thousands)";
    default: return projection_indicator_name(ind);
    }
}

#define COLW 26 /* narrowest column */

/* Which drawn parameter moves the differences in the last year: one small
 * table per indicator of the tables, a row per parameter, a column per
 * difference (rho from projection_sensitivity). */
static void sensitivity_tables(FILE *f, const proj_config *pc, const proj_result *r,
                               const unc_plan *plan, const double *rho,
                               const char (*diff_name)[80], int diff_width)
{
    const unc_section *u = plan->u;
    int head = 6;
    for (size_t k = 0; k < u->nparams; k++)
        if ((int)strlen(u->param[k].name) > head)
            head = (int)strlen(u->param[k].name);
    fprintf(f, "\nWhich drawn parameter moves the differences in %d: Spearman rank correlation, "
               "across\nthe replications, of each parameter with each difference",
            r->first_year + (int)r->nyears - 1);
    if (r->reps > 3)
        fprintf(f, " (|rho| below %.2f is within\nchance at the 5%% level with %zu "
                   "replications)", 1.96 / sqrt((double)r->reps - 1), r->reps);
    fprintf(f, ".\n");
    for (size_t t = 0; t < sizeof table_indicators / sizeof table_indicators[0]; t++) {
        int ind = table_indicators[t];
        fprintf(f, "\n%s\n%-*s", table_title(ind), head, "");
        for (size_t d = 0; d < pc->ndiffs; d++)
            report_cell(f, diff_name[d], diff_width, d + 1 == pc->ndiffs);
        fprintf(f, "\n");
        for (size_t k = 0; k < u->nparams; k++) {
            fprintf(f, "%-*s", head, u->param[k].name);
            for (size_t d = 0; d < pc->ndiffs; d++)
                report_rho_cell(f, rho[(k * pc->ndiffs + d) * N_PI + ind], diff_width,
                                d + 1 == pc->ndiffs);
            fprintf(f, "\n");
        }
    }
}

static int print_tables(FILE *f, const proj_config *pc, const proj_result *r,
                        const unc_plan *plan, const double *rho, double wall, int threads)
{
    const model_params *mp = &pc->cfg.model;
    fprintf(f, "ipsim %s project: %s\n", IPSIM_VERSION, pc->cfg.source);
    report_overrides(f, &pc->cfg);
    if (pc->cfg.description[0])
        fprintf(f, "%s\n", pc->cfg.description);
    fprintf(f, "%zu scenario%s x %zu replication%s from 1 January %.0f, scale %g, seed %llu; "
               "%.1f s on %d thread%s\n",
            r->npolicies, r->npolicies == 1 ? "" : "s", r->reps, r->reps == 1 ? "" : "s",
            mp->start_year, mp->scale, (unsigned long long)pc->cfg.seed,
            wall, threads, threads == 1 ? "" : "s");
    fprintf(f, "Benefit per person-month: invalidity %.0f EUR, primary incapacity %.0f EUR "
               "(capped wage %.0f EUR); part-time workers keep %.0f%%.\n",
            pc->benefits.monthly_invalidity, pc->benefits.monthly_primary,
            pc->benefits.mean_capped_wage, 100 * pc->benefits.part_time_ratio);
    fprintf(f, "Each cell: mean [5%%, 95%% of replications]. Differences are taken within each "
               "replication (common random numbers).\n");
    if (plan)
        report_uncertainty_lines(f, plan);
    char buf[96];
    /* columns as wide as their names (policy names up to 31 characters) */
    int width = COLW, diff_width = COLW + 2;
    for (size_t p = 0; p < r->npolicies; p++)
        if ((int)strlen(mp->policy[p].name) > width)
            width = (int)strlen(mp->policy[p].name);
    char (*diff_name)[80] = calloc(pc->ndiffs ? pc->ndiffs : 1, sizeof *diff_name);
    if (!diff_name)
        return -1;
    for (size_t d = 0; d < pc->ndiffs; d++) {
        snprintf(diff_name[d], sizeof diff_name[d], "%s - %s", mp->policy[pc->diff_a[d]].name,
                 mp->policy[pc->diff_b[d]].name);
        if ((int)strlen(diff_name[d]) > diff_width)
            diff_width = (int)strlen(diff_name[d]);
    }
    int rc = 0;
    for (size_t t = 0; rc == 0 && t < sizeof table_indicators / sizeof table_indicators[0]; t++) {
        int ind = table_indicators[t];
        fprintf(f, "\n%s\n%-6s", table_title(ind), "year");
        for (size_t p = 0; p < r->npolicies; p++)
            report_cell(f, mp->policy[p].name, width, p + 1 == r->npolicies);
        fprintf(f, "\n");
        for (size_t y = 0; rc == 0 && y < r->nyears; y++) {
            fprintf(f, "%-6d", r->first_year + (int)y);
            for (size_t p = 0; p < r->npolicies; p++) {
                double b[3];
                if ((rc = projection_band(r, p, -1, y, ind, b)) != 0)
                    break;
                cell(buf, sizeof buf, ind, b, false);
                report_cell(f, buf, width, p + 1 == r->npolicies);
            }
            fprintf(f, "\n");
        }
        if (pc->ndiffs == 0)
            continue;
        fprintf(f, "  difference\n%-6s", "");
        for (size_t d = 0; d < pc->ndiffs; d++)
            report_cell(f, diff_name[d], diff_width, d + 1 == pc->ndiffs);
        fprintf(f, "\n");
        for (size_t y = 0; rc == 0 && y < r->nyears; y++) {
            fprintf(f, "%-6d", r->first_year + (int)y);
            for (size_t d = 0; d < pc->ndiffs; d++) {
                double b[3];
                if ((rc = projection_band(r, pc->diff_a[d], (long)pc->diff_b[d], y, ind, b)) != 0)
                    break;
                cell(buf, sizeof buf, ind, b, true);
                report_cell(f, buf, diff_width, d + 1 == pc->ndiffs);
            }
            fprintf(f, "\n");
        }
    }
    if (rc == 0 && plan && rho && pc->ndiffs)
        sensitivity_tables(f, pc, r, plan, rho, diff_name, diff_width);
    free(diff_name);
    if (rc != 0)
        return -1;
    report_few_replications(f, r->reps, "band", "[5%, 95%]");
    return 0;
}

static cJSON *band_json(const double b[3])
{
    cJSON *o = cJSON_CreateObject();
    const char *k[3] = { "mean", "p5", "p95" };
    for (int i = 0; o && i < 3; i++)
        cJSON_AddItemToObject(o, k[i], isfinite(b[i]) ? cJSON_CreateNumber(b[i])
                                                      : cJSON_CreateNull());
    return o;
}

static cJSON *block_json(const proj_result *r, size_t a, long b)
{
    cJSON *years = cJSON_CreateArray();
    for (size_t y = 0; years && y < r->nyears; y++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "year", r->first_year + (double)y);
        for (int i = 0; i < N_PI; i++) {
            double v[3];
            projection_band(r, a, b, y, i, v);
            cJSON_AddItemToObject(e, projection_indicator_name(i), band_json(v));
        }
        cJSON_AddItemToArray(years, e);
    }
    return years;
}

/* The run's identity (as `ipsim run --json` gives it) and every band. */
/* rho as JSON: {"year", "by_difference": {A_minus_B: {parameter: {indicator: rho}}}}. */
static cJSON *sensitivity_json(const proj_config *pc, const proj_result *r, const unc_plan *plan,
                               const double *rho)
{
    const model_params *mp = &pc->cfg.model;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "year", r->first_year + (double)r->nyears - 1);
    cJSON *by = cJSON_AddObjectToObject(o, "by_difference");
    for (size_t d = 0; by && d < pc->ndiffs; d++) {
        char name[PROJ_DIFF_NAME_LEN];
        proj_diff_name(name, sizeof name, mp, pc->diff_a[d], pc->diff_b[d]);
        cJSON *dd = cJSON_AddObjectToObject(by, name);
        for (size_t k = 0; dd && k < plan->u->nparams; k++) {
            cJSON *pk = cJSON_AddObjectToObject(dd, plan->u->param[k].name);
            for (int i = 0; pk && i < N_PI; i++) {
                double v = rho[(k * pc->ndiffs + d) * N_PI + i];
                cJSON_AddItemToObject(pk, projection_indicator_name(i),
                                      isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v));
            }
        }
    }
    return o;
}

static cJSON *result_json(const proj_config *pc, const proj_result *r, const unc_plan *plan,
                          const double *rho, const char *output, int threads, double wall)
{
    const model_params *mp = &pc->cfg.model;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "program", "ipsim");
    cJSON_AddStringToObject(o, "version", IPSIM_VERSION);
    cJSON_AddStringToObject(o, "command", "project");
    cJSON_AddStringToObject(o, "config", pc->cfg.source);
    report_overrides_json(o, &pc->cfg);
    cJSON_AddStringToObject(o, "output", output);
    cJSON_AddItemToObject(o, "seed", jc_exact_u64(pc->cfg.seed));
    cJSON_AddNumberToObject(o, "replications", (double)r->reps);
    cJSON_AddNumberToObject(o, "threads", threads);
    cJSON_AddNumberToObject(o, "events", (double)r->events);
    cJSON_AddNumberToObject(o, "wall_seconds", wall);
    cJSON_AddNumberToObject(o, "first_year", r->first_year);
    cJSON_AddNumberToObject(o, "last_year", r->first_year + (double)r->nyears - 1);
    cJSON_AddNumberToObject(o, "scale", mp->scale);
    cJSON_AddStringToObject(o, "band", "mean, 5% and 95% quantiles across replications");
    if (plan)
        cJSON_AddItemToObject(o, "uncertainty", report_uncertainty_json(plan, mp, NULL, 0));
    else
        cJSON_AddNullToObject(o, "uncertainty");
    if (plan && rho)
        cJSON_AddItemToObject(o, "rank_correlation", sensitivity_json(pc, r, plan, rho));
    else
        cJSON_AddNullToObject(o, "rank_correlation");
    cJSON_AddNumberToObject(o, "monthly_invalidity_benefit_eur", pc->benefits.monthly_invalidity);
    cJSON_AddNumberToObject(o, "monthly_primary_benefit_eur", pc->benefits.monthly_primary);
    cJSON *sc = cJSON_AddObjectToObject(o, "scenarios");
    for (size_t p = 0; sc && p < r->npolicies; p++)
        cJSON_AddItemToObject(sc, mp->policy[p].name, block_json(r, p, -1));
    cJSON *df = cJSON_AddObjectToObject(o, "differences");
    for (size_t d = 0; df && d < pc->ndiffs; d++) {
        char name[PROJ_DIFF_NAME_LEN];
        proj_diff_name(name, sizeof name, mp, pc->diff_a[d], pc->diff_b[d]);
        cJSON_AddItemToObject(df, name, block_json(r, pc->diff_a[d], (long)pc->diff_b[d]));
    }
    return o;
}

int cmd_project(int argc, char **argv)
{
    const char *config = NULL, *output = NULL;
    uint64_t reps = 0, seed = 0, threads = (uint64_t)cli_default_threads();
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
            project_usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--reps")) {
            if (!cli_option_u64(argc, argv, &i, 1, 100000, &reps))
                return EXIT_USAGE;
        } else if (cli_take_config_arg("project", a, &config) != 0) {
            return EXIT_USAGE;
        }
    }
    if (!config || !output) {
        fprintf(stderr, "ipsim project: needs CONFIG and -o FILE (see ipsim project --help)\n");
        return EXIT_USAGE;
    }
    if (cli_output_is_input("project", "-o", output, config, "config"))
        return EXIT_USAGE;
    proj_config *pc = calloc(1, sizeof *pc);
    if (!pc) {
        fprintf(stderr, "ipsim project: out of memory\n");
        return EXIT_FAIL;
    }
    int rc = proj_config_load_overridden(config, &ov, pc, stderr);
    if (rc != PROJ_OK) {
        free(pc);
        if (rc == PROJ_NOMEM)
            fprintf(stderr, "ipsim project: out of memory reading the config\n");
        return rc == PROJ_NOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    if (reps)
        pc->replications = reps;
    if (have_seed)
        pc->cfg.seed = seed;
    /* the output's /config must reproduce the projection: record the overrides */
    if ((reps && config_record_u64(&pc->cfg, "projection.replications", reps) != 0)
        || (have_seed && config_record_u64(&pc->cfg, "run.seed", seed) != 0)) {
        fprintf(stderr, "ipsim project: out of memory\n");
        proj_config_clear(pc);
        free(pc);
        return EXIT_FAIL;
    }
    char err[4600];
    /* parameter uncertainty: every replication's values drawn and checked
     * before anything is written */
    unc_plan plan;
    rc = cli_uncertainty_plan("project", &pc->cfg, pc->replications, &plan);
    if (rc != EXIT_OK) {
        proj_config_clear(pc);
        free(pc);
        return rc;
    }
    const unc_plan *drawn = plan.u ? &plan : NULL;
    h5out_target target;
    if (h5out_begin(&target, output, force, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim project: %s\n", err);
        uncertainty_plan_clear(&plan);
        proj_config_clear(pc);
        free(pc);
        return EXIT_USAGE;
    }
    cli_guard_tmp(target.tmp_path);
    threads = cli_threads_for(threads, pc->cfg.model.npolicies * pc->replications);
    int status = EXIT_FAIL;
    double *rho = NULL; /* [parameter][difference][indicator], with uncertainty */
    proj_result res;
    proj_spec spec = { .p = &pc->cfg.model, .seed = pc->cfg.seed, .reps = pc->replications,
                       .threads = (int)threads, .first_year = pc->first_year,
                       .last_year = pc->last_year, .benefits = pc->benefits,
                       .rep_params = drawn ? plan.params : NULL };
    cli_progress bar;
    cli_progress_start(&bar, "ipsim project", quiet);
    double t0 = cli_now();
    rc = projection_run(&spec, &res, bar.enabled ? on_progress : NULL, &bar);
    double wall = cli_now() - t0;
    cli_progress_end(&bar);
    if (rc != 0) {
        fprintf(stderr, "ipsim project: a simulation run failed (out of memory?)\n");
        goto done;
    }
    if (drawn && pc->ndiffs) {
        rho = malloc(drawn->u->nparams * pc->ndiffs * N_PI * sizeof *rho);
        if (!rho
            || projection_sensitivity(&res, pc->diff_a, pc->diff_b, pc->ndiffs, drawn->values,
                                      drawn->u->nparams, rho) != 0) {
            fprintf(stderr, "ipsim project: out of memory\n");
            projection_clear(&res);
            goto done;
        }
    }
    if (h5proj_write(&target, pc, &res, drawn, rho, pc->cfg.seed, wall, (int)threads, err,
                     sizeof err) != 0
        || h5out_commit(&target, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim project: %s\n", err);
        projection_clear(&res);
        goto done;
    }
    cli_unguard_tmp();
    if (json) {
        cJSON *o = result_json(pc, &res, drawn, rho, output, (int)threads, wall);
        if (!o) {
            fprintf(stderr, "ipsim project: out of memory\n");
            projection_clear(&res);
            goto done_committed;
        }
        report_print_json(stdout, o);
    } else if (print_tables(stdout, pc, &res, drawn, rho, wall, (int)threads) != 0) {
        fprintf(stderr, "ipsim project: out of memory\n");
        projection_clear(&res);
        goto done_committed;
    } else {
        printf("\noutput: %s\n", output);
    }
    projection_clear(&res);
    status = EXIT_OK;
done_committed:
    free(rho);
    uncertainty_plan_clear(&plan);
    proj_config_clear(pc);
    free(pc);
    return status;
done:
    h5out_abort(&target);
    cli_unguard_tmp();
    free(rho);
    uncertainty_plan_clear(&plan);
    proj_config_clear(pc);
    free(pc);
    return status;
}
