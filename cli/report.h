/* report: what the subcommands print: fixed-width tables for people and
 * JSON (--json) for scripts, from the same figures. */
#ifndef IPSIM_REPORT_H
#define IPSIM_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "io/config.h"
#include "models/summary.h"

typedef struct report_info {
    const ipsim_config *cfg;
    const char *output;
    size_t reps;
    int threads;
    uint64_t events;
    double wall_seconds;
    const unc_plan *uncertainty; /* drawn parameter values, or NULL for none */
    const double *rank_corr;     /* with uncertainty: summary_sensitivity's rho, or NULL */
    int rank_corr_month;         /* its month */
} report_info;

/* The summary of each policy (sums) and, from the second policy on, its
 * differences from the first taken within each replication (diffs[p], p >= 1;
 * diffs[0] is not read). */
void report_run_table(FILE *f, const report_info *info, const policy_summary *sums,
                      const policy_summary *diffs);
void report_run_json(FILE *f, const report_info *info, const policy_summary *sums,
                     const policy_summary *diffs);

/* What each replication drew under parameter uncertainty: lines under a
 * command's header (name, distribution, path, mean [2.5%, 97.5%] of the
 * draws), or the same as a JSON array (NULL when out of memory), with each
 * parameter's rank correlations rho (summary_sensitivity; NULL: null). */
void report_uncertainty_lines(FILE *f, const unc_plan *plan);
cJSON *report_uncertainty_json(const unc_plan *plan, const model_params *mp, const double *rho,
                               int month);

/* Under a table of `what`s (e.g. "interval") spanning `range` (e.g.
 * "[2.5%, 97.5%]") across replications: a note when fewer than 10
 * replications make them little more than the range of the values. */
void report_few_replications(FILE *f, size_t reps, const char *what, const char *range);

/* One cell of a text table: two spaces, then `text` padded to `width`
 * unless it is the last of its line (no trailing spaces). */
void report_cell(FILE *f, const char *text, int width, bool last);

/* report_cell of a rank correlation rho: signed with two decimals, "n/a"
 * when it is undefined (NaN). */
void report_rho_cell(FILE *f, double rho, int width, bool last);

/* Prints a cJSON tree (formatted) and a newline, then deletes it. */
void report_print_json(FILE *f, cJSON *tree);

/* The --set values the config was loaded with (see io/config_override.h):
 * "with --set A --set B" on a line of its own, each quoted for the shell
 * where it needs it (nothing without any), and
 * "overrides": [A, B] in a JSON summary ([] without any). */
void report_overrides(FILE *f, const ipsim_config *cfg);
void report_overrides_json(cJSON *o, const ipsim_config *cfg);

#endif
