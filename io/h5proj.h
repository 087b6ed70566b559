/* h5proj: the HDF5 file of ipsim project: per scenario the yearly
 * indicators of every replication and their band, per difference the same
 * for the replication-wise difference, plus the resolved config and the
 * benefit amounts. Written into the temporary file of an h5out_target (the
 * caller commits it atomically). docs/projections.md lists the layout.
 */
#ifndef IPSIM_H5PROJ_H
#define IPSIM_H5PROJ_H

#include <stddef.h>
#include "io/h5out.h"
#include "io/proj_config.h"
#include "models/projection.h"

/* 0, or -1 with a message in err. */
int h5proj_write(const h5out_target *t, const proj_config *pc, const proj_result *r,
                 const unc_plan *uncertainty, const double *rank_corr, uint64_t seed,
                 double wall_seconds, int threads, char *err, size_t errlen);

#endif
