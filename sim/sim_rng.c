/* sim_rng: SplitMix64 as a GSL generator type, plus key derivation; see
 * sim_rng.h. State is (key-advanced counter); get() returns the high 32 bits,
 * get_double() the high 53 bits scaled to [0, 1). */
#include "sim/sim_rng.h"

#include <math.h>
#include <pthread.h>

typedef struct keyed_state {
    uint64_t x;
} keyed_state;

static inline uint64_t keyed_next(keyed_state *s)
{
    s->x += SIM_RNG_GAMMA;
    return sim_rng_mix(s->x);
}

static unsigned long keyed_get(void *vstate)
{
    return (unsigned long)(keyed_next(vstate) >> 32);
}

static double keyed_get_double(void *vstate)
{
    return (double)(keyed_next(vstate) >> 11) * 0x1.0p-53;
}

static void keyed_set(void *vstate, unsigned long seed)
{
    ((keyed_state *)vstate)->x = (uint64_t)seed;
}

static const gsl_rng_type keyed_type = {
    "ipsim-splitmix64", 0xffffffffUL, 0, sizeof(keyed_state),
    keyed_set, keyed_get, keyed_get_double
};

const gsl_rng_type *sim_rng_keyed = &keyed_type;

uint64_t sim_rng_replication_key(uint64_t master_seed, uint64_t rep)
{
    return sim_rng_child(sim_rng_mix(master_seed ^ UINT64_C(0x1B873593A5C3F1E7)), rep);
}

void sim_rng_rekey(gsl_rng *r, uint64_t key)
{
    ((keyed_state *)r->state)->x = key;
}

gsl_rng *sim_rng_alloc(uint64_t key)
{
    gsl_rng *r = gsl_rng_alloc(sim_rng_keyed);
    if (r)
        sim_rng_rekey(r, key);
    return r;
}

/* ---- ziggurat tables for Exp(1) -----------------------------------------
 * The density f(x) = exp(-x) is covered by 256 layers of equal area v:
 * layer 0 is the base [0, x0] x [0, f(r)] with x0 = v / f(r), whose part
 * beyond r stands for the tail; layer i >= 1 is [0, x[i]] x [f(x[i]),
 * f(x[i+1])]. x[1] = r, x[i+1] = f^-1(f(x[i]) + v / x[i]), x[256] = 0 and
 * f(x[256]) = 1 at the top. r solves the condition that the top layer ends
 * exactly at height 1, with v = f(r) (r + 1) (rectangle plus tail). A point
 * x = u x[i] with x < x[i+1] lies under f whatever its height: accepted at
 * once. */
#define ZIG_N 256

static double zig_x[ZIG_N + 1];
static double zig_f[ZIG_N + 1];
const double *const sim_zig_x = zig_x;
static double zig_r;

/* Height reached by the top of layer 254 for a given r (1 when r is right). */
static double zig_top(double r, double *x, double *f)
{
    double v = exp(-r) * (r + 1);
    x[0] = v / exp(-r);
    x[1] = r;
    f[1] = exp(-r);
    for (int i = 1; i < ZIG_N - 1; i++) {
        double y = f[i] + v / x[i];
        if (y >= 1)
            return 2; /* r too small: the layers reach the top early */
        f[i + 1] = y;
        x[i + 1] = -log(y);
    }
    return f[ZIG_N - 1] + v / x[ZIG_N - 1];
}

static void zig_init(void)
{
    double lo = 5, hi = 10; /* top(lo) > 1 > top(hi) */
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (zig_top(mid, zig_x, zig_f) > 1)
            lo = mid;
        else
            hi = mid;
    }
    zig_r = hi;
    (void)zig_top(zig_r, zig_x, zig_f);
    zig_x[ZIG_N] = 0;
    zig_f[ZIG_N] = 1;
    zig_f[0] = 0; /* base layer: from height 0 */
}

static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

__attribute__((constructor)) static void zig_init_at_load(void)
{
    pthread_once(&zig_once, zig_init);
}

double sim_stream_exponential_slow(sim_stream *s, uint64_t bits)
{
    pthread_once(&zig_once, zig_init); /* in case the constructor did not run */
    for (;;) {
        unsigned i = (unsigned)(bits & 0xff);
        double x = (double)(bits >> 11) * 0x1.0p-53 * zig_x[i];
        if (x < zig_x[i + 1])
            return x;
        if (i == 0) /* beyond r: the tail is r + Exp(1) */
            return zig_r + sim_stream_exponential(s);
        /* the wedge of layer i: accept under the curve */
        double y = zig_f[i] + sim_stream_uniform(s) * (zig_f[i + 1] - zig_f[i]);
        if (y < exp(-x))
            return x;
        bits = sim_stream_u64(s);
    }
}
