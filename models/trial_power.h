/* trial_power: simulation-based power of a trial design (Arnold et al.
 * 2011; Morris, White & Crowther 2019): the trial is simulated R times at
 * each point of a grid of sample sizes and effect multipliers, every
 * planned test is run on each, and power is the share of replications that
 * reject, with its Monte Carlo SE and Wilson interval. Replication r of
 * every grid point uses replication stream r (common random numbers across
 * the grid), and job (point, r) writes only its own slots, so results do
 * not depend on the number of threads.
 */
#ifndef IPSIM_TRIAL_POWER_H
#define IPSIM_TRIAL_POWER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "models/trial.h"
#include "models/trial_analysis.h"

typedef struct trial_power {
    size_t n_n, n_effect, npoints;  /* point = i_n * n_effect + i_effect */
    double *n_list, *effect_list;   /* as asked ([n_n], [n_effect]); n 0 = as configured */
    size_t reps;
    uint64_t seed;
    trial_plan plan;
    trial_design *design;           /* [npoints] */
    float *estimate;                /* [point][rep][test] */
    float *p_value;                 /* [point][rep][test] */
    uint8_t *reject;                /* [point][rep][test] */
    uint8_t *failed;                /* [point][rep][test]: test status not OK */
    float *arm_mean;                /* [point][rep][outcome][arm] */
    float *icc;                     /* [point][rep]: ANOVA ICC of the primary outcome */
    uint64_t events;
    double pilot_seconds;
} trial_power;

/* Progress: called by the controlling thread while jobs run. */
typedef void (*trial_power_progress_fn)(size_t done, size_t total, uint64_t events, void *arg);

/* Runs the grid: n_list[n_n] total sample sizes (0 = as configured) times
 * effect_list[n_effect] multipliers (trial_design_init), reps replications
 * each, on `threads` threads. Fills *out (caller frees with
 * trial_power_free). Returns 0; -1 with err for a design that cannot run
 * (unknown arm policy, unreachable ICC, inclusion too strict); -2 on
 * allocation or run failure. */
int trial_power_run(const model_params *mp, const trial_params *tp, uint64_t seed, size_t reps,
                    int threads, const double *n_list, size_t n_n, const double *effect_list,
                    size_t n_effect, trial_power_progress_fn progress, void *progress_arg,
                    trial_power *out, char *err, size_t errlen);

void trial_power_free(trial_power *pw); /* frees arrays; NULL is a no-op */

/* Power of test k at a point: rejections / reps, its Monte Carlo SE, the
 * Wilson 95% interval, the replications where the test failed, and the
 * mean estimate over the replications where it ran. */
typedef struct trial_power_value {
    size_t rejections, failures;
    double power, mc_se, lower, upper;
    double mean_estimate;
} trial_power_value;

void trial_power_value_at(const trial_power *pw, size_t point, size_t test, trial_power_value *v);

/* Mean over replications of arm a's value of outcome o at a point. */
double trial_power_arm_mean(const trial_power *pw, size_t point, size_t outcome, int arm);

/* Mean ICC estimate at a point (NaN if never defined). */
double trial_power_icc_mean(const trial_power *pw, size_t point);

/* Minimal detectable effect of test k at sample size index i_n for a
 * target power: the smallest effect multiplier on the grid where power
 * crosses the target, linearly interpolated between the two grid effects
 * around the crossing (scanning upwards from the smallest effect), with the
 * mean estimate interpolated the same way. Returns 0 when found; 1 when
 * the target is not reached on the grid; 2 when it is already reached at
 * the smallest effect (*effect is then that effect); -1 with fewer than 2
 * effects. */
int trial_power_mde(const trial_power *pw, size_t i_n, size_t test, double target, double *effect,
                    double *estimate);

#endif
