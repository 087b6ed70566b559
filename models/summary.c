/* summary: cohort shares, Kaplan-Meier medians and spread across
 * replications; see summary.h. */
#include "models/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats_desc.h"
#include "stats/stats_survival.h"

const int summary_months[SUMMARY_N_MONTHS] = { 6, 18, 60 };

static bool in_cohort(const person_outcome *o)
{
    return o->from_stock && o->diagnosis == DIAG_MENTAL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kaplan-Meier median of time to first job in the cohort; censoring at exit
 * or at the horizon. NaN when not reached. */
static double km_median(const run_results *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->npeople; i++)
        n += in_cohort(&r->people[i]);
    if (n == 0)
        return NAN;
    double *t = malloc(n * sizeof *t);
    int *ev = malloc(n * sizeof *ev);
    stats_km *km = stats_km_alloc(n);
    double median = NAN;
    if (t && ev && km) {
        double horizon = (double)r->months * DAYS_PER_MONTH;
        size_t k = 0;
        for (size_t i = 0; i < r->npeople; i++) {
            const person_outcome *p = &r->people[i];
            if (!in_cohort(p))
                continue;
            ev[k] = isfinite(p->first_job_day);
            t[k] = ev[k] ? p->first_job_day : isfinite(p->exit_day) ? p->exit_day : horizon;
            k++;
        }
        if (stats_km_fit(km, t, ev, n, 0.05) == 0)
            median = km->median;
    }
    stats_km_free(km);
    free(t);
    free(ev);
    return median;
}

size_t summary_cohort_shares(const run_results *r, const int *months, size_t n,
                             double *out_share, double *out_median_days)
{
    size_t cohort = 0;
    size_t *hits = calloc(n ? n : 1, sizeof *hits);
    for (size_t i = 0; i < r->npeople; i++) {
        const person_outcome *p = &r->people[i];
        if (!in_cohort(p))
            continue;
        cohort++;
        for (size_t k = 0; hits && k < n; k++)
            if (p->first_job_day <= months[k] * DAYS_PER_MONTH)
                hits[k]++;
    }
    for (size_t k = 0; k < n; k++)
        out_share[k] = cohort && hits ? (double)hits[k] / (double)cohort : NAN;
    free(hits);
    if (out_median_days)
        *out_median_days = km_median(r);
    return cohort;
}

void summary_range(double *v, size_t n, summary_value *out)
{
    size_t k = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            v[k++] = v[i];
            sum += v[i];
        }
    out->n = k;
    if (k == 0) {
        out->mean = out->lo = out->hi = NAN;
        return;
    }
    qsort(v, k, sizeof *v, cmp_double);
    out->mean = sum / (double)k;
    stats_quantile_sorted(v, k, 0.025, &out->lo);
    stats_quantile_sorted(v, k, 0.975, &out->hi);
}

/* Per-replication figures of r[0..reps-1]: shares [rep][month], medians
 * [rep], states at the horizon [rep][state]; the mean cohort size. */
static double figures(const run_results *r, size_t reps, double *share, double *median,
                      double *states)
{
    double cohort = 0;
    for (size_t i = 0; i < reps; i++) {
        cohort += (double)summary_cohort_shares(&r[i], summary_months, SUMMARY_N_MONTHS,
                                                &share[i * SUMMARY_N_MONTHS], &median[i]);
        for (int s = 0; s < N_STATE; s++) {
            double c = 0;
            for (int g = 0; g < N_REGION; g++)
                for (int x = 0; x < N_SEX; x++)
                    c += r[i].state_counts[RES_STATE_IDX(r[i].months, s, g, x)];
            states[i * N_STATE + s] = c;
        }
    }
    return cohort;
}

/* The summary of r, or with `base` of r minus base replication by
 * replication (a difference is undefined where either figure is). */
static int compute(const run_results *r, const run_results *base, size_t reps,
                   double horizon_days, policy_summary *out)
{
    enum { PER_REP = SUMMARY_N_MONTHS + 1 + N_STATE };
    memset(out, 0, sizeof *out);
    size_t sets = base ? 2 : 1;
    double *fig = malloc(sets * reps * PER_REP * sizeof *fig);
    double *v = malloc((reps ? reps : 1) * sizeof *v);
    if (!fig || !v) {
        free(fig);
        free(v);
        return -1;
    }
    /* set k: shares [reps][months], then medians [reps], then states [reps][state] */
    double *share[2], *median[2], *states[2];
    for (size_t k = 0; k < sets; k++) {
        share[k] = fig + k * reps * PER_REP;
        median[k] = share[k] + reps * SUMMARY_N_MONTHS;
        states[k] = median[k] + reps;
    }
    double cohort = figures(r, reps, share[0], median[0], states[0]);
    if (base)
        figures(base, reps, share[1], median[1], states[1]);
    out->cohort = reps ? (size_t)(cohort / (double)reps + 0.5) : 0;
#define MINUS(k, i) (base ? (k)[0][i] - (k)[1][i] : (k)[0][i])
    for (int m = 0; m < SUMMARY_N_MONTHS; m++) {
        out->month_in_horizon[m] = summary_months[m] * DAYS_PER_MONTH <= horizon_days + 1e-6;
        for (size_t i = 0; i < reps; i++)
            v[i] = out->month_in_horizon[m] ? MINUS(share, i * SUMMARY_N_MONTHS + m) : NAN;
        summary_range(v, reps, &out->ever_employed[m]);
    }
    for (size_t i = 0; i < reps; i++)
        v[i] = MINUS(median, i);
    summary_range(v, reps, &out->median_days_to_first_job);
    for (int s = 0; s < N_STATE; s++) {
        for (size_t i = 0; i < reps; i++)
            v[i] = MINUS(states, i * N_STATE + s);
        summary_range(v, reps, &out->at_horizon[s]);
    }
#undef MINUS
    free(fig);
    free(v);
    return 0;
}

int summary_compute(const run_results *r, size_t reps, double horizon_days,
                    policy_summary *out)
{
    return compute(r, NULL, reps, horizon_days, out);
}

int summary_compute_difference(const run_results *r, const run_results *base, size_t reps,
                               double horizon_days, policy_summary *out)
{
    return compute(r, base, reps, horizon_days, out);
}

int summary_sensitivity(const run_results *r, size_t npolicies, size_t reps,
                        const double *values, size_t nparams, double horizon_days,
                        double *rho, int *month)
{
    /* the latest headline month within the horizon */
    int m = -1;
    for (int k = 0; k < SUMMARY_N_MONTHS; k++)
        if (summary_months[k] * DAYS_PER_MONTH <= horizon_days + 1e-6)
            m = k;
    *month = m >= 0 ? summary_months[m] : 0;
    for (size_t i = 0; i < nparams * npolicies; i++)
        rho[i] = NAN;
    if (m < 0 || reps < 3)
        return 0;
    double *share = malloc(npolicies * reps * sizeof *share);
    size_t *cohort = malloc(npolicies * reps * sizeof *cohort);
    int rc = share && cohort ? 0 : -1;
    for (size_t p = 0; rc == 0 && p < npolicies; p++)
        for (size_t i = 0; i < reps; i++)
            cohort[p * reps + i] = summary_cohort_shares(&r[p * reps + i], &summary_months[m], 1,
                                                         &share[p * reps + i], NULL);
    for (size_t p = 1; rc == 0 && p < npolicies; p++) {
        double *diff = &share[p * reps];
        for (size_t i = 0; i < reps; i++) {
            size_t c = cohort[i];
            if (c && cohort[p * reps + i] == c) /* the same people: a difference of counts,
                                                 * so equal gains tie exactly */
                diff[i] = (round(diff[i] * (double)c) - round(share[i] * (double)c)) / (double)c;
            else
                diff[i] -= share[i]; /* NaN for an empty cohort: left out */
        }
        for (size_t k = 0; rc == 0 && k < nparams; k++)
            if (stats_spearman_defined(values + k, nparams, diff, reps,
                                       &rho[k * npolicies + p]) != STATS_OK)
                rc = -1;
    }
    free(share);
    free(cohort);
    return rc;
}

