/* runset: the replication runner over sim_parallel; see runset.h. Each run
 * advances month by month so that the progress counters move while it runs. */
#include "models/runset.h"

#include "sim/sim_parallel.h"
#include "models/claimant_model.h"

typedef struct runset_job {
    const model_params *p;
    const model_params *rep_params; /* [reps] or NULL */
    uint64_t seed;
    size_t reps;
    run_results *results;
    runset_progress progress;
    runset_progress_fn fn;
    void *fn_arg;
} runset_job;

static int run_one(size_t job, void *arg)
{
    runset_job *js = arg;
    size_t policy = job / js->reps, rep = job % js->reps;
    const model_params *p = js->rep_params ? &js->rep_params[rep] : js->p;
    claimant_run *run = claimant_run_alloc(p, policy, js->seed, rep);
    if (!run)
        return -1;
    uint64_t seen = 0;
    int rc = 0;
    for (double t = DAYS_PER_MONTH; rc == 0; t += DAYS_PER_MONTH) {
        double until = t < claimant_run_horizon(run) ? t : claimant_run_horizon(run);
        rc = claimant_run_until(run, until);
        uint64_t ev = claimant_run_events(run);
        atomic_fetch_add(&js->progress.events, ev - seen);
        seen = ev;
        if (until >= claimant_run_horizon(run))
            break;
    }
    if (rc == 0)
        rc = claimant_run_finish(run, &js->results[job]);
    claimant_run_free(run);
    atomic_fetch_add(&js->progress.runs_done, 1);
    return rc;
}

static void relay_progress(size_t done, size_t total, void *arg)
{
    (void)done;
    (void)total;
    runset_job *js = arg;
    js->fn(&js->progress, js->fn_arg);
}

int runset_run(const model_params *p, const model_params *rep_params, uint64_t seed,
               size_t reps, int threads, run_results *results, runset_progress_fn progress,
               void *progress_arg)
{
    runset_job js = { .p = p, .rep_params = rep_params,
                      .seed = seed, .reps = reps, .results = results,
                      .fn = progress, .fn_arg = progress_arg };
    atomic_init(&js.progress.runs_done, 0);
    atomic_init(&js.progress.events, 0);
    js.progress.runs_total = p->npolicies * reps;
    return sim_parallel_run(p->npolicies * reps, threads, run_one, &js,
                            progress ? relay_progress : NULL, &js, 200);
}
