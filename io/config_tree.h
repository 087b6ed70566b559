/* config_tree: numbers of a resolved config addressed by JSON paths, and
 * the config an edited tree gives. ipsim calibrate writes its trial values
 * and the "uncertainty" section its drawn values this way, so every check of
 * the config language applies to them.
 */
#ifndef IPSIM_CONFIG_TREE_H
#define IPSIM_CONFIG_TREE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "io/config.h"

/* The value at a path like "population.inflow.cases_per_year[1][1]" (keys
 * separated by dots, array indices in brackets), or NULL with the reason in
 * why when a step does not exist. */
cJSON *config_tree_find(cJSON *root, const char *path, char *why, size_t whylen);

/* Loads the tree's current text as a config named `name` into *cfg.
 * CONFIG_OK; CONFIG_INVALID with the first problem (without the location in
 * the edited text) in err; or CONFIG_NOMEM. */
int config_tree_load(const cJSON *tree, const char *name, ipsim_config *cfg, char *err,
                     size_t errlen);

#endif
