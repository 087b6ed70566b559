/* config_trial: the "trial" section of a config (the design and analysis
 * of a simulated randomised trial, models/trial.h), read with the same
 * strict, located checks as the rest of the config. Keys, units, defaults
 * and sources: docs/config.md ("trial"). Used by io/config.c. */
#ifndef IPSIM_CONFIG_TRIAL_H
#define IPSIM_CONFIG_TRIAL_H

#include <cjson/cJSON.h>
#include "io/json_check.h"
#include "models/trial.h"

/* Reads root.trial (if present) over *tp, which holds the defaults. Arm
 * policy names are checked against mp's policies (already read). Every
 * problem is recorded in ctx; *tp keeps defaults where values are bad. */
void config_trial_read(jc_ctx *ctx, const cJSON *root, const model_params *mp,
                       trial_params *tp);

/* The design as a JSON object (every key, resolved), for output files.
 * NULL on allocation failure; caller deletes. */
cJSON *config_trial_to_json(const trial_params *tp);

#endif
