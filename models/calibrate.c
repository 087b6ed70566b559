/* calibrate: targets, loss and the Nelder-Mead fit; see calibrate.h.
 * Parameter values are rounded to 6 significant digits before every
 * evaluation, so the best vector written to a config reproduces its
 * evaluation exactly. */
#include "models/calibrate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>

#include "models/runset.h"
#include "stats/stats_desc.h"

#define CALIB_BAD_LOSS 1e30 /* loss of a failed or undefined evaluation */

const char *calib_quantity_name(int q)
{
    static const char *const names[N_CALIB_QUANTITY] = {
        "invalidity_stock", "invalidity_stock_mental_share",
        "invalidity_stock_population_share", "invalidity_entries",
        "invalidity_entries_mental_share", "part_time_workers", "primary_to_invalidity" };
    return q >= 0 && q < N_CALIB_QUANTITY ? names[q] : "unknown";
}

bool calib_quantity_is_share(int q)
{
    return q == CQ_INVALIDITY_STOCK_MENTAL_SHARE || q == CQ_INVALIDITY_STOCK_POPULATION_SHARE
           || q == CQ_INVALIDITY_ENTRIES_MENTAL_SHARE || q == CQ_PRIMARY_TO_INVALIDITY;
}

static bool is_flow(int q)
{
    return q == CQ_INVALIDITY_ENTRIES || q == CQ_INVALIDITY_ENTRIES_MENTAL_SHARE
           || q == CQ_PRIMARY_TO_INVALIDITY;
}

/* Month index of 1 January of `year`. */
static long month_of_year(double start_year, int year)
{
    return lround(((double)year - start_year) * 12.0);
}

bool calib_target_covered(const calib_target *t, double start_year, size_t months)
{
    if (is_flow(t->quantity)) {
        long m0 = month_of_year(start_year, t->year);
        if (t->quantity == CQ_PRIMARY_TO_INVALIDITY)
            m0 -= 12;
        return m0 >= 0 && month_of_year(start_year, t->year) + 12 <= (long)months;
    }
    long m = month_of_year(start_year, t->year + 1);
    return m >= 0 && m <= (long)months;
}

static double stock_count(const run_results *r, size_t m, int sex, int diag)
{
    double n = 0;
    for (int d = 0; d < N_DIAG; d++)
        for (int x = 0; x < N_SEX; x++)
            if ((diag == CALIB_ALL || d == diag) && (sex == CALIB_ALL || x == sex))
                n += r->benefit_counts[RES_BENEFIT_IDX(m, BENEFIT_INVALIDITY, d, x)];
    return n;
}

static double entries_count(const run_results *r, size_t m0, int sex, int diag)
{
    double n = 0;
    for (size_t m = m0; m < m0 + 12; m++)
        for (int d = 0; d < N_DIAG; d++)
            for (int x = 0; x < N_SEX; x++)
                if ((diag == CALIB_ALL || d == diag) && (sex == CALIB_ALL || x == sex))
                    n += r->invalidity_entries[RES_ENTRY_IDX(m, d, x)];
    return n;
}

double calib_target_value(const calib_target *t, const run_results *r, double scale,
                          double start_year)
{
    if (!calib_target_covered(t, start_year, r->months))
        return NAN;
    size_t snap = (size_t)month_of_year(start_year, t->year + 1);
    size_t m0 = (size_t)month_of_year(start_year, t->year);
    double num, den;
    switch (t->quantity) {
    case CQ_INVALIDITY_STOCK:
        return stock_count(r, snap, t->sex, t->diagnosis) / scale;
    case CQ_INVALIDITY_STOCK_MENTAL_SHARE:
        num = stock_count(r, snap, t->sex, DIAG_MENTAL);
        den = stock_count(r, snap, t->sex, CALIB_ALL);
        return den > 0 ? num / den : NAN;
    case CQ_INVALIDITY_STOCK_POPULATION_SHARE:
        return stock_count(r, snap, t->sex, t->diagnosis) / scale / t->population;
    case CQ_INVALIDITY_ENTRIES:
        return entries_count(r, m0, t->sex, t->diagnosis) / scale;
    case CQ_INVALIDITY_ENTRIES_MENTAL_SHARE:
        num = entries_count(r, m0, t->sex, DIAG_MENTAL);
        den = entries_count(r, m0, t->sex, CALIB_ALL);
        return den > 0 ? num / den : NAN;
    case CQ_PART_TIME_WORKERS:
        num = 0;
        for (int g = 0; g < N_REGION; g++)
            for (int x = 0; x < N_SEX; x++)
                if (t->sex == CALIB_ALL || x == t->sex)
                    num += r->state_counts[RES_STATE_IDX(snap, ST_EMPLOYED_PT, g, x)];
        return num / scale;
    case CQ_PRIMARY_TO_INVALIDITY:
        num = entries_count(r, m0, CALIB_ALL, CALIB_ALL);
        den = 0;
        for (size_t m = m0 - 12; m < m0; m++)
            for (int s = 0; s < N_STATE; s++)
                den += r->flows[RES_FLOW_IDX(m, ST_OUTSIDE, s)];
        return den > 0 ? num / den : NAN;
    default:
        return NAN;
    }
}

double calib_target_loss(const calib_target *t, double sim)
{
    if (t->weight <= 0)
        return 0;
    if (!isfinite(sim))
        return CALIB_BAD_LOSS;
    double e = (sim - t->value) / t->value;
    if ((t->relation == CALIB_AT_LEAST && e > 0) || (t->relation == CALIB_AT_MOST && e < 0))
        e = 0;
    return t->weight * e * e;
}

static bool target_pass(const calib_target *t, double mean)
{
    if (!isfinite(mean))
        return false;
    double tol = t->tolerance;
    double slack = calib_quantity_is_share(t->quantity) ? tol : tol * fabs(t->value);
    switch (t->relation) {
    case CALIB_AT_LEAST:
        return mean >= t->value - slack;
    case CALIB_AT_MOST:
        return mean <= t->value + slack;
    default:
        return tol <= 0 || fabs(mean - t->value) <= slack;
    }
}

int calib_stock_mix_compute(const run_results *r, size_t reps, double scale,
                            double horizon_days, calib_stock_mix *out)
{
    memset(out, 0, sizeof *out);
    double inv = 0, prim = 0, fem = 0, onset = 0, mental_n = 0;
    double by_sex[N_SEX] = { 0 }, mental[N_SEX] = { 0 }, sev[3] = { 0 };
    double age[N_AGE] = { 0 }, edu[N_EDU] = { 0 };
    for (size_t k = 0; k < reps; k++) {
        for (size_t i = 0; i < r[k].npeople; i++) {
            const person_outcome *o = &r[k].people[i];
            /* on benefit: incapacity or authorised part-time work; invalidity
             * once the incapacity period is a year old */
            if (o->final_state != ST_PRIMARY && o->final_state != ST_INVALIDITY
                && o->final_state != ST_EMPLOYED_PT)
                continue;
            if (horizon_days - o->onset_day < DAYS_PER_YEAR) {
                prim++;
                continue;
            }
            inv++;
            fem += o->sex == SEX_FEMALE;
            by_sex[o->sex]++;
            if (o->diagnosis == DIAG_MENTAL) {
                mental[o->sex]++;
                mental_n++;
                if (o->severity < 3)
                    sev[o->severity]++;
            }
            double a = o->age_at_arrival + (horizon_days - o->arrival_day) / DAYS_PER_YEAR;
            int band = a < 30 ? AGE_UNDER_30 : a < 40 ? AGE_30_39 : a < 50 ? AGE_40_49
                                                                   : AGE_50_PLUS;
            age[band]++;
            edu[o->education]++;
            onset += (horizon_days - o->onset_day) / DAYS_PER_YEAR;
        }
    }
    if (inv <= 0 || reps == 0)
        return -1;
    out->invalidity = inv / (double)reps / scale;
    out->primary = prim / (double)reps / scale;
    out->share_female = fem / inv;
    for (int s = 0; s < N_SEX; s++)
        out->mental_share[s] = by_sex[s] > 0 ? mental[s] / by_sex[s] : 0;
    for (int v = 0; v < 3; v++)
        out->severity_shares[v] = mental_n > 0 ? sev[v] / mental_n : 0;
    for (int a = 0; a < N_AGE; a++)
        out->age_shares[a] = age[a] / inv;
    for (int e = 0; e < N_EDU; e++)
        out->education_shares[e] = edu[e] / inv;
    out->mean_years_since_onset = onset / inv;
    return 0;
}

/* ---- one evaluation ------------------------------------------------------- */

static double round_sig(double v, int digits)
{
    if (v == 0 || !isfinite(v))
        return v;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    return strtod(buf, NULL);
}

int calib_evaluate(const calib_problem *pb, const double *x, calib_fit_row *rows,
                   calib_stock_mix *mix, double *loss, char *err, size_t errlen)
{
    model_params *p = malloc(sizeof *p);
    run_results *res = calloc(pb->reps, sizeof *res);
    double *vals = malloc(pb->reps * sizeof *vals);
    int rc = -1;
    if (!p || !res || !vals) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (pb->build(x, p, err, errlen, pb->build_arg) != 0)
        goto done;
    /* the national system as it is: no programme */
    p->npolicies = 1;
    memset(&p->policy[0], 0, sizeof p->policy[0]);
    snprintf(p->policy[0].name, sizeof p->policy[0].name, "status_quo");
    p->policy[0].kind = POLICY_STATUS_QUO;
    if (runset_run(p, NULL, pb->seed, pb->reps, pb->threads, res, NULL, NULL) != 0) {
        snprintf(err, errlen, "a simulation run failed (out of memory?)");
        goto done;
    }
    double total = 0;
    for (size_t t = 0; t < pb->ntargets; t++) {
        const calib_target *tg = &pb->targets[t];
        size_t n = 0;
        bool undefined = false;
        for (size_t k = 0; k < pb->reps; k++) {
            double v = calib_target_value(tg, &res[k], p->scale, p->start_year);
            if (isfinite(v))
                vals[n++] = v;
            else
                undefined = true;
        }
        calib_fit_row *row = &rows[t];
        row->mean = row->lo = row->hi = NAN;
        if (n > 0 && !undefined) {
            stats_result ci;
            int st = stats_mean_ci(vals, n, 0.05, &ci);
            row->mean = ci.estimate;
            if (st == STATS_OK || st == STATS_EDEGEN) {
                row->lo = ci.lower;
                row->hi = ci.upper;
            }
        }
        row->rel_error = (row->mean - tg->value) / tg->value;
        row->loss = calib_target_loss(tg, row->mean);
        row->pass = target_pass(tg, row->mean);
        total += row->loss;
    }
    *loss = total;
    if (mix && calib_stock_mix_compute(res, pb->reps, p->scale, p->horizon_days, mix) != 0)
        memset(mix, 0, sizeof *mix);
    rc = 0;
done:
    if (res)
        for (size_t k = 0; k < pb->reps; k++)
            results_clear(&res[k]);
    free(res);
    free(vals);
    free(p);
    return rc;
}

/* ---- the minimiser -------------------------------------------------------- */

struct calib_minimizer {
    calib_problem pb;
    gsl_multimin_fminimizer *nm;
    gsl_multimin_function fn;
    double *x;                  /* scratch: parameters of the evaluation */
    calib_fit_row *rows;        /* scratch rows */
    calib_stock_mix mix;
    double *best;               /* best parameters */
    calib_fit_row *best_rows;
    calib_stock_mix best_mix;
    double best_loss;
    size_t evaluations, max_evaluations;
    double *trace_loss, *trace_x;
    size_t trace_cap;
    calib_progress_fn progress;
    void *progress_arg;
    int error;
    char err[512];
};

static double to_param(const calib_problem *pb, size_t i, double z)
{
    double l = pb->lower[i], u = pb->upper[i];
    return round_sig(l + (u - l) / (1 + exp(-z)), 6);
}

static double to_free(const calib_problem *pb, size_t i, double x)
{
    double l = pb->lower[i], u = pb->upper[i];
    return log((x - l) / (u - x));
}

static int trace_push(calib_minimizer *m, double loss)
{
    size_t n = m->pb.nparams;
    if (m->evaluations == m->trace_cap) {
        size_t cap = m->trace_cap ? 2 * m->trace_cap : 256;
        double *tl = realloc(m->trace_loss, cap * sizeof *tl);
        if (!tl)
            return -1;
        m->trace_loss = tl;
        double *tx = realloc(m->trace_x, cap * n * sizeof *tx);
        if (!tx)
            return -1;
        m->trace_x = tx;
        m->trace_cap = cap;
    }
    m->trace_loss[m->evaluations] = loss;
    memcpy(&m->trace_x[m->evaluations * n], m->x, n * sizeof *m->x);
    return 0;
}

/* The GSL objective: transformed vector -> loss. Failures are recorded in
 * m->error and answered with a huge loss so the simplex moves away. */
static double objective(const gsl_vector *z, void *arg)
{
    calib_minimizer *m = arg;
    if (m->error)
        return CALIB_BAD_LOSS;
    const calib_problem *pb = &m->pb;
    for (size_t i = 0; i < pb->nparams; i++)
        m->x[i] = to_param(pb, i, gsl_vector_get(z, i));
    double loss;
    if (calib_evaluate(pb, m->x, m->rows, &m->mix, &loss, m->err, sizeof m->err) != 0) {
        m->error = -1;
        return CALIB_BAD_LOSS;
    }
    if (trace_push(m, loss) != 0) {
        snprintf(m->err, sizeof m->err, "out of memory");
        m->error = -1;
        return CALIB_BAD_LOSS;
    }
    m->evaluations++;
    if (loss < m->best_loss) {
        m->best_loss = loss;
        memcpy(m->best, m->x, pb->nparams * sizeof *m->x);
        memcpy(m->best_rows, m->rows, pb->ntargets * sizeof *m->rows);
        m->best_mix = m->mix;
    }
    if (m->progress)
        m->progress(m->evaluations, loss, m->best_loss, m->progress_arg);
    return loss;
}

calib_minimizer *calib_minimizer_alloc(const calib_problem *pb)
{
    if (pb->nparams == 0 || pb->reps == 0 || !pb->build)
        return NULL;
    for (size_t i = 0; i < pb->nparams; i++)
        if (!(pb->lower[i] < pb->upper[i]))
            return NULL;
    calib_minimizer *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->pb = *pb;
    size_t n = pb->nparams;
    m->nm = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n);
    m->x = calloc(n, sizeof *m->x);
    m->best = calloc(n, sizeof *m->best);
    m->rows = calloc(pb->ntargets ? pb->ntargets : 1, sizeof *m->rows);
    m->best_rows = calloc(pb->ntargets ? pb->ntargets : 1, sizeof *m->best_rows);
    if (!m->nm || !m->x || !m->best || !m->rows || !m->best_rows)
        goto fail;
    m->fn = (gsl_multimin_function){ objective, n, m };
    m->best_loss = INFINITY;
    return m;
fail:
    calib_minimizer_free(m);
    return NULL;
}

void calib_minimizer_free(calib_minimizer *m)
{
    if (!m)
        return;
    if (m->nm)
        gsl_multimin_fminimizer_free(m->nm);
    free(m->x);
    free(m->best);
    free(m->rows);
    free(m->best_rows);
    free(m->trace_loss);
    free(m->trace_x);
    free(m);
}

void calib_minimizer_set_progress(calib_minimizer *m, calib_progress_fn fn, void *arg)
{
    m->progress = fn;
    m->progress_arg = arg;
}

void calib_minimizer_set_max_evaluations(calib_minimizer *m, size_t n)
{
    m->max_evaluations = n;
}

int calib_minimizer_set(calib_minimizer *m, const double *x0, double step_fraction, char *err,
                        size_t errlen)
{
    const calib_problem *pb = &m->pb;
    size_t n = pb->nparams;
    gsl_vector *z = gsl_vector_alloc(n), *step = gsl_vector_alloc(n);
    int rc = -1;
    if (!z || !step) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double l = pb->lower[i], u = pb->upper[i];
        if (!(x0[i] > l && x0[i] < u)) {
            snprintf(err, errlen, "parameter %zu: start value %g is not strictly inside %g..%g",
                     i, x0[i], l, u);
            goto done;
        }
        double zi = to_free(pb, i, x0[i]);
        /* dx/dz = (x - l)(u - x)/(u - l): a step of step_fraction of the range */
        double slope = (x0[i] - l) * (u - x0[i]) / (u - l);
        double dz = step_fraction * (u - l) / slope;
        if (dz > 2)
            dz = 2;
        if (dz < 0.01)
            dz = 0.01;
        gsl_vector_set(z, i, zi);
        gsl_vector_set(step, i, dz);
    }
    m->error = 0;
    gsl_multimin_fminimizer_set(m->nm, &m->fn, z, step);
    if (m->error) {
        snprintf(err, errlen, "%s", m->err);
        goto done;
    }
    rc = 0;
done:
    gsl_vector_free(z);
    gsl_vector_free(step);
    return rc;
}

int calib_minimizer_restart(calib_minimizer *m, double step_fraction, char *err, size_t errlen)
{
    if (!isfinite(m->best_loss)) {
        snprintf(err, errlen, "no evaluation to restart from");
        return -1;
    }
    double *x = malloc(m->pb.nparams * sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(x, m->best, m->pb.nparams * sizeof *x);
    int rc = calib_minimizer_set(m, x, step_fraction, err, errlen);
    free(x);
    return rc;
}

int calib_minimizer_iterate(calib_minimizer *m, char *err, size_t errlen)
{
    int st = gsl_multimin_fminimizer_iterate(m->nm);
    if (m->error) {
        snprintf(err, errlen, "%s", m->err);
        return -1;
    }
    if (st != GSL_SUCCESS && st != GSL_ENOPROG) {
        snprintf(err, errlen, "simplex step failed: %s", gsl_strerror(st));
        return -1;
    }
    return 0;
}

int calib_minimizer_test(const calib_minimizer *m, double size_tol)
{
    if (m->max_evaluations && m->evaluations >= m->max_evaluations)
        return 1;
    return gsl_multimin_test_size(gsl_multimin_fminimizer_size(m->nm), size_tol) == GSL_SUCCESS;
}

size_t calib_minimizer_evaluations(const calib_minimizer *m) { return m->evaluations; }
double calib_minimizer_size(const calib_minimizer *m) { return gsl_multimin_fminimizer_size(m->nm); }
double calib_minimizer_best_loss(const calib_minimizer *m) { return m->best_loss; }
const double *calib_minimizer_best(const calib_minimizer *m) { return m->best; }
const calib_fit_row *calib_minimizer_best_rows(const calib_minimizer *m) { return m->best_rows; }
const calib_stock_mix *calib_minimizer_best_mix(const calib_minimizer *m) { return &m->best_mix; }

size_t calib_minimizer_trace(const calib_minimizer *m, const double **losses,
                             const double **params)
{
    *losses = m->trace_loss;
    *params = m->trace_x;
    return m->evaluations;
}
