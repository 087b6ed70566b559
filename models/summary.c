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

static void spread(double *v, size_t n, summary_value *out)
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

int summary_compute(const run_results *r, size_t reps, double horizon_days,
                    policy_summary *out)
{
    memset(out, 0, sizeof *out);
    double *share = malloc(reps * SUMMARY_N_MONTHS * sizeof *share);
    double *median = malloc(reps * sizeof *median);
    double *v = malloc(reps * sizeof *v);
    if (!share || !median || !v) {
        free(share);
        free(median);
        free(v);
        return -1;
    }
    double cohort = 0;
    for (size_t i = 0; i < reps; i++)
        cohort += (double)summary_cohort_shares(&r[i], summary_months, SUMMARY_N_MONTHS,
                                                &share[i * SUMMARY_N_MONTHS], &median[i]);
    out->cohort = reps ? (size_t)(cohort / (double)reps + 0.5) : 0;
    for (int k = 0; k < SUMMARY_N_MONTHS; k++) {
        out->month_in_horizon[k] = summary_months[k] * DAYS_PER_MONTH <= horizon_days + 1e-6;
        for (size_t i = 0; i < reps; i++)
            v[i] = out->month_in_horizon[k] ? share[i * SUMMARY_N_MONTHS + k] : NAN;
        spread(v, reps, &out->ever_employed[k]);
    }
    memcpy(v, median, reps * sizeof *v);
    spread(v, reps, &out->median_days_to_first_job);
    for (int s = 0; s < N_STATE; s++) {
        for (size_t i = 0; i < reps; i++) {
            double c = 0;
            for (int g = 0; g < N_REGION; g++)
                for (int x = 0; x < N_SEX; x++)
                    c += r[i].state_counts[RES_STATE_IDX(r[i].months, s, g, x)];
            v[i] = c;
        }
        spread(v, reps, &out->at_horizon[s]);
    }
    free(share);
    free(median);
    free(v);
    return 0;
}
