/* uncertainty_config: the "uncertainty" section and each replication's
 * parameters; see uncertainty_config.h. */
#include "io/uncertainty_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"
#include "io/config_tree.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define JPATH_LEN 256

/* Parts of the config a drawn value may not change: the run's shape and
 * seed, and the sections other commands read. */
static const char *const fixed_roots[] = { "run", "uncertainty", "calibration",
                                           "calibration_report", "projection", "trial",
                                           "sources", "ipsim_config" };

/* The keys each distribution takes, beyond name, path and distribution. */
static const char *const dist_keys[N_UNC_KIND][4] = {
    [UNC_NORMAL] = { "mean", "sd", "lower", "upper" },
    [UNC_LOGNORMAL] = { "median", "sd_log", "lower", "upper" },
    [UNC_UNIFORM] = { "lower", "upper", NULL, NULL },
    [UNC_BETA] = { "mean", "sd", "lower", "upper" },
    [UNC_GAMMA] = { "mean", "sd", "lower", "upper" },
};

static bool takes_key(unc_kind k, const char *key)
{
    for (size_t i = 0; i < 4; i++)
        if (dist_keys[k][i] && !strcmp(dist_keys[k][i], key))
            return true;
    return false;
}

/* The distribution of entry o (at p) into *x. */
static void read_distribution(jc_ctx *ctx, const cJSON *o, const char *p, unc_param *x)
{
    const char *kinds[N_UNC_KIND];
    for (int k = 0; k < N_UNC_KIND; k++)
        kinds[k] = unc_kind_name((unc_kind)k);
    int kind = -1;
    if (!jc_enum(ctx, o, p, "distribution", kinds, N_UNC_KIND, true, &kind))
        return;
    snprintf(x->distribution, sizeof x->distribution, "%s", kinds[kind]);
    char q[JPATH_LEN];
    static const char *const value_keys[] = { "mean", "sd", "median", "sd_log", "lower", "upper" };
    for (size_t i = 0; i < ARRAY_LEN(value_keys); i++)
        if (cJSON_GetObjectItemCaseSensitive(o, value_keys[i]) && !takes_key(kind, value_keys[i]))
            jc_error(ctx, jc_join(q, sizeof q, p, value_keys[i]),
                     "does not apply to a %s distribution (it takes %s, %s%s%s%s%s)", kinds[kind],
                     dist_keys[kind][0], dist_keys[kind][1], dist_keys[kind][2] ? ", " : "",
                     dist_keys[kind][2] ? dist_keys[kind][2] : "", dist_keys[kind][3] ? ", " : "",
                     dist_keys[kind][3] ? dist_keys[kind][3] : "");
    unc_dist *d = &x->dist;
    *d = (unc_dist){ (unc_kind)kind, NAN, NAN, -INFINITY, INFINITY };
    bool uniform = kind == UNC_UNIFORM;
    bool have_lo = jc_number(ctx, o, p, "lower", -1e12, 1e12, uniform, &d->lower);
    bool have_hi = jc_number(ctx, o, p, "upper", -1e12, 1e12, uniform, &d->upper);
    if (have_lo && have_hi && !(uniform ? d->lower <= d->upper : d->lower < d->upper))
        jc_error(ctx, jc_join(q, sizeof q, p, "upper"), "upper %g must be %s lower %g", d->upper,
                 uniform ? "at least" : "greater than", d->lower);
    double mean = NAN, sd = NAN;
    switch (kind) {
    case UNC_NORMAL:
        jc_number(ctx, o, p, "mean", -1e12, 1e12, true, &d->a);
        jc_number(ctx, o, p, "sd", 0, 1e12, true, &d->b);
        break;
    case UNC_LOGNORMAL:
        if (jc_number(ctx, o, p, "median", 0, 1e12, true, &d->a) && !(d->a > 0))
            jc_error(ctx, jc_join(q, sizeof q, p, "median"), "must be greater than 0");
        jc_number(ctx, o, p, "sd_log", 0, 10, true, &d->b);
        break;
    case UNC_UNIFORM:
        d->a = d->lower;
        d->b = d->upper;
        break;
    case UNC_BETA:
        if (jc_number(ctx, o, p, "mean", 0, 1, true, &mean) && !(mean > 0 && mean < 1))
            jc_error(ctx, jc_join(q, sizeof q, p, "mean"), "must lie strictly between 0 and 1");
        jc_number(ctx, o, p, "sd", 0, 0.5, true, &sd);
        break;
    case UNC_GAMMA:
        if (jc_number(ctx, o, p, "mean", 0, 1e12, true, &mean) && !(mean > 0))
            jc_error(ctx, jc_join(q, sizeof q, p, "mean"), "must be greater than 0");
        jc_number(ctx, o, p, "sd", 0, 1e12, true, &sd);
        break;
    default:
        break;
    }
    if ((kind == UNC_BETA && mean > 0 && mean < 1) || (kind == UNC_GAMMA && mean > 0)) {
        if (sd == 0) { /* no spread: the mean, as a normal with sd 0 */
            d->kind = UNC_NORMAL;
            d->a = mean;
            d->b = 0;
        } else if (sd > 0) {
            int ok = kind == UNC_BETA ? unc_beta_from_moments(mean, sd, &d->a, &d->b)
                                      : unc_gamma_from_moments(mean, sd, &d->a, &d->b);
            if (ok != 0 && sd * sd >= mean * (1 - mean))
                jc_error(ctx, jc_join(q, sizeof q, p, "sd"),
                         "%g is too large for a beta distribution of mean %g (sd must be below "
                         "sqrt(mean (1 - mean)) = %g)", sd, mean, sqrt(mean * (1 - mean)));
            else if (ok != 0)
                jc_error(ctx, jc_join(q, sizeof q, p, "sd"),
                         "%g is too small for a beta distribution of mean %g (at least %.3g; "
                         "so narrow a beta is a normal: use a normal with lower 0 and upper "
                         "1, or sd 0 for a fixed value)", sd, mean,
                         sqrt(mean * (1 - mean) / (UNC_BETA_MAX_SIZE + 1)));
        }
    }
}

/* The path or list of paths of entry o (at p) into x. */
static void read_paths(jc_ctx *ctx, const cJSON *o, const char *p, unc_param *x)
{
    const cJSON *list[UNC_MAX_TIED];
    size_t n = config_tree_path_list(ctx, o, p, UNC_MAX_TIED,
                                     "policies[2].programme.effects.job_finding", list);
    if (n == 0)
        return;
    for (size_t k = 0; k < n; k++) {
        char qk[JPATH_LEN];
        config_tree_path_item(qk, sizeof qk, o, p, k);
        if (!cJSON_IsString(list[k]) || !list[k]->valuestring[0]
            || strlen(list[k]->valuestring) >= UNC_PATH_LEN) {
            jc_error(ctx, qk, "expected a JSON path string of 1 to %d characters",
                     UNC_PATH_LEN - 1);
            continue;
        }
        snprintf(x->path[x->npaths++], UNC_PATH_LEN, "%s", list[k]->valuestring);
    }
}

void uncertainty_read(jc_ctx *ctx, const cJSON *root, unc_section *u)
{
    static const char *const keys[] = { "parameters" };
    static const char *const param_keys[] = { "name", "path", "distribution", "mean", "sd",
                                              "median", "sd_log", "lower", "upper", "round" };
    memset(u, 0, sizeof *u);
    const cJSON *sec = jc_object(ctx, root, "", "uncertainty", false);
    if (!sec)
        return;
    jc_check_keys(ctx, sec, "uncertainty", keys, ARRAY_LEN(keys));
    const cJSON *a = jc_array(ctx, sec, "uncertainty", "parameters", true);
    size_t n = a ? (size_t)cJSON_GetArraySize(a) : 0;
    if (!a)
        return;
    if (n == 0 || n > UNC_MAX_PARAMS) {
        jc_error(ctx, "uncertainty.parameters", "needs 1 to %d parameters, found %zu",
                 UNC_MAX_PARAMS, n);
        return;
    }
    size_t i = 0;
    for (const cJSON *o = a->child; o; o = o->next, i++) {
        char p[JPATH_LEN], q[JPATH_LEN];
        snprintf(p, sizeof p, "uncertainty.parameters[%zu]", i);
        unc_param *x = &u->param[i];
        if (!cJSON_IsObject(o)) {
            jc_error(ctx, p, "expected an object with name, path, distribution and its "
                             "parameters");
            continue;
        }
        jc_check_keys(ctx, o, p, param_keys, ARRAY_LEN(param_keys));
        const char *name = NULL;
        if (jc_string(ctx, o, p, "name", true, &name)) {
            if (!name[0] || strlen(name) >= sizeof x->name || strpbrk(name, "/\"\\"))
                jc_error(ctx, jc_join(q, sizeof q, p, "name"),
                         "'%s': give 1 to %zu characters without '/', '\"' or '\\'", name,
                         sizeof x->name - 1);
            else
                snprintf(x->name, sizeof x->name, "%s", name);
            for (size_t k = 0; k < i && x->name[0]; k++)
                if (!strcmp(u->param[k].name, x->name))
                    jc_error(ctx, jc_join(q, sizeof q, p, "name"),
                             "'%s' is already the name of uncertainty.parameters[%zu]; names "
                             "must be unique", x->name, k);
        }
        read_paths(ctx, o, p, x);
        read_distribution(ctx, o, p, x);
        jc_bool(ctx, o, p, "round", false, &x->round);
    }
    u->nparams = n;
}

static bool fixed_root(const char *path)
{
    for (size_t i = 0; i < ARRAY_LEN(fixed_roots); i++) {
        size_t n = strlen(fixed_roots[i]);
        if (!strncmp(path, fixed_roots[i], n) && (path[n] == 0 || path[n] == '.' || path[n] == '['))
            return true;
    }
    return false;
}

/* The value parameter x takes for the draw d (rounded if asked). */
static double value_of(const unc_param *x, double d)
{
    if (!x->round || isnan(d))
        return d;
    /* the nearest whole number, kept inside the truncation */
    double v = round(d);
    if (v < x->dist.lower && ceil(x->dist.lower) <= x->dist.upper)
        v = ceil(x->dist.lower);
    if (v > x->dist.upper && floor(x->dist.upper) >= x->dist.lower)
        v = floor(x->dist.upper);
    return v;
}

/* Writes v at every path of parameter x in tree (the paths exist). */
static void set_value(cJSON *tree, const unc_param *x, double v)
{
    for (size_t k = 0; k < x->npaths; k++) {
        char why[8];
        cJSON *node = config_tree_find(tree, x->path[k], why, sizeof why);
        if (node)
            cJSON_SetNumberValue(node, v);
    }
}

/* The resolved config as a tree without its "uncertainty" section (so that
 * reading an edited copy does not check the section again). NULL when out
 * of memory. */
static cJSON *tree_without_section(const char *resolved_json)
{
    cJSON *tree = cJSON_Parse(resolved_json);
    if (tree)
        cJSON_DeleteItemFromObjectCaseSensitive(tree, "uncertainty");
    return tree;
}

int uncertainty_check(jc_ctx *ctx, const char *resolved_json, const char *config_name,
                      const unc_section *u)
{
    if (u->nparams == 0)
        return 0;
    cJSON *tree = tree_without_section(resolved_json);
    if (!tree)
        return -1;
    bool paths_ok = true;
    /* the number each path names: two spellings of one path
     * ("policies[02]...", "policies[2]programme...") name the same number;
     * the probes below write their values there */
    cJSON *named[UNC_MAX_PARAMS][UNC_MAX_TIED] = { { NULL } };
    for (size_t i = 0; i < u->nparams; i++) {
        const unc_param *x = &u->param[i];
        for (size_t k = 0; k < x->npaths; k++) {
            char q[JPATH_LEN], why[256];
            if (x->npaths == 1)
                snprintf(q, sizeof q, "uncertainty.parameters[%zu].path", i);
            else
                snprintf(q, sizeof q, "uncertainty.parameters[%zu].path[%zu]", i, k);
            const char *path = x->path[k];
            bool ok = true;
            if (fixed_root(path)) {
                jc_error(ctx, q, "'%s' cannot vary across replications (run, seed and the "
                                 "sections of other commands are fixed): name a model "
                                 "parameter, e.g. policies[2].programme.effects.job_finding",
                         path);
                ok = false;
            } else {
                cJSON *node = config_tree_find(tree, path, why, sizeof why);
                if (!node) {
                    jc_error(ctx, q, "unknown parameter path '%s': %s", path, why);
                    ok = false;
                } else if (!cJSON_IsNumber(node)) {
                    jc_error(ctx, q, "'%s' is not a number in the resolved config", path);
                    ok = false;
                }
                named[i][k] = ok ? node : NULL;
            }
            for (size_t j = 0; ok && j <= i; j++)
                for (size_t m = 0; ok && m < (j == i ? k : u->param[j].npaths); m++)
                    if (named[j][m] == named[i][k]) {
                        if (!strcmp(u->param[j].path[m], path))
                            jc_error(ctx, q, "'%s' is already drawn by "
                                             "uncertainty.parameters[%zu]", path, j);
                        else
                            jc_error(ctx, q, "'%s' is already drawn by "
                                             "uncertainty.parameters[%zu] as '%s'", path, j,
                                     u->param[j].path[m]);
                        ok = false;
                    }
            paths_ok = paths_ok && ok;
        }
    }
    /* the extreme draws, one parameter at a time (the others at the
     * config's values), must give a valid config */
    int rc = 0;
    for (size_t i = 0; paths_ok && rc == 0 && i < u->nparams; i++) {
        const unc_param *x = &u->param[i];
        char q[JPATH_LEN];
        snprintf(q, sizeof q, "uncertainty.parameters[%zu]", i);
        double keep[UNC_MAX_TIED]; /* each path's own value, restored after the probes */
        for (size_t k = 0; k < x->npaths; k++)
            keep[k] = named[i][k]->valuedouble;
        const double at[2] = { UNC_CHECK_QUANTILE, 1 - UNC_CHECK_QUANTILE };
        for (int e = 0; e < 2 && rc == 0; e++) {
            double v = value_of(x, unc_quantile(&x->dist, at[e]));
            if (isnan(v)) {
                jc_error(ctx, q, "the %s distribution cannot be drawn: its truncation to "
                                 "lower..upper leaves no probability", x->distribution);
                break;
            }
            for (size_t k = 0; k < x->npaths; k++)
                cJSON_SetNumberValue(named[i][k], v);
            ipsim_config probe;
            char msg[512];
            int lr = config_tree_load(tree, config_name, &probe, msg, sizeof msg);
            if (lr == CONFIG_NOMEM)
                rc = -1;
            else if (lr == CONFIG_OK)
                config_clear(&probe);
            else
                jc_error(ctx, q, "'%s' drawn at its %s value %.6g (quantile %s) gives an "
                                 "invalid config: %s; truncate the distribution with lower and "
                                 "upper to the values the path allows%s", x->name,
                         e == 0 ? "smallest" : "largest", v, e == 0 ? "1e-12" : "1 - 1e-12", msg,
                         x->round || !strstr(msg, "not a whole number")
                             ? "" : ", and give \"round\": true for a count");
        }
        for (size_t k = 0; k < x->npaths; k++)
            cJSON_SetNumberValue(named[i][k], keep[k]);
    }
    cJSON_Delete(tree);
    return rc;
}

void uncertainty_plan_clear(unc_plan *plan)
{
    cJSON_Delete(plan->tree);
    free(plan->values);
    free(plan->params);
    memset(plan, 0, sizeof *plan);
}

/* Replication rep's config, read from the plan's tree with its values
 * written in (over the previous replication's: every path is written). */
static int load_replication(unc_plan *plan, size_t rep, ipsim_config *cfg, char *err,
                            size_t errlen)
{
    const unc_section *u = plan->u;
    for (size_t i = 0; i < u->nparams; i++)
        set_value(plan->tree, &u->param[i], plan->values[rep * u->nparams + i]);
    char msg[512];
    int rc = config_tree_load(plan->tree, plan->name, cfg, msg, sizeof msg);
    if (rc == CONFIG_NOMEM)
        snprintf(err, errlen, "out of memory");
    else if (rc != CONFIG_OK)
        snprintf(err, errlen, "replication %zu: the drawn values give an invalid config: %s",
                 rep, msg);
    return rc;
}

int uncertainty_plan(unc_plan *plan, const struct ipsim_config *cfg, size_t reps, char *err,
                     size_t errlen)
{
    memset(plan, 0, sizeof *plan);
    const unc_section *u = &cfg->uncertainty;
    if (u->nparams == 0)
        return CONFIG_OK;
    const char *resolved_json = cfg->resolved_json, *config_name = cfg->source;
    uint64_t seed = cfg->seed;
    plan->u = u;
    plan->reps = reps;
    snprintf(plan->name, sizeof plan->name, "%s", config_name);
    plan->tree = tree_without_section(resolved_json);
    plan->values = reps ? malloc(reps * u->nparams * sizeof *plan->values) : NULL;
    plan->params = reps ? malloc(reps * sizeof *plan->params) : NULL;
    if (!plan->tree || (reps && (!plan->values || !plan->params))) {
        uncertainty_plan_clear(plan);
        snprintf(err, errlen, "out of memory");
        return CONFIG_NOMEM;
    }
    for (size_t r = 0; r < reps; r++)
        for (size_t i = 0; i < u->nparams; i++) {
            double v = value_of(&u->param[i], unc_draw(&u->param[i].dist, seed, r, i));
            if (isnan(v)) {
                snprintf(err, errlen, "uncertainty.parameters[%zu] ('%s'): the %s distribution "
                                      "could not be drawn for replication %zu", i,
                         u->param[i].name, u->param[i].distribution, r);
                uncertainty_plan_clear(plan);
                return CONFIG_INVALID;
            }
            plan->values[r * u->nparams + i] = v;
        }
    /* every replication's config is read (so checked) once, before anything runs */
    for (size_t r = 0; r < reps; r++) {
        ipsim_config rep_cfg;
        int rc = load_replication(plan, r, &rep_cfg, err, errlen);
        if (rc != CONFIG_OK) {
            uncertainty_plan_clear(plan);
            return rc;
        }
        plan->params[r] = rep_cfg.model;
        config_clear(&rep_cfg);
    }
    return CONFIG_OK;
}
