/* projection: yearly national indicators of several scenarios (the policies
 * of one scenario set) over replications, with a band across replications
 * and differences between scenarios. Every scenario of replication r sees the
 * same people and draws (common random numbers), so a difference is taken
 * replication by replication and carries its own band. Runs keep only the
 * monthly counts (the people table is dropped as soon as a run ends), so
 * memory does not grow with replications x people.
 */
#ifndef IPSIM_PROJECTION_H
#define IPSIM_PROJECTION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models/params.h"

/* Indicators of a year (national figures: simulated / scale). Stocks and
 * states are at 31 December; entries and expenditure are totals of the year. */
enum {
    PI_INVALIDITY_STOCK,      /* on invalidity benefit */
    PI_MENTAL_SHARE,          /* mental-disorder share of that stock, 0..1 */
    PI_WORKING_PART_TIME,     /* authorised part-time work on benefit */
    PI_WORKING_FULL_TIME,     /* full-time work off benefit (not yet a sustained exit) */
    PI_WORKING,               /* both */
    PI_EXPENDITURE,           /* incapacity and invalidity benefit paid in the year, EUR */
    PI_INVALIDITY_ENTRIES,    /* entries into invalidity during the year */
    PI_PROGRAMME_ENROLLED,    /* programme clients */
    PI_PROGRAMME_WAITING,     /* waiting for a coach */
    PI_STATE,                 /* PI_STATE + s: people in state s */
    N_PI = PI_STATE + N_STATE
};

const char *projection_indicator_name(int i);  /* "invalidity_stock", ..., "state_invalidity" */
const char *projection_indicator_unit(int i);  /* "people", "share", "EUR" */

/* Benefit amounts (from replacement rates and a wage distribution). */
typedef struct proj_wages {
    double median_monthly;       /* gross monthly wage lost, median, EUR */
    double sigma_log;            /* standard deviation of the log wage */
    double cap_monthly;          /* wage ceiling of the benefit, EUR a month */
    double household_share[3];   /* with dependants, living alone, cohabiting */
    double invalidity_rate[3];   /* replacement rates of the capped wage, same order */
    double primary_rate;         /* primary incapacity, all households */
    double part_time_ratio;      /* benefit kept in authorised part-time work */
} proj_wages;

typedef struct proj_benefits {
    double monthly_invalidity;   /* mean benefit per person-month, EUR */
    double monthly_primary;
    double part_time_ratio;
    double mean_capped_wage;     /* E[min(W, cap)], EUR a month */
} proj_benefits;

/* Mean benefits of a lognormal wage W (median m, log-sd s) capped at c:
 * E[min(W, c)] = e^(mu + s^2/2) Phi((ln c - mu - s^2)/s) + c (1 - Phi((ln c - mu)/s)),
 * times the household-weighted replacement rates. */
void projection_benefits(const proj_wages *w, proj_benefits *out);

typedef struct proj_spec {
    const model_params *p;       /* scenarios are p->policy[0..npolicies-1] */
    const model_params *rep_params; /* NULL, or [reps]: each replication's parameters */
    uint64_t seed;
    size_t reps;
    int threads;
    int first_year, last_year;   /* indicators for these calendar years */
    proj_benefits benefits;
} proj_spec;

typedef struct proj_result {
    size_t npolicies, reps, nyears;
    int first_year;
    double *values;              /* [policy][rep][year][N_PI] */
    uint64_t events;
} proj_result;

#define PROJ_IDX(r, pol, rep, y, i) \
    ((((size_t)(pol) * (r)->reps + (rep)) * (r)->nyears + (y)) * N_PI + (i))

/* Whether the run of p covers 31 December of last_year and 1 January of
 * first_year, with first_year <= last_year. */
bool projection_covers(const model_params *p, int first_year, int last_year);
/* Whether the run of p has begun by 1 January of `year`. */
bool projection_starts_by(const model_params *p, int year);
/* Whether the run of p lasts to the end of 31 December of `year`. */
bool projection_lasts_to(const model_params *p, int year);

typedef struct proj_progress {
    atomic_size_t runs_done;
    size_t runs_total;
} proj_progress;
typedef void (*proj_progress_fn)(const proj_progress *pr, void *arg);

/* Runs every (scenario, replication) pair on s->threads threads. Results do
 * not depend on the thread count. 0, or -1 (allocation or run failure);
 * on success the caller clears *out with projection_clear. */
int projection_run(const proj_spec *s, proj_result *out, proj_progress_fn fn, void *arg);
void projection_clear(proj_result *r);

/* Mean and 5% / 95% type-7 quantiles across replications of indicator i of
 * scenario pol in year index y; with minus >= 0, of the replication-wise
 * difference pol - minus. out = {mean, p5, p95}. 0, or -1 on allocation
 * failure. */
int projection_band(const proj_result *r, size_t pol, long minus, size_t y, int i,
                    double out[3]);

/* Parameter uncertainty: the Spearman rank correlation, across
 * replications, of each drawn parameter k (values[rep * nparams + k]) with
 * each difference a[d] - b[d] of each indicator i in the last year:
 * rho[(k * ndiffs + d) * N_PI + i]; NaN where fewer than 3 replications
 * define the difference or it has no spread. 0, or -1 on allocation failure. */
int projection_sensitivity(const proj_result *r, const size_t *a, const size_t *b,
                           size_t ndiffs, const double *values, size_t nparams, double *rho);

#endif
