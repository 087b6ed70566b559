/* bench_queue: throughput of sim_queue under the classic hold model (N
 * pending events; pop the earliest, push one at now + Exp(1) * mean),
 * against a plain binary heap on (time, seq) measured in the same run.
 * Prints nanoseconds per hold (one pop plus one push) for N = 1e3, 1e5, 1e6
 * and the queue's bytes per pending event. Usage: bench_queue [HOLDS] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/sim_queue.h"

#define NDRAWS (1u << 20) /* pre-drawn Exp(1) variates, cycled */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the reference: a plain binary heap of whole events ------------------ */

typedef struct heap_event {
    double time; /* days */
    uint64_t seq;
    uint32_t target;
    uint16_t kind;
} heap_event;

typedef struct bin_heap {
    heap_event *a;
    size_t n, cap;
    uint64_t next_seq;
} bin_heap;

static bool heap_before(const heap_event *x, const heap_event *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static int bin_heap_push(bin_heap *h, double time, uint32_t target, uint16_t kind)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 1024;
        heap_event *a = realloc(h->a, cap * sizeof *a);
        if (!a)
            return -1;
        h->a = a;
        h->cap = cap;
    }
    heap_event e = { time, h->next_seq++, target, kind };
    size_t i = h->n++;
    while (i > 0 && heap_before(&e, &h->a[(i - 1) / 2])) {
        h->a[i] = h->a[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->a[i] = e;
    return 0;
}

static heap_event bin_heap_pop(bin_heap *h)
{
    heap_event top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (size_t c; (c = 2 * i + 1) < h->n; i = c) {
        if (c + 1 < h->n && heap_before(&h->a[c + 1], &h->a[c]))
            c++;
        if (!heap_before(&h->a[c], &last))
            break;
        h->a[i] = h->a[c];
    }
    if (h->n > 0)
        h->a[i] = last;
    return top;
}

/* ---- the hold model -------------------------------------------------------- */

/* ns per hold for sim_queue with n pending; *bytes gets its bytes per pending
 * event. Returns a negative number on failure. `check` accumulates popped
 * times so that both structures can be compared. */
static double hold_sim_queue(size_t n, size_t holds, double mean, const double *draw,
                             double *bytes, double *check)
{
    /* a caller's guess of the bucket width: the queue fits its own */
    sim_queue *q = sim_queue_alloc(0.0, 1.0, 8192, n);
    if (!q)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (sim_queue_push(q, draw[k++ % NDRAWS] * mean, (uint32_t)i, 7) == SIM_NO_EVENT)
            goto fail;
    sim_event ev;
    for (size_t i = 0; i < n; i++) { /* warm-up: reach the steady state */
        if (!sim_queue_pop(q, &ev)
            || sim_queue_push(q, ev.time + draw[k++ % NDRAWS] * mean, ev.target, ev.kind)
                   == SIM_NO_EVENT)
            goto fail;
    }
    double sum = 0, t0 = now_seconds();
    for (size_t i = 0; i < holds; i++) {
        if (!sim_queue_pop(q, &ev))
            goto fail;
        sum += ev.time;
        if (sim_queue_push(q, ev.time + draw[k++ % NDRAWS] * mean, ev.target, ev.kind)
            == SIM_NO_EVENT)
            goto fail;
    }
    double dt = now_seconds() - t0;
    *bytes = (double)sim_queue_memory(q) / (double)n;
    *check = sum;
    sim_queue_free(q);
    return dt / (double)holds * 1e9;

fail:
    sim_queue_free(q);
    return -1;
}

static double hold_bin_heap(size_t n, size_t holds, double mean, const double *draw,
                            double *check)
{
    bin_heap h = { NULL, 0, 0, 1 };
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (bin_heap_push(&h, draw[k++ % NDRAWS] * mean, (uint32_t)i, 7) != 0)
            goto fail;
    for (size_t i = 0; i < n; i++) {
        heap_event e = bin_heap_pop(&h);
        if (bin_heap_push(&h, e.time + draw[k++ % NDRAWS] * mean, e.target, e.kind) != 0)
            goto fail;
    }
    double sum = 0, t0 = now_seconds();
    for (size_t i = 0; i < holds; i++) {
        heap_event e = bin_heap_pop(&h);
        sum += e.time;
        if (bin_heap_push(&h, e.time + draw[k++ % NDRAWS] * mean, e.target, e.kind) != 0)
            goto fail;
    }
    double dt = now_seconds() - t0;
    *check = sum;
    free(h.a);
    return dt / (double)holds * 1e9;

fail:
    free(h.a);
    return -1;
}

int main(int argc, char **argv)
{
    size_t holds = argc > 1 ? strtoul(argv[1], NULL, 10) : 5000000;
    if (holds == 0) {
        fprintf(stderr, "usage: bench_queue [HOLDS > 0]\n");
        return 2;
    }
    double *draw = malloc(NDRAWS * sizeof *draw);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!draw || !r) {
        fprintf(stderr, "bench_queue: out of memory\n");
        return 1;
    }
    gsl_rng_set(r, 20240611);
    for (size_t i = 0; i < NDRAWS; i++)
        draw[i] = gsl_ran_exponential(r, 1.0);
    gsl_rng_free(r);

    const double mean = 1.0; /* days */
    const size_t sizes[] = { 1000, 100000, 1000000 };
    printf("hold model: pop one, push one at now + Exp(1) * %g; %zu holds after %s\n", mean,
           holds, "N warm-up holds");
    printf("%10s %14s %14s %8s %16s\n", "N", "sim_queue ns", "bin heap ns", "ratio",
           "queue bytes/ev");
    int rc = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        double bytes = 0, c1 = 0, c2 = 0;
        double tq = hold_sim_queue(sizes[s], holds, mean, draw, &bytes, &c1);
        double th = hold_bin_heap(sizes[s], holds, mean, draw, &c2);
        if (tq < 0 || th < 0) {
            fprintf(stderr, "bench_queue: N = %zu: out of memory\n", sizes[s]);
            rc = 1;
            break;
        }
        if (c1 != c2) { /* same draws, same order: the popped times must agree */
            fprintf(stderr, "bench_queue: N = %zu: sim_queue and the heap disagree\n", sizes[s]);
            rc = 1;
        }
        printf("%10zu %14.1f %14.1f %8.2f %16.1f\n", sizes[s], tq, th, th / tq, bytes);
    }
    free(draw);
    return rc;
}
