/* Tests for sim_engine: one event per step, run_until semantics and the
 * clock, errors from the model, scheduling and cancelling through the
 * engine, init and final. A toy model records what it is handed. */
#define _DEFAULT_SOURCE /* mincore */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/sim_engine.h"
#include "sim/sim_memory.h"

enum { KIND_PLAIN = 1, KIND_ECHO = 2, KIND_FAIL = 3 };
#define MAX_SEEN 20000

typedef struct toy_model {
    /* what init schedules */
    const double *times;
    size_t ntimes;
    int init_status;
    /* what the event handler saw */
    double seen_time[MAX_SEEN];
    uint32_t seen_target[MAX_SEEN];
    size_t nseen;
    double last_now;
    int clock_went_back;    /* an event ran before the previous one */
    int time_mismatch;      /* ev->time != sim_engine_now() in the handler */
    int finals;
    double echo_delay;      /* KIND_ECHO schedules a KIND_PLAIN this much later */
    int fail_status;        /* returned by KIND_FAIL events */
} toy_model;

static int toy_init(void *model, sim_engine *eng)
{
    toy_model *m = model;
    for (size_t i = 0; i < m->ntimes; i++)
        if (sim_schedule(eng, m->times[i], (uint32_t)i, KIND_PLAIN) == SIM_NO_EVENT)
            return -1;
    return m->init_status;
}

static int toy_event(void *model, sim_engine *eng, const sim_event *ev)
{
    toy_model *m = model;
    double now = sim_engine_now(eng);
    if (ev->time != now)
        m->time_mismatch++;
    if (now < m->last_now)
        m->clock_went_back++;
    m->last_now = now;
    cr_assert(m->nseen < MAX_SEEN);
    m->seen_time[m->nseen] = ev->time;
    m->seen_target[m->nseen] = ev->target;
    m->nseen++;
    if (ev->kind == KIND_ECHO
        && sim_schedule(eng, now + m->echo_delay, ev->target + 1000, KIND_PLAIN) == SIM_NO_EVENT)
        return -1;
    if (ev->kind == KIND_FAIL)
        return m->fail_status;
    return 0;
}

static void toy_final(void *model, sim_engine *eng)
{
    (void)eng;
    ((toy_model *)model)->finals++;
}

static const sim_model_type toy_type = { "toy", toy_init, toy_event, toy_final, NULL };

static toy_model *toy_new(const double *times, size_t n)
{
    toy_model *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    m->times = times;
    m->ntimes = n;
    m->last_now = -INFINITY;
    m->echo_delay = 0.75;
    return m;
}

static sim_engine *engine_for(toy_model *m, double start)
{
    sim_engine_options opt = { .start = start, .bucket_width = 1.0, .nbuckets = 8192,
                               .capacity_hint = 64 };
    sim_engine *eng = sim_engine_alloc(&toy_type, m, &opt);
    cr_assert_not_null(eng);
    cr_assert_eq(sim_engine_init(eng), 0);
    return eng;
}

static const double five[] = { 7.25, 2.385, 4.0, 2.385, 1.5 };

Test(sim_engine, step_runs_exactly_one_event)
{
    toy_model *m = toy_new(five, 5);
    sim_engine *eng = engine_for(m, 0.5);
    cr_assert(sim_engine_now(eng) == 0.5);
    cr_assert_eq(sim_engine_step(eng), 1);
    cr_assert_eq(m->nseen, 1);
    cr_assert_eq(sim_engine_events_run(eng), 1);
    cr_assert(sim_engine_now(eng) == 1.5 && m->seen_target[0] == 4);
    cr_assert_eq(sim_engine_step(eng), 1);
    cr_assert_eq(m->nseen, 2);
    cr_assert(sim_engine_now(eng) == 2.385 && m->seen_target[1] == 1); /* tie: pushed first */
    cr_assert(sim_engine_next_time(eng) == 2.385);
    cr_assert_eq(sim_engine_step(eng), 1);
    cr_assert(m->seen_target[2] == 3);
    cr_assert_eq(sim_engine_step(eng), 1);
    cr_assert_eq(sim_engine_step(eng), 1);
    cr_assert_eq(m->nseen, 5);
    cr_assert(sim_engine_now(eng) == 7.25);
    cr_assert_eq(sim_engine_step(eng), 0, "no event left: step returns 0");
    cr_assert_eq(m->nseen, 5);
    cr_assert(sim_engine_now(eng) == 7.25);
    cr_assert(isinf(sim_engine_next_time(eng)));
    cr_assert_eq(m->time_mismatch, 0);
    sim_engine_free(eng);
    free(m);
}

Test(sim_engine, run_until_runs_every_event_at_or_before_t_and_sets_the_clock)
{
    toy_model *m = toy_new(five, 5);
    sim_engine *eng = engine_for(m, 0.0);
    cr_assert_eq(sim_engine_run_until(eng, 4.0), 0);
    cr_assert_eq(m->nseen, 4, "events at 1.5, 2.385, 2.385 and exactly 4.0");
    cr_assert(m->seen_time[3] == 4.0);
    cr_assert(sim_engine_now(eng) == 4.0);
    cr_assert_eq(sim_engine_run_until(eng, 5.5), 0);
    cr_assert_eq(m->nseen, 4);
    cr_assert(sim_engine_now(eng) == 5.5, "the clock moves to t with no event");
    cr_assert(sim_engine_next_time(eng) == 7.25);
    cr_assert_eq(sim_engine_run_until(eng, INFINITY), 0);
    cr_assert_eq(m->nseen, 5);
    cr_assert(sim_engine_now(eng) == 7.25, "an infinite t does not move the clock");
    cr_assert_eq(sim_engine_events_run(eng), 5);
    sim_engine_free(eng);
    free(m);
}

Test(sim_engine, run_until_includes_events_scheduled_during_the_run)
{
    static const double one[] = { 1.25 };
    toy_model *m = toy_new(one, 1);
    sim_engine *eng = engine_for(m, 0.0);
    /* an echo chain: each echo schedules a plain event 0.75 later */
    cr_assert_neq(sim_schedule(eng, 2.0, 50, KIND_ECHO), SIM_NO_EVENT);
    cr_assert_neq(sim_schedule(eng, 2.5, 60, KIND_ECHO), SIM_NO_EVENT);
    cr_assert_eq(sim_engine_run_until(eng, 3.0), 0);
    /* 1.25, 2.0 (echo -> 2.75), 2.5 (echo -> 3.25), 2.75 */
    cr_assert_eq(m->nseen, 4);
    cr_assert(m->seen_time[3] == 2.75 && m->seen_target[3] == 1050);
    cr_assert(sim_engine_next_time(eng) == 3.25);
    sim_engine_free(eng);
    free(m);
}

Test(sim_engine, clock_never_goes_backwards)
{
    toy_model *m = toy_new(five, 5);
    sim_engine *eng = engine_for(m, 0.0);
    cr_assert_eq(sim_engine_run_until(eng, 10.0), 0);
    cr_assert(sim_engine_now(eng) == 10.0);
    cr_assert_eq(sim_engine_run_until(eng, 3.0), 0);
    cr_assert(sim_engine_now(eng) == 10.0, "run_until an earlier t leaves the clock");
    /* scheduling in the past is raised to now */
    sim_event_id id = sim_schedule(eng, 2.0, 77, KIND_PLAIN);
    cr_assert_neq(id, SIM_NO_EVENT);
    cr_assert(sim_engine_next_time(eng) == 10.0);
    cr_assert_eq(sim_engine_step(eng), 1);
    cr_assert(m->seen_time[m->nseen - 1] == 10.0 && m->seen_target[m->nseen - 1] == 77);
    cr_assert(sim_engine_now(eng) == 10.0);

    /* many random schedules and steps, some into the past */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 8675309UL);
    for (int k = 0; k < 5000; k++) {
        double now = sim_engine_now(eng);
        double t = now + gsl_ran_gaussian(g, 3.0); /* half of them in the past */
        cr_assert_neq(sim_schedule(eng, t, (uint32_t)k, KIND_PLAIN), SIM_NO_EVENT);
        if (k % 3 == 0)
            cr_assert_eq(sim_engine_step(eng), 1);
        if (k % 11 == 0)
            cr_assert_eq(sim_engine_run_until(eng, now + 1.7), 0);
        cr_assert(sim_engine_now(eng) >= now);
    }
    cr_assert_eq(sim_engine_run_until(eng, INFINITY), 0);
    cr_assert_eq(m->clock_went_back, 0);
    cr_assert_eq(m->time_mismatch, 0);
    gsl_rng_free(g);
    sim_engine_free(eng);
    free(m);
}

Test(sim_engine, model_errors_propagate_and_stop_the_run)
{
    toy_model *m = toy_new(five, 5);
    m->fail_status = -7;
    sim_engine *eng = engine_for(m, 0.0);
    cr_assert_neq(sim_schedule(eng, 3.0, 99, KIND_FAIL), SIM_NO_EVENT);
    cr_assert_eq(sim_engine_run_until(eng, 100.0), -7);
    cr_assert_eq(m->nseen, 4, "1.5, 2.385, 2.385, then the failing 3.0");
    cr_assert(m->seen_time[3] == 3.0 && m->seen_target[3] == 99);
    cr_assert(sim_engine_now(eng) == 3.0, "the clock stays at the failing event");
    cr_assert(sim_engine_next_time(eng) == 4.0, "later events are left pending");
    /* a step into a failing event returns the model's status too */
    cr_assert_neq(sim_schedule(eng, 5.0, 98, KIND_FAIL), SIM_NO_EVENT);
    m->fail_status = -22;
    cr_assert_eq(sim_engine_step(eng), 1); /* 4.0 */
    cr_assert_eq(sim_engine_step(eng), -22);
    cr_assert_eq(sim_engine_step(eng), 1); /* 7.25: the run can go on */
    sim_engine_free(eng);
    free(m);
}

Test(sim_engine, init_status_is_returned_and_final_runs_once)
{
    toy_model *m = toy_new(five, 5);
    m->init_status = -3;
    sim_engine *eng = sim_engine_alloc(&toy_type, m, NULL); /* default options */
    cr_assert_not_null(eng);
    cr_assert_eq(sim_engine_init(eng), -3);
    cr_assert(sim_engine_now(eng) == 0.0);
    cr_assert(sim_engine_memory(eng) > 0);
    sim_engine_finish(eng);
    sim_engine_finish(eng);
    cr_assert_eq(m->finals, 1);
    sim_engine_free(eng);
    sim_engine_free(NULL); /* no-op */
    free(m);
}

Test(sim_engine, cancel_through_the_engine)
{
    toy_model *m = toy_new(five, 5);
    sim_engine *eng = engine_for(m, 0.0);
    sim_event_id a = sim_schedule(eng, 3.125, 500, KIND_PLAIN);
    sim_event_id b = sim_schedule(eng, 3.125, 501, KIND_PLAIN);
    cr_assert(sim_is_pending(eng, a) && sim_is_pending(eng, b));
    cr_assert_eq(sim_cancel(eng, a), 0);
    cr_assert(!sim_is_pending(eng, a));
    cr_assert_eq(sim_cancel(eng, a), -1, "already cancelled");
    cr_assert_eq(sim_engine_run_until(eng, 3.125), 0);
    cr_assert_eq(m->nseen, 4); /* 1.5, 2.385, 2.385, b */
    cr_assert_eq(m->seen_target[3], 501);
    for (size_t i = 0; i < m->nseen; i++)
        cr_assert_neq(m->seen_target[i], 500, "a cancelled event was delivered");
    cr_assert(!sim_is_pending(eng, b));
    cr_assert_eq(sim_cancel(eng, b), -1, "already run");
    cr_assert_eq(sim_cancel(eng, SIM_NO_EVENT), -1);
    sim_engine_free(eng);
    free(m);
}

Test(sim_memory, large_arrays_are_line_aligned_and_huge_page_aligned_only_on_request)
{
    unsetenv("IPSIM_HUGE_PAGES");
    cr_assert(!sim_huge_pages_wanted());
    void *small = sim_alloc_large(100), *big = sim_alloc_large((size_t)16 << 20);
    cr_assert(small && big);
    cr_assert_eq((uintptr_t)small % 64, 0);
    cr_assert_eq((uintptr_t)big % 64, 0);
    free(small);
    free(big);
    setenv("IPSIM_HUGE_PAGES", "1", 1);
    cr_assert(sim_huge_pages_wanted());
    big = sim_alloc_large((size_t)16 << 20);
    cr_assert_not_null(big);
    cr_assert_eq((uintptr_t)big % ((size_t)2 << 20), 0, "huge-page memory is 2 MiB aligned");
    memset(big, 1, (size_t)16 << 20); /* usable whether or not the kernel grants the hint */
    free(big);
    setenv("IPSIM_HUGE_PAGES", "0", 1);
    cr_assert(!sim_huge_pages_wanted());
    unsetenv("IPSIM_HUGE_PAGES");
}

/* Pages of [p, p + bytes) that are resident, by mincore; -1 if unknown. */
static long resident_pages(void *p, size_t bytes)
{
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)p & ~(uintptr_t)(page - 1);
    size_t n = ((uintptr_t)p + bytes - lo + (size_t)page - 1) / (size_t)page;
    unsigned char *vec = malloc(n);
    if (!vec || mincore((void *)lo, n * (size_t)page, vec) != 0) {
        free(vec);
        return -1;
    }
    long in = 0;
    for (size_t i = 0; i < n; i++)
        in += vec[i] & 1;
    free(vec);
    return in;
}

Test(sim_memory, prefault_maps_whole_pages_and_keeps_the_contents)
{
    size_t bytes = (size_t)8 << 20;
    unsigned char *a = sim_alloc_large(bytes);
    cr_assert_not_null(a);
    a[100] = 7; /* written before: kept */
    a[bytes - 1] = 9;
    /* an unaligned range: only the whole pages inside it are asked for */
    sim_prefault(a + 100, (size_t)4 << 20);
    cr_assert_eq(a[100], 7);
    cr_assert_eq(a[bytes - 1], 9);
    long page = sysconf(_SC_PAGESIZE);
    long inside = (long)(((size_t)4 << 20) / (size_t)page) - 1;
    long seen = resident_pages(a + page, (size_t)inside * (size_t)page);
    /* kernels before Linux 5.14 ignore the request, and it is only a hint */
    unsigned char *probe = (unsigned char *)(((uintptr_t)a + ((size_t)6 << 20)) & ~(uintptr_t)(page - 1));
    if (seen >= 0 && madvise(probe, (size_t)page, 23 /* MADV_POPULATE_WRITE */) == 0)
        cr_expect_geq(seen, inside - 1, "%ld of %ld pages mapped", seen, inside);
    /* the mapped pages are writable and keep what is written (read only
     * after counting: a read maps a page too) */
    for (size_t i = 101; i < ((size_t)4 << 20); i += 4093)
        a[i] = (unsigned char)(i % 251);
    for (size_t i = 101; i < ((size_t)4 << 20); i += 4093)
        cr_assert_eq(a[i], (unsigned char)(i % 251), "at %zu", i);
    sim_prefault(a, 0);    /* empty and sub-page ranges do nothing */
    sim_prefault(a + 1, 10);
    free(a);
}
