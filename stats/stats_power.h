/* stats_power: analytic power and sample-size formulas for the trial designs
 * ipsim simulates, and the Monte Carlo precision of a simulated power.
 * Sample sizes are returned unrounded; round up (ceil) to plan a trial. */
#ifndef IPSIM_STATS_POWER_H
#define IPSIM_STATS_POWER_H

#include <stddef.h>

#include "stats/stats_common.h"

/* Power of the two-proportion z-test (pooled variance under H0) with n per
 * arm, normal approximation:
 *     Phi((|p1-p2| sqrt(n) - z_a sqrt(2 pbar qbar)) / sqrt(p1q1 + p2q2))
 * plus, two-sided, the opposite tail, so power = alpha when p1 = p2.
 * STATS_GREATER gives power to detect p1 > p2 (no absolute value).
 * Returns STATS_EINVAL (*power NAN) for p outside [0,1], n <= 0, bad
 * alpha/sided; STATS_EDEGEN (*power NAN) when p1 = p2 is 0 or 1. */
int stats_power_two_prop(double p1, double p2, double n_per_arm, double alpha,
                         stats_sided sided, double *power);

/* People per arm for the two-proportion z-test to reach `power` (one tail of
 * the formula above, the usual closed form):
 *     n = (z_a sqrt(2 pbar qbar) + z_b sqrt(p1q1 + p2q2))^2 / (p1 - p2)^2.
 * Returns STATS_EINVAL (*n NAN) for p outside [0,1], power outside (0,1) or
 * so low that the bracket above is not positive, bad alpha/sided, or, for
 * STATS_GREATER, p1 <= p2;
 * STATS_EDEGEN (*n = INFINITY) when p1 = p2 two-sided. */
int stats_n_two_prop(double p1, double p2, double power, double alpha, stats_sided sided,
                     double *n_per_arm);

/* Cohen's effect size h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)). NAN when a
 * proportion is outside [0, 1]. */
double stats_cohen_h(double p1, double p2);

/* Power from Cohen's h with n per arm (as R pwr.2p.test):
 *     Phi(h sqrt(n/2) - z_a) [+ Phi(-h sqrt(n/2) - z_a) two-sided, |h| used].
 * Returns STATS_EINVAL (*power NAN) for non-finite h, n <= 0, bad alpha/sided. */
int stats_power_cohen_h(double h, double n_per_arm, double alpha, stats_sided sided,
                        double *power);

/* People per arm from Cohen's h: n = 2 ((z_a + z_b) / h)^2.
 * Returns STATS_EINVAL (*n NAN) as stats_n_two_prop (for STATS_GREATER h
 * must be > 0); STATS_EDEGEN (*n = INFINITY) when h = 0 two-sided. */
int stats_n_cohen_h(double h, double power, double alpha, stats_sided sided, double *n_per_arm);

/* Schoenfeld (1983): events needed for the log-rank test to detect hazard
 * ratio hr with a share `alloc1` of people in group 1:
 *     D = (z_a + z_b)^2 / (alloc1 (1 - alloc1) (ln hr)^2).
 * For STATS_GREATER hr must exceed 1 (group 1 has the higher hazard).
 * Returns STATS_EINVAL (*events NAN) for hr <= 0, alloc1 outside (0,1),
 * power outside (one-tail alpha, 1) or bad alpha/sided; STATS_EDEGEN
 * (*events = INFINITY) when hr = 1 two-sided. */
int stats_schoenfeld_events(double hr, double alloc1, double power, double alpha,
                            stats_sided sided, double *events);

/* Power of the log-rank test after `events` events (Schoenfeld):
 *     Phi(sqrt(D a (1-a)) |ln hr| - z_a) [+ opposite tail two-sided].
 * Returns STATS_EINVAL (*power NAN) for hr <= 0, alloc1 outside (0,1),
 * events < 0 or bad alpha/sided. */
int stats_schoenfeld_power(double hr, double alloc1, double events, double alpha,
                           stats_sided sided, double *power);

/* Monte Carlo standard error sqrt(p (1-p) / reps) of a proportion (such as
 * a simulated power) estimated from reps replications. NAN when reps = 0 or
 * p is outside [0, 1]. */
double stats_mc_se(double p, size_t reps);

/* Wilson score 1-alpha interval for successes out of trials (e.g. rejections
 * out of simulated trials); stays within [0, 1].
 * Returns STATS_EINVAL (limits NAN) for NULL pointers, successes > trials or
 * alpha outside (0,1); STATS_EEMPTY (limits NAN) when trials = 0. */
int stats_wilson_interval(size_t successes, size_t trials, double alpha, double *lower,
                          double *upper);

#endif
