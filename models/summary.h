/* summary: the headline figures of a run set, per policy with their spread
 * across replications. The cohort is the programme's target group present
 * at the start: people of the initial stock with a mental disorder.
 */
#ifndef IPSIM_SUMMARY_H
#define IPSIM_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include "models/results.h"

#define SUMMARY_N_MONTHS 3
extern const int summary_months[SUMMARY_N_MONTHS]; /* 6, 18, 60 */

/* One figure: mean over replications and the 2.5% and 97.5% empirical
 * quantiles (type 7) of the replication values; NaN when undefined. */
typedef struct summary_value {
    double mean, lo, hi;
    size_t n;               /* replications where the figure is defined */
} summary_value;

typedef struct policy_summary {
    size_t cohort;                               /* mean cohort size */
    summary_value ever_employed[SUMMARY_N_MONTHS]; /* share, 0..1 */
    bool month_in_horizon[SUMMARY_N_MONTHS];
    summary_value median_days_to_first_job;      /* Kaplan-Meier; NaN if not reached */
    summary_value at_horizon[N_STATE];           /* simulated people, whole population */
} policy_summary;

/* Per-replication cohort figures of one run (used by summary_compute and
 * the tests). `months` are month numbers; out_share[i] is the share of the
 * cohort with a first job at or before that month. Returns the cohort size. */
size_t summary_cohort_shares(const run_results *r, const int *months, size_t n,
                             double *out_share, double *out_median_days);

/* The figure of values v[0..n-1] (NaN: undefined in that replication):
 * mean and 2.5% and 97.5% quantiles of the defined ones. Reorders v. */
void summary_range(double *v, size_t n, summary_value *out);

/* Computes the summary of policy results r[0..reps-1]. 0, or -1 on
 * allocation failure. */
int summary_compute(const run_results *r, size_t reps, double horizon_days,
                    policy_summary *out);

/* The same figures as differences r - base taken within each replication
 * (r[i] and base[i] are two policies run on the same people with the same
 * random numbers), then summarised across replications: mean and 2.5% and
 * 97.5% quantiles of the differences; `cohort` is r's. A difference is
 * undefined in a replication where either figure is (a median not reached).
 * 0, or -1 on allocation failure. */
int summary_compute_difference(const run_results *r, const run_results *base, size_t reps,
                               double horizon_days, policy_summary *out);

/* Which drawn parameter moves the policy differences (parameter
 * uncertainty): the Spearman rank correlation, across replications, of
 * parameter k's values (values[rep * nparams + k]) with policy p's
 * difference from policy 0 in the share of the cohort ever employed by
 * *month (the latest of the summary months within the horizon; 0 if none).
 * r holds policy p, replication i at r[p * reps + i]. rho[k * npolicies + p]
 * over the replications where the difference is defined (a non-empty
 * cohort); NaN for p = 0 and where undefined (fewer than 3 such
 * replications, no spread).
 * 0, or -1 on allocation failure. */
int summary_sensitivity(const run_results *r, size_t npolicies, size_t reps,
                        const double *values, size_t nparams, double horizon_days,
                        double *rho, int *month);

#endif
