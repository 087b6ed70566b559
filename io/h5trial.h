/* h5trial: the HDF5 files of `ipsim trial` (one simulated trial: its
 * participants and test results) and `ipsim power` (the replication grid:
 * power, Monte Carlo SE, Wilson intervals, per-replication estimates and
 * p-values, minimal detectable effects). Both are written into the
 * temporary file of an h5out_target (io/h5out.h), so an interrupted run
 * never leaves a partial file under the final name. docs/output.md lists
 * the layout. */
#ifndef IPSIM_H5TRIAL_H
#define IPSIM_H5TRIAL_H

#include <stddef.h>
#include "io/config.h"
#include "io/h5out.h"
#include "models/trial.h"
#include "models/trial_analysis.h"
#include "models/trial_power.h"

typedef struct h5trial_trial {
    const ipsim_config *cfg;
    const trial_design *design;
    const trial_plan *plan;
    const trial_person *people;     /* design->n */
    const trial_test_result *tests; /* plan->n_tests */
    const trial_arm_value *arms;    /* plan->n_outcomes */
    const trial_info *info;
    double icc;                     /* ANOVA ICC of the primary outcome */
    size_t replication;
    double wall_seconds;
} h5trial_trial;

/* Writes one trial into the temporary file of t. 0, or -1 with err. */
int h5trial_write_trial(const h5out_target *t, const h5trial_trial *tr, char *err, size_t errlen);

/* Writes a power grid into the temporary file of t. 0, or -1 with err. */
int h5trial_write_power(const h5out_target *t, const ipsim_config *cfg, const trial_power *pw,
                        int threads, double wall_seconds, char *err, size_t errlen);

#endif
