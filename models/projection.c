/* projection: scenario runs reduced to yearly indicators; see projection.h.
 * The year of an indicator is a calendar year; its 31 December is the
 * snapshot at 1 January of the next year. */
#include "models/projection.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>

#include "models/claimant_model.h"
#include "sim/sim_parallel.h"
#include "stats/stats_desc.h"

const char *projection_indicator_name(int i)
{
    static const char *const names[N_PI] = {
        "invalidity_stock", "mental_share", "working_part_time", "working_full_time", "working",
        "benefit_expenditure_eur", "invalidity_entries", "programme_enrolled",
        "programme_waiting", "state_primary_incapacity", "state_invalidity", "state_waiting",
        "state_training", "state_job_search", "state_employed_part_time",
        "state_employed_full_time", "state_exit_sustained_rtw", "state_exit_retired",
        "state_exit_dead" };
    _Static_assert(N_STATE == 10, "one name per state");
    return i >= 0 && i < N_PI ? names[i] : "unknown";
}

const char *projection_indicator_unit(int i)
{
    if (i == PI_MENTAL_SHARE)
        return "share";
    if (i == PI_EXPENDITURE)
        return "EUR";
    return "people";
}

void projection_benefits(const proj_wages *w, proj_benefits *out)
{
    double mu = log(w->median_monthly), s = w->sigma_log, c = w->cap_monthly;
    double capped;
    if (s > 0) {
        double below = exp(mu + s * s / 2) * gsl_cdf_ugaussian_P((log(c) - mu - s * s) / s);
        capped = below + c * (1 - gsl_cdf_ugaussian_P((log(c) - mu) / s));
    } else {
        capped = w->median_monthly < c ? w->median_monthly : c;
    }
    double rate = 0;
    for (int h = 0; h < 3; h++)
        rate += w->household_share[h] * w->invalidity_rate[h];
    out->mean_capped_wage = capped;
    out->monthly_invalidity = rate * capped;
    out->monthly_primary = w->primary_rate * capped;
    out->part_time_ratio = w->part_time_ratio;
}

static long month_index(double start_year, int year)
{
    return lround(((double)year - start_year) * 12.0);
}

bool projection_starts_by(const model_params *p, int year)
{
    return month_index(p->start_year, year) >= 0;
}

bool projection_lasts_to(const model_params *p, int year)
{
    long months = (long)(p->horizon_days / DAYS_PER_MONTH + 1e-9);
    return month_index(p->start_year, year + 1) <= months;
}

bool projection_covers(const model_params *p, int first_year, int last_year)
{
    return first_year <= last_year && projection_starts_by(p, first_year)
           && projection_lasts_to(p, last_year);
}

/* Yearly indicators of one run. */
static void extract(const proj_spec *s, const run_results *res, double *out)
{
    const model_params *p = s->p;
    double scale = p->scale;
    int nyears = s->last_year - s->first_year + 1;
    for (int y = 0; y < nyears; y++) {
        int year = s->first_year + y;
        size_t snap = (size_t)month_index(p->start_year, year + 1);
        size_t m0 = (size_t)month_index(p->start_year, year);
        double *v = out + (size_t)y * N_PI;
        double inv = 0, mental = 0;
        for (int d = 0; d < N_DIAG; d++)
            for (int x = 0; x < N_SEX; x++) {
                double n = res->benefit_counts[RES_BENEFIT_IDX(snap, BENEFIT_INVALIDITY, d, x)];
                inv += n;
                if (d == DIAG_MENTAL)
                    mental += n;
            }
        v[PI_INVALIDITY_STOCK] = inv / scale;
        v[PI_MENTAL_SHARE] = inv > 0 ? mental / inv : NAN;
        for (int st = 0; st < N_STATE; st++) {
            double n = 0;
            for (int g = 0; g < N_REGION; g++)
                for (int x = 0; x < N_SEX; x++)
                    n += res->state_counts[RES_STATE_IDX(snap, st, g, x)];
            v[PI_STATE + st] = n / scale;
        }
        v[PI_WORKING_PART_TIME] = v[PI_STATE + ST_EMPLOYED_PT];
        v[PI_WORKING_FULL_TIME] = v[PI_STATE + ST_EMPLOYED_FT];
        v[PI_WORKING] = v[PI_WORKING_PART_TIME] + v[PI_WORKING_FULL_TIME];
        double enrolled = 0, waiting = 0;
        for (int g = 0; g < N_REGION; g++) {
            enrolled += res->programme_counts[RES_PROG_IDX(snap, 0, g)];
            waiting += res->programme_counts[RES_PROG_IDX(snap, 1, g)];
        }
        v[PI_PROGRAMME_ENROLLED] = enrolled / scale;
        v[PI_PROGRAMME_WAITING] = waiting / scale;
        /* benefit paid: each month's counts (at its start) times a month of
         * benefit; part-time workers are counted on invalidity benefit at
         * the part-time ratio */
        double eur = 0, entries = 0;
        for (size_t m = m0; m < m0 + 12; m++) {
            double bi = 0, bp = 0, pt = 0;
            for (int d = 0; d < N_DIAG; d++)
                for (int x = 0; x < N_SEX; x++) {
                    bi += res->benefit_counts[RES_BENEFIT_IDX(m, BENEFIT_INVALIDITY, d, x)];
                    bp += res->benefit_counts[RES_BENEFIT_IDX(m, BENEFIT_PRIMARY, d, x)];
                    entries += res->invalidity_entries[RES_ENTRY_IDX(m, d, x)];
                }
            for (int g = 0; g < N_REGION; g++)
                for (int x = 0; x < N_SEX; x++)
                    pt += res->state_counts[RES_STATE_IDX(m, ST_EMPLOYED_PT, g, x)];
            eur += bi * s->benefits.monthly_invalidity + bp * s->benefits.monthly_primary
                   - pt * (1 - s->benefits.part_time_ratio) * s->benefits.monthly_invalidity;
        }
        v[PI_EXPENDITURE] = eur / scale;
        v[PI_INVALIDITY_ENTRIES] = entries / scale;
    }
}

typedef struct proj_job {
    const proj_spec *s;
    proj_result *r;
    proj_progress progress;
    proj_progress_fn fn;
    void *fn_arg;
    atomic_uint_fast64_t events;
} proj_job;

static int run_one(size_t job, void *arg)
{
    proj_job *js = arg;
    size_t reps = js->s->reps, pol = job / reps, rep = job % reps;
    const model_params *p = js->s->rep_params ? &js->s->rep_params[rep] : js->s->p;
    claimant_run *run = claimant_run_alloc(p, pol, js->s->seed, rep);
    if (!run)
        return -1;
    run_results res;
    int rc = claimant_run_finish(run, &res);
    claimant_run_free(run);
    if (rc == 0) {
        extract(js->s, &res, &js->r->values[PROJ_IDX(js->r, pol, rep, 0, 0)]);
        atomic_fetch_add(&js->events, res.events);
        results_clear(&res);
    }
    atomic_fetch_add(&js->progress.runs_done, 1);
    return rc;
}

static void relay(size_t done, size_t total, void *arg)
{
    (void)done;
    (void)total;
    proj_job *js = arg;
    js->fn(&js->progress, js->fn_arg);
}

int projection_run(const proj_spec *s, proj_result *out, proj_progress_fn fn, void *arg)
{
    memset(out, 0, sizeof *out);
    if (!projection_covers(s->p, s->first_year, s->last_year) || s->reps == 0)
        return -1;
    out->npolicies = s->p->npolicies;
    out->reps = s->reps;
    out->nyears = (size_t)(s->last_year - s->first_year + 1);
    out->first_year = s->first_year;
    out->values = calloc(out->npolicies * out->reps * out->nyears * N_PI, sizeof *out->values);
    if (!out->values)
        return -1;
    proj_job js = { .s = s, .r = out, .fn = fn, .fn_arg = arg };
    atomic_init(&js.progress.runs_done, 0);
    atomic_init(&js.events, 0);
    js.progress.runs_total = out->npolicies * out->reps;
    int rc = sim_parallel_run(out->npolicies * out->reps, s->threads, run_one, &js,
                              fn ? relay : NULL, &js, 200);
    out->events = atomic_load(&js.events);
    if (rc != 0) {
        projection_clear(out);
        return -1;
    }
    return 0;
}

void projection_clear(proj_result *r)
{
    free(r->values);
    memset(r, 0, sizeof *r);
}

int projection_band(const proj_result *r, size_t pol, long minus, size_t y, int i,
                    double out[3])
{
    double *x = malloc(r->reps * sizeof *x);
    if (!x)
        return -1;
    size_t n = 0;
    for (size_t k = 0; k < r->reps; k++) {
        double v = r->values[PROJ_IDX(r, pol, k, y, i)];
        if (minus >= 0)
            v -= r->values[PROJ_IDX(r, (size_t)minus, k, y, i)];
        if (isfinite(v))
            x[n++] = v;
    }
    out[0] = out[1] = out[2] = NAN;
    if (n > 0) {
        stats_mean(x, n, &out[0]);
        stats_quantile(x, n, 0.05, &out[1]);
        stats_quantile(x, n, 0.95, &out[2]);
    }
    free(x);
    return 0;
}

int projection_sensitivity(const proj_result *r, const size_t *a, const size_t *b,
                           size_t ndiffs, const double *values, size_t nparams, double *rho)
{
    size_t reps = r->reps, y = r->nyears ? r->nyears - 1 : 0;
    double *diff = malloc((reps ? reps : 1) * sizeof *diff);
    int rc = diff ? 0 : -1;
    for (size_t d = 0; rc == 0 && d < ndiffs; d++)
        for (int i = 0; rc == 0 && i < N_PI; i++) {
            for (size_t rep = 0; rep < reps; rep++)
                diff[rep] = r->nyears ? r->values[PROJ_IDX(r, a[d], rep, y, i)]
                                            - r->values[PROJ_IDX(r, b[d], rep, y, i)]
                                      : NAN;
            for (size_t k = 0; rc == 0 && k < nparams; k++)
                if (stats_spearman_defined(values + k, nparams, diff, reps,
                                           &rho[(k * ndiffs + d) * N_PI + i]) != STATS_OK)
                    rc = -1;
        }
    free(diff);
    return rc;
}

