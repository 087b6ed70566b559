/* claimant_model: the claimant simulation of one policy and one replication,
 * plugged into the engine as a sim_model_type.
 *
 * Each person has one pending event: the earliest of the transition drawn
 * for the current state (competing risks) and the person's own clocks
 * (death, pension age, 12-month invalidity anniversary). A state change
 * redraws the state's risks. Global events are the monthly snapshot and the
 * next arrival of the inflow (Poisson, time-varying rate, by thinning).
 * Programme places are limited by coaches x caseload; a freed place admits
 * the longest-waiting person of the region (cancelling their pending event).
 */
#ifndef IPSIM_CLAIMANT_MODEL_H
#define IPSIM_CLAIMANT_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "models/claimant.h"
#include "models/results.h"

typedef struct claimant_run claimant_run;

/* Creates a run of policy `policy` (index into p->policy) for replication
 * `rep` under `master_seed`, with the initial stock drawn and the first
 * events scheduled. `p` must outlive the run. Returns NULL on allocation
 * failure. Caller frees with claimant_run_free. */
claimant_run *claimant_run_alloc(const model_params *p, size_t policy,
                                 uint64_t master_seed, size_t rep);
void claimant_run_free(claimant_run *run); /* NULL is a no-op */

/* One event. 1 if one ran, 0 if none is left before the horizon, <0 on error. */
int claimant_run_step(claimant_run *run);
/* All events up to min(t, horizon). 0 or <0 on error. */
int claimant_run_until(claimant_run *run, double t);
/* Runs to the horizon and moves the results into *out (which the caller
 * clears with results_clear). The people become the outcome table, so after
 * this the run holds no people and can only be freed. 0 or <0 on error. */
int claimant_run_finish(claimant_run *run, run_results *out);

double claimant_run_now(const claimant_run *run);
double claimant_run_horizon(const claimant_run *run);
uint64_t claimant_run_events(const claimant_run *run);

/* Read-only view of the people (for the viewer and for tests). Arrivals may
 * move the array: fetch the pointer again after every step or run_until. */
size_t claimant_run_people(const claimant_run *run, const person **people);
/* Current number of people in each state (all regions and sexes). */
void claimant_run_state_totals(const claimant_run *run, int64_t out[N_STATE]);

/* Recounts states and programme places from the people and compares them
 * with the incremental counters and the capacity limits. 0 when consistent;
 * else -1 with a description in msg. O(people). */
int claimant_run_check(const claimant_run *run, char *msg, size_t len);

#endif
