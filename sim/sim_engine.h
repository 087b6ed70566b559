/* sim_engine: the discrete-event loop. Owns the clock and the event queue;
 * a model plugs in through a sim_model_type table (init, event, final) and
 * knows the engine only through this header.
 *
 * Steps, not hidden loops: sim_engine_step() runs exactly one event;
 * sim_engine_run_until() loops over it. The SDL viewer drives the same calls
 * frame by frame. The clock never goes backwards.
 */
#ifndef IPSIM_SIM_ENGINE_H
#define IPSIM_SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "sim/sim_queue.h"

typedef struct sim_engine sim_engine;

typedef struct sim_model_type {
    const char *name;
    /* schedules the first events; returns 0 or a negative error */
    int (*init)(void *model, sim_engine *eng);
    /* handles one event at sim_engine_now(eng) == ev->time; 0 or negative */
    int (*event)(void *model, sim_engine *eng, const sim_event *ev);
    /* called once by sim_engine_finish (may be NULL) */
    void (*final)(void *model, sim_engine *eng);
    /* optional hint: an event for `target` comes soon (e.g. prefetch its
     * record); must not change the model's state (may be NULL) */
    void (*prefetch)(void *model, uint32_t target);
} sim_model_type;

typedef struct sim_engine_options {
    double start;          /* days; clock origin */
    double bucket_width;   /* days per queue bucket (default 1) */
    size_t nbuckets;       /* queue window in buckets (default 8192) */
    size_t capacity_hint;  /* expected peak pending events */
} sim_engine_options;

/* Creates an engine running `model` of type `type`. Does not call init.
 * Returns NULL on allocation failure; caller frees with sim_engine_free. */
sim_engine *sim_engine_alloc(const sim_model_type *type, void *model,
                             const sim_engine_options *opt);
void sim_engine_free(sim_engine *eng); /* NULL is a no-op */

/* Calls the model's init. Returns its status. */
int sim_engine_init(sim_engine *eng);

/* Runs the next event. Returns 1 if an event ran, 0 if none is pending, or
 * the model's negative error status. */
int sim_engine_step(sim_engine *eng);

/* Runs every event with time <= t, then sets the clock to t (if later).
 * Returns 0, or the first negative status from the model. */
int sim_engine_run_until(sim_engine *eng, double t);

/* Calls the model's final (once). */
void sim_engine_finish(sim_engine *eng);

double sim_engine_now(const sim_engine *eng);           /* days */
double sim_engine_next_time(sim_engine *eng);           /* +INFINITY if none */
uint64_t sim_engine_events_run(const sim_engine *eng);
size_t sim_engine_memory(const sim_engine *eng);        /* bytes */

/* Schedules an event at absolute time `time` (>= now). Returns its id or
 * SIM_NO_EVENT on allocation failure. */
sim_event_id sim_schedule(sim_engine *eng, double time, uint32_t target, uint16_t kind);
/* Cancels a pending event; 0, or -1 if it was not pending. */
int sim_cancel(sim_engine *eng, sim_event_id id);
bool sim_is_pending(const sim_engine *eng, sim_event_id id);

#endif
