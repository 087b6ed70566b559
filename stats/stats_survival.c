/* stats_survival: log-rank and Kaplan-Meier. Both sort a private copy of the
 * data by (stratum, time) and walk it once, handling all people who share a
 * time together, so tied times give the exact hypergeometric variance. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "stats/stats_internal.h"
#include "stats/stats_survival.h"

typedef struct surv_obs {
    size_t stratum;
    double time;
    int event; /* 0 or 1 */
    int group; /* 0 or 1 */
} surv_obs;

static inline bool surv_less(const surv_obs *x, const surv_obs *y)
{
    if (x->stratum != y->stratum)
        return x->stratum < y->stratum;
    if (x->time != y->time)
        return x->time < y->time;
    if (x->event != y->event)
        return x->event > y->event;
    return x->group < y->group;
}

STATS_DEFINE_SORT(surv_sort, surv_obs, surv_less)

/* Sorts unless already in order: callers that pass sorted data (a power
 * analysis sorts once with a radix sort) pay O(n). */
static void surv_order(surv_obs *obs, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (surv_less(&obs[i], &obs[i - 1])) {
            surv_sort(obs, obs + n, n);
            return;
        }
}

static void logrank_nan(stats_logrank_result *r)
{
    r->observed = r->expected = r->variance = NAN;
    r->chisq = r->z = r->p_value = NAN;
    r->hazard_ratio = r->log_hr_se = r->hr_lower = r->hr_upper = NAN;
    r->events = 0;
    r->strata = 0;
}

int stats_logrank(const double *time, const int *event, const int *group, const size_t *stratum,
                  size_t n, double alpha, stats_sided sided, stats_logrank_result *out)
{
    if (out == NULL)
        return STATS_EINVAL;
    logrank_nan(out);
    if ((n > 0 && (time == NULL || event == NULL || group == NULL)) ||
        !stats_args_ok(alpha, sided))
        return STATS_EINVAL;
    size_t size[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        if ((group[i] != 0 && group[i] != 1) || !isfinite(time[i]))
            return STATS_EINVAL;
        size[group[i]]++;
    }
    if (size[0] == 0 || size[1] == 0)
        return STATS_EEMPTY;

    surv_obs *obs = n <= SIZE_MAX / (2 * sizeof *obs) ? malloc(2 * n * sizeof *obs) : NULL;
    if (obs == NULL)
        return STATS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        obs[i] = (surv_obs){stratum ? stratum[i] : 0, time[i], event[i] != 0, group[i]};
    surv_order(obs, n);

    double o = 0.0, e = 0.0, v = 0.0;
    size_t events = 0, strata = 0;
    for (size_t s = 0; s < n;) {
        /* Stratum block [s, s_end): everyone starts at risk. */
        size_t s_end = s;
        double risk[2] = {0.0, 0.0};
        while (s_end < n && obs[s_end].stratum == obs[s].stratum)
            risk[obs[s_end++].group] += 1.0;
        strata++;
        for (size_t i = s; i < s_end;) {
            size_t j = i;
            double d = 0.0, d1 = 0.0, leave[2] = {0.0, 0.0};
            while (j < s_end && obs[j].time == obs[i].time) {
                d += obs[j].event;
                d1 += obs[j].event && obs[j].group == 1;
                leave[obs[j].group] += 1.0;
                j++;
            }
            double at = risk[0] + risk[1];
            if (d > 0.0) {
                o += d1;
                e += d * risk[1] / at;
                if (at > 1.0)
                    v += d * (risk[1] / at) * (risk[0] / at) * (at - d) / (at - 1.0);
            }
            events += (size_t)d;
            risk[0] -= leave[0];
            risk[1] -= leave[1];
            i = j;
        }
        s = s_end;
    }
    free(obs);

    out->observed = o;
    out->expected = e;
    out->variance = v;
    out->events = events;
    out->strata = strata;
    if (!(v > 0.0))
        return STATS_EDEGEN;
    out->chisq = (o - e) * (o - e) / v;
    out->z = (o - e) / sqrt(v);
    out->p_value = sided == STATS_TWO_SIDED ? gsl_cdf_chisq_Q(out->chisq, 1.0)
                                            : stats_p_from_z(out->z, sided);
    double log_hr = (o - e) / v, crit = stats_z_crit(alpha, sided);
    out->log_hr_se = 1.0 / sqrt(v);
    out->hazard_ratio = exp(log_hr);
    out->hr_lower = exp(log_hr - crit * out->log_hr_se);
    out->hr_upper = sided == STATS_GREATER ? INFINITY : exp(log_hr + crit * out->log_hr_se);
    return STATS_OK;
}

stats_km *stats_km_alloc(size_t capacity)
{
    size_t room = capacity > 0 ? capacity : 1; /* malloc(0) may return NULL */
    stats_km *km = NULL;
    if (room > SIZE_MAX / sizeof(double) || room > SIZE_MAX / sizeof(size_t))
        goto fail; /* room * sizeof would wrap */
    km = calloc(1, sizeof *km);
    if (km == NULL)
        goto fail;
    km->capacity = capacity;
    km->median = NAN;
    km->max_time = NAN;
    if ((km->time = malloc(room * sizeof *km->time)) == NULL)
        goto fail_free_km;
    if ((km->surv = malloc(room * sizeof *km->surv)) == NULL)
        goto fail_free_km;
    if ((km->se = malloc(room * sizeof *km->se)) == NULL)
        goto fail_free_km;
    if ((km->lower = malloc(room * sizeof *km->lower)) == NULL)
        goto fail_free_km;
    if ((km->upper = malloc(room * sizeof *km->upper)) == NULL)
        goto fail_free_km;
    if ((km->n_risk = malloc(room * sizeof *km->n_risk)) == NULL)
        goto fail_free_km;
    if ((km->n_event = malloc(room * sizeof *km->n_event)) == NULL)
        goto fail_free_km;
    return km;

fail_free_km:
    stats_km_free(km); /* frees whichever arrays were allocated (calloc zeroed the rest) */
fail:
    return NULL;
}

void stats_km_free(stats_km *km)
{
    if (km == NULL)
        return;
    free(km->time);
    free(km->surv);
    free(km->se);
    free(km->lower);
    free(km->upper);
    free(km->n_risk);
    free(km->n_event);
    free(km);
}

int stats_km_fit(stats_km *km, const double *time, const int *event, size_t n, double alpha)
{
    if (km == NULL)
        return STATS_EINVAL;
    km->n_points = 0;
    km->median = NAN;
    km->max_time = NAN;
    if ((n > 0 && (time == NULL || event == NULL)) || !(alpha > 0.0 && alpha < 1.0))
        return STATS_EINVAL;
    if (!stats_all_finite(time, n))
        return STATS_EINVAL;
    if (n == 0)
        return STATS_EEMPTY;

    surv_obs *obs = n <= SIZE_MAX / (2 * sizeof *obs) ? malloc(2 * n * sizeof *obs) : NULL;
    if (obs == NULL)
        return STATS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        obs[i] = (surv_obs){0, time[i], event[i] != 0, 0};
    surv_order(obs, n);

    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (obs[i].event && (i == 0 || !(obs[i - 1].event && obs[i - 1].time == obs[i].time)))
            distinct++;
    if (distinct > km->capacity) {
        free(obs);
        return STATS_EINVAL;
    }

    double crit = gsl_cdf_ugaussian_Qinv(alpha / 2.0);
    double s = 1.0, greenwood = 0.0, at = (double)n;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double d = 0.0;
        while (j < n && obs[j].time == obs[i].time)
            d += obs[j++].event;
        if (d > 0.0) {
            s *= 1.0 - d / at;
            km->time[k] = obs[i].time;
            km->surv[k] = s;
            km->n_risk[k] = (size_t)at;
            km->n_event[k] = (size_t)d;
            if (d < at) {
                greenwood += d / (at * (at - d));
                km->se[k] = s * sqrt(greenwood);
                /* log(-log S) interval: S^exp(+-crit * sqrt(G) / |log S|) */
                double w = crit * sqrt(greenwood) / fabs(log(s));
                km->lower[k] = pow(s, exp(w));
                km->upper[k] = pow(s, exp(-w));
            } else { /* everyone left had the event: S = 0 exactly */
                km->se[k] = km->lower[k] = km->upper[k] = 0.0;
            }
            if (isnan(km->median) && s <= 0.5 + 1e-12)
                km->median = obs[i].time;
            k++;
        }
        at -= (double)(j - i);
        i = j;
    }
    km->n_points = k;
    km->max_time = obs[n - 1].time;
    free(obs);
    return STATS_OK;
}

double stats_km_surv_at(const stats_km *km, double t)
{
    if (km == NULL || isnan(km->max_time) || isnan(t) || t > km->max_time)
        return NAN;
    /* Binary search for the last event time <= t: O(log points). */
    size_t lo = 0, hi = km->n_points;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (km->time[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? 1.0 : km->surv[lo - 1];
}
