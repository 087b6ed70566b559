/* uncertainty_config: the "uncertainty" section of a config (parameter
 * uncertainty across replications, models/uncertainty.h), and the model
 * parameters of each replication with its drawn values written in.
 *
 * Each entry names numbers of the resolved config by JSON path (as the
 * "calibration" section does) and gives their distribution. The config
 * reader checks the section with its usual located errors, including that
 * the distribution's extreme values give a valid config; a replication's
 * parameters come from the resolved config with its values written at the
 * paths and read again, so every check of the config language applies.
 * Keys, units and rules: docs/config.md ("uncertainty").
 */
#ifndef IPSIM_UNCERTAINTY_CONFIG_H
#define IPSIM_UNCERTAINTY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "io/json_check.h"
#include "models/params.h"
#include "models/uncertainty.h"

#define UNC_MAX_PARAMS 16  /* entries of uncertainty.parameters */
#define UNC_MAX_TIED 4     /* paths that share one drawn value */
#define UNC_PATH_LEN 128

/* Draws beyond these quantiles are not checked against the config language
 * when the config is read (a chance of 2e-12 a draw). */
#define UNC_CHECK_QUANTILE 1e-12

typedef struct unc_param {
    char name[64];
    char path[UNC_MAX_TIED][UNC_PATH_LEN];
    size_t npaths;
    char distribution[16];  /* as written: "normal", "lognormal", ... */
    unc_dist dist;          /* what is drawn (a fixed value when sd is 0) */
    bool round;             /* draws rounded to whole numbers (counts) */
} unc_param;

typedef struct unc_section {
    size_t nparams;         /* 0: no "uncertainty" section */
    unc_param param[UNC_MAX_PARAMS];
} unc_section;

/* Reads root.uncertainty (if present) into *u (cleared first). Every problem
 * is recorded in ctx. Paths are checked later, by uncertainty_check. */
void uncertainty_read(jc_ctx *ctx, const cJSON *root, unc_section *u);

/* Checks the paths of *u against the resolved config text (each a number,
 * outside the run, seed and other sections, no path twice) and that the
 * quantiles UNC_CHECK_QUANTILE and 1 - UNC_CHECK_QUANTILE of each
 * distribution, written at its paths, give a valid config (config_name
 * names it in messages). Problems recorded in ctx. 0, or -1 when out of
 * memory. */
int uncertainty_check(jc_ctx *ctx, const char *resolved_json, const char *config_name,
                      const unc_section *u);

/* The drawn values of replications 0..reps-1 of a scenario. */
typedef struct unc_plan {
    const unc_section *u;
    cJSON *tree;            /* the resolved config without its "uncertainty" section
                             * (the last replication's values written in) */
    char name[512];         /* the config's name, for messages */
    size_t reps;
    double *values;         /* reps x u->nparams, row-major */
    model_params *params;   /* [reps]: the model parameters of each replication */
} unc_plan;

struct ipsim_config;

/* Draws every replication's values (reps of them, under cfg's seed) from
 * cfg's "uncertainty" section and reads each replication's config with them
 * into plan->params, once, before anything runs. Without the section the
 * plan stays empty (plan->u NULL). CONFIG_OK; CONFIG_INVALID (a drawn value
 * the config language refuses) or CONFIG_NOMEM with a message in err, the
 * plan empty then. Free with uncertainty_plan_clear. */
int uncertainty_plan(unc_plan *plan, const struct ipsim_config *cfg, size_t reps, char *err,
                     size_t errlen);

void uncertainty_plan_clear(unc_plan *plan);

#endif
