/* sim_parallel: runs independent jobs (replications) on a fixed number of
 * threads. Jobs are numbered; each writes only its own result slot, so
 * results do not depend on the number of threads or on scheduling order.
 * Progress counters are atomics that another thread may read at any time.
 */
#ifndef IPSIM_SIM_PARALLEL_H
#define IPSIM_SIM_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

typedef int (*sim_job_fn)(size_t job, void *arg);

/* Optional callback run by the calling thread about every `period_ms` while
 * jobs run (progress display); `done` jobs have finished so far. */
typedef void (*sim_progress_fn)(size_t done, size_t total, void *arg);

/* Runs job(0..njobs-1, arg) on `threads` threads (the caller's thread counts
 * as one). Stops handing out new jobs after the first failure. Returns 0, the
 * first negative job status, or -1 if threads could not be started. */
int sim_parallel_run(size_t njobs, int threads, sim_job_fn job, void *arg,
                     sim_progress_fn progress, void *progress_arg, int period_ms);

#endif
