/* sim_queue: the pending-event set of the engine, a calendar queue over an
 * event pool.
 *
 * Events are ordered by (time, seq); seq is assigned at push from a counter
 * that only grows, so equal-time events pop in the order they were scheduled.
 * Events live in a pool with a free list: pushing allocates nothing once the
 * pool has grown to the peak number of pending events. Future events sit
 * unsorted in day-wide buckets (O(1) push); the bucket being processed is a
 * small binary heap (O(log b) for b events in that bucket). Events beyond the
 * bucket window wait in an overflow list that is redistributed when the
 * window slides. Cancelled events stay where they are, marked, and are
 * recycled when reached (O(1) cancel).
 */
#ifndef IPSIM_SIM_QUEUE_H
#define IPSIM_SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef uint32_t sim_event_id;
#define SIM_NO_EVENT UINT32_MAX

typedef struct sim_event {
    double time;      /* days */
    uint64_t seq;     /* scheduling order, unique, > 0 */
    uint32_t target;  /* model-defined: an agent index or a global sentinel */
    uint16_t kind;    /* model-defined event type */
    uint16_t status;  /* internal: free, pending or cancelled */
    uint32_t next;    /* internal: bucket list link */
} sim_event;

typedef struct sim_queue sim_queue;

/* Creates an empty queue whose clock starts at `start` (days). Buckets are
 * `bucket_width` days wide; `nbuckets` of them form the sliding window;
 * `capacity_hint` pre-sizes the pool. Returns NULL on bad arguments or
 * allocation failure; caller frees with sim_queue_free. */
sim_queue *sim_queue_alloc(double start, double bucket_width, size_t nbuckets,
                           size_t capacity_hint);
void sim_queue_free(sim_queue *q); /* NULL is a no-op */

/* Schedules an event. `time` must not be earlier than the time of the last
 * popped event (it is raised to it if it is). Returns the event's id, or
 * SIM_NO_EVENT if the pool could not grow. Amortised O(1). */
sim_event_id sim_queue_push(sim_queue *q, double time, uint32_t target, uint16_t kind);

/* Cancels a pending event. Returns 0, or -1 if `id` is not pending (already
 * popped, cancelled or never issued). O(1). */
int sim_queue_cancel(sim_queue *q, sim_event_id id);

/* Is `id` a pending (not yet popped, not cancelled) event? */
bool sim_queue_is_pending(const sim_queue *q, sim_event_id id);

/* Removes the earliest pending event into *out. Returns false if none. */
bool sim_queue_pop(sim_queue *q, sim_event *out);

/* Time of the earliest pending event, or +INFINITY if none. Does not pop. */
double sim_queue_peek_time(sim_queue *q);

size_t sim_queue_size(const sim_queue *q);    /* pending events */
size_t sim_queue_memory(const sim_queue *q);  /* bytes held */

#endif
