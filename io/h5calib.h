/* h5calib: the `calibration` group of an HDF5 file written by ipsim
 * calibrate: the loss and parameter trace of every evaluation, the best
 * parameters with their bounds, and the fit report (one row per target).
 * Written into the temporary file of an h5out_target, so the caller commits
 * it atomically with h5out_commit. docs/calibration.md lists the layout.
 */
#ifndef IPSIM_H5CALIB_H
#define IPSIM_H5CALIB_H

#include <stddef.h>
#include "io/calib_config.h"
#include "io/h5out.h"

typedef struct h5calib_data {
    const calib_spec *spec;
    const calib_targets *targets;
    const calib_outcome *outcome;
    const double *trace_loss;     /* [nevals] */
    const double *trace_params;   /* [nevals][nparams] */
    size_t nevals;
    const char *report_json;      /* the calibration_report object as JSON text */
    const char *config_text;      /* the calibrated config */
} h5calib_data;

/* Writes the file. 0, or -1 with a message in err. */
int h5calib_write(const h5out_target *t, const h5calib_data *d, char *err, size_t errlen);

#endif
