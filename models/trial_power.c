/* trial_power: the replication grid on sim_parallel and its summaries;
 * see trial_power.h. Each job borrows a private workspace from a small
 * pool (one per thread), so no job allocates in the loop. */
#include "models/trial_power.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sim_parallel.h"
#include "stats/stats_power.h"

typedef struct pool_slot {
    atomic_flag busy;
    trial_workspace *w;
    trial_analysis_ws *ws;
} pool_slot;

typedef struct power_job {
    trial_power *pw;
    pool_slot *pool;
    size_t pool_len;
    atomic_uint_fast64_t events;
    atomic_int error_set;
    char err[256];
    trial_power_progress_fn progress;
    void *progress_arg;
} power_job;

/* At most pool_len jobs run at once, so a free slot always exists. */
static pool_slot *acquire(power_job *pj)
{
    for (;;)
        for (size_t i = 0; i < pj->pool_len; i++)
            if (!atomic_flag_test_and_set(&pj->pool[i].busy))
                return &pj->pool[i];
}

static int run_job(size_t job, void *arg)
{
    power_job *pj = arg;
    trial_power *pw = pj->pw;
    size_t point = job / pw->reps, rep = job % pw->reps;
    const trial_design *d = &pw->design[point];
    size_t nt = pw->plan.n_tests, no = pw->plan.n_outcomes;
    trial_test_result res[TRIAL_MAX_TESTS];
    trial_arm_value arms[TRIAL_MAX_OUTCOMES];
    pool_slot *slot = acquire(pj);
    const trial_person *people;
    trial_info info;
    char err[256] = "out of memory";
    int rc = trial_simulate(d, pw->seed, rep, slot->w, &people, &info, err, sizeof err);
    double icc = NAN;
    if (rc == 0 && trial_analyse(&pw->plan, d, people, d->n, 0, slot->ws, res, arms, &icc) != 0) {
        rc = -2;
        snprintf(err, sizeof err, "out of memory in the analysis");
    }
    atomic_flag_clear(&slot->busy);
    if (rc != 0) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&pj->error_set, &expected, 1))
            snprintf(pj->err, sizeof pj->err, "%s", err);
        return rc < 0 ? rc : -2;
    }
    atomic_fetch_add(&pj->events, info.events);
    size_t base = (point * pw->reps + rep) * nt;
    for (size_t k = 0; k < nt; k++) {
        pw->estimate[base + k] = (float)res[k].estimate;
        pw->p_value[base + k] = (float)res[k].p_value;
        pw->reject[base + k] = res[k].reject;
        pw->failed[base + k] = res[k].status != 0;
    }
    size_t abase = (point * pw->reps + rep) * no * N_ARM;
    for (size_t o = 0; o < no; o++)
        for (int a = 0; a < N_ARM; a++)
            pw->arm_mean[abase + o * N_ARM + (size_t)a] = (float)arms[o].mean[a];
    pw->icc[point * pw->reps + rep] = (float)icc;
    return 0;
}

static void relay(size_t done, size_t total, void *arg)
{
    power_job *pj = arg;
    pj->progress(done, total, atomic_load(&pj->events), pj->progress_arg);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int trial_power_run(const model_params *mp, const trial_params *tp, uint64_t seed, size_t reps,
                    int threads, const double *n_list, size_t n_n, const double *effect_list,
                    size_t n_effect, trial_power_progress_fn progress, void *progress_arg,
                    trial_power *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (reps == 0 || n_n == 0 || n_effect == 0) {
        snprintf(err, errlen, "power: no replications or an empty grid");
        return -1;
    }
    if (threads < 1)
        threads = 1;
    out->n_n = n_n;
    out->n_effect = n_effect;
    out->npoints = n_n * n_effect;
    out->reps = reps;
    out->seed = seed;
    trial_plan_build(tp, &out->plan);
    size_t np = out->npoints, nt = out->plan.n_tests, no = out->plan.n_outcomes;
    out->n_list = malloc(n_n * sizeof *out->n_list);
    out->effect_list = malloc(n_effect * sizeof *out->effect_list);
    out->design = calloc(np, sizeof *out->design);
    out->estimate = malloc(np * reps * nt * sizeof *out->estimate);
    out->p_value = malloc(np * reps * nt * sizeof *out->p_value);
    out->reject = calloc(np * reps * nt, 1);
    out->failed = calloc(np * reps * nt, 1);
    out->arm_mean = malloc(np * reps * no * N_ARM * sizeof *out->arm_mean);
    out->icc = malloc(np * reps * sizeof *out->icc);
    if (!out->n_list || !out->effect_list || !out->design || !out->estimate || !out->p_value
        || !out->reject || !out->failed || !out->arm_mean || !out->icc) {
        snprintf(err, errlen, "out of memory for %zu replications", np * reps);
        trial_power_free(out);
        return -2;
    }
    memcpy(out->n_list, n_list, n_n * sizeof *n_list);
    memcpy(out->effect_list, effect_list, n_effect * sizeof *effect_list);

    double t0 = now_seconds();
    size_t max_n = 0;
    for (size_t i = 0; i < n_n; i++)
        for (size_t j = 0; j < n_effect; j++) {
            trial_design *d = &out->design[i * n_effect + j];
            int rc = trial_design_init(d, mp, tp, n_list[i], effect_list[j], err, errlen);
            if (rc == 0) {
                rc = trial_design_fit_coach_effect(d, seed, threads, err, errlen);
                if (rc == -1) { /* the ICC cannot be reached here: say where */
                    size_t len = strlen(err);
                    snprintf(err + len, errlen > len ? errlen - len : 0,
                             " (at the grid point n = %zu, effect %g; lower trial.coach_icc or "
                             "change the grid)", d->n, effect_list[j]);
                }
            }
            if (rc != 0) {
                trial_power_free(out);
                return rc;
            }
            if (d->n > max_n)
                max_n = d->n;
        }
    out->pilot_seconds = now_seconds() - t0;

    power_job pj = { .pw = out, .progress = progress, .progress_arg = progress_arg };
    atomic_init(&pj.events, 0);
    atomic_init(&pj.error_set, 0);
    pj.pool_len = (size_t)threads;
    pj.pool = calloc(pj.pool_len, sizeof *pj.pool);
    int rc = pj.pool ? 0 : -2;
    for (size_t i = 0; rc == 0 && i < pj.pool_len; i++) {
        atomic_flag_clear(&pj.pool[i].busy);
        pj.pool[i].w = trial_workspace_alloc(max_n);
        pj.pool[i].ws = trial_analysis_ws_alloc(max_n);
        if (!pj.pool[i].w || !pj.pool[i].ws)
            rc = -2;
    }
    if (rc == 0)
        rc = sim_parallel_run(np * reps, threads, run_job, &pj, progress ? relay : NULL, &pj, 200);
    if (rc != 0)
        snprintf(err, errlen, "%s", atomic_load(&pj.error_set) ? pj.err
                                                              : "out of memory for the workspaces");
    for (size_t i = 0; pj.pool && i < pj.pool_len; i++) {
        trial_workspace_free(pj.pool[i].w);
        trial_analysis_ws_free(pj.pool[i].ws);
    }
    free(pj.pool);
    out->events = atomic_load(&pj.events);
    if (rc != 0) {
        trial_power_free(out);
        return rc == -1 ? -1 : -2;
    }
    return 0;
}

void trial_power_free(trial_power *pw)
{
    if (!pw)
        return;
    free(pw->n_list);
    free(pw->effect_list);
    free(pw->design);
    free(pw->estimate);
    free(pw->p_value);
    free(pw->reject);
    free(pw->failed);
    free(pw->arm_mean);
    free(pw->icc);
    memset(pw, 0, sizeof *pw);
}

void trial_power_value_at(const trial_power *pw, size_t point, size_t test, trial_power_value *v)
{
    size_t nt = pw->plan.n_tests, rej = 0, fail = 0, ok = 0;
    double sum = 0;
    for (size_t r = 0; r < pw->reps; r++) {
        size_t i = (point * pw->reps + r) * nt + test;
        rej += pw->reject[i];
        fail += pw->failed[i];
        if (!pw->failed[i] && isfinite(pw->estimate[i])) {
            sum += pw->estimate[i];
            ok++;
        }
    }
    v->rejections = rej;
    v->failures = fail;
    v->power = (double)rej / (double)pw->reps;
    v->mc_se = stats_mc_se(v->power, pw->reps);
    if (stats_wilson_interval(rej, pw->reps, 0.05, &v->lower, &v->upper) != 0)
        v->lower = v->upper = NAN;
    v->mean_estimate = ok ? sum / (double)ok : NAN;
}

double trial_power_arm_mean(const trial_power *pw, size_t point, size_t outcome, int arm)
{
    size_t no = pw->plan.n_outcomes, n = 0;
    double sum = 0;
    for (size_t r = 0; r < pw->reps; r++) {
        float v = pw->arm_mean[((point * pw->reps + r) * no + outcome) * N_ARM + (size_t)arm];
        if (isfinite(v)) {
            sum += v;
            n++;
        }
    }
    return n ? sum / (double)n : NAN;
}

double trial_power_icc_mean(const trial_power *pw, size_t point)
{
    size_t n = 0;
    double sum = 0;
    for (size_t r = 0; r < pw->reps; r++) {
        float v = pw->icc[point * pw->reps + r];
        if (isfinite(v)) {
            sum += v;
            n++;
        }
    }
    return n ? sum / (double)n : NAN;
}

int trial_power_mde(const trial_power *pw, size_t i_n, size_t test, double target, double *effect,
                    double *estimate)
{
    size_t ne = pw->n_effect;
    *effect = *estimate = NAN;
    if (ne < 2)
        return -1;
    /* effects in ascending order (the grid may be given in any order) */
    size_t order[16];
    for (size_t j = 0; j < ne; j++)
        order[j] = j;
    for (size_t a = 1; a < ne; a++)
        for (size_t b = a; b > 0 && pw->effect_list[order[b]] < pw->effect_list[order[b - 1]]; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    trial_power_value v0, v1;
    trial_power_value_at(pw, i_n * ne + order[0], test, &v0);
    if (v0.power >= target) {
        *effect = pw->effect_list[order[0]];
        *estimate = v0.mean_estimate;
        return 2;
    }
    for (size_t j = 1; j < ne; j++) {
        trial_power_value_at(pw, i_n * ne + order[j], test, &v1);
        if (v1.power >= target) {
            double e0 = pw->effect_list[order[j - 1]], e1 = pw->effect_list[order[j]];
            double f = (target - v0.power) / (v1.power - v0.power);
            *effect = e0 + f * (e1 - e0);
            *estimate = v0.mean_estimate + f * (v1.mean_estimate - v0.mean_estimate);
            return 0;
        }
        v0 = v1;
    }
    return 1;
}
