/* sim_engine: clock + queue + model dispatch; see sim_engine.h. */
#include "sim/sim_engine.h"

#include <math.h>
#include <stdlib.h>

struct sim_engine {
    const sim_model_type *type;
    void *model;
    sim_queue *queue;
    double now;
    uint64_t events_run;
    int finished;
};

sim_engine *sim_engine_alloc(const sim_model_type *type, void *model,
                             const sim_engine_options *opt)
{
    sim_engine *eng = calloc(1, sizeof *eng);
    if (!eng)
        return NULL;
    double width = opt && opt->bucket_width > 0 ? opt->bucket_width : 1.0;
    size_t nb = opt && opt->nbuckets ? opt->nbuckets : 8192;
    double start = opt ? opt->start : 0.0;
    eng->queue = sim_queue_alloc(start, width, nb, opt ? opt->capacity_hint : 0);
    if (!eng->queue) {
        free(eng);
        return NULL;
    }
    eng->type = type;
    eng->model = model;
    eng->now = start;
    return eng;
}

void sim_engine_free(sim_engine *eng)
{
    if (!eng)
        return;
    sim_queue_free(eng->queue);
    free(eng);
}

int sim_engine_init(sim_engine *eng)
{
    return eng->type->init ? eng->type->init(eng->model, eng) : 0;
}

/* Runs the popped event ev: 1, or <0 on the model's error. The model is
 * told first of the target of an event a few places later (ev->next, see
 * SIM_QUEUE_HINT_AHEAD). */
static int dispatch(sim_engine *eng, const sim_event *ev)
{
    eng->now = ev->time;
    eng->events_run++;
    if (ev->next != UINT32_MAX && eng->type->prefetch)
        eng->type->prefetch(eng->model, ev->next);
    int rc = eng->type->event(eng->model, eng, ev);
    return rc < 0 ? rc : 1;
}

int sim_engine_step(sim_engine *eng)
{
    sim_event ev;
    if (!sim_queue_pop(eng->queue, &ev))
        return 0;
    return dispatch(eng, &ev);
}

int sim_engine_run_until(sim_engine *eng, double t)
{
    sim_event ev;
    while (sim_queue_pop_until(eng->queue, t, &ev)) {
        int rc = dispatch(eng, &ev);
        if (rc < 0)
            return rc;
    }
    if (t > eng->now && isfinite(t))
        eng->now = t;
    return 0;
}

void sim_engine_finish(sim_engine *eng)
{
    if (!eng->finished && eng->type->final)
        eng->type->final(eng->model, eng);
    eng->finished = 1;
}

double sim_engine_now(const sim_engine *eng) { return eng->now; }
double sim_engine_next_time(sim_engine *eng) { return sim_queue_peek_time(eng->queue); }
uint64_t sim_engine_events_run(const sim_engine *eng) { return eng->events_run; }

size_t sim_engine_memory(const sim_engine *eng)
{
    return sizeof *eng + sim_queue_memory(eng->queue);
}

sim_event_id sim_schedule(sim_engine *eng, double time, uint32_t target, uint16_t kind)
{
    if (time < eng->now)
        time = eng->now;
    return sim_queue_push(eng->queue, time, target, kind);
}

int sim_cancel(sim_engine *eng, sim_event_id id) { return sim_queue_cancel(eng->queue, id); }

bool sim_is_pending(const sim_engine *eng, sim_event_id id)
{
    return sim_queue_is_pending(eng->queue, id);
}
