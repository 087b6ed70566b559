/* calibrate: fitting model parameters to published figures (targets).
 *
 * A target is plain data: a quantity (invalidity stock at 31 December,
 * entries into invalidity in a year, their mental-disorder shares, ...), its
 * year and filters, the published value and a weight. A fit evaluation turns
 * a parameter vector into model_params through a caller-supplied callback
 * (io/ edits the JSON config; this module knows nothing about JSON), runs the
 * status-quo policy over R replications with the same master seed every time
 * (common random numbers, so the loss moves smoothly with the parameters),
 * and scores the replication means with a weighted sum of squared relative
 * errors. The minimiser is GSL's Nelder-Mead simplex (nmsimplex2) on a
 * logit transform of each bounded parameter, with GSL's initialise /
 * iterate / test shape.
 */
#ifndef IPSIM_CALIBRATE_H
#define IPSIM_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models/params.h"
#include "models/results.h"

/* What a target measures. Counts are national people (simulated / scale). */
typedef enum calib_quantity {
    CQ_INVALIDITY_STOCK,                 /* on invalidity benefit at 31 December of year */
    CQ_INVALIDITY_STOCK_MENTAL_SHARE,    /* mental-disorder share of that stock */
    CQ_INVALIDITY_STOCK_POPULATION_SHARE,/* that stock / `population` */
    CQ_INVALIDITY_ENTRIES,               /* entries into invalidity during the year */
    CQ_INVALIDITY_ENTRIES_MENTAL_SHARE,  /* mental-disorder share of those entries */
    CQ_PART_TIME_WORKERS,                /* authorised part-time work on benefit, 31 December */
    CQ_PRIMARY_TO_INVALIDITY,            /* entries in year / new incapacity cases in year - 1 */
    N_CALIB_QUANTITY
} calib_quantity;

/* How the simulated value is compared with the target value. */
enum { CALIB_EQUAL, CALIB_AT_LEAST, CALIB_AT_MOST, N_CALIB_RELATION };

#define CALIB_ALL (-1) /* sex or diagnosis filter: everybody */

typedef struct calib_target {
    char name[64];
    int quantity;        /* calib_quantity */
    int year;            /* calendar year */
    int sex;             /* SEX_* or CALIB_ALL */
    int diagnosis;       /* DIAG_* or CALIB_ALL (counts only) */
    double value;        /* people, or a share in 0..1 */
    double population;   /* CQ_INVALIDITY_STOCK_POPULATION_SHARE: people */
    int relation;        /* CALIB_EQUAL, CALIB_AT_LEAST, CALIB_AT_MOST */
    double weight;       /* >= 0; 0 = reported, not fitted */
    double tolerance;    /* pass band of the report: relative for counts, absolute
                          * (share units) for shares; 0 = none */
} calib_target;

const char *calib_quantity_name(int q);   /* "invalidity_stock", ... */
bool calib_quantity_is_share(int q);

/* Snapshot month of 31 December of `year` (= 1 January of year + 1) and the
 * first month of `year`, relative to a run starting 1 January `start_year`.
 * Returns false if the target needs months outside 0..months (snapshots) or
 * 0..months-1 (flows). */
bool calib_target_covered(const calib_target *t, double start_year, size_t months);

/* Simulated value of target t in one replication's results (counts divided by
 * `scale`). NAN when undefined (a share of zero people). */
double calib_target_value(const calib_target *t, const run_results *r, double scale,
                          double start_year);

/* Contribution of one target to the loss: weight * e^2 with e the relative
 * error (sim - value) / value; for CALIB_AT_LEAST only a shortfall counts,
 * for CALIB_AT_MOST only an excess. NAN sim gives a large penalty. */
double calib_target_loss(const calib_target *t, double sim);

/* Composition of the benefit population at the end of a run (for carrying a
 * historical fit into a scenario that starts where it ends). */
typedef struct calib_stock_mix {
    double invalidity;            /* national people on invalidity benefit (in
                                   * incapacity or part-time work, onset a year ago) */
    double primary;               /* national people on primary-incapacity benefit */
    double share_female;          /* of those on invalidity benefit */
    double mental_share[N_SEX];   /* of those on invalidity benefit, by sex */
    double severity_shares[3];    /* among mental disorders */
    double age_shares[N_AGE];     /* age at the end of the run */
    double education_shares[N_EDU];
    double mean_years_since_onset;
} calib_stock_mix;

/* Means over `reps` results (people tables needed). 0 or -1 if nobody is
 * on invalidity benefit. */
int calib_stock_mix_compute(const run_results *r, size_t reps, double scale,
                            double horizon_days, calib_stock_mix *out);

/* Builds the model parameters of parameter vector x (length nparams). Must
 * fill *out completely; returns 0, or nonzero with a message in err. */
typedef int (*calib_build_fn)(const double *x, model_params *out, char *err, size_t errlen,
                              void *arg);

/* The fitting problem. Arrays are borrowed and must outlive the minimiser. */
typedef struct calib_problem {
    size_t nparams;
    const double *lower, *upper;   /* bounds, lower < upper */
    const calib_target *targets;
    size_t ntargets;
    calib_build_fn build;
    void *build_arg;
    uint64_t seed;                 /* the same for every evaluation */
    size_t reps;                   /* replications per evaluation */
    int threads;
} calib_problem;

/* One target's simulated figures in an evaluation. */
typedef struct calib_fit_row {
    double mean;                   /* mean over replications */
    double lo, hi;                 /* 95% t interval of the mean (NAN if reps < 2) */
    double rel_error;              /* (mean - value) / value */
    double loss;                   /* contribution to the loss */
    bool pass;                     /* within tolerance (true when none is set) */
} calib_fit_row;

/* Per-evaluation callback (progress display): evaluation count, its loss,
 * the best loss so far. */
typedef void (*calib_progress_fn)(size_t evaluations, double loss, double best, void *arg);

typedef struct calib_minimizer calib_minimizer;

/* Returns NULL on allocation failure or bad problem (nparams 0, bounds not
 * ordered). Caller frees with calib_minimizer_free. */
calib_minimizer *calib_minimizer_alloc(const calib_problem *pb);
void calib_minimizer_free(calib_minimizer *m); /* NULL is a no-op */
void calib_minimizer_set_progress(calib_minimizer *m, calib_progress_fn fn, void *arg);
/* Stop after this many evaluations (0 = no limit). Checked by
 * calib_minimizer_test between simplex steps, so the last step (up to n + 2
 * evaluations) may pass it. */
void calib_minimizer_set_max_evaluations(calib_minimizer *m, size_t n);

/* Starts the simplex at x0 (each strictly inside its bounds) with initial
 * steps of step_fraction of each parameter's range (converted to the
 * transformed scale). Runs n+1 evaluations. 0, or -1 with a message in err
 * (a run or the build failed, x0 outside bounds). */
int calib_minimizer_set(calib_minimizer *m, const double *x0, double step_fraction, char *err,
                        size_t errlen);
/* Starts a fresh simplex at the best point so far (a restart helps
 * Nelder-Mead out of a collapsed simplex). Same contract as
 * calib_minimizer_set. */
int calib_minimizer_restart(calib_minimizer *m, double step_fraction, char *err, size_t errlen);
/* One simplex step (1 to n+2 evaluations). 0, or -1 with err. */
int calib_minimizer_iterate(calib_minimizer *m, char *err, size_t errlen);
/* 1 (done: simplex size below size_tol on the transformed scale, or the
 * evaluation limit reached), 0 (continue). */
int calib_minimizer_test(const calib_minimizer *m, double size_tol);

size_t calib_minimizer_evaluations(const calib_minimizer *m);
double calib_minimizer_size(const calib_minimizer *m);   /* transformed scale */
double calib_minimizer_best_loss(const calib_minimizer *m);
const double *calib_minimizer_best(const calib_minimizer *m);  /* nparams values */
/* Rows of the best evaluation (ntargets), and its stock composition. */
const calib_fit_row *calib_minimizer_best_rows(const calib_minimizer *m);
const calib_stock_mix *calib_minimizer_best_mix(const calib_minimizer *m);
/* Trace of every evaluation: losses[k] and params[k * nparams + i]. */
size_t calib_minimizer_trace(const calib_minimizer *m, const double **losses,
                             const double **params);

/* Evaluates x once (no minimiser): fills rows (ntargets), *mix (may be NULL)
 * and *loss. 0, or -1 with err. */
int calib_evaluate(const calib_problem *pb, const double *x, calib_fit_row *rows,
                   calib_stock_mix *mix, double *loss, char *err, size_t errlen);

#endif
