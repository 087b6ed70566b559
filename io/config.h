/* config: the JSON scenario language. Reads a config over the built-in
 * default Belgian scenario (configs/belgium_default.json, embedded), checks
 * every key strictly, and yields the model parameters plus the resolved
 * config text (defaults merged with the user's file) for the output file.
 * docs/config.md documents every key, unit, default and source.
 */
#ifndef IPSIM_CONFIG_H
#define IPSIM_CONFIG_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "io/json_check.h"
#include "models/params.h"
#include "models/trial.h"
#include "io/uncertainty_config.h"

typedef struct ipsim_config {
    model_params model;
    uint64_t seed;
    size_t replications;
    char description[512];
    char source[512];      /* file name, or "built-in default" */
    char *overrides;       /* heap; the --set PATH=VALUE applied, one a line (NULL:
                            * none; see io/config_override.h) */
    char *resolved_json;   /* heap; the full effective config */
    trial_params trial;    /* the "trial" section (ipsim trial, ipsim power) over its defaults */
    unc_section uncertainty; /* the "uncertainty" section (nparams 0: none) */
} ipsim_config;

/* Status codes of config_load. */
enum { CONFIG_OK = 0, CONFIG_INVALID = 2, CONFIG_NOMEM = -1 };

/* Loads `path` (NULL: the built-in default) into *cfg. Every problem is
 * printed to `err`, one per line, as "FILE:LINE:COL: PATH: message".
 * Returns CONFIG_OK, CONFIG_INVALID or CONFIG_NOMEM. On success the caller
 * frees with config_clear. */
int config_load(const char *path, ipsim_config *cfg, FILE *err);

/* Loads config text held in memory (for tests and embedded scenarios). */
int config_load_text(const char *name, const char *text, size_t len, ipsim_config *cfg,
                     FILE *err);
/* config_load_text with the problems sent to `sink` (printed, listed or
 * both; see jc_sink). CONFIG_NOMEM also when the list could not grow. */
int config_load_text_to(const char *name, const char *text, size_t len, ipsim_config *cfg,
                        const jc_sink *sink);

void config_clear(ipsim_config *cfg);

/* Records a command-line override in the resolved config text: the member at
 * the dotted `path` (e.g. "run.seed"; missing objects are created) becomes
 * `value`, which the call takes over (it is freed on failure too). Only the
 * text changes: the caller sets the parsed field itself. 0, or -1 when out
 * of memory. */
int config_record(ipsim_config *cfg, const char *path, cJSON *value);
/* config_record of an exact whole number and of a boolean. */
int config_record_u64(ipsim_config *cfg, const char *path, uint64_t v);
int config_record_bool(ipsim_config *cfg, const char *path, bool v);

/* The embedded default scenario text. */
const char *config_default_text(size_t *len);

#endif
