/* h5out: the self-describing HDF5 file of a run set, written atomically.
 *
 * The file is written under "<final>.tmp-<pid>" in the same directory and
 * renamed over the final name only when complete, so an interrupted run
 * never leaves a partial file under the final name. docs/output.md lists
 * every group, dataset and attribute.
 */
#ifndef IPSIM_H5OUT_H
#define IPSIM_H5OUT_H

#include <stddef.h>
#include <hdf5.h>
#include "io/config.h"
#include "models/results.h"
#include "models/summary.h"

typedef struct h5out_target {
    char final_path[4096];
    char tmp_path[4096 + 32];
} h5out_target;

/* Prepares writing to `path`: refuses an empty name, a directory and an
 * existing file that is not a regular file, and an existing file unless
 * `force`; checks the directory is writable by creating the temporary
 * file. On error returns -1 with a message in err. */
int h5out_begin(h5out_target *t, const char *path, bool force, char *err, size_t errlen);

/* The checks of h5out_begin without keeping the temporary file: for
 * outputs written only after a long computation, checked before it starts.
 * 0, or -1 with a message in err. */
int h5out_check(const char *path, bool force, char *err, size_t errlen);

/* Whether paths a and b name the same file (the same text, the same existing
 * file, or the same name in the same real directory). */
bool h5out_same_file(const char *a, const char *b);

/* Removes the temporary file (after a failure). Async-signal-safe. */
void h5out_abort(const h5out_target *t);

/* Renames the finished temporary file to the final name. */
int h5out_commit(const h5out_target *t, char *err, size_t errlen);

/* Everything a run set writes. results[p * reps + r] is policy p, replication r. */
typedef struct h5out_runset {
    const ipsim_config *cfg;
    size_t npolicies, reps;
    const run_results *results;
    const policy_summary *summaries;   /* [npolicies] */
    const policy_summary *differences; /* [npolicies]: policy p minus policy 0, for p >= 1;
                                        * NULL for none */
    double wall_seconds;
    int threads;
    const unc_plan *uncertainty;       /* drawn parameter values, or NULL for none */
    const double *rank_corr;           /* with uncertainty and 2+ policies: [parameter][policy]
                                        * (summary_sensitivity), else NULL */
    int rank_corr_month;
} h5out_runset;

/* Writes the run set into the temporary file of `t`. 0, or -1 with err. */
int h5out_write_runset(const h5out_target *t, const h5out_runset *rs, char *err, size_t errlen);

/* Building blocks for other writers (io/h5trial.c), beside io/h5util.h. All return 0 or -1
 * (hid_t functions a negative id) and leave HDF5's error stack silent. */

/* Group "uncertainty" under loc: the values each replication drew
 * (dataset "values" [replication, parameter]) with the parameters' names,
 * distributions and paths as attributes. 0 or -1. */
int h5out_write_uncertainty(hid_t loc, const unc_plan *plan);

/* Creates the temporary file of `t` (object times not tracked, so equal
 * inputs give equal datasets). Caller closes with H5Fclose. */
hid_t h5out_create(const h5out_target *t, char *err, size_t errlen);
/* Root attributes of every ipsim file (program, version, created,
 * master_seed, config_source, config_overrides, description, time_unit,
 * month_length_days)
 * and the resolved config as the string dataset "config". */
int h5out_write_header(hid_t file, const ipsim_config *cfg);
/* Groups and attributes: see io/h5util.h (h5u_group, h5u_attr_*). */
/* Datasets (chunked arrays, text): see io/h5util.h (h5u_write_array,
 * h5u_write_text). */

#endif
