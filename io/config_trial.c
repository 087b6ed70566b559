/* config_trial: reading and writing the "trial" section; see config_trial.h.
 * Like io/config.c, every reader records its errors and carries on, so the
 * user sees all problems at once. */
#include "io/config_trial.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats/stats_common.h"

#define PATH_LEN 256
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const region_names[N_REGION] = { "flanders", "wallonia", "brussels" };
static const char *const model_names[N_TRIAL_MODEL] = { "claimant", "binomial", "exponential" };
static const char *const severity_names[3] = { "mild", "moderate", "severe" };
static const char *const benefit_names[N_BENEFIT] = { "primary_incapacity", "invalidity" };
static const char *const sided_names[2] = { "two_sided", "greater" };

static void read_regions(jc_ctx *ctx, const cJSON *o, const char *path, const char *key,
                         double max, double *out)
{
    char p[PATH_LEN];
    const cJSON *r = jc_object(ctx, o, path, key, false);
    if (!r)
        return;
    jc_join(p, sizeof p, path, key);
    jc_check_keys(ctx, r, p, region_names, N_REGION);
    for (int g = 0; g < N_REGION; g++) {
        long long v = (long long)out[g];
        if (jc_integer(ctx, r, p, region_names[g], 0, (long long)max, false, &v))
            out[g] = (double)v;
    }
}

/* An array of names, each one of `names`; out[i] true when listed. */
static void read_name_list(jc_ctx *ctx, const cJSON *o, const char *path, const char *key,
                           const char *const *names, size_t n, bool *out)
{
    char p[PATH_LEN], q[PATH_LEN + 16], allowed[256] = "";
    const cJSON *a = jc_array(ctx, o, path, key, false);
    if (!a)
        return;
    jc_join(p, sizeof p, path, key);
    for (size_t i = 0; i < n; i++)
        snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s",
                 i ? ", " : "", names[i]);
    bool got[8] = { false }, ok = true;
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        snprintf(q, sizeof q, "%s[%zu]", p, i);
        if (!cJSON_IsString(e)) {
            jc_error(ctx, q, "expected a name (one of %s)", allowed);
            ok = false;
            continue;
        }
        size_t k = 0;
        while (k < n && strcmp(e->valuestring, names[k]) != 0)
            k++;
        if (k == n) {
            jc_error(ctx, q, "'%s' is not allowed (allowed: %s)", e->valuestring, allowed);
            ok = false;
            continue;
        }
        got[k] = true;
    }
    if (i == 0) {
        jc_error(ctx, p, "must list at least one of %s", allowed);
        ok = false;
    }
    if (ok)
        for (size_t k = 0; k < n; k++)
            out[k] = got[k];
}

/* Months listed in an array, stored as days; each within [1, max_months]. */
/* Reads a list of windows in months; true if the file's list was taken. */
static bool read_months(jc_ctx *ctx, const cJSON *o, const char *path, const char *key,
                        double max_months, double *days, size_t *n)
{
    double m[TRIAL_MAX_WINDOWS];
    size_t k;
    if (!jc_number_array(ctx, o, path, key, 1, max_months, m, TRIAL_MAX_WINDOWS, &k, false))
        return false;
    for (size_t i = 0; i < k; i++)
        days[i] = m[i] * DAYS_PER_MONTH;
    *n = k;
    return true;
}

static void read_arm_pair(jc_ctx *ctx, const cJSON *o, const char *path, const char *key,
                          const char *ips_key, const char *control_key, double *out)
{
    char p[PATH_LEN];
    const cJSON *r = jc_object(ctx, o, path, key, false);
    if (!r)
        return;
    jc_join(p, sizeof p, path, key);
    const char *keys[2] = { ips_key, control_key };
    jc_check_keys(ctx, r, p, keys, 2);
    jc_probability(ctx, r, p, ips_key, false, &out[ARM_IPS]);
    jc_probability(ctx, r, p, control_key, false, &out[ARM_CONTROL]);
}

static void read_capacity(jc_ctx *ctx, const cJSON *o, const char *path, const char *key,
                          double *coaches, int *caseload)
{
    static const char *const keys[] = { "coaches", "caseload" };
    char p[PATH_LEN];
    const cJSON *c = jc_object(ctx, o, path, key, false);
    if (!c)
        return;
    jc_join(p, sizeof p, path, key);
    jc_check_keys(ctx, c, p, keys, ARRAY_LEN(keys));
    read_regions(ctx, c, p, "coaches", 4000, coaches);
    long long k = *caseload;
    if (jc_integer(ctx, c, p, "caseload", 1, 1000, false, &k))
        *caseload = (int)k;
}

/* A grid of numbers within [min, max]; whole numbers only when `whole`
 * (each other value reported at its own index). */
static void read_grid(jc_ctx *ctx, const cJSON *o, const char *path, const char *key, double min,
                      double max, bool whole, double *out, size_t *n)
{
    double v[16];
    size_t k;
    if (!jc_number_array(ctx, o, path, key, min, max, v, 16, &k, false))
        return;
    bool ok = true;
    for (size_t i = 0; whole && i < k; i++) {
        if (v[i] != floor(v[i])) {
            char p[PATH_LEN], q[PATH_LEN + 24];
            snprintf(q, sizeof q, "%s[%zu]", jc_join(p, sizeof p, path, key), i);
            jc_error(ctx, q, "%.15g is not a whole number of participants (allowed %.15g..%.15g)",
                     v[i], min, max);
            ok = false;
        }
    }
    if (ok) {
        memcpy(out, v, k * sizeof *v);
        *n = k;
    }
}

void config_trial_read(jc_ctx *ctx, const cJSON *root, const model_params *mp, trial_params *tp)
{
    static const char *const keys[] = {
        "model", "test_model", "participants", "block_size", "recruitment_months",
        "follow_up_months", "arms", "ips_capacity", "control_capacity", "inclusion",
        "coach_icc", "coach_pilot_clients", "attrition", "non_compliance", "crossover", "outcomes", "benefit",
        "analysis", "power" };
    static const char *const test_keys[] = { "p_ips", "p_control", "rate_ips_per_year",
                                             "rate_control_per_year" };
    static const char *const arm_keys[] = { "ips", "control" };
    static const char *const incl_keys[] = { "mental_disorder_only", "min_age", "max_age",
                                             "severity", "benefit" };
    static const char *const attr_keys[] = { "per_year", "on_leaving_benefit" };
    static const char *const out_keys[] = { "ever_worked_months", "working_at_months",
                                            "sustained_months", "primary" };
    static const char *const ben_keys[] = { "monthly_eur", "part_time_share" };
    static const char *const an_keys[] = { "alpha", "sided", "ci_level" };
    static const char *const pow_keys[] = { "replications", "n", "effect" };
    const char *P = "trial";
    char q[PATH_LEN];
    const cJSON *t = jc_object(ctx, root, "", "trial", false);
    if (!t)
        return;
    jc_check_keys(ctx, t, P, keys, ARRAY_LEN(keys));
    jc_enum(ctx, t, P, "model", model_names, N_TRIAL_MODEL, false, &tp->model);

    const cJSON *tm = jc_object(ctx, t, P, "test_model", false);
    if (tm) {
        jc_join(q, sizeof q, P, "test_model");
        jc_check_keys(ctx, tm, q, test_keys, ARRAY_LEN(test_keys));
        jc_probability(ctx, tm, q, "p_ips", false, &tp->p_test[ARM_IPS]);
        jc_probability(ctx, tm, q, "p_control", false, &tp->p_test[ARM_CONTROL]);
        double r1 = tp->rate_test[ARM_IPS] * DAYS_PER_YEAR;
        double r0 = tp->rate_test[ARM_CONTROL] * DAYS_PER_YEAR;
        if (jc_number(ctx, tm, q, "rate_ips_per_year", 1e-6, 1e4, false, &r1))
            tp->rate_test[ARM_IPS] = r1 / DAYS_PER_YEAR;
        if (jc_number(ctx, tm, q, "rate_control_per_year", 1e-6, 1e4, false, &r0))
            tp->rate_test[ARM_CONTROL] = r0 / DAYS_PER_YEAR;
    }

    read_regions(ctx, t, P, "participants", 1e6, tp->participants);
    long long bs = tp->block_size;
    if (jc_integer(ctx, t, P, "block_size", 2, 64, false, &bs)) {
        if (bs % 2)
            jc_error(ctx, jc_join(q, sizeof q, P, "block_size"),
                     "%lld is odd; a block holds as many IPS as control places (2, 4, ..., 64)",
                     bs);
        else
            tp->block_size = (int)bs;
    }
    double months = tp->recruitment_days / DAYS_PER_MONTH;
    if (jc_number(ctx, t, P, "recruitment_months", 0, 240, false, &months))
        tp->recruitment_days = months * DAYS_PER_MONTH;
    months = tp->follow_up_days / DAYS_PER_MONTH;
    if (jc_number(ctx, t, P, "follow_up_months", 1, 600, false, &months))
        tp->follow_up_days = months * DAYS_PER_MONTH;

    const cJSON *arms = jc_object(ctx, t, P, "arms", false);
    if (arms) {
        jc_join(q, sizeof q, P, "arms");
        jc_check_keys(ctx, arms, q, arm_keys, ARRAY_LEN(arm_keys));
        const char *name;
        char *dst[2] = { tp->ips_policy, tp->control_policy };
        for (int i = 0; i < 2; i++) {
            if (!jc_string(ctx, arms, q, arm_keys[i], false, &name))
                continue;
            char r[PATH_LEN];
            jc_join(r, sizeof r, q, arm_keys[i]);
            int found = -1;
            for (size_t k = 0; k < mp->npolicies; k++)
                if (!strcmp(mp->policy[k].name, name))
                    found = (int)k;
            if (found < 0) {
                char names[256] = "";
                for (size_t k = 0; k < mp->npolicies; k++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                             k ? ", " : "", mp->policy[k].name);
                jc_error(ctx, r, "no policy named '%s' (policies: %s)", name, names);
            } else if (mp->policy[found].kind == POLICY_STATUS_QUO) {
                jc_error(ctx, r, "'%s' is a status_quo policy; an arm needs a programme", name);
            } else if (strlen(name) < 32) {
                snprintf(dst[i], 32, "%s", name);
            }
        }
    }
    read_capacity(ctx, t, P, "ips_capacity", tp->ips_coaches, &tp->ips_caseload);
    read_capacity(ctx, t, P, "control_capacity", tp->control_coaches, &tp->control_caseload);

    const cJSON *inc = jc_object(ctx, t, P, "inclusion", false);
    if (inc) {
        jc_join(q, sizeof q, P, "inclusion");
        jc_check_keys(ctx, inc, q, incl_keys, ARRAY_LEN(incl_keys));
        jc_bool(ctx, inc, q, "mental_disorder_only", false, &tp->mental_only);
        jc_number(ctx, inc, q, "min_age", 15, 75, false, &tp->min_age);
        jc_number(ctx, inc, q, "max_age", 16, 80, false, &tp->max_age);
        if (!(tp->min_age < tp->max_age))
            jc_error(ctx, q, "min_age %g must be below max_age %g", tp->min_age, tp->max_age);
        read_name_list(ctx, inc, q, "severity", severity_names, 3, tp->severity_ok);
        read_name_list(ctx, inc, q, "benefit", benefit_names, N_BENEFIT, tp->benefit_ok);
    }
    jc_number(ctx, t, P, "coach_icc", 0, 0.5, false, &tp->coach_icc);
    jc_integer(ctx, t, P, "coach_pilot_clients", 1000, 10000000, false, &tp->coach_pilot_clients);

    const cJSON *att = jc_object(ctx, t, P, "attrition", false);
    if (att) {
        jc_join(q, sizeof q, P, "attrition");
        jc_check_keys(ctx, att, q, attr_keys, ARRAY_LEN(attr_keys));
        double r = tp->attrition_rate * DAYS_PER_YEAR;
        if (jc_number(ctx, att, q, "per_year", 0, 10, false, &r))
            tp->attrition_rate = r / DAYS_PER_YEAR;
        jc_probability(ctx, att, q, "on_leaving_benefit", false, &tp->attrition_off_benefit);
    }
    read_arm_pair(ctx, t, P, "non_compliance", "ips", "control", tp->non_compliance);
    read_arm_pair(ctx, t, P, "crossover", "ips_to_control", "control_to_ips", tp->crossover);
    for (int a = 0; a < N_ARM; a++)
        if (tp->non_compliance[a] + tp->crossover[a] > 1 + 1e-12)
            jc_error(ctx, a == ARM_IPS ? "trial.crossover.ips_to_control"
                                       : "trial.crossover.control_to_ips",
                     "non_compliance + crossover of the %s arm is %g; it cannot exceed 1",
                     a == ARM_IPS ? "IPS" : "control",
                     tp->non_compliance[a] + tp->crossover[a]);

    const cJSON *out = jc_object(ctx, t, P, "outcomes", false);
    const char *primary = NULL;
    bool ever_given = false, at_given = false, sustained_given = false;
    if (out) {
        jc_join(q, sizeof q, P, "outcomes");
        jc_check_keys(ctx, out, q, out_keys, ARRAY_LEN(out_keys));
        double fu = tp->follow_up_days / DAYS_PER_MONTH;
        ever_given = read_months(ctx, out, q, "ever_worked_months", fu, tp->ever_days,
                                 &tp->n_ever);
        at_given = read_months(ctx, out, q, "working_at_months", fu, tp->at_days, &tp->n_at);
        double m = tp->sustained_days / DAYS_PER_MONTH;
        sustained_given = cJSON_GetObjectItemCaseSensitive(out, "sustained_months") != NULL;
        if (jc_number(ctx, out, q, "sustained_months", 0.1, fu, false, &m))
            tp->sustained_days = m * DAYS_PER_MONTH;
        jc_string(ctx, out, q, "primary", false, &primary);
    }
    /* windows beyond follow-up (when only follow-up changed, the windows are
     * the defaults: say so, since the file has no such key to point at) */
    const char *ever_src = ever_given ? "" : " (the default)";
    const char *at_src = at_given ? "" : " (the default)";
    double fu_months = tp->follow_up_days / DAYS_PER_MONTH;
    for (size_t k = 0; k < tp->n_ever; k++)
        if (tp->ever_days[k] > tp->follow_up_days + 1e-9)
            jc_error(ctx, "trial.outcomes.ever_worked_months", "%.0f months%s is beyond "
                     "follow_up_months %.0f", tp->ever_days[k] / DAYS_PER_MONTH, ever_src,
                     fu_months);
    for (size_t k = 0; k < tp->n_at; k++)
        if (tp->at_days[k] > tp->follow_up_days + 1e-9)
            jc_error(ctx, "trial.outcomes.working_at_months", "%.0f months%s is beyond "
                     "follow_up_months %.0f", tp->at_days[k] / DAYS_PER_MONTH, at_src,
                     fu_months);
    if (!sustained_given && tp->sustained_days > tp->follow_up_days + 1e-9)
        jc_error(ctx, "trial.outcomes.sustained_months", "%.4g months (the default) is "
                 "beyond follow_up_months %.0f; set it to at most %.0f",
                 tp->sustained_days / DAYS_PER_MONTH, fu_months, fu_months);
    if (tp->primary_window >= trial_binary_windows(tp, tp->primary_kind)) {
        tp->primary_kind = OUT_EVER_WORKED;
        tp->primary_window = 0;
    }
    if (primary) {
        char allowed[512] = "", name[40];
        bool found = false;
        for (int kind = 0; kind < N_OUT_BINARY_KIND; kind++)
            for (size_t w = 0; w < trial_binary_windows(tp, kind); w++) {
                trial_binary_name(tp, kind, w, name, sizeof name);
                snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s",
                         allowed[0] ? ", " : "", name);
                if (!found && !strcmp(name, primary)) {
                    tp->primary_kind = kind;
                    tp->primary_window = w;
                    found = true;
                }
            }
        if (!found)
            jc_error(ctx, "trial.outcomes.primary",
                     "'%s' is not a binary outcome of this design (allowed: %s)", primary,
                     allowed);
    }

    const cJSON *ben = jc_object(ctx, t, P, "benefit", false);
    if (ben) {
        jc_join(q, sizeof q, P, "benefit");
        jc_check_keys(ctx, ben, q, ben_keys, ARRAY_LEN(ben_keys));
        jc_number(ctx, ben, q, "monthly_eur", 0, 100000, false, &tp->benefit_month_eur);
        jc_probability(ctx, ben, q, "part_time_share", false, &tp->benefit_part_time_share);
    }
    const cJSON *an = jc_object(ctx, t, P, "analysis", false);
    if (an) {
        jc_join(q, sizeof q, P, "analysis");
        jc_check_keys(ctx, an, q, an_keys, ARRAY_LEN(an_keys));
        jc_number(ctx, an, q, "alpha", 1e-6, 0.5, false, &tp->alpha);
        jc_enum(ctx, an, q, "sided", sided_names, 2, false, &tp->sided);
        jc_number(ctx, an, q, "ci_level", 0.5, 0.9999, false, &tp->ci_level);
    }
    const cJSON *pw = jc_object(ctx, t, P, "power", false);
    if (pw) {
        jc_join(q, sizeof q, P, "power");
        jc_check_keys(ctx, pw, q, pow_keys, ARRAY_LEN(pow_keys));
        long long r = (long long)tp->power_reps;
        if (jc_integer(ctx, pw, q, "replications", 1, 10000000, false, &r))
            tp->power_reps = (size_t)r;
        read_grid(ctx, pw, q, "n", 4, 1e6, true, tp->n_grid, &tp->n_grid_len);
        read_grid(ctx, pw, q, "effect", -10, 10, false, tp->effect_grid, &tp->effect_grid_len);
    }

    double total = 0;
    for (int g = 0; g < N_REGION; g++)
        total += tp->participants[g];
    if (total < 4)
        jc_error(ctx, "trial.participants", "%g participants in all; a trial needs at least 4",
                 total);
    if (tp->model == TRIAL_MODEL_EXPONENTIAL
        && !(tp->rate_test[ARM_IPS] > 0 && tp->rate_test[ARM_CONTROL] > 0))
        jc_error(ctx, "trial.test_model", "the exponential model needs both rates above 0");
}

static cJSON *regions_json(const double *v)
{
    cJSON *o = cJSON_CreateObject();
    for (int g = 0; g < N_REGION; g++)
        cJSON_AddNumberToObject(o, region_names[g], v[g]);
    return o;
}

static cJSON *months_json(const double *days, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(days[i] / DAYS_PER_MONTH));
    return a;
}

cJSON *config_trial_to_json(const trial_params *tp)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    char q[64];
    cJSON_AddStringToObject(o, "model", model_names[tp->model]);
    cJSON *tm = cJSON_AddObjectToObject(o, "test_model");
    cJSON_AddNumberToObject(tm, "p_ips", tp->p_test[ARM_IPS]);
    cJSON_AddNumberToObject(tm, "p_control", tp->p_test[ARM_CONTROL]);
    cJSON_AddNumberToObject(tm, "rate_ips_per_year", tp->rate_test[ARM_IPS] * DAYS_PER_YEAR);
    cJSON_AddNumberToObject(tm, "rate_control_per_year", tp->rate_test[ARM_CONTROL] * DAYS_PER_YEAR);
    cJSON_AddItemToObject(o, "participants", regions_json(tp->participants));
    cJSON_AddNumberToObject(o, "block_size", tp->block_size);
    cJSON_AddNumberToObject(o, "recruitment_months", tp->recruitment_days / DAYS_PER_MONTH);
    cJSON_AddNumberToObject(o, "follow_up_months", tp->follow_up_days / DAYS_PER_MONTH);
    cJSON *arms = cJSON_AddObjectToObject(o, "arms");
    cJSON_AddStringToObject(arms, "ips", tp->ips_policy);
    cJSON_AddStringToObject(arms, "control", tp->control_policy);
    cJSON *ic = cJSON_AddObjectToObject(o, "ips_capacity");
    cJSON_AddItemToObject(ic, "coaches", regions_json(tp->ips_coaches));
    cJSON_AddNumberToObject(ic, "caseload", tp->ips_caseload);
    cJSON *cc = cJSON_AddObjectToObject(o, "control_capacity");
    cJSON_AddItemToObject(cc, "coaches", regions_json(tp->control_coaches));
    cJSON_AddNumberToObject(cc, "caseload", tp->control_caseload);
    cJSON *inc = cJSON_AddObjectToObject(o, "inclusion");
    cJSON_AddBoolToObject(inc, "mental_disorder_only", tp->mental_only);
    cJSON_AddNumberToObject(inc, "min_age", tp->min_age);
    cJSON_AddNumberToObject(inc, "max_age", tp->max_age);
    cJSON *sev = cJSON_AddArrayToObject(inc, "severity");
    for (int i = 0; i < 3; i++)
        if (tp->severity_ok[i])
            cJSON_AddItemToArray(sev, cJSON_CreateString(severity_names[i]));
    cJSON *ben = cJSON_AddArrayToObject(inc, "benefit");
    for (int i = 0; i < N_BENEFIT; i++)
        if (tp->benefit_ok[i])
            cJSON_AddItemToArray(ben, cJSON_CreateString(benefit_names[i]));
    cJSON_AddNumberToObject(o, "coach_icc", tp->coach_icc);
    cJSON_AddNumberToObject(o, "coach_pilot_clients", (double)tp->coach_pilot_clients);
    cJSON *att = cJSON_AddObjectToObject(o, "attrition");
    cJSON_AddNumberToObject(att, "per_year", tp->attrition_rate * DAYS_PER_YEAR);
    cJSON_AddNumberToObject(att, "on_leaving_benefit", tp->attrition_off_benefit);
    cJSON *nc = cJSON_AddObjectToObject(o, "non_compliance");
    cJSON_AddNumberToObject(nc, "ips", tp->non_compliance[ARM_IPS]);
    cJSON_AddNumberToObject(nc, "control", tp->non_compliance[ARM_CONTROL]);
    cJSON *xo = cJSON_AddObjectToObject(o, "crossover");
    cJSON_AddNumberToObject(xo, "ips_to_control", tp->crossover[ARM_IPS]);
    cJSON_AddNumberToObject(xo, "control_to_ips", tp->crossover[ARM_CONTROL]);
    cJSON *out = cJSON_AddObjectToObject(o, "outcomes");
    cJSON_AddItemToObject(out, "ever_worked_months", months_json(tp->ever_days, tp->n_ever));
    cJSON_AddItemToObject(out, "working_at_months", months_json(tp->at_days, tp->n_at));
    cJSON_AddNumberToObject(out, "sustained_months", tp->sustained_days / DAYS_PER_MONTH);
    trial_binary_name(tp, tp->primary_kind, tp->primary_window, q, sizeof q);
    cJSON_AddStringToObject(out, "primary", q);
    cJSON *b = cJSON_AddObjectToObject(o, "benefit");
    cJSON_AddNumberToObject(b, "monthly_eur", tp->benefit_month_eur);
    cJSON_AddNumberToObject(b, "part_time_share", tp->benefit_part_time_share);
    cJSON *an = cJSON_AddObjectToObject(o, "analysis");
    cJSON_AddNumberToObject(an, "alpha", tp->alpha);
    cJSON_AddStringToObject(an, "sided", sided_names[tp->sided == STATS_GREATER]);
    cJSON_AddNumberToObject(an, "ci_level", tp->ci_level);
    cJSON *pw = cJSON_AddObjectToObject(o, "power");
    cJSON_AddNumberToObject(pw, "replications", (double)tp->power_reps);
    cJSON *n = cJSON_AddArrayToObject(pw, "n");
    for (size_t i = 0; i < tp->n_grid_len; i++)
        cJSON_AddItemToArray(n, cJSON_CreateNumber(tp->n_grid[i]));
    cJSON *e = cJSON_AddArrayToObject(pw, "effect");
    for (size_t i = 0; i < tp->effect_grid_len; i++)
        cJSON_AddItemToArray(e, cJSON_CreateNumber(tp->effect_grid[i]));
    return o;
}
