/* sim_queue: two-level calendar queue (timing wheel) of inline events; see
 * sim_queue.h.
 * Times map to ticks, tick(t) = floor((t - origin) / width), monotone in t.
 * Invariants: every pending or cancelled event is stored exactly once, in the
 * run, the side heap, a level-0 bucket, a level-1 bucket or the overflow.
 * Ticks below `lo` are current: only the run (a drained level-0 bucket sorted
 * by (time, seq), plus pushes inserted near its head) and the side heap (a
 * binary heap on (time, seq) for other pushes into current ticks) hold them.
 * Level 0 holds ticks >= lo of block blk0 (ticks blk0 B0 .. blk0 B0 + B0 - 1),
 * level 1 one bucket per later block below tick B0 B1, the overflow all later
 * ticks; when both levels are spent the origin restarts at the earliest
 * overflow time. Every bucket and the overflow hold their keys in seq
 * order (appends are newest; cascading, jumping and re-binning refile in
 * seq order), so sorting a bucket by time alone, stably, gives the (time,
 * seq) order without comparing seqs. An event's id has a live bit (pending)
 * and a held bit (stored); cancelling clears the live bit and the id is
 * freed when the event is reached. */
#include "sim/sim_queue.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { EV_PENDING = 1 }; /* sim_event.status of popped events */

/* Keeps slow paths out of line so the fast paths stay small. */
#if defined(__GNUC__)
#define SQ_NOINLINE __attribute__((noinline))
#else
#define SQ_NOINLINE
#endif

/* Buckets are chains of fixed-size blocks of keys, oldest block first. */
#define BLOCK_KEYS 256
#define SLAB_BLOCKS 8

/* Level 0 has at most 2^LEVEL0_BITS buckets: few enough that the bucket
 * ends pushes write to stay in cache. */
#ifndef LEVEL0_BITS
#define LEVEL0_BITS 6
#endif

/* How far ahead in the run to prefetch the pending bits. */
#define LIVE_AHEAD 16

/* A drained bucket of n keys is counted into SUB_PER_KEY n sub-intervals of
 * its tick (few keys share one, so few are out of order after). */
#ifndef SUB_PER_KEY
#define SUB_PER_KEY 2
#endif

/* Runs of at most this many keys are sorted by insertion. */
#define SMALL_SORT 24

/* A push into the current ticks is inserted into the run when it would move
 * at most this many keys; otherwise it goes to the side heap. A drained
 * bucket starts RUN_GAP keys into the run to leave room for such inserts. */
#define RUN_INSERT_MAX 32
#define RUN_GAP 32

/* Re-binning with a fitted width (see rebin): most events aimed for per
 * bucket (fewer in small queues), sample size for the fit, smallest queue
 * worth it, side-heap size that first triggers it (doubled after each), most
 * re-binnings for overflow. */
#define REBIN_TARGET 512
#define REBIN_SAMPLE 4096
#define REBIN_MIN 256
#define REBIN_SIDE 64
#define REBIN_WIDEN_MAX 16

/* Keys hold seq modulo 2^SEQ_BITS, kind above it; the full seq is the
 * latest issued one that agrees, exact while an event leaves the queue
 * within 2^SEQ_BITS later pushes (a year at 10 million pushes a second). */
#define SEQ_BITS 48
#define SEQ_MASK ((UINT64_C(1) << SEQ_BITS) - 1)

typedef struct qkey {       /* 24 bytes: a whole event, so popping reads no pool */
    double time;            /* days */
    uint32_t target;
    uint32_t id;
    uint64_t seq_kind;      /* seq mod 2^SEQ_BITS, kind << SEQ_BITS */
} qkey;

typedef struct idword {     /* ids 64 w .. 64 w + 63, side by side for one miss */
    uint64_t live;          /* bit set while the event is pending */
    uint64_t held;          /* bit set while a key with this id is stored */
} idword;

typedef struct qblock {
    struct qblock *next;    /* newer block of the bucket, or free-list link */
    qkey keys[BLOCK_KEYS];
} qblock;

typedef struct qbucket {
    qblock *head, *tail;    /* oldest and newest block; NULL when empty */
    size_t len;
} qbucket;

struct sim_queue {
    /* ids */
    idword *ids;            /* cap / 64 words of id state */
    size_t cap;             /* ids (bits) in live and held, a multiple of 64 */
    size_t nheld;
    size_t held_max;        /* 3/4 of cap: grow the id space beyond this */
    size_t cursor;          /* word of held where the search for free ids starts */
    uint64_t next_seq;
    size_t pending;         /* live events */
    double last_time;       /* time of the last popped event */

    /* calendar */
    double origin, inv_width;
    double lo_d;            /* lo as a double; +INFINITY in tail mode */
    double l0_end_d;        /* first tick after level 0's block, as a double */
    double span_d;          /* B0 * B1: first tick of the overflow */
    uint64_t lo;            /* ticks below lo are current */
    uint64_t blk0;          /* block of level 0 */
    unsigned bits0, bits1;  /* B0 = 2^bits0 level-0 buckets, B1 = 2^bits1 */
    qbucket *l0, *l1;
    uint64_t *occ0, *occ1;  /* bit i set when bucket i is non-empty */
    qkey *ovf;              /* beyond level 1, unordered */
    size_t ovf_len, ovf_cap;
    bool tail;              /* run holds +INFINITY events; pushes go to side */
    size_t side_limit;      /* re-bin when the side heap reaches this */
    unsigned widenings;     /* re-binnings because of overflow */

    /* current ticks */
    qkey *run;              /* sorted by (time, seq); served from run_head */
    size_t run_head, run_len, run_cap;
    qkey *scratch;          /* run_cap keys: merge-sort workspace */
    uint32_t *cnt;          /* counting-sort workspace: SUB_PER_KEY run_cap + 1
                               counts, then run_cap sub-intervals */
    qkey *side;             /* binary heap on (time, seq) */
    size_t side_len, side_cap;
    qkey taken;             /* the last key take_slow took from the side heap */

    /* bucket blocks: allocated in slabs, recycled through a free list */
    qblock *blk_free;
    size_t blk_nfree;
    void **slab;
    size_t nslabs, slab_cap;
};

/* ---- keys and ids -------------------------------------------------------- */

static inline double key_time(const qkey *k) { return k->time; }

/* The key's seq, whole: the latest issued seq that agrees with its bits. */
static inline uint64_t key_seq(const sim_queue *q, const qkey *k)
{
    return q->next_seq - ((q->next_seq - k->seq_kind) & SEQ_MASK);
}

/* Is seq a (mod 2^SEQ_BITS) older than seq b? Both pending, so less than
 * 2^(SEQ_BITS - 1) apart. */
static inline bool seq_older(uint64_t a, uint64_t b)
{
    return ((a - b) & SEQ_MASK) >> (SEQ_BITS - 1);
}

static inline void key_fill(qkey *k, double time, uint64_t seq, uint32_t target, uint32_t id,
                            uint16_t kind)
{
    k->time = time;
    k->target = target;
    k->id = id;
    k->seq_kind = (seq & SEQ_MASK) | (uint64_t)kind << SEQ_BITS;
}

static inline bool is_live(const sim_queue *q, uint32_t id)
{
    return (q->ids[id / 64].live >> (id % 64)) & 1;
}

/* Doubles the id space (at most up to SIM_NO_EVENT). */
static SQ_NOINLINE int ids_grow(sim_queue *q)
{
    size_t cap = q->cap ? 2 * q->cap : 64, limit = (size_t)SIM_NO_EVENT / 64 * 64;
    if (cap > limit)
        cap = limit;
    if (cap <= q->cap)
        return -1;
    idword *w = realloc(q->ids, cap / 64 * sizeof *w);
    if (!w)
        return -1;
    q->ids = w;
    memset(w + q->cap / 64, 0, (cap - q->cap) / 64 * sizeof *w);
    q->cursor = q->cap / 64;
    q->cap = cap;
    q->held_max = cap / 4 * 3;
    return 0;
}

/* A free id, now held; SIM_NO_EVENT if the id space cannot grow. Keeps the
 * space at most 3/4 held, so the search ends within a few words. */
static inline uint32_t id_take(sim_queue *q)
{
    if (q->nheld >= q->held_max && ids_grow(q) != 0 && q->nheld == q->cap)
        return SIM_NO_EVENT;
    size_t w = q->cursor, nw = q->cap / 64;
    while (q->ids[w].held == ~UINT64_C(0))
        w = w + 1 < nw ? w + 1 : 0;
    unsigned b = (unsigned)__builtin_ctzll(~q->ids[w].held);
    q->ids[w].held |= UINT64_C(1) << b;
    q->cursor = w;
    q->nheld++;
    return (uint32_t)(w * 64 + b);
}

/* Frees the id of an event that has left the queue. */
static inline void id_release(sim_queue *q, uint32_t id)
{
    q->ids[id / 64].held &= ~(UINT64_C(1) << (id % 64));
    q->nheld--;
}

/* ---- bucket blocks ------------------------------------------------------- */

/* Makes at least `n` blocks available on the free list. */
static SQ_NOINLINE int blk_reserve(sim_queue *q, size_t n)
{
    while (q->blk_nfree < n) {
        if (q->nslabs == q->slab_cap) {
            size_t cap = q->slab_cap ? 2 * q->slab_cap : 16;
            void **sl = realloc(q->slab, cap * sizeof *sl);
            if (!sl)
                return -1;
            q->slab = sl;
            q->slab_cap = cap;
        }
        qblock *b = malloc(SLAB_BLOCKS * sizeof *b);
        if (!b)
            return -1;
        q->slab[q->nslabs++] = b;
        for (size_t i = SLAB_BLOCKS; i-- > 0;) {
            b[i].next = q->blk_free;
            q->blk_free = &b[i];
        }
        q->blk_nfree += SLAB_BLOCKS;
    }
    return 0;
}

static inline void blk_release(sim_queue *q, qblock *b)
{
    b->next = q->blk_free;
    q->blk_free = b;
    q->blk_nfree++;
}

/* Starts a new block at the end of bucket i of a level. */
static SQ_NOINLINE int bucket_new_block(sim_queue *q, qbucket *bk, uint64_t *occ, size_t i)
{
    if (!q->blk_free && blk_reserve(q, 1) != 0)
        return -1;
    qblock *b = q->blk_free;
    q->blk_free = b->next;
    q->blk_nfree--;
    b->next = NULL;
    if (bk->tail) {
        bk->tail->next = b;
    } else {
        bk->head = b;
        occ[i / 64] |= UINT64_C(1) << (i % 64);
    }
    bk->tail = b;
    return 0;
}

/* Appends a key to bucket i of a level whose occupancy bitmap is occ and
 * returns it for the caller to fill; NULL if out of memory. */
static inline qkey *bucket_slot(sim_queue *q, qbucket *bk, uint64_t *occ, size_t i)
{
    size_t fill = bk->len % BLOCK_KEYS;
    if (fill == 0 && bucket_new_block(q, bk, occ, i) != 0)
        return NULL;
    bk->len++;
    return &bk->tail->keys[fill];
}

/* Empties bucket i of a level (its blocks must already be released). */
static void bucket_clear(qbucket *bk, uint64_t *occ, size_t i)
{
    bk->head = bk->tail = NULL;
    bk->len = 0;
    occ[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

/* First set bit at index >= from in a bitmap of n bits, or n. */
static size_t next_occupied(const uint64_t *occ, size_t n, size_t from)
{
    size_t nw = (n + 63) / 64, w = from / 64;
    if (w >= nw)
        return n;
    uint64_t bits = occ[w] & (~UINT64_C(0) << (from % 64));
    while (!bits) {
        if (++w == nw)
            return n;
        bits = occ[w];
    }
    size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
    return i < n ? i : n;
}

/* ---- side heap: pushes into the current ticks not kept in the run ------- */

/* The event order: by time, then seq (unique). */
static inline bool key_before(const qkey *a, const qkey *b)
{
    double ta = key_time(a), tb = key_time(b);
    return ta < tb || (ta == tb && seq_older(a->seq_kind, b->seq_kind));
}

/* Opens a place in the side heap for an event (time, seq) and returns it for
 * the caller to fill; NULL if out of memory. */
static qkey *side_slot(sim_queue *q, double time, uint64_t seq)
{
    if (q->side_len == q->side_cap) {
        size_t cap = q->side_cap ? 2 * q->side_cap : 64;
        qkey *s = realloc(q->side, cap * sizeof *s);
        if (!s)
            return NULL;
        q->side = s;
        q->side_cap = cap;
    }
    size_t i = q->side_len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        double tp = key_time(&q->side[parent]);
        if (!(time < tp || (time == tp && seq_older(seq, q->side[parent].seq_kind))))
            break;
        q->side[i] = q->side[parent];
        i = parent;
    }
    return &q->side[i];
}

static void side_pop(sim_queue *q)
{
    qkey last = q->side[--q->side_len];
    size_t n = q->side_len, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && key_before(&q->side[c + 1], &q->side[c]))
            c++;
        if (!key_before(&q->side[c], &last))
            break;
        q->side[i] = q->side[c];
        i = c;
    }
    if (n > 0)
        q->side[i] = last;
}

/* ---- allocation ---------------------------------------------------------- */

/* Makes the run and its sort workspace able to take `n` keys. */
static SQ_NOINLINE int run_reserve(sim_queue *q, size_t n)
{
    if (n <= q->run_cap)
        return 0;
    size_t cap = q->run_cap ? q->run_cap : 256;
    while (cap < n)
        cap *= 2;
    uint32_t *c = malloc(((SUB_PER_KEY + 1) * cap + 1) * sizeof *c);
    qkey *sc = malloc(cap * sizeof *sc);
    qkey *r = c && sc ? realloc(q->run, cap * sizeof *r) : NULL;
    if (!r) {
        free(c);
        free(sc);
        return -1;
    }
    free(q->cnt);
    free(q->scratch);
    q->cnt = c;
    q->scratch = sc;
    q->run = r;
    q->run_cap = cap;
    return 0;
}

/* Level 0 now serves block blk0 from tick lo on. */
static void set_lo(sim_queue *q, uint64_t blk0, uint64_t lo)
{
    q->blk0 = blk0;
    q->lo = lo;
    q->lo_d = (double)lo;
    q->l0_end_d = (double)((blk0 + 1) << q->bits0);
}

sim_queue *sim_queue_alloc(double start, double bucket_width, size_t nbuckets,
                           size_t capacity_hint)
{
    if (!(bucket_width > 0) || !isfinite(bucket_width) || !isfinite(1.0 / bucket_width)
        || nbuckets == 0 || nbuckets > ((size_t)1 << 40) || !isfinite(start))
        return NULL;
    sim_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->next_seq = 1;
    q->last_time = start;
    q->origin = start;
    q->inv_width = 1.0 / bucket_width;
    q->side_limit = REBIN_SIDE;
    unsigned bits = 0;
    while (((size_t)1 << bits) < nbuckets)
        bits++;
    q->bits0 = bits < LEVEL0_BITS ? bits : LEVEL0_BITS;
    q->bits1 = bits - q->bits0;
    q->span_d = (double)((uint64_t)1 << bits);
    set_lo(q, 0, 0);
    size_t b0 = (size_t)1 << q->bits0, b1 = (size_t)1 << q->bits1;
    q->l0 = calloc(b0, sizeof *q->l0);
    q->l1 = calloc(b1, sizeof *q->l1);
    q->occ0 = calloc((b0 + 63) / 64, sizeof *q->occ0);
    q->occ1 = calloc((b1 + 63) / 64, sizeof *q->occ1);
    if (!q->l0 || !q->l1 || !q->occ0 || !q->occ1)
        goto fail_free_levels;
    while (4 * capacity_hint > 3 * q->cap || q->cap == 0)
        if (ids_grow(q) != 0)
            goto fail_free_ids;
    if (run_reserve(q, 1) != 0)
        goto fail_free_ids;
    return q;

fail_free_ids:
    free(q->ids);
    free(q->run);
    free(q->scratch);
    free(q->cnt);
fail_free_levels:
    free(q->l0);
    free(q->l1);
    free(q->occ0);
    free(q->occ1);
    free(q);
    return NULL;
}

void sim_queue_free(sim_queue *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nslabs; i++)
        free(q->slab[i]);
    free(q->slab);
    free(q->ids);
    free(q->l0);
    free(q->l1);
    free(q->occ0);
    free(q->occ1);
    free(q->ovf);
    free(q->run);
    free(q->scratch);
    free(q->cnt);
    free(q->side);
    free(q);
}

/* ---- push ---------------------------------------------------------------- */

static qkey *ovf_slot(sim_queue *q)
{
    if (q->ovf_len == q->ovf_cap) {
        size_t cap = q->ovf_cap ? 2 * q->ovf_cap : 64;
        qkey *o = realloc(q->ovf, cap * sizeof *o);
        if (!o)
            return NULL;
        q->ovf = o;
        q->ovf_cap = cap;
    }
    return &q->ovf[q->ovf_len++];
}

/* The place for a key at tick position d >= lo: a level or the overflow. */
static qkey *file_slot(sim_queue *q, double d)
{
    if (!(d < q->span_d)) /* also +INFINITY */
        return ovf_slot(q);
    uint64_t tick = (uint64_t)(int64_t)d; /* 0 <= d < 2^40 */
    if (tick >> q->bits0 == q->blk0) {
        size_t i = (size_t)(tick & (((uint64_t)1 << q->bits0) - 1));
        return bucket_slot(q, &q->l0[i], q->occ0, i);
    }
    size_t i = (size_t)(tick >> q->bits0);
    return bucket_slot(q, &q->l1[i], q->occ1, i);
}

/* Opens a place in the run for a new event at time t (newest, so after every
 * key with time <= t) if that moves few keys; else NULL. */
static qkey *run_slot(sim_queue *q, double t)
{
    size_t h = q->run_head, end = h + RUN_INSERT_MAX;
    if (h == 0 || (end < q->run_len && !(t < key_time(&q->run[end]))))
        return NULL;
    /* the run is sorted: the place is before `end`; shift the keys before it
     * down by one, into the slot the last pop freed */
    qkey *r = q->run, *stop = r + (end < q->run_len ? end : q->run_len), *p = r + h;
    while (p < stop && !(t < key_time(p))) {
        p[-1] = p[0];
        p++;
    }
    q->run_head = h - 1;
    return p - 1;
}

/* The place for a push not handled by the fast path: a level, the overflow,
 * or (current ticks, or before the origin) the run or the side heap. */
static qkey *push_slot_slow(sim_queue *q, double d, double time, uint64_t seq)
{
    if (d >= q->lo_d && !q->tail)
        return file_slot(q, d);
    /* current ticks, or before the origin */
    qkey *k = run_slot(q, time);
    return k ? k : side_slot(q, time, seq);
}

static void rebin(sim_queue *q);

/* The general push; d is the tick position of time. */
static SQ_NOINLINE sim_event_id push_slow(sim_queue *q, double time, double d, uint32_t target,
                                          uint16_t kind)
{
    if (q->next_seq >> (SEQ_BITS - 1)) /* 2^47 pushes: stored seqs would become ambiguous */
        return SIM_NO_EVENT;
    if (q->side_len >= q->side_limit) { /* buckets far too wide for the events */
        q->side_limit *= 2;
        rebin(q);
        d = (time - q->origin) * q->inv_width;
    }
    uint32_t id = id_take(q);
    if (id == SIM_NO_EVENT)
        return SIM_NO_EVENT;
    qkey *k;
    if (d >= q->lo_d && d < q->l0_end_d) {
        size_t i = (size_t)((uint64_t)(int64_t)d & (((uint64_t)1 << q->bits0) - 1));
        k = bucket_slot(q, &q->l0[i], q->occ0, i);
    } else {
        k = push_slot_slow(q, d, time, q->next_seq);
    }
    if (!k) {
        id_release(q, id);
        return SIM_NO_EVENT;
    }
    key_fill(k, time, q->next_seq++, target, id, kind);
    q->ids[id / 64].live |= UINT64_C(1) << (id % 64);
    q->pending++;
    return id;
}

sim_event_id sim_queue_push(sim_queue *q, double time, uint32_t target, uint16_t kind)
{
    if (!(time >= q->last_time)) /* also catches NaN */
        time = q->last_time;
    double d = (time - q->origin) * q->inv_width;
    if (d >= q->lo_d && d < q->span_d && q->nheld < q->held_max) {
        /* common case: a level bucket with room in its block, a free id at hand */
        uint64_t tick = (uint64_t)(int64_t)d; /* 0 <= d < 2^40 */
        qbucket *bk = tick >> q->bits0 == q->blk0
                          ? &q->l0[tick & (((uint64_t)1 << q->bits0) - 1)]
                          : &q->l1[tick >> q->bits0];
        size_t fill = bk->len % BLOCK_KEYS;
        idword *w = &q->ids[q->cursor];
        if (fill != 0 && w->held != ~UINT64_C(0) && !(q->next_seq >> (SEQ_BITS - 1))) {
            /* key_fill field by field, the id last: fewer values live at
             * once, so the fast path saves no registers */
            qkey *k = &bk->tail->keys[fill];
            bk->len++;
            k->time = time;
            k->target = target;
            k->seq_kind = (q->next_seq++ & SEQ_MASK) | (uint64_t)kind << SEQ_BITS;
            if (fill + 4 < BLOCK_KEYS) /* the line after this key's, before it is needed */
                __builtin_prefetch(k + 4, 1);
            unsigned b = (unsigned)__builtin_ctzll(~w->held);
            uint32_t id = (uint32_t)(q->cursor * 64 + b);
            k->id = id;
            w->held |= UINT64_C(1) << b;
            w->live |= UINT64_C(1) << b;
            q->nheld++;
            q->pending++;
            return id;
        }
    }
    return push_slow(q, time, d, target, kind);
}

/* ---- cancel -------------------------------------------------------------- */

bool sim_queue_is_pending(const sim_queue *q, sim_event_id id)
{
    return id < q->cap && is_live(q, id);
}

int sim_queue_cancel(sim_queue *q, sim_event_id id)
{
    if (!sim_queue_is_pending(q, id))
        return -1;
    q->ids[id / 64].live &= ~(UINT64_C(1) << (id % 64)); /* id freed when reached */
    q->pending--;
    return 0;
}

/* ---- sorting a drained bucket -------------------------------------------- */

/* Stable sorts by time alone: a bucket's keys are stored in seq order, so
 * keeping equal times in place gives the (time, seq) order. */
static void insertion_sort(qkey *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double t = key_time(&a[i]);
        if (!(t < key_time(&a[i - 1])))
            continue;
        qkey k = a[i];
        size_t j = i;
        do {
            a[j] = a[j - 1];
            j--;
        } while (j > 0 && t < key_time(&a[j - 1]));
        a[j] = k;
    }
}

/* Bottom-up merge sort of a[0..n) using tmp[0..n); stable, by time. */
static void merge_sort(qkey *a, size_t n, qkey *tmp)
{
    for (size_t i = 0; i < n; i += SMALL_SORT)
        insertion_sort(a + i, n - i < SMALL_SORT ? n - i : SMALL_SORT);
    qkey *src = a, *dst = tmp;
    for (size_t w = SMALL_SORT; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                dst[o++] = key_time(&src[j]) < key_time(&src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[o++] = src[i++];
            while (j < hi)
                dst[o++] = src[j++];
        }
        qkey *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* Sifts a[r] down the max-heap a[0..n) on (time, seq). */
static void sift_down(qkey *a, size_t r, size_t n)
{
    qkey x = a[r];
    for (size_t c; (c = 2 * r + 1) < n; r = c) {
        if (c + 1 < n && key_before(&a[c], &a[c + 1]))
            c++;
        if (!key_before(&x, &a[c]))
            break;
        a[r] = a[c];
    }
    a[r] = x;
}

/* In-place heapsort of a[0..n) by (time, seq): no workspace, O(n log n); for
 * rare paths. */
static void heap_sort(qkey *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t m = n; m > 1;) {
        qkey top = a[0];
        a[0] = a[--m];
        a[m] = top;
        sift_down(a, 0, m);
    }
}

/* Sub-interval of a key within its tick: monotone in time, in [0, n). */
static inline uint32_t sub_of(const sim_queue *q, const qkey *k, double tick, double n)
{
    double f = ((key_time(k) - q->origin) * q->inv_width - tick) * n;
    return f >= 0 ? (f < n ? (uint32_t)f : (uint32_t)n - 1) : 0;
}

/* Moves the keys of a bucket (tick `tick`, blocks from `head`, n keys, in
 * seq order) into the run sorted by (time, seq), releasing its blocks: a
 * stable counting sort into SUB_PER_KEY n sub-intervals of the tick, merge sort
 * of crowded ones, then one insertion pass over all (each key moves only
 * within its sub-interval). O(n) for times spread over the tick, O(n log n)
 * at worst. The run must have room for RUN_GAP + n keys. */
static void sort_bucket(sim_queue *q, qblock *head, size_t n, uint64_t tick)
{
    size_t k = SUB_PER_KEY * n;
    double tk = (double)tick, kd = (double)k;
    uint32_t *cnt = q->cnt, *sub = q->cnt + SUB_PER_KEY * q->run_cap + 1;
    memset(cnt, 0, (k + 1) * sizeof *cnt);
    size_t left = n, at = 0;
    for (qblock *b = head; b; b = b->next) {
        size_t m = left < BLOCK_KEYS ? left : BLOCK_KEYS;
        if (b->next)
            __builtin_prefetch(b->next);
        for (size_t j = 0; j < m; j++) {
            uint32_t s = sub_of(q, &b->keys[j], tk, kd);
            sub[at++] = s;
            cnt[s + 1]++;
        }
        left -= m;
    }
    uint32_t most = 0; /* keys in the most crowded sub-interval */
    for (size_t s = 1; s <= k; s++) {
        most = cnt[s] > most ? cnt[s] : most;
        cnt[s] += cnt[s - 1];
    }
    qkey *dst = q->run + RUN_GAP;
    left = n;
    at = 0;
    for (qblock *b = head, *next; b; b = next) {
        next = b->next;
        size_t m = left < BLOCK_KEYS ? left : BLOCK_KEYS;
        for (size_t j = 0; j < m; j++)
            dst[cnt[sub[at++]]++] = b->keys[j];
        left -= m;
        blk_release(q, b);
    }
    /* now cnt[s] is the end of sub-interval s */
    if (most > SMALL_SORT) {
        for (size_t s = 0, start = 0; s < k; s++) {
            if (cnt[s] - start > SMALL_SORT)
                merge_sort(dst + start, cnt[s] - start, q->scratch);
            start = cnt[s];
        }
    }
    insertion_sort(dst, n);
}

/* ---- advancing ----------------------------------------------------------- */

/* Makes level-0 bucket i, sorted, the run. False (nothing changed) if the run
 * cannot grow. */
static bool drain(sim_queue *q, size_t i)
{
    qbucket *bk = &q->l0[i];
    size_t n = bk->len;
    if (run_reserve(q, RUN_GAP + n) != 0)
        return false;
    uint64_t tick = (q->blk0 << q->bits0) + i;
    sort_bucket(q, bk->head, n, tick);
    bucket_clear(bk, q->occ0, i);
    q->run_head = RUN_GAP;
    q->run_len = RUN_GAP + n;
    set_lo(q, q->blk0, tick + 1);
    return true;
}

/* Level 0 is spent: makes level-1 bucket j the level-0 block and spreads its
 * keys over level 0. False (nothing changed) if blocks cannot be reserved. */
static bool cascade(sim_queue *q, size_t j)
{
    /* blocks freed as the source is read cover all but one partial block
     * per level-0 bucket */
    if (blk_reserve(q, ((size_t)1 << q->bits0) + 1) != 0)
        return false;
    qbucket *src = &q->l1[j];
    set_lo(q, j, (uint64_t)j << q->bits0);
    uint64_t mask0 = ((uint64_t)1 << q->bits0) - 1;
    size_t left = src->len;
    for (qblock *b = src->head, *next; b; b = next) {
        next = b->next;
        if (next)
            __builtin_prefetch(next);
        size_t m = left < BLOCK_KEYS ? left : BLOCK_KEYS;
        for (size_t k = 0; k < m; k++) {
            double d = (key_time(&b->keys[k]) - q->origin) * q->inv_width;
            size_t i = (size_t)((uint64_t)(int64_t)d & mask0);
            *bucket_slot(q, &q->l0[i], q->occ0, i) = b->keys[k]; /* reserved */
        }
        left -= m;
        blk_release(q, b);
    }
    bucket_clear(src, q->occ1, j);
    return true;
}

/* Both levels are spent and only overflow events remain: restarts the
 * calendar at the earliest of them and refiles. False (nothing changed) if
 * blocks cannot be reserved. */
static bool jump(sim_queue *q)
{
    double earliest = INFINITY;
    for (size_t i = 0; i < q->ovf_len; i++) {
        double t = key_time(&q->ovf[i]);
        earliest = t < earliest ? t : earliest;
    }
    if (!isfinite(earliest)) {
        /* only +INFINITY events: they become the run, in seq order; later
         * pushes are all earlier or equal and newer, so they go to the side
         * heap until the run is spent */
        heap_sort(q->ovf, q->ovf_len);
        qkey *r = q->run;
        size_t rc = q->run_cap;
        q->run = q->ovf;
        q->run_cap = q->ovf_cap;
        q->run_head = 0;
        q->run_len = q->ovf_len;
        q->ovf = r;
        q->ovf_cap = rc;
        q->ovf_len = 0;
        q->tail = true;
        q->lo_d = INFINITY;
        return true;
    }
    if (blk_reserve(q, q->ovf_len / BLOCK_KEYS + ((size_t)1 << q->bits0)
                           + ((size_t)1 << q->bits1) + 1) != 0)
        return false;
    q->origin = earliest;
    set_lo(q, 0, 0);
    size_t kept = 0;
    for (size_t i = 0; i < q->ovf_len; i++) {
        double d = (key_time(&q->ovf[i]) - earliest) * q->inv_width;
        if (d < q->span_d)
            *file_slot(q, d) = q->ovf[i]; /* reserved: not NULL */
        else
            q->ovf[kept++] = q->ovf[i];
    }
    q->ovf_len = kept;
    return true;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* LSD radix sort of a[0..n) by seq using tmp[0..n), for re-binning: O(n) per
 * 11 bits of the span of seqs (two or three passes in practice). */
static void sort_by_seq(const sim_queue *q, qkey *a, qkey *tmp, size_t n)
{
    enum { DIGIT = 11, RADIX = 1 << DIGIT };
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t s = key_seq(q, &a[i]);
        lo = s < lo ? s : lo;
        hi = s > hi ? s : hi;
    }
    size_t cnt[RADIX];
    for (unsigned shift = 0; n > 1 && shift < 64 && ((hi - lo) >> shift) != 0; shift += DIGIT) {
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[((key_seq(q, &a[i]) - lo) >> shift) & (RADIX - 1)]++;
        for (size_t d = 0, sum = 0; d < RADIX; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[cnt[((key_seq(q, &a[i]) - lo) >> shift) & (RADIX - 1)]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* A bucket width that puts about min(REBIN_TARGET, n / 64) of the n events
 * in all[] in the first bucket, from a sorted sample of their times; 0 if
 * none fits. */
static double fit_width(const qkey *all, size_t n)
{
    size_t target = n / 64 < REBIN_TARGET ? (n / 64 > 16 ? n / 64 : 16) : REBIN_TARGET;
    size_t m = n < REBIN_SAMPLE ? n : REBIN_SAMPLE;
    double *t = malloc(m * sizeof *t);
    if (!t)
        return 0;
    for (size_t i = 0; i < m; i++)
        t[i] = key_time(&all[i * (n / m)]);
    qsort(t, m, sizeof *t, compare_double);
    size_t j = (size_t)((double)target * (double)m / (double)n) + 1;
    if (j >= m)
        j = m - 1;
    while (j < m && !(t[j] > t[0])) /* skip ties with the earliest */
        j++;
    double w = j < m ? t[j] - t[0] : 0;
    free(t);
    return w > 0 && isfinite(w) && isfinite(1.0 / w) ? w : 0;
}

/* Re-bins every stored event with a width fitted to the spacing of the
 * earliest ones, for when the given width proved far too wide (pushes pile
 * up in the side heap) or too narrow (most events stay in the overflow).
 * O(stored events), so triggers are rationed; on allocation failure nothing
 * changes. */
static SQ_NOINLINE void rebin(sim_queue *q)
{
    size_t b0 = (size_t)1 << q->bits0, b1 = (size_t)1 << q->bits1;
    size_t n = q->run_len - q->run_head + q->side_len + q->ovf_len;
    for (size_t i = 0; i < b0; i++)
        n += q->l0[i].len;
    for (size_t i = 0; i < b1; i++)
        n += q->l1[i].len;
    if (n < REBIN_MIN)
        return;
    /* the refiling needs blocks beyond those the gathering frees */
    size_t need = n / BLOCK_KEYS + b0 + b1 + 1;
    size_t in_use = q->nslabs * SLAB_BLOCKS - q->blk_nfree;
    qkey *all = malloc(n * sizeof *all), *tmp = malloc(n * sizeof *tmp);
    if (!all || !tmp || (need > in_use && blk_reserve(q, need - in_use) != 0)) {
        free(all);
        free(tmp);
        return;
    }
    size_t at = q->run_len - q->run_head;
    if (at > 0) /* the run and side arrays may be NULL when empty */
        memcpy(all, q->run + q->run_head, at * sizeof *all);
    if (q->side_len > 0)
        memcpy(all + at, q->side, q->side_len * sizeof *all);
    at += q->side_len;
    for (int level = 0; level < 2; level++) {
        qbucket *bk = level ? q->l1 : q->l0;
        uint64_t *occ = level ? q->occ1 : q->occ0;
        for (size_t i = 0, nb = level ? b1 : b0; i < nb; i++) {
            size_t left = bk[i].len;
            for (qblock *b = bk[i].head, *next; b; b = next) {
                next = b->next;
                size_t m = left < BLOCK_KEYS ? left : BLOCK_KEYS;
                memcpy(all + at, b->keys, m * sizeof *all);
                at += m;
                left -= m;
                blk_release(q, b);
            }
            if (bk[i].len)
                bucket_clear(&bk[i], occ, i);
        }
    }
    if (q->ovf_len > 0)
        memcpy(all + at, q->ovf, q->ovf_len * sizeof *all);
    sort_by_seq(q, all, tmp, n); /* buckets are kept in seq order */
    free(tmp);
    double w = fit_width(all, n);
    if (w > 0)
        q->inv_width = 1.0 / w;
    free(q->ovf);
    q->ovf = all;
    q->ovf_len = q->ovf_cap = n;
    q->run_head = q->run_len = 0;
    q->side_len = 0;
    q->tail = false;
    free(q->run); /* sized for the old width: let drains size it again */
    free(q->scratch);
    free(q->cnt);
    q->run = q->scratch = NULL;
    q->cnt = NULL;
    q->run_cap = 0;
    jump(q); /* cannot fail: blocks reserved */
    if (q->ovf_len < q->ovf_cap / 4) { /* give back what the re-binning took */
        size_t cap = q->ovf_len > 64 ? q->ovf_len : 64;
        qkey *o = realloc(q->ovf, cap * sizeof *o);
        if (o) {
            q->ovf = o;
            q->ovf_cap = cap;
        }
    }
}

/* The current ticks are spent: makes the next non-empty bucket current.
 * Returns false when nothing is left, or when memory ran out (then nothing
 * changed and a later call may succeed). */
static SQ_NOINLINE bool advance(sim_queue *q)
{
    if (q->tail) {
        /* the +INFINITY run and the side heap are spent: the queue is empty */
        qkey *r = q->run;
        size_t rc = q->run_cap;
        q->run = q->ovf;
        q->run_cap = q->ovf_cap;
        q->ovf = r;
        q->ovf_cap = rc;
        q->run_head = q->run_len = 0;
        q->tail = false;
        q->origin = q->last_time;
        set_lo(q, 0, 0);
        return false;
    }
    size_t b0 = (size_t)1 << q->bits0, b1 = (size_t)1 << q->bits1;
    for (;;) {
        size_t i = next_occupied(q->occ0, b0, (size_t)(q->lo - (q->blk0 << q->bits0)));
        if (i < b0)
            return drain(q, i);
        size_t j = next_occupied(q->occ1, b1, (size_t)q->blk0 + 1);
        if (j < b1) {
            if (!cascade(q, j))
                return false;
        } else if (q->ovf_len > 0) {
            size_t before = q->ovf_len;
            if (!jump(q))
                return false;
            if (q->tail)
                return true;
            if (before >= REBIN_MIN && 2 * q->ovf_len > before
                && q->widenings < REBIN_WIDEN_MAX) {
                q->widenings++; /* the window holds under half: too narrow */
                rebin(q);
                if (q->tail)
                    return true;
            }
        } else {
            return false;
        }
    }
}

/* ---- pop and peek -------------------------------------------------------- */

/* The earliest stored key, pending or cancelled, taken out of the queue (valid
 * until the next push); NULL if none. */
static SQ_NOINLINE const qkey *take_slow(sim_queue *q)
{
    for (;;) {
        if (q->run_head < q->run_len
            && (q->side_len == 0 || !key_before(&q->side[0], &q->run[q->run_head])))
            return &q->run[q->run_head++];
        if (q->side_len > 0) {
            q->taken = q->side[0];
            side_pop(q);
            return &q->taken;
        }
        if (!advance(q))
            return NULL;
    }
}

/* Hands the pending event of key k (id bit `bit` of word w) to *out, but
 * for the hint out->next, which the caller sets, and retires its id. */
static inline void deliver(sim_queue *q, const qkey *k, idword *w, uint64_t bit,
                           sim_event *out)
{
    double time = key_time(k);
    out->time = time;
    out->seq = key_seq(q, k);
    out->target = k->target;
    out->kind = (uint16_t)(k->seq_kind >> SEQ_BITS);
    out->status = EV_PENDING;
    w->live &= ~bit;
    w->held &= ~bit;
    q->nheld--;
    q->pending--;
    q->last_time = time;
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
    if (q->pending == 0)
        return false;
    const qkey *k;
    idword *w;
    uint64_t bit;
    for (;;) {
        if (q->run_head < q->run_len
            && (q->side_len == 0 || key_before(&q->run[q->run_head], &q->side[0]))) {
            k = &q->run[q->run_head++];
            if (q->run_head + LIVE_AHEAD < q->run_len)
                __builtin_prefetch(&q->ids[q->run[q->run_head + LIVE_AHEAD].id / 64]);
        } else if (!(k = take_slow(q))) {
            return false;
        }
        w = &q->ids[k->id / 64];
        bit = UINT64_C(1) << (k->id % 64);
        if (w->live & bit)
            break;
        w->held &= ~bit; /* cancelled: its id is free now */
        q->nheld--;
    }
    out->next = sim_queue_upcoming_target(q, SIM_QUEUE_HINT_AHEAD);
    deliver(q, k, w, bit, out);
    return true;
}

/* sim_queue_pop_until when its fast path does not apply: a tail call, so
 * that the fast path needs no registers saved. */
static SQ_NOINLINE bool pop_until_slow(sim_queue *q, double t, sim_event *out)
{
    if (!(sim_queue_peek_time(q) <= t))
        return false;
    return sim_queue_pop(q, out);
}

bool sim_queue_pop_until(sim_queue *q, double t, sim_event *out)
{
    /* the fast path of peek and pop in one: a live run head is earliest (an
     * empty queue has none: the slow path answers) */
    size_t h = q->run_head;
    if (h < q->run_len && q->side_len == 0) {
        const qkey *k = &q->run[h];
        idword *w = &q->ids[k->id / 64];
        uint64_t bit = UINT64_C(1) << (k->id % 64);
        if (w->live & bit) {
            double time = key_time(k);
            if (!(time <= t))
                return false;
            q->run_head = h + 1;
            if (h + 1 + LIVE_AHEAD < q->run_len)
                __builtin_prefetch(&q->ids[k[1 + LIVE_AHEAD].id / 64]);
            out->next = h + 1 + SIM_QUEUE_HINT_AHEAD < q->run_len
                            ? k[1 + SIM_QUEUE_HINT_AHEAD].target : UINT32_MAX;
            deliver(q, k, w, bit, out);
            return true;
        }
    }
    return pop_until_slow(q, t, out);
}

static SQ_NOINLINE double peek_slow(sim_queue *q)
{
    for (;;) {
        /* recycle cancelled events at the front, as pop would */
        while (q->run_head < q->run_len && !is_live(q, q->run[q->run_head].id))
            id_release(q, q->run[q->run_head++].id);
        while (q->side_len > 0 && !is_live(q, q->side[0].id)) {
            id_release(q, q->side[0].id);
            side_pop(q);
        }
        double t = q->run_head < q->run_len ? key_time(&q->run[q->run_head]) : INFINITY;
        if (q->side_len > 0)
            return key_time(&q->side[0]) < t ? key_time(&q->side[0]) : t;
        if (q->run_head < q->run_len)
            return t;
        if (!advance(q))
            return INFINITY;
    }
}

double sim_queue_peek_time(sim_queue *q)
{
    if (q->pending == 0)
        return INFINITY;
    if (q->run_head < q->run_len && is_live(q, q->run[q->run_head].id)) {
        /* a live run head is the earliest unless the side heap's top is earlier */
        double t = key_time(&q->run[q->run_head]);
        if (q->side_len == 0 || !(key_time(&q->side[0]) < t))
            return t;
    }
    return peek_slow(q);
}

uint32_t sim_queue_upcoming_target(const sim_queue *q, size_t ahead)
{
    size_t i = q->run_head + ahead;
    return i < q->run_len ? q->run[i].target : UINT32_MAX;
}

size_t sim_queue_size(const sim_queue *q) { return q->pending; }

size_t sim_queue_memory(const sim_queue *q)
{
    size_t b0 = (size_t)1 << q->bits0, b1 = (size_t)1 << q->bits1;
    return sizeof *q + q->cap / 64 * sizeof *q->ids
           + (b0 + b1) * sizeof(qbucket) + ((b0 + 63) / 64 + (b1 + 63) / 64) * sizeof(uint64_t)
           + q->nslabs * SLAB_BLOCKS * sizeof(qblock) + q->slab_cap * sizeof *q->slab
           + q->ovf_cap * sizeof *q->ovf
           + q->run_cap * (sizeof *q->run + sizeof *q->scratch) + ((SUB_PER_KEY + 1) * q->run_cap + 1) * sizeof *q->cnt
           + q->side_cap * sizeof *q->side;
}
