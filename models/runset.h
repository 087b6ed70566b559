/* runset: runs every (policy, replication) pair of a scenario on a pool of
 * threads. Pair (p, r) always uses replication stream r, whatever thread
 * runs it, so results do not depend on the number of threads; every policy
 * of replication r sees the same people and draws (common random numbers).
 */
#ifndef IPSIM_RUNSET_H
#define IPSIM_RUNSET_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "models/results.h"

typedef struct runset_progress {
    atomic_size_t runs_done;
    atomic_uint_fast64_t events;   /* events run so far, all threads */
    size_t runs_total;
} runset_progress;

typedef void (*runset_progress_fn)(const runset_progress *pr, void *arg);

/* Runs all pairs. results must hold npolicies * reps entries; entry
 * p * reps + r receives policy p, replication r (caller clears each with
 * results_clear). With rep_params (NULL: p for every replication), every
 * policy of replication r runs with rep_params[r] (parameter uncertainty),
 * which must have p's policies and run settings. Returns 0, or negative if
 * a run failed. */
int runset_run(const model_params *p, const model_params *rep_params, uint64_t seed,
               size_t reps, int threads, run_results *results, runset_progress_fn progress,
               void *progress_arg);

#endif
