/* proj_config: the "projection" section of a config, read by ipsim project:
 * the calendar years to report, replications, which scenario differences to
 * form, and the benefit amounts (replacement rates, household shares and a
 * wage distribution). Problems are reported as FILE:LINE:COL: json.path:
 * message. docs/projections.md describes the section.
 */
#ifndef IPSIM_PROJ_CONFIG_H
#define IPSIM_PROJ_CONFIG_H

#include <stdio.h>
#include "io/config.h"
#include "models/projection.h"

#define PROJ_MAX_DIFFS 16

enum { PROJ_OK = 0, PROJ_INVALID = 2, PROJ_NOMEM = -1 };

typedef struct proj_config {
    ipsim_config cfg;              /* the whole config (scenarios = policies) */
    int first_year, last_year;
    size_t replications;
    size_t ndiffs;
    size_t diff_a[PROJ_MAX_DIFFS], diff_b[PROJ_MAX_DIFFS]; /* policy indices: a - b */
    proj_wages wages;
    proj_benefits benefits;        /* computed from wages */
} proj_config;

/* Loads the config at `path` (its "projection" section is required).
 * Every problem is printed to err. PROJ_OK, PROJ_INVALID or PROJ_NOMEM; on
 * success free with proj_config_clear. */
int proj_config_load(const char *path, proj_config *pc, FILE *err);
/* The same for config text held in memory, named `name` in messages. */
int proj_config_load_text(const char *name, const char *text, size_t len, proj_config *pc,
                          FILE *err);
/* The same with the problems sent to `sink` (see jc_sink); PROJ_NOMEM also
 * when its list could not grow. */
int proj_config_load_text_to(const char *name, const char *text, size_t len, proj_config *pc,
                             const jc_sink *sink);
void proj_config_clear(proj_config *pc);

/* Room for the name of a difference. */
#define PROJ_DIFF_NAME_LEN (2 * sizeof ((policy_params *)0)->name + 8)

/* The name of the difference of policies a minus b of mp, "A_minus_B": its
 * HDF5 group and JSON key. Written into buf (PROJ_DIFF_NAME_LEN bytes), which
 * it returns. */
const char *proj_diff_name(char *buf, size_t len, const model_params *mp, size_t a, size_t b);

#endif
