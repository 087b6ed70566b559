/* config_tree: numbers of a resolved config addressed by JSON paths, and
 * the config an edited tree gives. ipsim calibrate writes its trial values,
 * the "uncertainty" section its drawn values and --set its overrides this
 * way, so every check of the config language applies to them.
 */
#ifndef IPSIM_CONFIG_TREE_H
#define IPSIM_CONFIG_TREE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "io/config.h"
#include "io/json_check.h"

/* The value at a path like "population.inflow.cases_per_year[1][1]" (keys
 * separated by dots, array indices in brackets: digits only, from 0), or
 * NULL with the reason in why when a step does not exist or the path is
 * malformed. */
cJSON *config_tree_find(cJSON *root, const char *path, char *why, size_t whylen);

/* Puts `value` (taken over, freed on failure too) at such a path: it
 * replaces what is there, and a missing object member is added, with any
 * missing objects on the way, unless an index follows it (array elements
 * must exist). CONFIG_OK; CONFIG_INVALID with the reason in why;
 * CONFIG_NOMEM. */
int config_tree_set(cJSON *root, const char *path, cJSON *value, char *why, size_t whylen);

/* The "path" member of object o (at JSON path p): one path string, or a
 * list of 1 to max of them (which share one value), into list[] (the items
 * themselves, strings or not: the caller checks each). The number found, or
 * 0 with an error recorded in ctx (missing, or neither form; `example` is
 * quoted in the message). */
size_t config_tree_path_list(jc_ctx *ctx, const cJSON *o, const char *p, size_t max,
                             const char *example, const cJSON **list);

/* The JSON path of item k of what config_tree_path_list found in object o
 * (at JSON path p), for messages, into buf (len bytes): "p.path" for a
 * single path string, "p.path[k]" for an item of a list. Returns buf. */
const char *config_tree_path_item(char *buf, size_t len, const cJSON *o, const char *p,
                                  size_t k);

/* Loads the tree's current text as a config named `name` into *cfg.
 * CONFIG_OK; CONFIG_INVALID with the first problem (without the location in
 * the edited text) in err; or CONFIG_NOMEM. */
int config_tree_load(const cJSON *tree, const char *name, ipsim_config *cfg, char *err,
                     size_t errlen);

#endif
