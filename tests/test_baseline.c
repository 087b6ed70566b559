/* The calibrated Belgian baseline: the historical fit (configs/
 * belgium_baseline_1995.json) still meets the published figures within the
 * bounds of the calibration issue, and the 2017 default and the projection
 * config carry its fitted values (so none of them can drift silently).
 * Runs the fit's own evaluation (scale 0.05, 8 replications, its seed):
 * a few seconds. */
#include <math.h>
#include <criterion/criterion.h>

#include "io/calib_config.h"
#include "models/calibrate.h"
#include "tests/test_util.h"

#define BASELINE IPSIM_SOURCE_DIR "/configs/belgium_baseline_1995.json"
#define TARGETS IPSIM_SOURCE_DIR "/configs/targets/inami.json"
#define PROJECTION IPSIM_SOURCE_DIR "/configs/projection_2035.json"

static const calib_fit_row *row_of(const calib_targets *t, const calib_fit_row *rows,
                                   const char *name, const calib_target **tg)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->target[i].name, name)) {
            *tg = &t->target[i];
            return &rows[i];
        }
    cr_assert_fail("no target %s in %s", name, TARGETS);
    return NULL;
}

Test(baseline, historical_fit_meets_the_published_figures, .timeout = 120)
{
    calib_spec *spec = calloc(1, sizeof *spec);
    calib_targets *tg = calloc(1, sizeof *tg);
    cr_assert_eq(calib_spec_load(BASELINE, spec, stderr), CALIB_OK);
    cr_assert_eq(calib_targets_load(TARGETS, tg, stderr), CALIB_OK);
    cr_assert_eq(calib_spec_check_targets(spec, tg, stderr), CALIB_OK);
    double lower[CALIB_MAX_PARAMS], upper[CALIB_MAX_PARAMS], x[CALIB_MAX_PARAMS];
    for (size_t i = 0; i < spec->nparams; i++) {
        lower[i] = spec->param[i].lower;
        upper[i] = spec->param[i].upper;
        x[i] = spec->param[i].start; /* the fitted values */
    }
    calib_problem pb = { .nparams = spec->nparams, .lower = lower, .upper = upper,
                         .targets = tg->target, .ntargets = tg->n, .build = calib_spec_build,
                         .build_arg = spec, .seed = spec->seed, .reps = spec->replications,
                         .threads = 2 };
    calib_fit_row *rows = calloc(tg->n, sizeof *rows);
    double loss;
    char err[512];
    cr_assert_eq(calib_evaluate(&pb, x, rows, NULL, &loss, err, sizeof err), 0, "%s", err);

    const calib_target *t;
    const calib_fit_row *r = row_of(tg, rows, "stock_2016", &t);
    cr_expect_eq(t->value, 390765);
    cr_expect(fabs(r->mean / 390765 - 1) <= 0.01, "stock 2016: %.0f", r->mean);
    const char *shares[4] = { "entries_mental_share_men_1995", "entries_mental_share_women_1995",
                              "entries_mental_share_men_2016", "entries_mental_share_women_2016" };
    const double want[4] = { 0.22, 0.30, 0.30, 0.34 };
    for (int k = 0; k < 4; k++) {
        r = row_of(tg, rows, shares[k], &t);
        cr_expect_float_eq(t->value, want[k], 1e-12);
        cr_expect(fabs(r->mean - want[k]) <= 0.01, "%s: %.4f", shares[k], r->mean);
    }
    r = row_of(tg, rows, "stock_mental_share_2016", &t);
    cr_expect(fabs(r->mean - 1.0 / 3.0) <= 0.02, "mental share of the 2016 stock %.4f", r->mean);
    const char *years[8] = { "stock_2002", "stock_2004", "stock_2008", "stock_2010",
                             "stock_2011", "stock_2013", "stock_2014", "stock_2015" };
    for (int k = 0; k < 8; k++) {
        r = row_of(tg, rows, years[k], &t);
        cr_expect(fabs(r->mean / t->value - 1) <= 0.03, "%s: %.0f vs %.0f", years[k], r->mean,
                  t->value);
    }
    r = row_of(tg, rows, "stock_population_share_2016", &t);
    cr_expect_gt(r->mean, 0.05);
    for (size_t i = 0; i < tg->n; i++)
        cr_expect(rows[i].pass, "%s outside its tolerance", tg->target[i].name);
    free(rows);
    calib_targets_clear(tg);
    calib_spec_clear(spec);
    free(tg);
    free(spec);
}

static void expect_same_hazard(const hazard *a, const hazard *b, const char *what)
{
    cr_expect_eq(a->shape, b->shape, "%s shape", what);
    cr_expect_eq(a->npieces, b->npieces, "%s pieces", what);
    for (size_t i = 0; i < a->npieces; i++)
        cr_expect_float_eq(a->rates[i], b->rates[i], 1e-12, "%s rate %zu", what, i);
    cr_expect_float_eq(a->rate, b->rate, 1e-12, "%s rate", what);
    for (int s = 0; s < N_SEV; s++)
        cr_expect_float_eq(a->hr_severity[s], b->hr_severity[s], 1e-12, "%s severity %d", what, s);
}

Test(baseline, default_2017_and_projection_carry_the_fitted_values)
{
    ipsim_config base, def, proj;
    cr_assert_eq(config_load(BASELINE, &base, stderr), CONFIG_OK);
    cr_assert_eq(config_load(NULL, &def, stderr), CONFIG_OK);
    cr_assert_eq(config_load(PROJECTION, &proj, stderr), CONFIG_OK);
    const model_params *b = &base.model, *d = &def.model, *p = &proj.model;
    expect_same_hazard(&b->recovery, &d->recovery, "default recovery");
    expect_same_hazard(&b->part_time_start, &d->part_time_start, "default part_time_start");
    expect_same_hazard(&b->recovery, &p->recovery, "projection recovery");
    expect_same_hazard(&b->part_time_start, &p->part_time_start, "projection part_time_start");
    /* the default's inflow is the fit's last level and mental shares */
    const year_schedule *cases = &b->inflow_per_year;
    cr_expect_float_eq(d->inflow_per_year.value[0], cases->value[cases->n - 1], 1e-9);
    for (int s = 0; s < N_SEX; s++) {
        const year_schedule *ms = &b->mental_share_inflow[s];
        cr_expect_float_eq(d->inflow.share_mental[s], ms->value[ms->n - 1], 1e-9, "sex %d", s);
    }
    /* the default's stock: 390,765 invalids plus the fit's primary incapacity */
    cr_expect(fabs(d->stock.people * (1 - d->stock.share_primary) - 390765) < 2,
              "invalids %.1f", d->stock.people * (1 - d->stock.share_primary));
    /* the projection repeats the calibrated history exactly */
    cr_expect_eq(p->start_year, b->start_year);
    cr_expect_eq(memcmp(&p->stock, &b->stock, sizeof p->stock), 0, "stock differs");
    cr_expect_eq(memcmp(&p->inflow, &b->inflow, sizeof p->inflow), 0, "inflow cohort differs");
    cr_expect_eq(memcmp(&p->inflow_per_year, &b->inflow_per_year, sizeof p->inflow_per_year), 0);
    cr_expect_eq(memcmp(p->mental_share_inflow, b->mental_share_inflow,
                        sizeof p->mental_share_inflow), 0);
    config_clear(&base);
    config_clear(&def);
    config_clear(&proj);
}

/* calib_build_fn over a fixed parameter set (x is ignored). */
static int fixed_params(const double *x, model_params *out, char *err, size_t errlen, void *arg)
{
    (void)x;
    (void)err;
    (void)errlen;
    *out = *(const model_params *)arg;
    return 0;
}

static double stock_at(const model_params *p, int year, uint64_t seed)
{
    calib_target t = { .quantity = CQ_INVALIDITY_STOCK, .year = year, .sex = CALIB_ALL,
                       .diagnosis = CALIB_ALL, .value = 1, .weight = 1 };
    double lo = 0, hi = 1, x = 0.5, loss;
    calib_problem pb = { .nparams = 1, .lower = &lo, .upper = &hi, .targets = &t,
                         .ntargets = 1, .build = fixed_params, .build_arg = (void *)p,
                         .seed = seed, .reps = 8, .threads = 2 };
    calib_fit_row row;
    char err[256];
    cr_assert_eq(calib_evaluate(&pb, &x, &row, NULL, &loss, err, sizeof err), 0, "%s", err);
    return row.mean;
}

Test(baseline, default_2017_continues_the_calibrated_history, .timeout = 120)
{
    ipsim_config base, def;
    cr_assert_eq(config_load(BASELINE, &base, stderr), CONFIG_OK);
    cr_assert_eq(config_load(NULL, &def, stderr), CONFIG_OK);
    /* the fit continued two more years (pension age 65 in both) */
    base.model.horizon_days = 25 * DAYS_PER_YEAR;
    base.model.scale = 0.05;
    def.model.horizon_days = 2 * DAYS_PER_YEAR;
    def.model.scale = 0.05;
    def.model.pension_age = base.model.pension_age;
    for (int year = 2017; year <= 2018; year++) {
        double b = stock_at(&base.model, year, 1995), d = stock_at(&def.model, year, 3);
        cr_expect(fabs(d / b - 1) < 0.02, "31 Dec %d: default %.0f, calibrated run %.0f", year,
                  d, b);
    }
    config_clear(&base);
    config_clear(&def);
}
