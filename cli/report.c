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

/* v as printed with `decimals` decimals, with a value that rounds to zero
 * made +0 (a difference of -0.004 points prints as +0.0, not -0.0). */
static double shown(double v, int decimals)
{
    double q = decimals == 0 ? 1 : 10;
    return round(v * q) == 0 ? 0.0 : v;
}

/* The cells of the summary table. In a difference table (diff) numbers are
 * signed and shares are in percentage points. */
static void cell_share(char *buf, size_t len, const summary_value *v, bool diff)
{
    if (isnan(v->mean))
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, diff ? "%+.1f pt [%+.1f, %+.1f]" : "%.1f%% [%.1f, %.1f]",
                 shown(100 * v->mean, 1), shown(100 * v->lo, 1), shown(100 * v->hi, 1));
}

static void cell_days(char *buf, size_t len, const summary_value *v, size_t reps, bool diff)
{
    if (v->n == 0)
        snprintf(buf, len, "not reached");
    else if (v->n < reps)
        snprintf(buf, len, diff ? "%+.0f (%zu/%zu reached)" : "%.0f (%zu/%zu reached)",
                 shown(v->mean, 0), v->n, reps);
    else
        snprintf(buf, len, diff ? "%+.0f [%+.0f, %+.0f]" : "%.0f [%.0f, %.0f]",
                 shown(v->mean, 0), shown(v->lo, 0), shown(v->hi, 0));
}

static void cell_count(char *buf, size_t len, const summary_value *v, bool diff)
{
    snprintf(buf, len, diff ? "%+.0f [%+.0f, %+.0f]" : "%.0f [%.0f, %.0f]", shown(v->mean, 0),
             shown(v->lo, 0), shown(v->hi, 0));
}

#define COL_MIN 26   /* narrowest policy column */
#define CELL_LEN 64  /* a cell's text, at most 63 bytes (names have at most 31) */
#define N_ROWS (1 + SUMMARY_N_MONTHS + 1 + N_STATE)

/* The table as text before it is printed: a label and one cell per policy
 * for each row, so that every column can be as wide as its widest cell. */
typedef struct table {
    char label[N_ROWS][CELL_LEN];
    char (*cells)[CELL_LEN]; /* [row * np + policy] */
    size_t np, nrows;
} table;

static char *table_row(table *t, const char *label)
{
    snprintf(t->label[t->nrows], CELL_LEN, "%s", label);
    return t->cells[t->nrows++ * t->np];
}

void report_few_replications(FILE *f, size_t reps, const char *what, const char *range)
{
    if (reps == 1)
        fprintf(f, "\nOnly 1 replication: each %s is that one value, not a spread;\n"
                   "use --reps 20 or more for one.\n", what);
    else if (reps < 10)
        fprintf(f, "\nOnly %zu replications: each %s %s is little more than the\nsmallest and "
                   "largest of %zu values, not a reliable spread; use --reps 20 or more.\n",
                reps, range, what, reps);
}

void report_cell(FILE *f, const char *text, int width, bool last)
{
    if (last)
        fprintf(f, "  %s", text);
    else
        fprintf(f, "  %-*s", width, text);
}

void report_rho_cell(FILE *f, double rho, int width, bool last)
{
    char cell[32];
    if (isnan(rho))
        snprintf(cell, sizeof cell, "n/a");
    else
        snprintf(cell, sizeof cell, "%+.2f", rho);
    report_cell(f, cell, width, last);
}

/* Prints rows [from, to): labels padded to the widest label, columns to
 * their widest cell, two spaces between, nothing after the last cell. */
static void table_print(FILE *f, const table *t, size_t from, size_t to, int head,
                        const int *width)
{
    for (size_t r = from; r < to; r++) {
        fprintf(f, "%-*s", head, t->label[r]);
        for (size_t p = 0; p < t->np; p++)
            report_cell(f, t->cells[r * t->np + p], width[p], p + 1 == t->np);
        fprintf(f, "\n");
    }
}

/* Fills t (t->np columns) with the figures of sums[first..first+np) (the
 * differences when `diff`): a header row of policy names, the cohort rows,
 * then from *first_state the states at the horizon. */
static void table_fill(table *t, const model_params *mp, const policy_summary *sums,
                       size_t first, bool diff, size_t reps, size_t *first_state)
{
    char *c = table_row(t, "");
    for (size_t p = 0; p < t->np; p++)
        snprintf(c + p * CELL_LEN, CELL_LEN, "%s", mp->policy[first + p].name);
    for (int k = 0; k < SUMMARY_N_MONTHS; k++) {
        char label[CELL_LEN];
        snprintf(label, sizeof label, "Ever employed by month %d", summary_months[k]);
        c = table_row(t, label);
        for (size_t p = 0; p < t->np; p++) {
            const policy_summary *s = &sums[first + p];
            if (!s->month_in_horizon[k])
                snprintf(c + p * CELL_LEN, CELL_LEN, "beyond horizon");
            else
                cell_share(c + p * CELL_LEN, CELL_LEN, &s->ever_employed[k], diff);
        }
    }
    c = table_row(t, "Median days to first job");
    for (size_t p = 0; p < t->np; p++) {
        const policy_summary *s = &sums[first + p];
        if (s->cohort == 0)
            snprintf(c + p * CELL_LEN, CELL_LEN, "n/a"); /* nobody in the cohort */
        else
            cell_days(c + p * CELL_LEN, CELL_LEN, &s->median_days_to_first_job, reps, diff);
    }
    *first_state = t->nrows;
    for (int st = 0; st < N_STATE; st++) {
        char label[CELL_LEN];
        snprintf(label, sizeof label, "  %s", claimant_state_label(st));
        c = table_row(t, label);
        for (size_t p = 0; p < t->np; p++)
            cell_count(c + p * CELL_LEN, CELL_LEN, &sums[first + p].at_horizon[st], diff);
    }
}

/* The widest label, and in width[] each column's widest cell (at least COL_MIN). */
static int table_widths(const table *t, int *width)
{
    int head = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        int n = (int)strlen(t->label[r]);
        head = n > head ? n : head;
    }
    for (size_t p = 0; p < t->np; p++) {
        width[p] = COL_MIN;
        for (size_t r = 0; r < t->nrows; r++) {
            int n = (int)strlen(t->cells[r * t->np + p]);
            width[p] = n > width[p] ? n : width[p];
        }
    }
    return head;
}

/* Mean and 2.5% and 97.5% empirical quantiles (the summary's rule) of the
 * values parameter i drew over the replications of plan. */
static summary_value drawn_range(const unc_plan *plan, size_t i)
{
    size_t n = plan->reps, k = plan->u->nparams;
    summary_value v = { NAN, NAN, NAN, 0 };
    double *x = malloc(n * sizeof *x);
    if (!x || n == 0) {
        free(x);
        return v;
    }
    for (size_t r = 0; r < n; r++)
        x[r] = plan->values[r * k + i];
    summary_range(x, n, &v);
    free(x);
    return v;
}

void report_uncertainty_lines(FILE *f, const unc_plan *plan)
{
    const unc_section *u = plan->u;
    fprintf(f, "Parameter uncertainty: each replication draws its own value of %zu parameter%s,\n"
               "so the intervals include it (each replication's values are in /uncertainty of\n"
               "the output; here the mean [2.5%%, 97.5%%] of the draws):\n",
            u->nparams, u->nparams == 1 ? "" : "s");
    for (size_t i = 0; i < u->nparams; i++) {
        summary_value v = drawn_range(plan, i);
        fprintf(f, "  %s (%s at %s%s): drawn %.4g [%.4g, %.4g]\n", u->param[i].name,
                u->param[i].distribution, u->param[i].path[0],
                u->param[i].npaths > 1 ? " and more" : "", v.mean, v.lo, v.hi);
    }
}

/* Which drawn parameter moves the differences: rank correlations, one row
 * per parameter, one column per policy after the first (widths as the
 * difference table's). */
static void sensitivity_table(FILE *f, const report_info *info, int head, const int *width)
{
    const model_params *mp = &info->cfg->model;
    const unc_section *u = info->uncertainty->u;
    size_t np = mp->npolicies;
    fprintf(f, "\nWhich drawn parameter moves the differences: Spearman rank correlation, across "
               "the\nreplications, of each parameter with the difference from %s in ever "
               "employed\nby month %d", mp->policy[0].name, info->rank_corr_month);
    if (info->reps > 3)
        fprintf(f, " (|rho| below %.2f is within chance at the 5%% level with %zu replications)",
                1.96 / sqrt((double)info->reps - 1), info->reps);
    for (size_t k = 0; k < u->nparams; k++) {
        int n = (int)strlen(u->param[k].name);
        head = n > head ? n : head;
    }
    fprintf(f, ".\n\n%-*s", head, "");
    for (size_t p = 1; p < np; p++)
        report_cell(f, mp->policy[p].name, width[p - 1], p + 1 == np);
    fprintf(f, "\n");
    for (size_t k = 0; k < u->nparams; k++) {
        fprintf(f, "%-*s", head, u->param[k].name);
        for (size_t p = 1; p < np; p++)
            report_rho_cell(f, info->rank_corr[k * np + p], width[p - 1], p + 1 == np);
        fprintf(f, "\n");
    }
}

void report_run_table(FILE *f, const report_info *info, const policy_summary *sums,
                      const policy_summary *diffs)
{
    const model_params *mp = &info->cfg->model;
    size_t np = mp->npolicies;
    table t = { .np = np }, d = { .np = np - 1 };
    t.cells = calloc(N_ROWS * np, sizeof *t.cells);
    d.cells = np > 1 ? calloc(N_ROWS * (np - 1), sizeof *d.cells) : NULL;
    int *width = calloc(np, sizeof *width);
    if (!t.cells || !width || (np > 1 && !d.cells)) {
        free(t.cells);
        free(d.cells);
        free(width);
        return;
    }
    fprintf(f, "ipsim %s: %s\n", IPSIM_VERSION, info->cfg->source);
    report_overrides(f, info->cfg);
    if (info->cfg->description[0])
        fprintf(f, "%s\n", info->cfg->description);
    char years[32];
    snprintf(years, sizeof years, "%.3g", mp->horizon_days / DAYS_PER_YEAR);
    fprintf(f, "%zu run%s (%zu polic%s x %zu replication%s), %s year%s from %.0f, scale %g, "
            "seed %llu\n", np * info->reps, np * info->reps == 1 ? "" : "s", np,
            np == 1 ? "y" : "ies", info->reps, info->reps == 1 ? "" : "s", years,
            strcmp(years, "1") ? "s" : "", mp->start_year, mp->scale,
            (unsigned long long)info->cfg->seed);
    fprintf(f, "%llu events in %.2f s on %d thread%s (%.2fM events/s)\n",
            (unsigned long long)info->events, info->wall_seconds, info->threads,
            info->threads == 1 ? "" : "s",
            info->wall_seconds > 0 ? (double)info->events / info->wall_seconds / 1e6 : 0.0);
    fprintf(f, "output: %s\n\n", info->output);
    fprintf(f, "Cohort: initial stock with a mental disorder (about %zu simulated people).\n",
            sums[0].cohort);
    fprintf(f, "Each cell: mean [2.5%%, 97.5%% of replications].\n");
    if (info->uncertainty)
        report_uncertainty_lines(f, info->uncertainty);
    fprintf(f, "\n");

    size_t first_state;
    table_fill(&t, mp, sums, 0, false, info->reps, &first_state);
    int head = table_widths(&t, width);
    table_print(f, &t, 0, first_state, head, width);
    fprintf(f, "\nPeople at the horizon (simulated, whole population)\n");
    table_print(f, &t, first_state, t.nrows, head, width);
    if (np > 1 && diffs) {
        table_fill(&d, mp, diffs, 1, true, info->reps, &first_state);
        head = table_widths(&d, width);
        fprintf(f, "\nDifference from %s, taken within each replication (the same people and "
                   "random\nnumbers under every policy), then mean [2.5%%, 97.5%%] of the "
                   "differences;\nshares in percentage points (pt).\n\n",
                mp->policy[0].name);
        table_print(f, &d, 0, d.nrows, head, width);
    }
    if (np > 1 && info->uncertainty && info->rank_corr)
        sensitivity_table(f, info, head, width);
    report_few_replications(f, info->reps, "interval", "[2.5%, 97.5%]");
    free(t.cells);
    free(d.cells);
    free(width);
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

/* The figures of one summary (a policy's or a difference) into po. */
static void figures_json(cJSON *po, const policy_summary *s)
{
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
}

cJSON *report_uncertainty_json(const unc_plan *plan, const model_params *mp, const double *rho,
                               int month)
{
    const unc_section *u = plan->u;
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < u->nparams; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", u->param[i].name);
        cJSON_AddStringToObject(o, "distribution", u->param[i].distribution);
        cJSON *paths = cJSON_AddArrayToObject(o, "paths");
        for (size_t k = 0; paths && k < u->param[i].npaths; k++)
            cJSON_AddItemToArray(paths, cJSON_CreateString(u->param[i].path[k]));
        summary_value v = drawn_range(plan, i);
        cJSON_AddItemToObject(o, "drawn", value_json(&v));
        if (rho) {
            cJSON *rc = cJSON_AddObjectToObject(o, "rank_correlation");
            cJSON_AddNumberToObject(rc, "month", month);
            cJSON_AddStringToObject(rc, "minus", mp->policy[0].name);
            cJSON *by = cJSON_AddObjectToObject(rc, "by_policy");
            for (size_t p = 1; by && p < mp->npolicies; p++) {
                double r = rho[i * mp->npolicies + p];
                if (isnan(r))
                    cJSON_AddNullToObject(by, mp->policy[p].name);
                else
                    cJSON_AddNumberToObject(by, mp->policy[p].name, r);
            }
        } else {
            cJSON_AddNullToObject(o, "rank_correlation");
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

void report_run_json(FILE *f, const report_info *info, const policy_summary *sums,
                     const policy_summary *diffs)
{
    const model_params *mp = &info->cfg->model;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "program", "ipsim");
    cJSON_AddStringToObject(o, "version", IPSIM_VERSION);
    cJSON_AddStringToObject(o, "config", info->cfg->source);
    report_overrides_json(o, info->cfg);
    if (info->cfg->description[0])
        cJSON_AddStringToObject(o, "description", info->cfg->description);
    else
        cJSON_AddNullToObject(o, "description");
    cJSON_AddStringToObject(o, "output", info->output);
    cJSON_AddItemToObject(o, "seed", jc_exact_u64(info->cfg->seed));
    cJSON_AddNumberToObject(o, "replications", (double)info->reps);
    cJSON_AddNumberToObject(o, "threads", info->threads);
    cJSON_AddNumberToObject(o, "events", (double)info->events);
    cJSON_AddNumberToObject(o, "wall_seconds", info->wall_seconds);
    cJSON_AddNumberToObject(o, "start_year", mp->start_year);
    cJSON_AddNumberToObject(o, "years", mp->horizon_days / DAYS_PER_YEAR);
    cJSON_AddNumberToObject(o, "scale", mp->scale);
    cJSON_AddStringToObject(o, "cohort", "initial stock with a mental disorder");
    cJSON_AddStringToObject(o, "interval", "2.5% and 97.5% empirical quantiles across replications");
    if (info->uncertainty)
        cJSON_AddItemToObject(o, "uncertainty",
                              report_uncertainty_json(info->uncertainty, mp, info->rank_corr,
                                                      info->rank_corr_month));
    else
        cJSON_AddNullToObject(o, "uncertainty");
    cJSON *pols = cJSON_AddArrayToObject(o, "policies");
    for (size_t p = 0; p < mp->npolicies; p++) {
        const policy_summary *s = &sums[p];
        cJSON *po = cJSON_CreateObject();
        cJSON_AddStringToObject(po, "name", mp->policy[p].name);
        cJSON_AddStringToObject(po, "type", policy_kind_name(mp->policy[p].kind));
        cJSON_AddNumberToObject(po, "cohort_size", (double)s->cohort);
        figures_json(po, s);
        if (p > 0 && diffs) {
            cJSON *d = cJSON_AddObjectToObject(po, "difference");
            cJSON_AddStringToObject(d, "minus", mp->policy[0].name);
            figures_json(d, &diffs[p]);
        }
        cJSON_AddItemToArray(pols, po);
    }
    report_print_json(f, o);
}

/* Prints s[0..n) as one shell word: as it is when it has nothing the shell
 * reads specially, else in single quotes (a quote in it as '\''). */
static void print_shell_word(FILE *f, const char *s, size_t n)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789_-.,:/=+@%";
    size_t k = 0;
    while (k < n && s[k] && strchr(plain, s[k]))
        k++;
    if (k == n && n > 0) {
        fprintf(f, "%.*s", (int)n, s);
        return;
    }
    fputc('\'', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            fputs("'\\''", f);
        else
            fputc(s[i], f);
    }
    fputc('\'', f);
}

void report_overrides(FILE *f, const ipsim_config *cfg)
{
    if (!cfg->overrides)
        return;
    fputs("with", f);
    for (const char *p = cfg->overrides; *p;) {
        size_t n = strcspn(p, "\n");
        fputs(" --set ", f);
        print_shell_word(f, p, n);
        p += n + (p[n] == '\n');
    }
    fputc('\n', f);
}

void report_overrides_json(cJSON *o, const ipsim_config *cfg)
{
    cJSON *list = cJSON_AddArrayToObject(o, "overrides");
    for (const char *p = cfg->overrides; list && p && *p;) {
        size_t n = strcspn(p, "\n");
        char *item = strndup(p, n);
        cJSON_AddItemToArray(list, item ? cJSON_CreateString(item) : NULL);
        free(item);
        p += n + (p[n] == '\n');
    }
}
