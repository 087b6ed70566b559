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

/* Key of replication `rep` under `master_seed`. */
uint64_t sim_rng_replication_key(uint64_t master_seed, uint64_t rep);

/* Re-keys generator `r` (which must be of type sim_rng_keyed) to the stream
 * `key`, positioned at its start. */
void sim_rng_rekey(gsl_rng *r, uint64_t key);

/* Allocates a keyed generator positioned at `key`. NULL on allocation failure;
 * caller frees with gsl_rng_free. */
gsl_rng *sim_rng_alloc(uint64_t key);

#endif
