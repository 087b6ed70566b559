/* population: synthesis of claimants (attributes, age, incapacity onset,
 * date of death) from a cohort's distributions, using only the person's own
 * keyed streams, so a person is the same under every policy. */
#ifndef IPSIM_POPULATION_H
#define IPSIM_POPULATION_H

#include <stdbool.h>
#include <gsl/gsl_rng.h>
#include "models/claimant.h"

/* Fills *p for a person entering at day `now`: from the stock (in incapacity
 * at day 0, onset in the past) or the inflow (onset at `now`). `mental_share`
 * is the probability of a mental disorder for each sex. Sets state to
 * ST_PRIMARY or ST_INVALIDITY and the benefit flags; clears counters. */
void population_draw(person *p, const model_params *mp, const cohort_params *c,
                     const double mental_share[N_SEX], bool from_stock, double now,
                     uint64_t pkey);

/* Day of death by a Gompertz hazard from age at `now`, given Exp(1) draw e. */
double population_death_day(const model_params *mp, const person *p, double now, double e);

/* Day the person reaches pension age (schedule by calendar year). */
double population_retire_day(const model_params *mp, const person *p);

#endif
