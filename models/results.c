/* results: allocation of the per-run result arrays; see results.h. */
#include "models/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t results_months(double horizon_days)
{
    double m = ceil(horizon_days / DAYS_PER_MONTH - 1e-9);
    return m > 0 ? (size_t)m : 0;
}

double results_snapshot_day(double horizon_days, size_t k)
{
    double day = (double)k * DAYS_PER_MONTH;
    return day < horizon_days ? day : horizon_days;
}

int results_init(run_results *r, size_t months)
{
    memset(r, 0, sizeof *r);
    r->months = months;
    r->state_counts = calloc((months + 1) * N_STATE * N_REGION * N_SEX, sizeof(int32_t));
    r->benefit_counts = calloc((months + 1) * N_BENEFIT * N_DIAG * N_SEX, sizeof(int32_t));
    r->programme_counts = calloc((months + 1) * 2 * N_REGION, sizeof(int32_t));
    r->flows = calloc((months ? months : 1) * N_FLOW_FROM * N_STATE, sizeof(int32_t));
    r->invalidity_entries = calloc((months ? months : 1) * N_DIAG * N_SEX, sizeof(int32_t));
    if (!r->state_counts || !r->benefit_counts || !r->programme_counts || !r->flows
        || !r->invalidity_entries) {
        results_clear(r);
        return -1;
    }
    return 0;
}

void results_clear(run_results *r)
{
    free(r->state_counts);
    free(r->benefit_counts);
    free(r->programme_counts);
    free(r->flows);
    free(r->invalidity_entries);
    free(r->people);
    free(r->log);
    size_t months = r->months;
    memset(r, 0, sizeof *r);
    r->months = months;
}
