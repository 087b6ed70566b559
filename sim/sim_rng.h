/* sim_rng: keyed random streams for reproducible, common-random-number runs.
 *
 * Every stream is named by a 64-bit key derived from (master seed,
 * replication, entity, purpose, draw index), so a person's k-th job-finding
 * draw is the same number under every policy and whatever thread runs it.
 * The streams are served through a GSL generator type (sim_rng_keyed), so all
 * of GSL's distributions draw from them; re-keying a generator costs two
 * stores. The generator is SplitMix64 started at the key.
 */
#ifndef IPSIM_SIM_RNG_H
#define IPSIM_SIM_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* The keyed generator type; gsl_rng_set(r, s) starts the stream with key s. */
extern const gsl_rng_type *sim_rng_keyed;

/* A strong 64-bit mixing function (bijective). */
static inline uint64_t sim_rng_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Key of a child stream: mixes parent key with a label. Distinct labels give
 * unrelated keys. */
static inline uint64_t sim_rng_child(uint64_t parent, uint64_t label)
{
    return sim_rng_mix(parent ^ sim_rng_mix(label + UINT64_C(0x9E3779B97F4A7C15)));
}


/* ---- inline streams for hot paths --------------------------------------
 * A sim_stream is the same SplitMix64 stream as a keyed GSL generator, held
 * by value so drawing is inlined: sim_stream_at(k) then sim_stream_uniform()
 * gives exactly the numbers gsl_rng_uniform() gives after
 * sim_rng_rekey(r, k). */
typedef struct sim_stream {
    uint64_t x;
} sim_stream;

#define SIM_RNG_GAMMA UINT64_C(0x9E3779B97F4A7C15)

static inline sim_stream sim_stream_at(uint64_t key)
{
    return (sim_stream){ key };
}

static inline uint64_t sim_stream_u64(sim_stream *s)
{
    s->x += SIM_RNG_GAMMA;
    return sim_rng_mix(s->x);
}

/* U[0, 1) with 53 random bits. */
static inline double sim_stream_uniform(sim_stream *s)
{
    return (double)(sim_stream_u64(s) >> 11) * 0x1.0p-53;
}

/* Exp(1) by the ziggurat method (Marsaglia & Tsang 2000, J Stat Softw 5(8))
 * with 256 layers: about 98% of draws take one 64-bit number, a multiply and
 * a compare; the rest go to sim_stream_exponential_slow. */
extern const double *const sim_zig_x; /* layer edges x[0..256], see sim_rng.c */
double sim_stream_exponential_slow(sim_stream *s, uint64_t bits);

static inline double sim_stream_exponential(sim_stream *s)
{
    uint64_t b = sim_stream_u64(s);
    unsigned i = (unsigned)(b & 0xff);
    double x = (double)(b >> 11) * 0x1.0p-53 * sim_zig_x[i];
    if (x < sim_zig_x[i + 1])
        return x;
    return sim_stream_exponential_slow(s, b);
}

/* Key of replication `rep` under `master_seed`. */
uint64_t sim_rng_replication_key(uint64_t master_seed, uint64_t rep);

/* Re-keys generator `r` (which must be of type sim_rng_keyed) to the stream
 * `key`, positioned at its start. */
void sim_rng_rekey(gsl_rng *r, uint64_t key);

/* Allocates a keyed generator positioned at `key`. NULL on allocation failure;
 * caller frees with gsl_rng_free. */
gsl_rng *sim_rng_alloc(uint64_t key);

#endif
