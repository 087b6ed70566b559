/* Tests for sim_queue: order by (time, seq), cancellation, the window and
 * its overflow, re-binning, raising of pushes into the past, peek, size and
 * memory reuse, against naive references written here (an array scanned for
 * the minimum; a binary heap for large queues). Deterministic GSL seeds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/sim_queue.h"

/* ---- reference: every event ever pushed, scanned for the minimum --------- */

typedef struct ref_event {
    double time;
    uint64_t seq;
    uint32_t target;
    uint16_t kind;
    sim_event_id id;
    bool live;
} ref_event;

typedef struct ref_queue {
    ref_event *ev;        /* live events first: ev[0..nlive) */
    size_t nlive, cap;
    uint64_t next_seq;
    double last_time;
} ref_queue;

static void ref_init(ref_queue *r, double start)
{
    memset(r, 0, sizeof *r);
    r->next_seq = 1;
    r->last_time = start;
}

static void ref_push(ref_queue *r, double time, uint32_t target, uint16_t kind, sim_event_id id)
{
    if (!(time >= r->last_time))
        time = r->last_time;
    if (r->nlive == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 1024;
        r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
        cr_assert_not_null(r->ev);
    }
    r->ev[r->nlive++] = (ref_event){ time, r->next_seq++, target, kind, id, true };
}

/* Index of the live event with the least (time, seq), or SIZE_MAX. */
static size_t ref_min(const ref_queue *r)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < r->nlive; i++) {
        const ref_event *e = &r->ev[i];
        if (best == SIZE_MAX || e->time < r->ev[best].time
            || (e->time == r->ev[best].time && e->seq < r->ev[best].seq))
            best = i;
    }
    return best;
}

static void ref_remove(ref_queue *r, size_t i) { r->ev[i] = r->ev[--r->nlive]; }

static size_t ref_find_id(const ref_queue *r, sim_event_id id)
{
    for (size_t i = 0; i < r->nlive; i++)
        if (r->ev[i].id == id)
            return i;
    return SIZE_MAX;
}

/* ---- checks shared by the randomised tests ------------------------------ */

static void expect_pop(sim_queue *q, ref_queue *r, const char *where, size_t step)
{
    size_t m = ref_min(r);
    sim_event ev;
    if (m == SIZE_MAX) {
        cr_assert(!sim_queue_pop(q, &ev), "%s step %zu: pop from an empty queue succeeded",
                  where, step);
        return;
    }
    ref_event want = r->ev[m];
    cr_assert(sim_queue_pop(q, &ev), "%s step %zu: pop failed with %zu pending", where, step,
              r->nlive);
    cr_assert(ev.time == want.time && ev.seq == want.seq && ev.target == want.target
                  && ev.kind == want.kind,
              "%s step %zu: popped (t=%.17g seq=%llu target=%u kind=%u), expected "
              "(t=%.17g seq=%llu target=%u kind=%u)",
              where, step, ev.time, (unsigned long long)ev.seq, ev.target, ev.kind, want.time,
              (unsigned long long)want.seq, want.target, want.kind);
    cr_assert(!sim_queue_is_pending(q, want.id), "%s step %zu: popped id still pending", where,
              step);
    ref_remove(r, m);
    r->last_time = want.time;
}

/* sim_queue_pop_until against the reference: with bound `t` at the earliest
 * time it pops that event; with t just below it it removes nothing. */
static void expect_pop_until(sim_queue *q, ref_queue *r, bool reach, const char *where,
                             size_t step)
{
    size_t m = ref_min(r);
    sim_event ev;
    if (m == SIZE_MAX) {
        cr_assert(!sim_queue_pop_until(q, INFINITY, &ev),
                  "%s step %zu: pop_until from an empty queue succeeded", where, step);
        return;
    }
    ref_event want = r->ev[m];
    if (!reach) {
        double below = nextafter(want.time, -INFINITY);
        cr_assert(!sim_queue_pop_until(q, below, &ev),
                  "%s step %zu: pop_until(%.17g) popped with the earliest at %.17g", where, step,
                  below, want.time);
        cr_assert_eq(sim_queue_size(q), r->nlive, "%s step %zu: pop_until removed an event",
                     where, step);
        return;
    }
    cr_assert(sim_queue_pop_until(q, want.time, &ev), "%s step %zu: pop_until failed", where,
              step);
    cr_assert(ev.time == want.time && ev.seq == want.seq && ev.target == want.target
                  && ev.kind == want.kind,
              "%s step %zu: pop_until gave (t=%.17g seq=%llu), expected (t=%.17g seq=%llu)",
              where, step, ev.time, (unsigned long long)ev.seq, want.time,
              (unsigned long long)want.seq);
    ref_remove(r, m);
    r->last_time = want.time;
}

/* A push time for the randomised tests: many exact ties (times on a grid,
 * and repeats of the last popped time), spread-out times, some far ahead. */
static double draw_time(gsl_rng *g, double now, double scale)
{
    double u = gsl_rng_uniform(g);
    if (u < 0.15)
        return now; /* ties with the last popped event */
    if (u < 0.45) /* a coarse grid: many events at exactly equal times */
        return now + 0.25 * (double)gsl_rng_uniform_int(g, 64) * scale;
    if (u < 0.50)
        return now - 3.7 * gsl_rng_uniform(g); /* into the past: raised */
    if (u < 0.97)
        return now + gsl_ran_exponential(g, 2.385 * scale);
    return now + 36525.0 * (0.5 + gsl_rng_uniform(g)); /* decades to a century ahead */
}

/* `nops` random operations on a queue made with (width, nbuckets) against
 * the scanning reference; pending events hover around `level`. */
static void random_ops(double width, size_t nbuckets, size_t nops, size_t level,
                       unsigned long seed, double scale)
{
    char where[96];
    snprintf(where, sizeof where, "width %g nbuckets %zu", width, nbuckets);
    double start = 12.5;
    sim_queue *q = sim_queue_alloc(start, width, nbuckets, 64);
    cr_assert_not_null(q);
    ref_queue r;
    ref_init(&r, start);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    sim_event_id *retired = malloc(nops * sizeof *retired); /* popped or cancelled ids */
    size_t nretired = 0;
    cr_assert_not_null(retired);
    size_t pushes = 0, pops = 0, cancels = 0, stale = 0;
    for (size_t step = 0; step < nops; step++) {
        double u = gsl_rng_uniform(g);
        /* push more while below the level, pop more while above */
        double p_push = r.nlive < level ? 0.55 : 0.40;
        if (u < p_push) {
            double t = draw_time(g, r.last_time, scale);
            uint32_t target = (uint32_t)gsl_rng_uniform_int(g, 1000000);
            uint16_t kind = (uint16_t)gsl_rng_uniform_int(g, 17);
            sim_event_id id = sim_queue_push(q, t, target, kind);
            cr_assert_neq(id, SIM_NO_EVENT, "%s step %zu: push failed", where, step);
            cr_assert(ref_find_id(&r, id) == SIZE_MAX, "%s step %zu: id %u issued twice", where,
                      step, id);
            ref_push(&r, t, target, kind, id);
            pushes++;
        } else if (u < 0.88) {
            size_t m = ref_min(&r);
            double v = gsl_rng_uniform(g);
            if (v < 0.2) { /* a bound just short of the earliest event */
                expect_pop_until(q, &r, false, where, step);
                continue;
            }
            if (m != SIZE_MAX)
                retired[nretired++] = r.ev[m].id;
            if (v < 0.5)
                expect_pop_until(q, &r, true, where, step);
            else
                expect_pop(q, &r, where, step);
            pops++;
        } else if (u < 0.96) {
            if (r.nlive == 0)
                continue;
            size_t i = gsl_rng_uniform_int(g, r.nlive);
            sim_event_id id = r.ev[i].id;
            cr_assert(sim_queue_is_pending(q, id), "%s step %zu: live id %u not pending", where,
                      step, id);
            cr_assert_eq(sim_queue_cancel(q, id), 0, "%s step %zu: cancel of pending id failed",
                         where, step);
            cr_assert_eq(sim_queue_cancel(q, id), -1, "%s step %zu: second cancel succeeded",
                         where, step);
            retired[nretired++] = id;
            ref_remove(&r, i);
            cancels++;
        } else {
            /* an id that was popped or cancelled and not issued again since */
            if (nretired == 0)
                continue;
            sim_event_id id = retired[gsl_rng_uniform_int(g, nretired)];
            if (ref_find_id(&r, id) != SIZE_MAX)
                continue; /* reused by a later push: pending again */
            cr_assert(!sim_queue_is_pending(q, id), "%s step %zu: retired id %u pending", where,
                      step, id);
            cr_assert_eq(sim_queue_cancel(q, id), -1,
                         "%s step %zu: cancel of retired id %u succeeded", where, step, id);
            stale++;
        }
        cr_assert_eq(sim_queue_size(q), r.nlive, "%s step %zu: size %zu, expected %zu", where,
                     step, sim_queue_size(q), r.nlive);
        if (step % 7 == 3) {
            size_t m = ref_min(&r);
            double want = m == SIZE_MAX ? INFINITY : r.ev[m].time;
            double got = sim_queue_peek_time(q);
            cr_assert(got == want, "%s step %zu: peek %.17g, expected %.17g", where, step, got,
                      want);
        }
    }
    /* drain the rest in order */
    while (r.nlive > 0)
        expect_pop(q, &r, where, nops);
    sim_event ev;
    cr_assert(!sim_queue_pop(q, &ev));
    cr_assert(isinf(sim_queue_peek_time(q)));
    cr_assert(pushes > nops / 3 && pops > nops / 4 && cancels > nops / 40 && stale > nops / 100,
              "%s: operation mix too thin (%zu pushes, %zu pops, %zu cancels, %zu stale)", where,
              pushes, pops, cancels, stale);
    free(retired);
    free(r.ev);
    gsl_rng_free(g);
    sim_queue_free(q);
}

/* ---- order ---------------------------------------------------------------- */

Test(sim_queue, pops_in_time_then_sequence_order)
{
    sim_queue *q = sim_queue_alloc(0.0, 1.0, 8192, 0);
    cr_assert_not_null(q);
    const double times[] = { 7.25, 2.385, 9.5, 2.385, 0.125, 7.25, 2.385, 41.0, 0.125 };
    const size_t n = sizeof times / sizeof *times;
    for (size_t i = 0; i < n; i++)
        cr_assert_neq(sim_queue_push(q, times[i], (uint32_t)(100 + i), (uint16_t)i), SIM_NO_EVENT);
    /* expected: by time, and for equal times by push order */
    const size_t order[] = { 4, 8, 1, 3, 6, 0, 5, 2, 7 };
    for (size_t k = 0; k < n; k++) {
        sim_event ev;
        cr_assert(sim_queue_pop(q, &ev));
        cr_assert_eq(ev.target, 100 + order[k], "pop %zu: target %u, expected %zu", k, ev.target,
                     100 + order[k]);
        cr_assert(ev.time == times[order[k]]);
        cr_assert_eq(ev.seq, order[k] + 1, "seq numbers count pushes from 1");
        cr_assert_eq(ev.kind, order[k]);
    }
    sim_event ev;
    cr_assert(!sim_queue_pop(q, &ev));
    sim_queue_free(q);
}

Test(sim_queue, equal_times_pop_in_push_order_across_many_buckets)
{
    /* thousands of events at a few exactly equal times, pushed interleaved */
    sim_queue *q = sim_queue_alloc(0.0, 0.5, 1024, 0);
    cr_assert_not_null(q);
    const double slots[] = { 3.75, 0.5, 1000.25, 3.75 + 1e-9, 64.0 };
    size_t n = 5000;
    for (size_t i = 0; i < n; i++)
        cr_assert_neq(sim_queue_push(q, slots[i % 5], (uint32_t)i, 3), SIM_NO_EVENT);
    double last_t = -1;
    uint64_t last_seq = 0;
    for (size_t i = 0; i < n; i++) {
        sim_event ev;
        cr_assert(sim_queue_pop(q, &ev));
        cr_assert(ev.time > last_t || (ev.time == last_t && ev.seq > last_seq),
                  "pop %zu out of order: t=%.17g seq=%llu after t=%.17g seq=%llu", i, ev.time,
                  (unsigned long long)ev.seq, last_t, (unsigned long long)last_seq);
        cr_assert(ev.time == slots[ev.target % 5]);
        last_t = ev.time;
        last_seq = ev.seq;
    }
    sim_queue_free(q);
}

Test(sim_queue, equal_times_keep_push_order_through_re_binning)
{
    /* 2000-day ticks for events a fraction of a day apart: pushes at a few
     * equal times fill the run and the side heap of the current tick until
     * the queue re-bins, which must refile equal times in push order */
    sim_queue *q = sim_queue_alloc(0.0, 2000.0, 8192, 0);
    cr_assert_not_null(q);
    sim_event ev;
    cr_assert_neq(sim_queue_push(q, 0.125, 0, 1), SIM_NO_EVENT);
    cr_assert(sim_queue_pop(q, &ev)); /* tick 0 is now current */
    size_t n = 3000, popped = 0;
    double last_t = -1;
    uint64_t last_seq = 0;
    for (size_t i = 0; i < n; i++) {
        double t = 1.0 + 0.375 * (double)((i * 7) % 5);
        cr_assert_neq(sim_queue_push(q, t, (uint32_t)i, 2), SIM_NO_EVENT);
        if (i % 11 == 10) {
            cr_assert(sim_queue_pop(q, &ev));
            cr_assert(ev.time > last_t || (ev.time == last_t && ev.seq > last_seq),
                      "pop %zu out of order: t=%.17g seq=%llu after t=%.17g seq=%llu", popped,
                      ev.time, (unsigned long long)ev.seq, last_t, (unsigned long long)last_seq);
            last_t = ev.time;
            last_seq = ev.seq;
            popped++;
        }
    }
    while (sim_queue_pop(q, &ev)) {
        cr_assert(ev.time > last_t || (ev.time == last_t && ev.seq > last_seq),
                  "pop %zu out of order: t=%.17g seq=%llu after t=%.17g seq=%llu", popped,
                  ev.time, (unsigned long long)ev.seq, last_t, (unsigned long long)last_seq);
        cr_assert(ev.seq == ev.target + 2, "target %u came back with seq %llu", ev.target,
                  (unsigned long long)ev.seq);
        last_t = ev.time;
        last_seq = ev.seq;
        popped++;
    }
    cr_assert_eq(popped, n);
    sim_queue_free(q);
}

/* ---- randomised comparison with the references ---------------------------- */

Test(sim_queue, matches_scanning_reference_under_random_operations)
{
    random_ops(1.0, 8192, 150000, 1500, 20240611UL, 1.0);
}

Test(sim_queue, matches_reference_with_a_tiny_window)
{
    /* 16 ticks of 0.3 days: nearly everything goes through the overflow,
     * with window jumps and re-binning for a too-narrow width */
    random_ops(0.3, 16, 100000, 1200, 77UL, 1.0);
}

Test(sim_queue, matches_reference_with_far_too_wide_buckets)
{
    /* 5000-day ticks for events a few hundredths of a day apart: pushes pile
     * into the current tick until the queue re-bins itself */
    random_ops(5000.0, 8192, 100000, 2500, 4242UL, 0.01);
}

Test(sim_queue, matches_reference_with_far_too_narrow_buckets)
{
    random_ops(1e-7, 4096, 100000, 2500, 31337UL, 1.0);
}

/* Large queue against a binary-heap reference: blocks, cascades and sorts at
 * the sizes of the national model. */
typedef struct heap_ref {
    double time;
    uint64_t seq;
    uint32_t target;
} heap_ref;

static bool heap_ref_before(const heap_ref *a, const heap_ref *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void heap_ref_push(heap_ref *h, size_t *n, heap_ref e)
{
    size_t i = (*n)++;
    while (i > 0 && heap_ref_before(&e, &h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = e;
}

static heap_ref heap_ref_pop(heap_ref *h, size_t *n)
{
    heap_ref top = h[0], last = h[--*n];
    size_t i = 0;
    for (size_t c; (c = 2 * i + 1) < *n; i = c) {
        if (c + 1 < *n && heap_ref_before(&h[c + 1], &h[c]))
            c++;
        if (!heap_ref_before(&h[c], &last))
            break;
        h[i] = h[c];
    }
    if (*n > 0)
        h[i] = last;
    return top;
}

Test(sim_queue, matches_heap_reference_with_two_hundred_thousand_pending)
{
    const size_t n = 200000, holds = 600000;
    sim_queue *q = sim_queue_alloc(0.0, 1.0, 8192, n);
    heap_ref *h = malloc((n + 1) * sizeof *h);
    cr_assert(q && h);
    size_t hn = 0;
    uint64_t seq = 1;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 99991UL);
    for (size_t i = 0; i < n; i++) {
        /* float-rounded times, as the claimant model uses: many ties */
        double t = (float)(gsl_rng_uniform(g) * 7300.0);
        cr_assert_neq(sim_queue_push(q, t, (uint32_t)i, 1), SIM_NO_EVENT);
        heap_ref_push(h, &hn, (heap_ref){ t, seq++, (uint32_t)i });
    }
    for (size_t k = 0; k < holds; k++) {
        heap_ref want = heap_ref_pop(h, &hn);
        sim_event ev;
        cr_assert(sim_queue_pop(q, &ev));
        cr_assert(ev.time == want.time && ev.seq == want.seq && ev.target == want.target,
                  "hold %zu: popped (%.17g, %llu), expected (%.17g, %llu)", k, ev.time,
                  (unsigned long long)ev.seq, want.time, (unsigned long long)want.seq);
        double lead = gsl_rng_uniform(g) < 0.3 ? gsl_ran_exponential(g, 0.002)
                                                : gsl_ran_exponential(g, 400.0);
        double t = (float)(ev.time + lead);
        if (t < ev.time)
            t = ev.time; /* float rounding down: the queue would raise it too */
        cr_assert_neq(sim_queue_push(q, t, want.target, 1), SIM_NO_EVENT);
        heap_ref_push(h, &hn, (heap_ref){ t, seq++, want.target });
    }
    cr_assert_eq(sim_queue_size(q), n);
    gsl_rng_free(g);
    free(h);
    sim_queue_free(q);
}

/* ---- the window, its overflow and +INFINITY -------------------------------- */

Test(sim_queue, events_a_century_ahead_pop_in_order_through_overflow)
{
    /* window: 64 ticks of 1 day; events up to 100 years ahead */
    sim_queue *q = sim_queue_alloc(1.75, 1.0, 64, 0);
    cr_assert_not_null(q);
    ref_queue r;
    ref_init(&r, 1.75);
    const double years[] = { 100.0, 0.01, 37.5, 2.385, 99.999, 0.5, 64.25, 100.0, 1.0 / 365.25 };
    for (size_t i = 0; i < sizeof years / sizeof *years; i++) {
        double t = 1.75 + years[i] * 365.25;
        sim_event_id id = sim_queue_push(q, t, (uint32_t)i, 2);
        cr_assert_neq(id, SIM_NO_EVENT);
        ref_push(&r, t, (uint32_t)i, 2, id);
    }
    /* pop the first few, then push events between now and the far ones:
     * some land before the restarted window's origin */
    for (int k = 0; k < 4; k++)
        expect_pop(q, &r, "century", (size_t)k);
    const double later[] = { 1.0, 5000.5, 5000.5, 13000.0, 36525.0 };
    for (size_t i = 0; i < sizeof later / sizeof *later; i++) {
        double t = r.last_time + later[i];
        sim_event_id id = sim_queue_push(q, t, (uint32_t)(100 + i), 5);
        cr_assert_neq(id, SIM_NO_EVENT);
        ref_push(&r, t, (uint32_t)(100 + i), 5, id);
        if (i == 2)
            expect_pop(q, &r, "century", 10 + i);
    }
    while (r.nlive > 0)
        expect_pop(q, &r, "century", 99);
    free(r.ev);
    sim_queue_free(q);
}

Test(sim_queue, infinite_times_pop_last_in_push_order)
{
    sim_queue *q = sim_queue_alloc(0.0, 1.0, 128, 0);
    cr_assert_not_null(q);
    cr_assert_neq(sim_queue_push(q, INFINITY, 1, 0), SIM_NO_EVENT);
    cr_assert_neq(sim_queue_push(q, 3.5, 2, 0), SIM_NO_EVENT);
    cr_assert_neq(sim_queue_push(q, INFINITY, 3, 0), SIM_NO_EVENT);
    cr_assert_neq(sim_queue_push(q, 1e300, 4, 0), SIM_NO_EVENT);
    sim_event ev;
    cr_assert(sim_queue_pop(q, &ev) && ev.target == 2 && ev.time == 3.5);
    cr_assert(sim_queue_pop(q, &ev) && ev.target == 4 && ev.time == 1e300);
    cr_assert(sim_queue_peek_time(q) == INFINITY);
    /* while the +INFINITY events are served, a finite push still comes first */
    cr_assert(sim_queue_pop(q, &ev) && ev.target == 1 && isinf(ev.time));
    cr_assert_neq(sim_queue_push(q, 2.0, 5, 0), SIM_NO_EVENT); /* raised to +INFINITY */
    cr_assert(sim_queue_pop(q, &ev) && ev.target == 3 && isinf(ev.time));
    cr_assert(sim_queue_pop(q, &ev) && ev.target == 5 && isinf(ev.time));
    cr_assert(!sim_queue_pop(q, &ev));
    cr_assert_eq(sim_queue_size(q), 0);
    sim_queue_free(q);
}

/* ---- peek, the past, cancellation ----------------------------------------- */

Test(sim_queue, peek_time_skips_cancelled_events_and_does_not_pop)
{
    sim_queue *q = sim_queue_alloc(0.0, 1.0, 8192, 0);
    cr_assert_not_null(q);
    cr_assert(isinf(sim_queue_peek_time(q)) && sim_queue_peek_time(q) > 0);
    sim_event_id a = sim_queue_push(q, 4.125, 1, 0);
    sim_event_id b = sim_queue_push(q, 2.385, 2, 0);
    sim_event_id c = sim_queue_push(q, 2.385, 3, 0);
    cr_assert(sim_queue_peek_time(q) == 2.385);
    cr_assert(sim_queue_peek_time(q) == 2.385);
    cr_assert_eq(sim_queue_size(q), 3);
    cr_assert_eq(sim_queue_cancel(q, b), 0);
    cr_assert(sim_queue_peek_time(q) == 2.385); /* c, same time */
    cr_assert_eq(sim_queue_cancel(q, c), 0);
    cr_assert(sim_queue_peek_time(q) == 4.125);
    sim_event ev;
    cr_assert(sim_queue_pop(q, &ev) && ev.target == 1);
    cr_assert(!sim_queue_is_pending(q, a));
    cr_assert(isinf(sim_queue_peek_time(q)));
    sim_queue_free(q);
}

Test(sim_queue, pushes_into_the_past_are_raised_to_the_last_popped_time)
{
    sim_queue *q = sim_queue_alloc(5.0, 1.0, 8192, 0);
    cr_assert_not_null(q);
    cr_assert_neq(sim_queue_push(q, 1.5, 1, 0), SIM_NO_EVENT); /* before the start */
    sim_event ev;
    cr_assert(sim_queue_pop(q, &ev) && ev.time == 5.0);
    cr_assert_neq(sim_queue_push(q, 10.5, 2, 0), SIM_NO_EVENT);
    cr_assert_neq(sim_queue_push(q, 12.0, 3, 0), SIM_NO_EVENT);
    cr_assert(sim_queue_pop(q, &ev) && ev.time == 10.5);
    cr_assert_neq(sim_queue_push(q, 3.25, 4, 0), SIM_NO_EVENT);
    cr_assert_neq(sim_queue_push(q, NAN, 5, 0), SIM_NO_EVENT);
    cr_assert_neq(sim_queue_push(q, -INFINITY, 6, 0), SIM_NO_EVENT);
    for (uint32_t want = 4; want <= 6; want++) {
        cr_assert(sim_queue_pop(q, &ev));
        cr_assert(ev.time == 10.5 && ev.target == want, "target %u at %.17g", ev.target,
                  ev.time);
    }
    cr_assert(sim_queue_pop(q, &ev) && ev.time == 12.0 && ev.target == 3);
    sim_queue_free(q);
}

Test(sim_queue, cancel_and_is_pending_reject_ids_not_pending)
{
    sim_queue *q = sim_queue_alloc(0.0, 1.0, 8192, 0);
    cr_assert_not_null(q);
    cr_assert_eq(sim_queue_cancel(q, 0), -1); /* never issued */
    cr_assert_eq(sim_queue_cancel(q, 123456789), -1);
    cr_assert_eq(sim_queue_cancel(q, SIM_NO_EVENT), -1);
    cr_assert(!sim_queue_is_pending(q, SIM_NO_EVENT));
    sim_event_id a = sim_queue_push(q, 0.75, 1, 0);
    sim_event_id b = sim_queue_push(q, 0.25, 2, 0);
    cr_assert(sim_queue_is_pending(q, a) && sim_queue_is_pending(q, b));
    sim_event ev;
    cr_assert(sim_queue_pop(q, &ev) && ev.target == 2);
    cr_assert(!sim_queue_is_pending(q, b));
    cr_assert_eq(sim_queue_cancel(q, b), -1); /* already popped */
    cr_assert_eq(sim_queue_cancel(q, a), 0);
    cr_assert_eq(sim_queue_cancel(q, a), -1); /* already cancelled */
    cr_assert_eq(sim_queue_size(q), 0);
    cr_assert(!sim_queue_pop(q, &ev)); /* the cancelled event is never delivered */
    sim_queue_free(q);
}

Test(sim_queue, cancelling_everything_leaves_an_empty_reusable_queue)
{
    sim_queue *q = sim_queue_alloc(0.0, 0.25, 512, 0);
    cr_assert_not_null(q);
    enum { N = 3000 };
    sim_event_id ids[N];
    for (size_t i = 0; i < N; i++) {
        ids[i] = sim_queue_push(q, 0.01 * (double)((i * 7919) % N), (uint32_t)i, 0);
        cr_assert_neq(ids[i], SIM_NO_EVENT);
    }
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(sim_queue_cancel(q, ids[i]), 0);
    cr_assert_eq(sim_queue_size(q), 0);
    sim_event ev;
    cr_assert(!sim_queue_pop(q, &ev));
    cr_assert(isinf(sim_queue_peek_time(q)));
    /* still usable: ids of the cancelled events come back once reached */
    cr_assert_neq(sim_queue_push(q, 40.5, 7, 1), SIM_NO_EVENT);
    cr_assert(sim_queue_pop(q, &ev) && ev.time == 40.5 && ev.target == 7);
    sim_queue_free(q);
}

/* ---- memory ----------------------------------------------------------------- */

Test(sim_queue, memory_does_not_grow_in_a_steady_hold_loop)
{
    const size_t n = 20000;
    sim_queue *q = sim_queue_alloc(0.0, 1.0, 8192, n);
    cr_assert_not_null(q);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 5150UL);
    sim_event_id max_id = 0;
    for (size_t i = 0; i < n; i++)
        cr_assert_neq(sim_queue_push(q, gsl_ran_exponential(g, 30.0), (uint32_t)i, 0),
                      SIM_NO_EVENT);
    size_t mem = 0;
    for (size_t k = 0; k < 60 * n; k++) {
        if (k == 20 * n)
            mem = sim_queue_memory(q); /* after warm-up */
        sim_event ev;
        cr_assert(sim_queue_pop(q, &ev));
        double lead = gsl_rng_uniform(g) < 0.25 ? 0.001 : gsl_ran_exponential(g, 30.0);
        sim_event_id id = sim_queue_push(q, ev.time + lead, ev.target, 0);
        cr_assert_neq(id, SIM_NO_EVENT);
        if (k >= 20 * n && id > max_id)
            max_id = id;
        if (k % 1000 == 0) { /* occasional cancel and replacement */
            cr_assert_eq(sim_queue_cancel(q, id), 0);
            cr_assert_neq(sim_queue_push(q, ev.time + 2.5, ev.target, 0), SIM_NO_EVENT);
        }
    }
    cr_assert_eq(sim_queue_size(q), n);
    cr_assert_eq(sim_queue_memory(q), mem, "memory grew from %zu to %zu bytes after warm-up", mem,
                 sim_queue_memory(q));
    cr_assert(max_id < 2 * n, "ids are reused: largest %u for %zu pending", max_id, n);
    cr_assert(sim_queue_memory(q) < 40 * n + (2u << 20), "%zu bytes for %zu pending",
              sim_queue_memory(q), n);
    gsl_rng_free(g);
    sim_queue_free(q);
}

/* ---- errors ------------------------------------------------------------------ */

Test(sim_queue, alloc_rejects_bad_arguments)
{
    cr_assert_null(sim_queue_alloc(0.0, 0.0, 8192, 0));
    cr_assert_null(sim_queue_alloc(0.0, -1.0, 8192, 0));
    cr_assert_null(sim_queue_alloc(0.0, NAN, 8192, 0));
    cr_assert_null(sim_queue_alloc(0.0, INFINITY, 8192, 0));
    cr_assert_null(sim_queue_alloc(0.0, 1e-320, 8192, 0)); /* 1 / width overflows */
    cr_assert_null(sim_queue_alloc(0.0, 1.0, 0, 0));
    cr_assert_null(sim_queue_alloc(NAN, 1.0, 8192, 0));
    cr_assert_null(sim_queue_alloc(-INFINITY, 1.0, 8192, 0));
    sim_queue_free(NULL); /* no-op */
    sim_queue *q = sim_queue_alloc(-3.5, 1e-3, 1, 0);
    cr_assert_not_null(q); /* one bucket is allowed */
    cr_assert_neq(sim_queue_push(q, 2.0, 1, 0), SIM_NO_EVENT);
    sim_event ev;
    cr_assert(sim_queue_pop(q, &ev) && ev.time == 2.0);
    sim_queue_free(q);
}
