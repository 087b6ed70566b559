/* sim_rng: SplitMix64 as a GSL generator type, plus key derivation; see
 * sim_rng.h. State is (key-advanced counter); get() returns the high 32 bits,
 * get_double() the high 53 bits scaled to [0, 1). */
#include "sim/sim_rng.h"

typedef struct keyed_state {
    uint64_t x;
} keyed_state;

static inline uint64_t keyed_next(keyed_state *s)
{
    s->x += UINT64_C(0x9E3779B97F4A7C15);
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
