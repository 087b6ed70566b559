/* calib_config: the JSON side of calibration. Reads a targets file (every
 * published figure with value, unit, year, source and weight) and the
 * config's "calibration" section (free parameters as JSON paths into the
 * resolved config, with bounds), turns a parameter vector into model
 * parameters by editing the config tree and reloading it with
 * config_load_text, and writes the calibrated config. Every problem in
 * either file is reported as FILE:LINE:COL: json.path: message.
 * docs/calibration.md describes both formats.
 */
#ifndef IPSIM_CALIB_CONFIG_H
#define IPSIM_CALIB_CONFIG_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "io/config.h"
#include "models/calibrate.h"

#define CALIB_MAX_PARAMS 32
#define CALIB_MAX_TIED 8
#define CALIB_MAX_TARGETS 128

/* Status codes (as config_load). */
enum { CALIB_OK = 0, CALIB_INVALID = 2, CALIB_NOMEM = -1 };

/* One published figure, with what the report prints besides the numbers. */
typedef struct calib_target_info {
    char unit[16];          /* "people" or "share" */
    char source[512];
    char confidence[8];     /* "H", "M" or "" */
    char note[256];
} calib_target_info;

typedef struct calib_targets {
    char path[512];
    char description[256];
    size_t n;
    calib_target target[CALIB_MAX_TARGETS];
    calib_target_info info[CALIB_MAX_TARGETS];
    cJSON *sources;         /* the file's "sources" object (owned), or NULL */
} calib_targets;

/* Reads and checks a targets file; every problem is printed to err. Returns
 * CALIB_OK, CALIB_INVALID or CALIB_NOMEM. On success free with
 * calib_targets_clear. */
int calib_targets_load(const char *path, calib_targets *t, FILE *err);
/* The same for the text of a file named `name`, problems to `sink` in file
 * order (ipsim validate). */
int calib_targets_load_text_to(const char *name, const char *text, size_t len, calib_targets *t,
                               const jc_sink *sink);
void calib_targets_clear(calib_targets *t);

/* A free parameter: one value written at one or more JSON paths. */
typedef struct calib_param {
    char path[CALIB_MAX_TIED][160];
    size_t npaths;
    double lower, upper, start;
} calib_param;

typedef struct calib_spec {
    char config_path[512];
    ipsim_config cfg;       /* the config as loaded (resolved) */
    cJSON *tree;            /* resolved config tree, edited per evaluation (owned) */
    size_t nparams;
    calib_param param[CALIB_MAX_PARAMS];
    /* fit settings ("calibration" section) */
    double scale;           /* run.scale during the fit */
    size_t replications;
    uint64_t seed;
    size_t max_evaluations;
    double size_tolerance;  /* simplex size on the transformed scale */
    double initial_step;    /* fraction of each parameter's range */
    size_t restarts;        /* fresh simplexes at the best point after convergence */
} calib_spec;

/* Loads the config at `path` and its "calibration" section; checks that
 * every path names a number of the resolved config, bounds are ordered and
 * contain the config's value, and that each bound gives a valid config.
 * Every problem is printed to err. Returns CALIB_OK, CALIB_INVALID or
 * CALIB_NOMEM; on success free with calib_spec_clear. */
int calib_spec_load(const char *path, calib_spec *s, FILE *err);
/* The same for config text held in memory, named `name` in messages. */
int calib_spec_load_text(const char *name, const char *text, size_t len, calib_spec *s,
                         FILE *err);
/* The same with the problems sent to `sink` (see jc_sink); CALIB_NOMEM also
 * when its list could not grow. */
int calib_spec_load_text_to(const char *name, const char *text, size_t len, calib_spec *s,
                            const jc_sink *sink);
void calib_spec_clear(calib_spec *s);

/* Checks that the run of spec covers every target year; prints problems
 * located in the targets file. CALIB_OK or CALIB_INVALID. */
int calib_spec_check_targets(const calib_spec *s, const calib_targets *t, FILE *err);

/* calib_build_fn for calib_problem: writes x into the tree, reloads it and
 * sets the fit's scale. `arg` is the calib_spec. Not thread-safe (edits the
 * tree); the minimiser calls it from one thread. */
int calib_spec_build(const double *x, model_params *out, char *err, size_t errlen, void *arg);

/* Everything the calibrated config records about the fit. */
typedef struct calib_outcome {
    const double *best;            /* nparams */
    const calib_fit_row *rows;     /* targets->n */
    const calib_stock_mix *mix;
    double loss;
    size_t evaluations;
    size_t restarts;               /* fresh simplexes after the first */
    double seconds;
    int threads;
    const char *stop_reason;
} calib_outcome;

/* The fit report as JSON (the "calibration_report" object). NULL on
 * allocation failure; caller frees with cJSON_Delete. */
cJSON *calib_report_json(const calib_spec *s, const calib_targets *t, const calib_outcome *o);

/* The calibrated config text: the resolved config with the best values, the
 * report under "calibration_report" and the targets' sources merged into
 * "sources". Heap string (caller frees) or NULL on allocation failure. */
char *calib_config_text(const calib_spec *s, const calib_targets *t, const calib_outcome *o);

#endif
