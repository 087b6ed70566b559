/* sim_queue: calendar queue over a pooled event array; see sim_queue.h.
 * Invariants: every pending or cancelled event is in exactly one of the
 * heap (time < cur_end), a bucket list, or the overflow list; the heap holds
 * only events with time < cur_end and all bucket/overflow events have
 * time >= cur_end. */
#include "sim/sim_queue.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { EV_FREE = 0, EV_PENDING = 1, EV_CANCELLED = 2 };

typedef struct heap_entry {
    double time;
    uint64_t seq;
    uint32_t id;
} heap_entry;

struct sim_queue {
    sim_event *ev;          /* pool */
    uint32_t ev_cap;
    uint32_t free_head;     /* free list through ev[].next */
    uint64_t next_seq;
    size_t pending;         /* live events */
    size_t stored;          /* pending + cancelled, outside the heap */

    uint32_t *bucket;       /* list heads, SIM_NO_EVENT when empty */
    size_t nbuckets;
    double width;           /* days per bucket */
    double base;            /* start time of bucket 0 */
    size_t cur;             /* index of the bucket drained into the heap */
    double cur_end;         /* heap holds events with time < cur_end */
    uint32_t overflow;      /* events at or beyond base + nbuckets * width */

    heap_entry *heap;
    size_t heap_len, heap_cap;
    double last_time;       /* time of the last popped event */
};

static int pool_grow(sim_queue *q, size_t want)
{
    if (want <= q->ev_cap)
        return 0;
    size_t cap = q->ev_cap ? q->ev_cap : 64;
    while (cap < want)
        cap *= 2;
    if (cap > UINT32_MAX - 1)
        return -1;
    sim_event *ev = realloc(q->ev, cap * sizeof *ev);
    if (!ev)
        return -1;
    /* new slots go on the free list in index order, lowest first */
    for (size_t i = cap; i-- > q->ev_cap;) {
        ev[i].status = EV_FREE;
        ev[i].next = q->free_head;
        q->free_head = (uint32_t)i;
    }
    q->ev = ev;
    q->ev_cap = (uint32_t)cap;
    return 0;
}

sim_queue *sim_queue_alloc(double start, double bucket_width, size_t nbuckets,
                           size_t capacity_hint)
{
    if (!(bucket_width > 0) || nbuckets == 0 || !isfinite(start))
        return NULL;
    sim_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->free_head = SIM_NO_EVENT;
    q->next_seq = 1;
    q->width = bucket_width;
    q->nbuckets = nbuckets;
    q->base = start;
    q->cur = 0;
    q->cur_end = start + bucket_width;
    q->overflow = SIM_NO_EVENT;
    q->last_time = start;
    q->bucket = malloc(nbuckets * sizeof *q->bucket);
    if (!q->bucket)
        goto fail_free_queue;
    for (size_t i = 0; i < nbuckets; i++)
        q->bucket[i] = SIM_NO_EVENT;
    if (pool_grow(q, capacity_hint ? capacity_hint : 64) != 0)
        goto fail_free_buckets;
    q->heap_cap = 256;
    q->heap = malloc(q->heap_cap * sizeof *q->heap);
    if (!q->heap)
        goto fail_free_pool;
    return q;

fail_free_pool:
    free(q->ev);
fail_free_buckets:
    free(q->bucket);
fail_free_queue:
    free(q);
    return NULL;
}

void sim_queue_free(sim_queue *q)
{
    if (!q)
        return;
    free(q->heap);
    free(q->ev);
    free(q->bucket);
    free(q);
}

static inline bool entry_before(const heap_entry *a, const heap_entry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static int heap_push(sim_queue *q, double time, uint64_t seq, uint32_t id)
{
    if (q->heap_len == q->heap_cap) {
        size_t cap = q->heap_cap * 2;
        heap_entry *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->heap_cap = cap;
    }
    heap_entry e = { time, seq, id };
    size_t i = q->heap_len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!entry_before(&e, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
    return 0;
}

static heap_entry heap_pop(sim_queue *q)
{
    heap_entry top = q->heap[0];
    heap_entry last = q->heap[--q->heap_len];
    size_t n = q->heap_len, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && entry_before(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!entry_before(&q->heap[c], &last))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (n > 0)
        q->heap[i] = last;
    return top;
}

static void release(sim_queue *q, uint32_t id)
{
    q->ev[id].status = EV_FREE;
    q->ev[id].next = q->free_head;
    q->free_head = id;
}

/* Files event `id` (time >= cur_end) into its bucket or the overflow list. */
static void file_event(sim_queue *q, uint32_t id)
{
    double offset = (q->ev[id].time - q->base) / q->width;
    uint32_t *head;
    if (offset < (double)q->nbuckets) {
        size_t b = (size_t)offset;
        if (b <= q->cur) /* rounding at the boundary: never behind the window */
            b = q->cur + 1 < q->nbuckets ? q->cur + 1 : q->cur;
        head = &q->bucket[b];
    } else {
        head = &q->overflow;
    }
    q->ev[id].next = *head;
    *head = id;
}

sim_event_id sim_queue_push(sim_queue *q, double time, uint32_t target, uint16_t kind)
{
    if (q->free_head == SIM_NO_EVENT && pool_grow(q, (size_t)q->ev_cap + 1) != 0)
        return SIM_NO_EVENT;
    if (!(time >= q->last_time)) /* also catches NaN */
        time = q->last_time;
    uint32_t id = q->free_head;
    sim_event *e = &q->ev[id];
    q->free_head = e->next;
    e->time = time;
    e->seq = q->next_seq++;
    e->target = target;
    e->kind = kind;
    e->status = EV_PENDING;
    e->next = SIM_NO_EVENT;
    if (time < q->cur_end) {
        if (heap_push(q, time, e->seq, id) != 0) {
            release(q, id);
            return SIM_NO_EVENT;
        }
    } else {
        file_event(q, id);
        q->stored++;
    }
    q->pending++;
    return id;
}

bool sim_queue_is_pending(const sim_queue *q, sim_event_id id)
{
    return id < q->ev_cap && q->ev[id].status == EV_PENDING;
}

int sim_queue_cancel(sim_queue *q, sim_event_id id)
{
    if (!sim_queue_is_pending(q, id))
        return -1;
    q->ev[id].status = EV_CANCELLED;
    q->pending--;
    return 0;
}

/* Moves the next non-empty bucket's events into the heap. Returns false when
 * nothing is stored outside the heap. */
static bool advance_bucket(sim_queue *q)
{
    while (q->stored > 0) {
        if (q->cur + 1 >= q->nbuckets) {
            /* window exhausted: slide it to start at cur_end (or at the
             * earliest overflow event's window if that is later) and refile */
            uint32_t list = q->overflow;
            q->overflow = SIM_NO_EVENT;
            double earliest = INFINITY;
            for (uint32_t id = list; id != SIM_NO_EVENT; id = q->ev[id].next)
                if (q->ev[id].time < earliest)
                    earliest = q->ev[id].time;
            double span = q->width * (double)q->nbuckets;
            double new_base = q->cur_end;
            if (earliest > new_base + span)
                new_base += floor((earliest - new_base) / span) * span;
            q->base = new_base;
            q->cur = 0;
            q->cur_end = new_base; /* bucket 0 not yet drained */
            for (uint32_t id = list, next; id != SIM_NO_EVENT; id = next) {
                next = q->ev[id].next;
                double offset = (q->ev[id].time - q->base) / q->width;
                uint32_t *head = offset < (double)q->nbuckets
                                     ? &q->bucket[offset < 0 ? 0 : (size_t)offset]
                                     : &q->overflow;
                q->ev[id].next = *head;
                *head = id;
            }
            /* drain bucket 0 below */
        } else {
            q->cur++;
        }
        q->cur_end = q->base + (double)(q->cur + 1) * q->width;
        uint32_t id = q->bucket[q->cur];
        q->bucket[q->cur] = SIM_NO_EVENT;
        bool any = false;
        while (id != SIM_NO_EVENT) {
            uint32_t next = q->ev[id].next;
            q->stored--;
            if (q->ev[id].status == EV_CANCELLED) {
                release(q, id);
            } else if (heap_push(q, q->ev[id].time, q->ev[id].seq, id) != 0) {
                /* out of memory while growing the heap: put it back, stop */
                q->ev[id].next = next;
                q->bucket[q->cur] = id;
                q->stored++;
                return q->heap_len > 0;
            } else {
                any = true;
            }
            id = next;
        }
        if (any)
            return true;
    }
    return false;
}

/* Drops cancelled events from the heap top; refills from buckets when empty.
 * Returns true when the heap top is a pending event. */
static bool settle(sim_queue *q)
{
    for (;;) {
        while (q->heap_len > 0 && q->ev[q->heap[0].id].status == EV_CANCELLED) {
            heap_entry h = heap_pop(q);
            release(q, h.id);
        }
        if (q->heap_len > 0)
            return true;
        if (!advance_bucket(q))
            return false;
    }
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
    if (q->pending == 0 || !settle(q))
        return false;
    heap_entry h = heap_pop(q);
    *out = q->ev[h.id];
    out->status = EV_PENDING;
    release(q, h.id);
    q->pending--;
    q->last_time = h.time;
    return true;
}

double sim_queue_peek_time(sim_queue *q)
{
    if (q->pending == 0 || !settle(q))
        return INFINITY;
    return q->heap[0].time;
}

size_t sim_queue_size(const sim_queue *q) { return q->pending; }

size_t sim_queue_memory(const sim_queue *q)
{
    return sizeof *q + (size_t)q->ev_cap * sizeof *q->ev
           + q->nbuckets * sizeof *q->bucket + q->heap_cap * sizeof *q->heap;
}
