/* results: what one (policy, replication) run produces, in plain arrays that
 * the HDF5 writer and the summaries read. Counts are of simulated people
 * (divide by params.scale for national figures).
 */
#ifndef IPSIM_RESULTS_H
#define IPSIM_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include "models/params.h"

#define N_FLOW_FROM (N_STATE + 1) /* states plus ST_OUTSIDE (arrivals) */
enum { BENEFIT_PRIMARY, BENEFIT_INVALIDITY, N_BENEFIT };

typedef struct person_outcome {
    uint32_t id;
    uint8_t sex, region, diagnosis, severity, education;
    uint8_t from_stock;      /* 1: initial stock, 0: inflow */
    uint8_t final_state;     /* state at the horizon (or exit state) */
    uint8_t ever_enrolled;
    uint16_t coach;          /* last coach (0xffff: never enrolled) */
    float age_at_arrival;    /* years */
    float arrival_day;       /* days since start */
    float onset_day;         /* start of the last incapacity period */
    float first_job_day;     /* days since start; +inf if never employed */
    float days_employed;     /* up to the horizon */
    float exit_day;          /* day of exit; +inf if still present */
} person_outcome;

typedef struct event_record {
    double time;             /* days */
    uint32_t person;
    uint8_t from, to;        /* states; from == ST_OUTSIDE for arrivals */
} event_record;

typedef struct run_results {
    size_t months;               /* snapshots at months 0..months */
    int32_t *state_counts;       /* [months+1][N_STATE][N_REGION][N_SEX] */
    int32_t *benefit_counts;     /* [months+1][N_BENEFIT][N_DIAG][N_SEX] */
    int32_t *programme_counts;   /* [months+1][2: enrolled, waiting][N_REGION] */
    int32_t *flows;              /* [months][N_FLOW_FROM][N_STATE], during month m */
    int32_t *invalidity_entries; /* [months][N_DIAG][N_SEX] */
    size_t npeople;
    person_outcome *people;
    size_t nlog, log_cap;
    event_record *log;           /* only when params.event_log */
    uint64_t events;             /* engine events run */
    size_t peak_memory;          /* bytes held by people, queue and waiting lists */
    int32_t max_clients_per_coach; /* observed maximum, for the capacity check */
} run_results;

#define RES_STATE_IDX(m, s, r, x) ((((size_t)(m) * N_STATE + (s)) * N_REGION + (r)) * N_SEX + (x))
#define RES_BENEFIT_IDX(m, b, d, x) ((((size_t)(m) * N_BENEFIT + (b)) * N_DIAG + (d)) * N_SEX + (x))
#define RES_PROG_IDX(m, k, r) (((size_t)(m) * 2 + (k)) * N_REGION + (r))
#define RES_FLOW_IDX(m, f, t) (((size_t)(m) * N_FLOW_FROM + (f)) * N_STATE + (t))
#define RES_ENTRY_IDX(m, d, x) (((size_t)(m) * N_DIAG + (d)) * N_SEX + (x))

/* Months of a run of `horizon_days`: snapshots are taken at months
 * 1..months after day 0, the last at the horizon itself when the horizon is
 * not a whole number of months (a partial last month). A horizon within
 * rounding error of a whole number of months counts as whole. */
size_t results_months(double horizon_days);

/* Day of snapshot k of a run of `horizon_days` (k = 0..results_months). */
double results_snapshot_day(double horizon_days, size_t k);

/* Allocates zeroed arrays for `months` months. 0 or -1 on allocation
 * failure (then everything is freed). */
int results_init(run_results *r, size_t months);
void results_clear(run_results *r); /* frees arrays, keeps the struct */

#endif
