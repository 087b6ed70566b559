/* sim_queue: the pending-event set of the engine, a two-level calendar
 * queue (timing wheel) of inline events.
 *
 * Events are ordered by (time, seq); seq is assigned at push from a counter
 * that only grows, so equal-time events pop in the order they were scheduled.
 * Each event is stored once, whole (24 bytes: time, seq, target, kind, id), in
 * fixed-size blocks recycled through a free list, and ids come from a bitmap:
 * once the queue has grown to its peak, pushing allocates nothing. Times map
 * to ticks of `bucket_width` days; the ticks of the current block of 64 have
 * a bucket each (level 0), later ticks in the window share one bucket per
 * block (level 1), and times beyond the window wait in an overflow array. Costs, amortised, per event: push O(1) (an
 * append); cancel O(1) (a bit is cleared; the event is recycled when reached);
 * pop O(1): a level-1 bucket is spread over level 0 when reached, a level-0
 * bucket sorted when reached (a counting sort into sub-intervals, O(n) for
 * spread-out times, O(n log n) at worst), then popped in sequence, with no
 * random access to a pool. Overflow events are rescanned once per window
 * span. If the given width proves far too wide or too narrow for the events
 * (pushes pile up in the current tick, or most events stay in the overflow)
 * the queue re-bins itself with a width fitted to the spacing of the earliest
 * events, O(n) each time, a bounded number of times. Memory: about 25 bytes
 * per pending event plus under 2 MB fixed. Stored seqs keep their low 48
 * bits, so a queue takes at most 2^47 (1.4e14) pushes in its life (about
 * 160 days at 10 million a second); after that a push fails like an
 * allocation failure (SIM_NO_EVENT).
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
    uint16_t status;  /* internal: 1 (pending) in popped events */
    uint32_t next;    /* in popped events, a hint for prefetching: the target
                         sim_queue_upcoming_target(q, SIM_QUEUE_HINT_AHEAD)
                         gives after the pop */
} sim_event;

/* How many events after a popped one sim_event.next looks: far enough for a
 * memory fetch to complete meanwhile. */
#ifndef SIM_QUEUE_HINT_AHEAD
#define SIM_QUEUE_HINT_AHEAD 6
#endif

typedef struct sim_queue sim_queue;

/* Creates an empty queue whose clock starts at `start` (days). Buckets are
 * `bucket_width` days wide to begin with (aim for a few hundred events per
 * bucket; the queue re-bins itself if the width is far off); `nbuckets` of
 * them, rounded up to a power of two, form the window beyond which events
 * wait in the overflow; `capacity_hint` (expected peak pending events)
 * pre-sizes the id space. Returns NULL on bad arguments (width not positive
 * and finite, nbuckets 0 or above 2^40, start not finite) or allocation
 * failure; caller frees with sim_queue_free. */
sim_queue *sim_queue_alloc(double start, double bucket_width, size_t nbuckets,
                           size_t capacity_hint);
void sim_queue_free(sim_queue *q); /* NULL is a no-op */

/* Schedules an event. `time` must not be earlier than the time of the last
 * popped event (it is raised to it if it is; NaN is raised too). Returns the
 * event's id, or SIM_NO_EVENT if memory could not grow. Ids of popped or
 * recycled cancelled events are reused. Amortised O(1). */
sim_event_id sim_queue_push(sim_queue *q, double time, uint32_t target, uint16_t kind);

/* Cancels a pending event. Returns 0, or -1 if `id` is not pending (already
 * popped, cancelled or never issued). O(1). */
int sim_queue_cancel(sim_queue *q, sim_event_id id);

/* Is `id` a pending (not yet popped, not cancelled) event? */
bool sim_queue_is_pending(const sim_queue *q, sim_event_id id);

/* Removes the earliest pending event into *out. Returns false if none (or if
 * memory ran out while reorganising buckets: then size() stays > 0, nothing
 * is lost and a later call may succeed). Amortised O(1). */
bool sim_queue_pop(sim_queue *q, sim_event *out);

/* sim_queue_pop if the earliest pending event is at time <= t, else false
 * with nothing removed: peek and pop in one call. */
bool sim_queue_pop_until(sim_queue *q, double t, sim_event *out);

/* Time of the earliest pending event, or +INFINITY if none (or on the same
 * memory failure as sim_queue_pop). Does not pop. Amortised O(1). */
double sim_queue_peek_time(sim_queue *q);

/* Target of an event about `ahead` places after the next one in the sorted
 * bucket being processed, or UINT32_MAX if there is none there (a hint for
 * prefetching; cancelled events may be included). O(1). */
uint32_t sim_queue_upcoming_target(const sim_queue *q, size_t ahead);

size_t sim_queue_size(const sim_queue *q);    /* pending events */
size_t sim_queue_memory(const sim_queue *q);  /* bytes held */

#endif
