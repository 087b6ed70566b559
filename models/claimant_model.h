/* claimant_model: the claimant simulation of one policy and one replication,
 * plugged into the engine as a sim_model_type.
 *
 * Each person has one pending event: the earliest of the transition drawn
 * for the current state (competing risks) and the person's own clocks
 * (death, pension age, 12-month invalidity anniversary). A state change
 * redraws the state's risks, except the anniversary (primary incapacity to
 * invalidity), which keeps the drawn race when every risk of the state is
 * on the onset clock or constant (the default). Global events are the monthly snapshot and the
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

/* Cohort (trial) mode: instead of the stock and the inflow, a run holds
 * exactly the people supplied, each entering the simulation on its own day
 * (its arrival_day, ascending) and, with refer_on_entry, referred to the
 * policy's programme at once. Person i draws from the streams of keys[i], so
 * a participant has the same numbers whichever run holds them. Everything
 * else (hazards, policies, capacity, clocks) is the claimant model as is. */
typedef struct claimant_cohort {
    size_t n;
    const person *people;     /* drawn by population_draw at their arrival_day */
    const uint64_t *keys;     /* stream key of each person (see claimant_key) */
    bool refer_on_entry;      /* referral at entry (a trial's randomisation) */
    bool monthly_snapshots;   /* fill the run_results monthly counts (else they stay 0) */
    double horizon;           /* days; the run ends here */
    /* optional: day after which person i's events are no longer simulated
     * (NULL: the horizon). Only exact when people do not interact, i.e.
     * when the programme has no coach limit. */
    const float *end_day;
    /* optional job-finding hazard ratio of each coach while the person is
     * one of its clients (a coach effect); NULL = 1 for every coach */
    const double *coach_job_find[N_REGION];
    /* optional: called after every change of state (and at entry, with
     * from == ST_OUTSIDE) of person i at day t; must not touch the run */
    void (*on_state)(void *arg, size_t i, const person *x, int from, int to, double t);
    void *arg;
} claimant_cohort;

/* Creates a run of policy `policy` (index into p->policy) for replication
 * `rep` under `master_seed`, with the initial stock drawn and the first
 * events scheduled. `p` must outlive the run. Returns NULL on allocation
 * failure. Caller frees with claimant_run_free. */
claimant_run *claimant_run_alloc(const model_params *p, size_t policy,
                                 uint64_t master_seed, size_t rep);
void claimant_run_free(claimant_run *run); /* NULL is a no-op */

/* Creates a cohort-mode run of policy `policy` for the people of `c` (see
 * claimant_cohort), which must outlive the run, as must `p`. The coach counts
 * of the programme are scaled by p->scale as in claimant_run_alloc. Returns
 * NULL on allocation failure or when policy is out of range. */
claimant_run *claimant_run_alloc_cohort(const model_params *p, size_t policy,
                                        const claimant_cohort *c);

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
