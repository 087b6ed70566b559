/* stats_survival: time-to-event analysis of trial arms: the (stratified)
 * log-rank test with the one-step hazard-ratio estimate, and the Kaplan-Meier
 * curve. Times are in any one unit (the simulator uses days). */
#ifndef IPSIM_STATS_SURVIVAL_H
#define IPSIM_STATS_SURVIVAL_H

#include <stddef.h>

#include "stats/stats_common.h"

/* Output of stats_logrank; O, E and V are for group 1, summed over strata. */
typedef struct stats_logrank_result {
    double observed;     /* events in group 1 */
    double expected;     /* expected events in group 1 under H0 */
    double variance;     /* hypergeometric variance of O - E (exact for ties) */
    double chisq;        /* (O - E)^2 / V, 1 df */
    double z;            /* (O - E) / sqrt(V) */
    double p_value;      /* chi-square tail (two-sided) or upper normal tail */
    double hazard_ratio; /* exp((O - E) / V), group 1 vs group 0 */
    double log_hr_se;    /* 1 / sqrt(V) */
    double hr_lower;     /* 1-alpha CI of the hazard ratio */
    double hr_upper;
    size_t events;       /* events in both groups */
    size_t strata;       /* distinct stratum labels seen */
} stats_logrank_result;

/* Log-rank test of group 1 against group 0. time[i] is the follow-up time,
 * event[i] non-zero for an event and 0 for censoring (a person censored at an
 * event time counts as at risk then), group[i] is 0 or 1. With stratum != NULL
 * the test is stratified: O - E and V are summed over the strata stratum[i]
 * (any labels). STATS_GREATER tests "group 1 has the higher hazard".
 * Allocates O(n) scratch; O(n log n), O(n) when the data are already in
 * (stratum, time, events first, group) order.
 * Returns STATS_EINVAL for NULL arrays, a group other than 0/1, a non-finite
 * time or bad alpha/sided; STATS_ENOMEM; STATS_EEMPTY when n = 0 or a group
 * is empty (all NAN); STATS_EDEGEN when V = 0, e.g. no events (O, E, V and
 * the counts filled, the rest NAN). */
int stats_logrank(const double *time, const int *event, const int *group, const size_t *stratum,
                  size_t n, double alpha, stats_sided sided, stats_logrank_result *out);

/* A Kaplan-Meier curve: one point per distinct event time. Allocate with
 * stats_km_alloc, fill with stats_km_fit (reusable), free with stats_km_free. */
typedef struct stats_km {
    size_t capacity; /* room in each array */
    size_t n_points; /* distinct event times in the last fit */
    double *time;    /* distinct event times, ascending */
    double *surv;    /* S(t) from time[i] until the next event time */
    double *se;      /* Greenwood standard error of surv[i] */
    double *lower;   /* pointwise 1-alpha CI on the log(-log S) scale */
    double *upper;
    size_t *n_risk;  /* at risk just before time[i] */
    size_t *n_event; /* events at time[i] */
    double median;   /* first time with S <= 0.5; NAN if not reached */
    double max_time; /* largest observed time (event or censoring) */
} stats_km;

/* Allocates a curve with room for `capacity` points (capacity >= n always
 * suffices for n people; 0 is allowed). Returns NULL on allocation failure;
 * caller frees with stats_km_free. */
stats_km *stats_km_alloc(size_t capacity);

/* Frees km and its arrays; NULL is a no-op. */
void stats_km_free(stats_km *km);

/* Fits the Kaplan-Meier estimator to n people (time[i], event[i] non-zero
 * for an event). Allocates O(n) scratch; O(n log n), O(n) on sorted times.
 * Returns STATS_EINVAL for NULL pointers, a non-finite time, bad alpha or
 * too little capacity for the distinct event times; STATS_ENOMEM;
 * STATS_EEMPTY when n = 0. On failure km holds no points and median is NAN.
 * No events is not an error: the curve is empty and S = 1 throughout. */
int stats_km_fit(stats_km *km, const double *time, const int *event, size_t n, double alpha);

/* S(t) from a fitted curve: 1 before the first event time. NAN when km is
 * NULL, was never fitted or t is beyond max_time (no follow-up there). */
double stats_km_surv_at(const stats_km *km, double t);

#endif
