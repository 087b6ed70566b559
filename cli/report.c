/* report: summary table and JSON of `ipsim run`; see report.h. */
#include "cli/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/json_check.h"
#include "models/claimant.h"
#include "models/policy.h"

void report_print_json(FILE *f, cJSON *tree)
{
    char *text = tree ? jc_print(tree, true) : NULL;
    if (text) {
        fprintf(f, "%s\n", text);
        free(text);
    }
    cJSON_Delete(tree);
}

static void cell_share(char *buf, size_t len, const summary_value *v)
{
    if (isnan(v->mean))
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, "%.1f%% [%.1f, %.1f]", 100 * v->mean, 100 * v->lo, 100 * v->hi);
}

static void cell_days(char *buf, size_t len, const summary_value *v, size_t reps)
{
    if (v->n == 0)
        snprintf(buf, len, "not reached");
    else if (v->n < reps)
        snprintf(buf, len, "%.0f (%zu/%zu reached)", v->mean, v->n, reps);
    else
        snprintf(buf, len, "%.0f [%.0f, %.0f]", v->mean, v->lo, v->hi);
}

static void cell_count(char *buf, size_t len, const summary_value *v)
{
    snprintf(buf, len, "%.0f [%.0f, %.0f]", v->mean, v->lo, v->hi);
}

#define COL 26
#define HEAD 30

static void row(FILE *f, const char *label, char cells[][64], size_t n)
{
    fprintf(f, "%-*s", HEAD, label);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-*s", COL, cells[i]);
    fprintf(f, "\n");
}

void report_run_table(FILE *f, const report_info *info, const policy_summary *sums)
{
    const model_params *mp = &info->cfg->model;
    size_t np = mp->npolicies;
    char (*cells)[64] = calloc(np, sizeof *cells);
    if (!cells)
        return;
    fprintf(f, "ipsim %s: %s\n", IPSIM_VERSION, info->cfg->source);
    if (info->cfg->description[0])
        fprintf(f, "%s\n", info->cfg->description);
    fprintf(f, "%zu runs (%zu policies x %zu replications), %.3g years from %.0f, scale %g, seed %llu\n",
            np * info->reps, np, info->reps, mp->horizon_days / DAYS_PER_YEAR, mp->start_year,
            mp->scale, (unsigned long long)info->cfg->seed);
    fprintf(f, "%llu events in %.2f s on %d threads (%.2fM events/s)\n",
            (unsigned long long)info->events, info->wall_seconds, info->threads,
            info->wall_seconds > 0 ? (double)info->events / info->wall_seconds / 1e6 : 0.0);
    fprintf(f, "output: %s\n\n", info->output);
    fprintf(f, "Cohort: initial stock with a mental disorder (about %zu simulated people).\n",
            sums[0].cohort);
    fprintf(f, "Each cell: mean [2.5%%, 97.5%% of replications].\n\n");

    for (size_t p = 0; p < np; p++)
        snprintf(cells[p], 64, "%s", mp->policy[p].name);
    row(f, "", cells, np);
    for (int k = 0; k < SUMMARY_N_MONTHS; k++) {
        char label[64];
        snprintf(label, sizeof label, "Ever employed by month %d", summary_months[k]);
        for (size_t p = 0; p < np; p++) {
            if (sums[p].month_in_horizon[k])
                cell_share(cells[p], 64, &sums[p].ever_employed[k]);
            else
                snprintf(cells[p], 64, "beyond horizon");
        }
        row(f, label, cells, np);
    }
    for (size_t p = 0; p < np; p++) {
        if (sums[p].cohort == 0)
            snprintf(cells[p], 64, "n/a"); /* nobody in the cohort */
        else
            cell_days(cells[p], 64, &sums[p].median_days_to_first_job, info->reps);
    }
    row(f, "Median days to first job", cells, np);
    fprintf(f, "\nPeople at the horizon (simulated, whole population)\n");
    for (int s = 0; s < N_STATE; s++) {
        char label[64];
        snprintf(label, sizeof label, "  %s", claimant_state_label(s));
        for (size_t p = 0; p < np; p++)
            cell_count(cells[p], 64, &sums[p].at_horizon[s]);
        row(f, label, cells, np);
    }
    free(cells);
}

static cJSON *value_json(const summary_value *v)
{
    cJSON *o = cJSON_CreateObject();
    if (isnan(v->mean)) {
        cJSON_AddNullToObject(o, "mean");
        cJSON_AddNullToObject(o, "p2_5");
        cJSON_AddNullToObject(o, "p97_5");
    } else {
        cJSON_AddNumberToObject(o, "mean", v->mean);
        cJSON_AddNumberToObject(o, "p2_5", v->lo);
        cJSON_AddNumberToObject(o, "p97_5", v->hi);
    }
    cJSON_AddNumberToObject(o, "replications_defined", (double)v->n);
    return o;
}

void report_run_json(FILE *f, const report_info *info, const policy_summary *sums)
{
    const model_params *mp = &info->cfg->model;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "program", "ipsim");
    cJSON_AddStringToObject(o, "version", IPSIM_VERSION);
    cJSON_AddStringToObject(o, "config", info->cfg->source);
    cJSON_AddStringToObject(o, "output", info->output);
    cJSON_AddItemToObject(o, "seed", jc_exact_u64(info->cfg->seed));
    cJSON_AddNumberToObject(o, "replications", (double)info->reps);
    cJSON_AddNumberToObject(o, "threads", info->threads);
    cJSON_AddNumberToObject(o, "events", (double)info->events);
    cJSON_AddNumberToObject(o, "wall_seconds", info->wall_seconds);
    cJSON_AddNumberToObject(o, "years", mp->horizon_days / DAYS_PER_YEAR);
    cJSON_AddNumberToObject(o, "scale", mp->scale);
    cJSON_AddStringToObject(o, "cohort", "initial stock with a mental disorder");
    cJSON_AddStringToObject(o, "interval", "2.5% and 97.5% empirical quantiles across replications");
    cJSON *pols = cJSON_AddArrayToObject(o, "policies");
    for (size_t p = 0; p < mp->npolicies; p++) {
        const policy_summary *s = &sums[p];
        cJSON *po = cJSON_CreateObject();
        cJSON_AddStringToObject(po, "name", mp->policy[p].name);
        cJSON_AddStringToObject(po, "type", policy_kind_name(mp->policy[p].kind));
        cJSON_AddNumberToObject(po, "cohort_size", (double)s->cohort);
        cJSON *ee = cJSON_AddArrayToObject(po, "ever_employed");
        for (int k = 0; k < SUMMARY_N_MONTHS; k++) {
            cJSON *v = value_json(&s->ever_employed[k]);
            cJSON_AddNumberToObject(v, "month", summary_months[k]);
            cJSON_AddItemToArray(ee, v);
        }
        cJSON_AddItemToObject(po, "median_days_to_first_job", value_json(&s->median_days_to_first_job));
        cJSON *at = cJSON_AddObjectToObject(po, "at_horizon");
        for (int st = 0; st < N_STATE; st++)
            cJSON_AddItemToObject(at, claimant_state_name(st), value_json(&s->at_horizon[st]));
        cJSON_AddItemToArray(pols, po);
    }
    report_print_json(f, o);
}
