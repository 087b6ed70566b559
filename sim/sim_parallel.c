/* sim_parallel: a work-sharing loop over pthreads with an atomic job counter;
 * see sim_parallel.h. */
#include "sim/sim_parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct pool_state {
    size_t njobs;
    sim_job_fn job;
    void *arg;
    atomic_size_t next;
    atomic_size_t done;
    atomic_int status;
    atomic_int workers_left;
} pool_state;

static void *worker(void *vp)
{
    pool_state *p = vp;
    for (;;) {
        if (atomic_load(&p->status) < 0)
            break;
        size_t j = atomic_fetch_add(&p->next, 1);
        if (j >= p->njobs)
            break;
        int rc = p->job(j, p->arg);
        if (rc < 0) {
            int expected = 0;
            atomic_compare_exchange_strong(&p->status, &expected, rc);
        }
        atomic_fetch_add(&p->done, 1);
    }
    atomic_fetch_sub(&p->workers_left, 1);
    return NULL;
}

int sim_parallel_run(size_t njobs, int threads, sim_job_fn job, void *arg,
                     sim_progress_fn progress, void *progress_arg, int period_ms)
{
    pool_state p = { .njobs = njobs, .job = job, .arg = arg };
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    atomic_init(&p.status, 0);
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > njobs)
        threads = njobs ? (int)njobs : 1;
    /* with a progress callback every job runs on a helper thread so the
     * caller can keep the display alive */
    int spawn = progress ? threads : threads - 1;
    atomic_init(&p.workers_left, spawn);
    pthread_t *tid = calloc((size_t)(spawn > 0 ? spawn : 1), sizeof *tid);
    if (!tid)
        return -1;
    int started = 0;
    for (; started < spawn; started++)
        if (pthread_create(&tid[started], NULL, worker, &p) != 0)
            break;
    if (started < spawn) {
        atomic_fetch_sub(&p.workers_left, spawn - started);
        if (started == 0 && progress) {
            free(tid);
            return -1;
        }
    }
    if (progress) {
        struct timespec ts = { period_ms / 1000, (long)(period_ms % 1000) * 1000000L };
        while (atomic_load(&p.workers_left) > 0) {
            progress(atomic_load(&p.done), njobs, progress_arg);
            nanosleep(&ts, NULL);
        }
        progress(atomic_load(&p.done), njobs, progress_arg);
    } else {
        atomic_fetch_add(&p.workers_left, 1);
        worker(&p);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    free(tid);
    return atomic_load(&p.status);
}
