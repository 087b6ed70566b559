/* config_override: command-line overrides of a config, "--set PATH=VALUE".
 *
 * PATH addresses the resolved config (the file merged over the built-in
 * default, as an output file stores it under /config), with keys separated
 * by dots and array elements in brackets: "run.years",
 * "policies[2].programme.fidelity.score". VALUE is JSON, read as strictly
 * as a file (15, 0.3, true, [1,2], {"score":85}, "text"); text that does
 * not read as JSON and does not start like JSON is taken as a string
 * (ips_fair). Each override is one line of UTF-8 text. The file is read and
 * checked first, so its own problems keep their FILE:LINE:COL; then the
 * overrides are applied in order (a later one wins) and the result is
 * checked again as a whole by the same reader, its problems reported as
 * "FILE with --set: PATH: ..."; an override that cannot be applied at all
 * (no such path, a VALUE that is not JSON) as "FILE: --set PATH=VALUE: ...".
 */
#ifndef IPSIM_CONFIG_OVERRIDE_H
#define IPSIM_CONFIG_OVERRIDE_H

#include <stddef.h>
#include <stdio.h>
#include "io/config.h"
#include "io/proj_config.h"

/* The overrides of one command line, in order. */
#define CONFIG_MAX_OVERRIDES 64
typedef struct config_overrides {
    const char *set[CONFIG_MAX_OVERRIDES]; /* "PATH=VALUE", not copied */
    size_t n;
} config_overrides;

/* Adds one "PATH=VALUE" (kept by pointer); -1 when CONFIG_MAX_OVERRIDES are
 * already there. */
int config_overrides_add(config_overrides *ov, const char *set);

/* The first override whose PATH is one of the n `paths` (for a command that
 * sets those values itself and must refuse them); NULL when there is none. */
const char *config_overrides_find(const config_overrides *ov, const char *const *paths,
                                  size_t n);

/* The resolved config text with the n overrides applied, as one line of JSON
 * into *text (heap; the caller frees). CONFIG_OK; CONFIG_INVALID with the
 * reason, naming the override, in err; CONFIG_NOMEM. */
int config_override_text(const char *resolved_json, const char *const *sets, size_t n,
                         char **text, char *err, size_t errlen);

/* config_load and proj_config_load followed by the overrides (NULL or
 * none: the plain load). Problems go to err; the return codes are the
 * loaders'. */
int config_load_overridden(const char *path, const config_overrides *ov, ipsim_config *cfg,
                           FILE *err);
int proj_config_load_overridden(const char *path, const config_overrides *ov, proj_config *pc,
                                FILE *err);

/* For run and project, which draw the "uncertainty" section's parameters
 * anew in every replication: CONFIG_INVALID, with "PATH: message" in err,
 * when an override of cfg (cfg->overrides) sets a number a parameter draws,
 * or an object or list holding one, as its value would never be used;
 * CONFIG_OK otherwise (no overrides or no section too); CONFIG_NOMEM. */
int config_overrides_check_drawn(const ipsim_config *cfg, char *err, size_t errlen);

#endif
