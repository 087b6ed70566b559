/* config: reads the JSON scenario over the embedded default; see config.h.
 * Reading never stops at the first problem: every reader records its errors
 * in the jc_ctx and carries on, so the user sees all of them at once. */
#include "io/config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/config_trial.h"
#include "io/uncertainty_config.h"
#include "io/json_check.h"
#include "models/hazard.h"
#include "models/policy.h"

extern const char ipsim_default_config_json[];
extern const size_t ipsim_default_config_json_len;

const char *config_default_text(size_t *len)
{
    if (len)
        *len = ipsim_default_config_json_len;
    return ipsim_default_config_json;
}

#define PATH_MAX_LEN 256
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const sex_names[N_SEX] = { "male", "female" };
static const char *const region_names[N_REGION] = { "flanders", "wallonia", "brussels" };
static const char *const severity_names[3] = { "mild", "moderate", "severe" };
static const char *const severity_hr_names[N_SEV] = { "mild", "moderate", "severe", "other" };
static const char *const education_names[N_EDU] = { "low", "medium", "high" };
static const char *const age_names[N_AGE] = { "18-29", "30-39", "40-49", "50-64" };
static const char *const shape_names[] = { "none", "exponential", "weibull", "piecewise" };
static const char *const clock_names[] = { "state", "onset" };
static const char *const policy_type_names[N_POLICY_KIND] = { "status_quo", "train_then_place", "ips" };

/* Reads an object of named numbers (each optional) into out[]. */
static void read_named_numbers(jc_ctx *ctx, const cJSON *parent, const char *path,
                               const char *key, const char *const *names, size_t n,
                               double min, double max, double *out)
{
    char p[PATH_MAX_LEN];
    const cJSON *o = jc_object(ctx, parent, path, key, false);
    if (!o)
        return;
    jc_join(p, sizeof p, path, key);
    jc_check_keys(ctx, o, p, names, n);
    for (size_t i = 0; i < n; i++)
        jc_number(ctx, o, p, names[i], min, max, false, &out[i]);
}

static void read_schedule(jc_ctx *ctx, const cJSON *parent, const char *path, const char *key,
                          double min, double max, year_schedule *s)
{
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
    const cJSON *a = jc_array(ctx, parent, path, key, false);
    if (!a)
        return;
    jc_join(p, sizeof p, path, key);
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (n == 0 || n > MAX_SCHEDULE) {
        jc_error(ctx, p, "needs 1 to %d [year, value] pairs, found %zu", MAX_SCHEDULE, n);
        return;
    }
    year_schedule out = { .n = n };
    size_t i = 0;
    bool ok = true;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        snprintf(q, sizeof q, "%s[%zu]", p, i);
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 2 || !cJSON_IsNumber(e->child)
            || !cJSON_IsNumber(e->child->next)) {
            jc_error(ctx, q, "expected a [year, value] pair of numbers");
            ok = false;
            continue;
        }
        double y = e->child->valuedouble, v = e->child->next->valuedouble;
        if (y < 1900 || y > 2200) {
            jc_error(ctx, q, "year %g is outside 1900..2200", y);
            ok = false;
        }
        if (v < min || v > max) {
            jc_error(ctx, q, "value %g is outside %g..%g", v, min, max);
            ok = false;
        }
        if (i > 0 && !(y > out.year[i - 1])) {
            jc_error(ctx, q, "year %g must be later than the previous year %g", y, out.year[i - 1]);
            ok = false;
        }
        out.year[i] = y;
        out.value[i] = v;
    }
    if (ok)
        *s = out;
}

static void read_hazard_ratios(jc_ctx *ctx, const cJSON *parent, const char *path, hazard *h)
{
    static const char *const keys[] = { "sex", "age_band", "region", "severity", "education",
                                        "source" };
    char p[PATH_MAX_LEN];
    const cJSON *o = jc_object(ctx, parent, path, "hazard_ratios", false);
    if (!o)
        return;
    jc_join(p, sizeof p, path, "hazard_ratios");
    jc_check_keys(ctx, o, p, keys, ARRAY_LEN(keys));
    read_named_numbers(ctx, o, p, "sex", sex_names, N_SEX, 0, 1000, h->hr_sex);
    read_named_numbers(ctx, o, p, "age_band", age_names, N_AGE, 0, 1000, h->hr_age);
    read_named_numbers(ctx, o, p, "region", region_names, N_REGION, 0, 1000, h->hr_region);
    read_named_numbers(ctx, o, p, "severity", severity_hr_names, N_SEV, 0, 1000, h->hr_severity);
    read_named_numbers(ctx, o, p, "education", education_names, N_EDU, 0, 1000, h->hr_education);
}

static void read_hazard(jc_ctx *ctx, const cJSON *parent, const char *path, const char *key,
                        hazard *h)
{
    static const char *const keys[] = { "shape", "clock", "rate_per_year", "weibull_shape",
                                        "weibull_scale_days", "breaks_days", "rates_per_year",
                                        "hazard_ratios", "source", "note" };
    char p[PATH_MAX_LEN];
    const cJSON *o = jc_object(ctx, parent, path, key, false);
    if (!o)
        return;
    jc_join(p, sizeof p, path, key);
    jc_check_keys(ctx, o, p, keys, ARRAY_LEN(keys));
    int shape = h->shape;
    bool changed = jc_enum(ctx, o, p, "shape", shape_names, ARRAY_LEN(shape_names), false, &shape)
                   && shape != h->shape;
    h->shape = shape;
    jc_enum(ctx, o, p, "clock", clock_names, ARRAY_LEN(clock_names), false, &h->clock);
    if (shape == HAZ_EXPONENTIAL) {
        double rate = h->rate * DAYS_PER_YEAR;
        if (jc_number(ctx, o, p, "rate_per_year", 0, 1e6, changed, &rate))
            h->rate = rate / DAYS_PER_YEAR;
    } else if (shape == HAZ_WEIBULL) {
        jc_number(ctx, o, p, "weibull_shape", 0.05, 20, changed, &h->wshape);
        jc_number(ctx, o, p, "weibull_scale_days", 1e-6, 1e7, changed, &h->wscale);
    } else if (shape == HAZ_PIECEWISE) {
        double starts[HAZ_MAX_PIECES], rates[HAZ_MAX_PIECES];
        size_t ns = 0, nr = 0;
        bool have_s = jc_number_array(ctx, o, p, "breaks_days", 0, 1e7, starts, HAZ_MAX_PIECES,
                                      &ns, changed);
        bool have_r = jc_number_array(ctx, o, p, "rates_per_year", 0, 1e6, rates, HAZ_MAX_PIECES,
                                      &nr, changed);
        if (have_s != have_r) {
            jc_error(ctx, p, "breaks_days and rates_per_year must be given together");
        } else if (have_s) {
            char q[PATH_MAX_LEN];
            jc_join(q, sizeof q, p, "breaks_days");
            bool ok = true;
            if (ns != nr) {
                jc_error(ctx, q, "has %zu breaks but rates_per_year has %zu rates; they must match",
                         ns, nr);
                ok = false;
            } else if (starts[0] != 0) {
                jc_error(ctx, q, "must start at 0, found %g", starts[0]);
                ok = false;
            }
            for (size_t i = 1; ok && i < ns; i++)
                if (!(starts[i] > starts[i - 1])) {
                    jc_error(ctx, q, "must increase: %g follows %g", starts[i], starts[i - 1]);
                    ok = false;
                }
            if (ok) {
                h->npieces = ns;
                for (size_t i = 0; i < ns; i++) {
                    h->start[i] = starts[i];
                    h->rates[i] = rates[i] / DAYS_PER_YEAR;
                }
            }
        }
    }
    read_hazard_ratios(ctx, o, p, h);
}

static void read_cohort(jc_ctx *ctx, const cJSON *parent, const char *path, const char *key,
                        bool stock, cohort_params *c, model_params *mp)
{
    static const char *const stock_keys[] = {
        "people", "share_female", "region_shares", "mental_share", "severity_shares",
        "education_shares", "age_shares", "primary_share", "mean_years_since_onset", "source",
        "note" };
    static const char *const inflow_keys[] = {
        "cases_per_year", "share_female", "region_shares", "mental_share",
        "mental_share_by_year", "severity_shares", "education_shares", "age_shares", "source",
        "note" };
    char p[PATH_MAX_LEN];
    const cJSON *o = jc_object(ctx, parent, path, key, false);
    if (!o)
        return;
    jc_join(p, sizeof p, path, key);
    if (stock)
        jc_check_keys(ctx, o, p, stock_keys, ARRAY_LEN(stock_keys));
    else
        jc_check_keys(ctx, o, p, inflow_keys, ARRAY_LEN(inflow_keys));
    if (stock) {
        jc_number(ctx, o, p, "people", 0, 1e8, false, &c->people);
        jc_probability(ctx, o, p, "primary_share", false, &c->share_primary);
        jc_number(ctx, o, p, "mean_years_since_onset", 1, 40, false, &c->onset_years_mean);
    } else {
        read_schedule(ctx, o, p, "cases_per_year", 0, 1e8, &mp->inflow_per_year);
        const cJSON *by = jc_object(ctx, o, p, "mental_share_by_year", false);
        if (by) {
            char q[PATH_MAX_LEN];
            jc_join(q, sizeof q, p, "mental_share_by_year");
            jc_check_keys(ctx, by, q, sex_names, N_SEX);
            for (int s = 0; s < N_SEX; s++)
                read_schedule(ctx, by, q, sex_names[s], 0, 1, &mp->mental_share_inflow[s]);
        }
    }
    jc_probability(ctx, o, p, "share_female", false, &c->share_female);
    jc_shares(ctx, o, p, "region_shares", region_names, N_REGION, false, c->share_region);
    read_named_numbers(ctx, o, p, "mental_share", sex_names, N_SEX, 0, 1, c->share_mental);
    jc_shares(ctx, o, p, "severity_shares", severity_names, 3, false, c->share_severity);
    jc_shares(ctx, o, p, "education_shares", education_names, N_EDU, false, c->share_education);
    jc_shares(ctx, o, p, "age_shares", age_names, N_AGE, false, c->share_age);
}

static void read_programme(jc_ctx *ctx, const cJSON *parent, const char *path,
                           programme_params *g)
{
    static const char *const keys[] = {
        "exclusion", "training_phase", "training_duration", "days_to_first_employer_contact",
        "max_search_months", "follow_along_months", "effects", "fidelity", "coaches",
        "caseload", "coaches_by_year", "waiting_list", "source", "note" };
    static const char *const effect_keys[] = {
        "job_finding", "relapse", "dropout", "job_loss_while_supported", "job_loss_matching",
        "offer_refusal", "source", "note" };
    static const char *const fidelity_keys[] = { "score", "reference", "scales_effects",
                                                 "source", "note" };
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
    const cJSON *o = jc_object(ctx, parent, path, "programme", false);
    if (!o)
        return;
    jc_join(p, sizeof p, path, "programme");
    jc_check_keys(ctx, o, p, keys, ARRAY_LEN(keys));
    read_named_numbers(ctx, o, p, "exclusion", severity_names, 3, 0, 1, g->exclusion);
    jc_bool(ctx, o, p, "training_phase", false, &g->training);
    read_hazard(ctx, o, p, "training_duration", &g->training_end);
    jc_number(ctx, o, p, "days_to_first_employer_contact", 0, 3650, false, &g->first_contact_days);
    double months = g->max_search_days / DAYS_PER_MONTH;
    if (jc_number(ctx, o, p, "max_search_months", 0, 600, false, &months))
        g->max_search_days = months * DAYS_PER_MONTH;
    months = g->follow_along_days < 0 ? -1 : g->follow_along_days / DAYS_PER_MONTH;
    if (jc_number(ctx, o, p, "follow_along_months", -1, 600, false, &months))
        g->follow_along_days = months < 0 ? -1 : months * DAYS_PER_MONTH;
    const cJSON *e = jc_object(ctx, o, p, "effects", false);
    if (e) {
        jc_join(q, sizeof q, p, "effects");
        jc_check_keys(ctx, e, q, effect_keys, ARRAY_LEN(effect_keys));
        jc_number(ctx, e, q, "job_finding", 0.01, 100, false, &g->hr_job_find);
        jc_number(ctx, e, q, "relapse", 0.01, 100, false, &g->hr_relapse);
        jc_number(ctx, e, q, "dropout", 0.01, 100, false, &g->hr_dropout);
        jc_number(ctx, e, q, "job_loss_while_supported", 0.01, 100, false, &g->hr_job_loss_support);
        jc_number(ctx, e, q, "job_loss_matching", 0.01, 100, false, &g->hr_job_loss_match);
        jc_number(ctx, e, q, "offer_refusal", 0, 100, false, &g->refusal_ratio);
    }
    const cJSON *f = jc_object(ctx, o, p, "fidelity", false);
    if (f) {
        jc_join(q, sizeof q, p, "fidelity");
        jc_check_keys(ctx, f, q, fidelity_keys, ARRAY_LEN(fidelity_keys));
        jc_number(ctx, f, q, "score", 25, 125, false, &g->fidelity);
        jc_number(ctx, f, q, "reference", 74, 125, false, &g->fidelity_reference);
        jc_bool(ctx, f, q, "scales_effects", false, &g->fidelity_scaled);
    }
    read_named_numbers(ctx, o, p, "coaches", region_names, N_REGION, 0, 1e6, g->coaches);
    long long caseload = g->caseload;
    if (jc_integer(ctx, o, p, "caseload", 1, 1000, false, &caseload))
        g->caseload = (int)caseload;
    jc_bool(ctx, o, p, "waiting_list", false, &g->waiting_list);
    const cJSON *cby = jc_object(ctx, o, p, "coaches_by_year", false);
    if (cby) {
        /* each region's schedule; a region left out has no coaches */
        jc_join(q, sizeof q, p, "coaches_by_year");
        jc_check_keys(ctx, cby, q, region_names, N_REGION);
        g->coaches_scheduled = true;
        for (int r = 0; r < N_REGION; r++) {
            g->coaches_by_year[r].n = 0;
            read_schedule(ctx, cby, q, region_names[r], 0, 1e6, &g->coaches_by_year[r]);
        }
    }
}

static void programme_defaults(programme_params *g);

/* Reads the policy list; programmes start from `base`'s policy of the same
 * type (the default scenario), so a user config states only differences. */
static void read_policies(jc_ctx *ctx, const cJSON *root, model_params *mp,
                          const model_params *base)
{
    static const char *const keys[] = { "name", "type", "programme", "source", "note" };
    const cJSON *a = jc_array(ctx, root, "", "policies", false);
    if (!a)
        return;
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (n == 0 || n > MAX_POLICIES) {
        jc_error(ctx, "policies", "needs 1 to %d policies, found %zu", MAX_POLICIES, n);
        return;
    }
    mp->npolicies = n;
    size_t i = 0;
    for (const cJSON *o = a->child; o; o = o->next, i++) {
        char p[PATH_MAX_LEN];
        snprintf(p, sizeof p, "policies[%zu]", i);
        policy_params *pol = &mp->policy[i];
        if (!cJSON_IsObject(o)) {
            jc_error(ctx, p, "expected an object with name and type");
            continue;
        }
        jc_check_keys(ctx, o, p, keys, ARRAY_LEN(keys));
        int type = POLICY_STATUS_QUO;
        jc_enum(ctx, o, p, "type", policy_type_names, N_POLICY_KIND, true, &type);
        const char *name = policy_type_names[type];
        jc_string(ctx, o, p, "name", false, &name);
        memset(pol, 0, sizeof *pol);
        pol->kind = type;
        programme_defaults(&pol->prog);
        for (size_t k = 0; k < base->npolicies; k++)
            if (base->policy[k].kind == type) {
                pol->prog = base->policy[k].prog;
                break;
            }
        if (strlen(name) == 0 || strlen(name) >= sizeof pol->name
            || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
                   != strlen(name)) {
            char q[PATH_MAX_LEN];
            jc_error(ctx, jc_join(q, sizeof q, p, "name"),
                     "'%s' is not a valid policy name (1 to %zu letters, digits, '_' or '-')",
                     name, sizeof pol->name - 1);
        } else {
            strcpy(pol->name, name);
        }
        bool named = cJSON_GetObjectItemCaseSensitive(o, "name") != NULL;
        for (size_t k = 0; k < i; k++)
            if (strcmp(mp->policy[k].name, pol->name) == 0) {
                char q[PATH_MAX_LEN];
                /* an unnamed policy has no "name" to point at: point at the policy */
                jc_error(ctx, named ? jc_join(q, sizeof q, p, "name") : p,
                         "'%s' is already the name of policies[%zu]; names must be unique%s",
                         pol->name, k,
                         named ? "" : " (this policy has no name, so it takes its type's; "
                                      "give it one)");
            }
        if (type == POLICY_STATUS_QUO) {
            if (cJSON_GetObjectItemCaseSensitive(o, "programme")) {
                char q[PATH_MAX_LEN];
                jc_error(ctx, jc_join(q, sizeof q, p, "programme"),
                         "a status_quo policy has no programme");
            }
            pol->prog.exists = false;
        } else {
            pol->prog.exists = true;
            read_programme(ctx, o, p, &pol->prog);
        }
    }
}

static void read_config(jc_ctx *ctx, ipsim_config *cfg, const model_params *base)
{
    static const char *const top_keys[] = {
        "ipsim_config", "description", "run", "population", "transitions", "referral", "work",
        "mortality", "pension_age", "policies", "sources", "note",
        "calibration", "calibration_report", /* read by ipsim calibrate (io/calib_config.c) */
        "projection", /* read by ipsim project (io/proj_config.c) */
        "trial", /* read here (io/config_trial.c) for ipsim trial and ipsim power */
        "uncertainty" /* read here (io/uncertainty_config.c) for ipsim run and ipsim project */ };
    static const char *const run_keys[] = { "start_year", "years", "scale", "replications",
                                            "seed", "event_log", "source", "note" };
    static const char *const pop_keys[] = { "stock", "inflow", "source", "note" };
    static const char *const tr_keys[] = { "recovery", "part_time_start", "referral",
                                           "job_finding", "job_loss", "relapse", "dropout",
                                           "part_time_to_full_time", "source", "note" };
    static const char *const ref_keys[] = { "mental_only", "max_age", "source", "note" };
    static const char *const work_keys[] = { "offer_refusal", "part_time_share",
                                             "sustained_months", "benefit_return_days",
                                             "source", "note" };
    static const char *const mort_keys[] = { "gompertz_a", "gompertz_b", "hr_mental", "source",
                                             "note" };
    model_params *mp = &cfg->model;
    const cJSON *root = jc_root(ctx);
    if (!cJSON_IsObject(root)) {
        jc_error(ctx, "", "the config must be a JSON object");
        return;
    }
    jc_check_keys(ctx, root, "", top_keys, ARRAY_LEN(top_keys));
    long long version = 1;
    if (jc_integer(ctx, root, "", "ipsim_config", 1, 1000, false, &version) && version != 1)
        jc_error(ctx, "ipsim_config", "version %lld is not supported (this ipsim reads 1)", version);
    const char *desc = NULL;
    if (jc_string(ctx, root, "", "description", false, &desc))
        snprintf(cfg->description, sizeof cfg->description, "%s", desc);

    const cJSON *run = jc_object(ctx, root, "", "run", false);
    if (run) {
        jc_check_keys(ctx, run, "run", run_keys, ARRAY_LEN(run_keys));
        /* a whole year: day 0 is 1 January, which the calendar schedules
         * (coaches_by_year, projection years) and the summary rely on */
        long long start = (long long)mp->start_year;
        if (jc_integer(ctx, run, "run", "start_year", 1900, 2200, false, &start))
            mp->start_year = (double)start;
        double years = mp->horizon_days / DAYS_PER_YEAR;
        if (jc_number(ctx, run, "run", "years", 1.0 / 12, 100, false, &years))
            mp->horizon_days = years * DAYS_PER_YEAR;
        jc_number(ctx, run, "run", "scale", 1e-6, 100, false, &mp->scale);
        long long reps = (long long)cfg->replications, seed = (long long)cfg->seed;
        if (jc_integer(ctx, run, "run", "replications", 1, 1000000, false, &reps))
            cfg->replications = (size_t)reps;
        if (jc_integer(ctx, run, "run", "seed", 0, 9007199254740991LL, false, &seed))
            cfg->seed = (uint64_t)seed;
        jc_bool(ctx, run, "run", "event_log", false, &mp->event_log);
    }
    const cJSON *pop = jc_object(ctx, root, "", "population", false);
    if (pop) {
        jc_check_keys(ctx, pop, "population", pop_keys, ARRAY_LEN(pop_keys));
        read_cohort(ctx, pop, "population", "stock", true, &mp->stock, mp);
        read_cohort(ctx, pop, "population", "inflow", false, &mp->inflow, mp);
    }
    const cJSON *tr = jc_object(ctx, root, "", "transitions", false);
    if (tr) {
        jc_check_keys(ctx, tr, "transitions", tr_keys, ARRAY_LEN(tr_keys));
        read_hazard(ctx, tr, "transitions", "recovery", &mp->recovery);
        read_hazard(ctx, tr, "transitions", "part_time_start", &mp->part_time_start);
        read_hazard(ctx, tr, "transitions", "referral", &mp->referral);
        read_hazard(ctx, tr, "transitions", "job_finding", &mp->job_find);
        read_hazard(ctx, tr, "transitions", "job_loss", &mp->job_loss);
        read_hazard(ctx, tr, "transitions", "relapse", &mp->relapse);
        read_hazard(ctx, tr, "transitions", "dropout", &mp->dropout);
        read_hazard(ctx, tr, "transitions", "part_time_to_full_time", &mp->part_to_full);
    }
    const cJSON *ref = jc_object(ctx, root, "", "referral", false);
    if (ref) {
        jc_check_keys(ctx, ref, "referral", ref_keys, ARRAY_LEN(ref_keys));
        jc_bool(ctx, ref, "referral", "mental_only", false, &mp->referral_mental_only);
        jc_number(ctx, ref, "referral", "max_age", 18, 75, false, &mp->referral_max_age);
    }
    const cJSON *work = jc_object(ctx, root, "", "work", false);
    if (work) {
        jc_check_keys(ctx, work, "work", work_keys, ARRAY_LEN(work_keys));
        jc_probability(ctx, work, "work", "offer_refusal", false, &mp->offer_refusal);
        jc_probability(ctx, work, "work", "part_time_share", false, &mp->part_time_share);
        double months = mp->sustained_days / DAYS_PER_MONTH;
        if (jc_number(ctx, work, "work", "sustained_months", 0.1, 120, false, &months))
            mp->sustained_days = months * DAYS_PER_MONTH;
        jc_number(ctx, work, "work", "benefit_return_days", 0, 3650, false,
                  &mp->benefit_return_days);
    }
    const cJSON *mort = jc_object(ctx, root, "", "mortality", false);
    if (mort) {
        jc_check_keys(ctx, mort, "mortality", mort_keys, ARRAY_LEN(mort_keys));
        read_named_numbers(ctx, mort, "mortality", "gompertz_a", sex_names, N_SEX, 0, 1,
                           mp->gompertz_a);
        jc_number(ctx, mort, "mortality", "gompertz_b", 0, 1, false, &mp->gompertz_b);
        jc_number(ctx, mort, "mortality", "hr_mental", 0, 100, false, &mp->hr_death_mental);
    }
    read_schedule(ctx, root, "", "pension_age", 50, 75, &mp->pension_age);
    read_policies(ctx, root, mp, base);
    config_trial_read(ctx, root, mp, &cfg->trial);
    uncertainty_read(ctx, root, &cfg->uncertainty);
    const cJSON *sources = jc_object(ctx, root, "", "sources", false);
    (void)sources; /* free-form references, kept in the resolved config */
    /* free parameters and the fit report: checked by ipsim calibrate */
    (void)jc_object(ctx, root, "", "calibration", false);
    (void)jc_object(ctx, root, "", "calibration_report", false);
    (void)jc_object(ctx, root, "", "projection", false);
}

/* Merges `over` into `into` (both objects): objects recursively, everything
 * else replaced. */
static int merge_objects(cJSON *into, const cJSON *over)
{
    for (const cJSON *m = over->child; m; m = m->next) {
        cJSON *old = cJSON_GetObjectItemCaseSensitive(into, m->string);
        if (old && cJSON_IsObject(old) && cJSON_IsObject(m)) {
            if (merge_objects(old, m) != 0)
                return -1;
            continue;
        }
        cJSON *dup = cJSON_Duplicate(m, 1);
        if (!dup)
            return -1;
        if (old)
            cJSON_ReplaceItemInObjectCaseSensitive(into, m->string, dup);
        else
            cJSON_AddItemToObject(into, m->string, dup);
    }
    return 0;
}

/* The resolved config: default tree with the user's merged in; each user
 * policy is merged over the default policy of its type. */
static char *resolve_json(const cJSON *base_root, const cJSON *user_root)
{
    cJSON *out = cJSON_Duplicate(base_root, 1);
    if (!out)
        return NULL;
    char *text = NULL;
    if (user_root) {
        cJSON *user = cJSON_Duplicate(user_root, 1);
        if (!user)
            goto done;
        cJSON *upol = cJSON_DetachItemFromObjectCaseSensitive(user, "policies");
        if (merge_objects(out, user) != 0) {
            cJSON_Delete(user);
            cJSON_Delete(upol);
            goto done;
        }
        cJSON_Delete(user);
        /* the default's description describes the default's policies, not
         * this config's: a config without one has none */
        if (!cJSON_GetObjectItemCaseSensitive(user_root, "description"))
            cJSON_DeleteItemFromObjectCaseSensitive(out, "description");
        if (upol) {
            const cJSON *bpol = cJSON_GetObjectItemCaseSensitive(base_root, "policies");
            cJSON *merged = cJSON_CreateArray();
            for (cJSON *p = upol->child; merged && p; p = p->next) {
                const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
                cJSON *item = NULL;
                for (const cJSON *b = bpol ? bpol->child : NULL; b && !item; b = b->next) {
                    const cJSON *bt = cJSON_GetObjectItemCaseSensitive(b, "type");
                    if (cJSON_IsString(type) && cJSON_IsString(bt)
                        && strcmp(type->valuestring, bt->valuestring) == 0)
                        item = cJSON_Duplicate(b, 1);
                }
                if (!item)
                    item = cJSON_CreateObject();
                if (!item || merge_objects(item, p) != 0) {
                    cJSON_Delete(item);
                    cJSON_Delete(merged);
                    merged = NULL;
                    break;
                }
                cJSON_AddItemToArray(merged, item);
            }
            cJSON_Delete(upol);
            if (!merged)
                goto done;
            cJSON_ReplaceItemInObjectCaseSensitive(out, "policies", merged);
        }
    }
    text = jc_print(out, true);
done:
    cJSON_Delete(out);
    return text;
}

/* A programme that changes nothing: no training, ratios 1. */
static void programme_defaults(programme_params *g)
{
    memset(g, 0, sizeof *g);
    hazard_init_none(&g->training_end);
    g->hr_job_find = g->hr_relapse = g->hr_dropout = 1;
    g->hr_job_loss_support = g->hr_job_loss_match = g->refusal_ratio = 1;
    g->fidelity = 100;
    g->fidelity_reference = 115;
    g->caseload = 20;
    g->waiting_list = true;
}

static void defaults_before_reading(ipsim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    model_params *mp = &cfg->model;
    mp->start_year = 2017;
    mp->horizon_days = 10 * DAYS_PER_YEAR;
    mp->scale = 1;
    hazard *hs[] = { &mp->recovery, &mp->part_time_start, &mp->referral, &mp->job_find,
                     &mp->job_loss, &mp->relapse, &mp->dropout, &mp->part_to_full };
    for (size_t i = 0; i < ARRAY_LEN(hs); i++)
        hazard_init_none(hs[i]);
    mp->referral_mental_only = true;
    mp->referral_max_age = 60;
    mp->sustained_days = 12 * DAYS_PER_MONTH;
    mp->benefit_return_days = 90;
    cfg->seed = 1;
    cfg->replications = 1;
    trial_params_default(&cfg->trial);
    for (size_t k = 0; k < MAX_POLICIES; k++)
        programme_defaults(&mp->policy[k].prog);
}

/* Checks that need several keys at once. */
static void check_whole(jc_ctx *ctx, const ipsim_config *cfg)
{
    const model_params *mp = &cfg->model;
    if (mp->npolicies == 0)
        jc_error(ctx, "policies", "at least one policy is needed");
    for (size_t i = 0; i < mp->npolicies; i++) {
        const policy_params *pol = &mp->policy[i];
        char p[PATH_MAX_LEN];
        snprintf(p, sizeof p, "policies[%zu].programme", i);
        if (pol->kind != POLICY_STATUS_QUO && pol->prog.training
            && pol->prog.training_end.shape == HAZ_NONE)
            jc_error(ctx, p, "training_phase is true but training_duration has shape none");
        if (pol->kind == POLICY_IPS && pol->prog.fidelity_scaled
            && pol->prog.fidelity_reference <= FIDELITY_NOT_IPS)
            jc_error(ctx, p, "fidelity.reference must be above %g", FIDELITY_NOT_IPS);
    }
    if (mp->stock.people * mp->scale > 4e9)
        jc_error(ctx, "population.stock.people", "people x scale is above 4e9");
}

static int load_base(ipsim_config *base, const jc_sink *sink, jc_ctx **base_ctx)
{
    size_t len;
    const char *text = config_default_text(&len);
    defaults_before_reading(base);
    jc_ctx *ctx = jc_parse("built-in default", text, len);
    if (!ctx)
        return CONFIG_NOMEM;
    if (jc_root(ctx)) {
        model_params empty = base->model;
        read_config(ctx, base, &empty);
    }
    if (jc_error_count(ctx) > 0) {
        int rc = jc_report_errors(ctx, sink) ? CONFIG_NOMEM : CONFIG_INVALID;
        jc_free(ctx);
        return rc;
    }
    *base_ctx = ctx;
    return CONFIG_OK;
}

static int load_ctx(jc_ctx *user, ipsim_config *cfg, const jc_sink *sink)
{
    ipsim_config base;
    jc_ctx *base_ctx = NULL;
    int rc = load_base(&base, sink, &base_ctx);
    if (rc != CONFIG_OK)
        return rc;
    *cfg = base;
    if (user && jc_root(user)) {
        cfg->description[0] = '\0'; /* not inherited: see resolve_json */
        read_config(user, cfg, &base.model);
    }
    if (user && jc_error_count(user) == 0)
        check_whole(user, cfg);
    else if (!user)
        check_whole(base_ctx, cfg);
    jc_ctx *report = user ? user : base_ctx;
    snprintf(cfg->source, sizeof cfg->source, "%s", user ? jc_filename(user) : "built-in default");
    cfg->resolved_json = NULL;
    if (jc_error_count(report) == 0) {
        cfg->resolved_json = resolve_json(jc_root(base_ctx), user ? jc_root(user) : NULL);
        /* the section's paths and extreme draws need the resolved config */
        if (!cfg->resolved_json
            || uncertainty_check(report, cfg->resolved_json, cfg->source, &cfg->uncertainty) != 0) {
            free(cfg->resolved_json);
            jc_free(base_ctx);
            return CONFIG_NOMEM;
        }
    }
    if (jc_error_count(report) > 0) {
        rc = jc_report_errors(report, sink) ? CONFIG_NOMEM : CONFIG_INVALID;
        free(cfg->resolved_json);
        cfg->resolved_json = NULL;
        jc_free(base_ctx);
        return rc;
    }
    jc_free(base_ctx);
    return CONFIG_OK;
}

int config_load(const char *path, ipsim_config *cfg, FILE *err)
{
    jc_sink sink = { err, NULL };
    if (!path)
        return load_ctx(NULL, cfg, &sink);
    jc_ctx *ctx = jc_parse_file(path);
    if (!ctx)
        return CONFIG_NOMEM;
    int rc = load_ctx(ctx, cfg, &sink);
    jc_free(ctx);
    return rc;
}

int config_load_text_to(const char *name, const char *text, size_t len, ipsim_config *cfg,
                        const jc_sink *sink)
{
    jc_ctx *ctx = jc_parse(name, text, len);
    if (!ctx)
        return CONFIG_NOMEM;
    int rc = load_ctx(ctx, cfg, sink);
    jc_free(ctx);
    return rc;
}

int config_load_text(const char *name, const char *text, size_t len, ipsim_config *cfg,
                     FILE *err)
{
    jc_sink sink = { err, NULL };
    return config_load_text_to(name, text, len, cfg, &sink);
}

void config_clear(ipsim_config *cfg)
{
    free(cfg->resolved_json);
    cfg->resolved_json = NULL;
    free(cfg->overrides);
    cfg->overrides = NULL;
}

int config_record(ipsim_config *cfg, const char *path, cJSON *value)
{
    cJSON *tree = value && cfg->resolved_json ? cJSON_Parse(cfg->resolved_json) : NULL;
    if (!tree) {
        cJSON_Delete(value);
        return -1;
    }
    cJSON *obj = tree;
    char name[128];
    const char *at = path;
    for (;;) {
        const char *dot = strchr(at, '.');
        size_t len = dot ? (size_t)(dot - at) : strlen(at);
        if (len == 0 || len >= sizeof name || !cJSON_IsObject(obj))
            goto fail;
        memcpy(name, at, len);
        name[len] = '\0';
        if (!dot)
            break;
        cJSON *next = cJSON_GetObjectItemCaseSensitive(obj, name);
        if (!next && !(next = cJSON_AddObjectToObject(obj, name)))
            goto fail;
        obj = next;
        at = dot + 1;
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, name)) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, name, value))
            goto fail;
    } else if (!cJSON_AddItemToObject(obj, name, value)) {
        goto fail;
    }
    value = NULL; /* owned by the tree now */
    char *text = jc_print(tree, true);
    cJSON_Delete(tree);
    if (!text)
        return -1;
    free(cfg->resolved_json);
    cfg->resolved_json = text;
    return 0;
fail:
    cJSON_Delete(value);
    cJSON_Delete(tree);
    return -1;
}

int config_record_u64(ipsim_config *cfg, const char *path, uint64_t v)
{
    return config_record(cfg, path, jc_exact_u64(v));
}

int config_record_bool(ipsim_config *cfg, const char *path, bool v)
{
    return config_record(cfg, path, cJSON_CreateBool(v));
}
