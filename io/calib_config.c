/* calib_config: targets file, "calibration" section, parameter vector ->
 * model parameters, calibrated config; see calib_config.h. Reading never
 * stops at the first problem: all of them are reported at once. */
#include "io/calib_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/config_tree.h"
#include "io/json_check.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PATH_LEN 256

static const char *const quantity_names[N_CALIB_QUANTITY] = {
    "invalidity_stock", "invalidity_stock_mental_share", "invalidity_stock_population_share",
    "invalidity_entries", "invalidity_entries_mental_share", "part_time_workers",
    "primary_to_invalidity" };
static const char *const sex_names[] = { "male", "female", "all" };
static const char *const diag_names[] = { "mental", "other", "all" };
static const char *const relation_names[N_CALIB_RELATION] = { "equal", "at_least", "at_most" };
static const char *const unit_names[] = { "people", "share" };
static const char *const confidence_names[] = { "H", "M" };

/* ---- targets file ---------------------------------------------------------- */

static void read_target(jc_ctx *ctx, const cJSON *o, const char *p, calib_target *t,
                        calib_target_info *info)
{
    static const char *const keys[] = {
        "name", "quantity", "year", "sex", "diagnosis", "value", "unit", "population",
        "relation", "weight", "tolerance_relative", "tolerance_points", "source",
        "confidence", "note" };
    char q[PATH_LEN];
    jc_check_keys(ctx, o, p, keys, ARRAY_LEN(keys));
    const char *s = NULL;
    if (jc_string(ctx, o, p, "name", true, &s)) {
        if (!*s || strlen(s) >= sizeof t->name)
            jc_error(ctx, jc_join(q, sizeof q, p, "name"), "needs 1 to %zu characters",
                     sizeof t->name - 1);
        else
            snprintf(t->name, sizeof t->name, "%s", s);
    }
    t->quantity = -1;
    jc_enum(ctx, o, p, "quantity", quantity_names, N_CALIB_QUANTITY, true, &t->quantity);
    long long year = 0;
    if (jc_integer(ctx, o, p, "year", 1900, 2200, true, &year))
        t->year = (int)year;
    int sex = 2, diag = 2, unit = -1, rel = CALIB_EQUAL, conf = -1;
    jc_enum(ctx, o, p, "sex", sex_names, 3, false, &sex);
    jc_enum(ctx, o, p, "diagnosis", diag_names, 3, false, &diag);
    t->sex = sex == 2 ? CALIB_ALL : sex;
    t->diagnosis = diag == 2 ? CALIB_ALL : diag;
    jc_enum(ctx, o, p, "unit", unit_names, 2, true, &unit);
    jc_enum(ctx, o, p, "relation", relation_names, N_CALIB_RELATION, false, &rel);
    t->relation = rel;
    jc_number(ctx, o, p, "weight", 0, 1e6, true, &t->weight);
    if (jc_string(ctx, o, p, "source", true, &s)) {
        if (!*s)
            jc_error(ctx, jc_join(q, sizeof q, p, "source"),
                     "is empty; every target needs its source");
        snprintf(info->source, sizeof info->source, "%s", s);
    }
    if (jc_enum(ctx, o, p, "confidence", confidence_names, 2, false, &conf))
        snprintf(info->confidence, sizeof info->confidence, "%s", confidence_names[conf]);
    if (jc_string(ctx, o, p, "note", false, &s))
        snprintf(info->note, sizeof info->note, "%s", s);
    if (t->quantity < 0)
        return;
    bool share = calib_quantity_is_share(t->quantity);
    if (unit >= 0) {
        snprintf(info->unit, sizeof info->unit, "%s", unit_names[unit]);
        if ((unit == 1) != share)
            jc_error(ctx, jc_join(q, sizeof q, p, "unit"), "'%s' does not fit quantity %s (use '%s')",
                     unit_names[unit], quantity_names[t->quantity], share ? "share" : "people");
    }
    if (jc_number(ctx, o, p, "value", 0, share ? 1 : 1e10, true, &t->value) && !(t->value > 0))
        jc_error(ctx, jc_join(q, sizeof q, p, "value"), "must be greater than 0");
    double tol = 0;
    if (share) {
        if (jc_number(ctx, o, p, "tolerance_points", 0, 100, false, &tol))
            t->tolerance = tol / 100;
        if (cJSON_GetObjectItemCaseSensitive(o, "tolerance_relative"))
            jc_error(ctx, jc_join(q, sizeof q, p, "tolerance_relative"),
                     "a share target takes tolerance_points (percentage points)");
    } else {
        if (jc_number(ctx, o, p, "tolerance_relative", 0, 10, false, &tol))
            t->tolerance = tol;
        if (cJSON_GetObjectItemCaseSensitive(o, "tolerance_points"))
            jc_error(ctx, jc_join(q, sizeof q, p, "tolerance_points"),
                     "a count target takes tolerance_relative (a fraction of the value)");
    }
    bool needs_pop = t->quantity == CQ_INVALIDITY_STOCK_POPULATION_SHARE;
    if (needs_pop)
        jc_number(ctx, o, p, "population", 1, 1e10, true, &t->population);
    else if (cJSON_GetObjectItemCaseSensitive(o, "population"))
        jc_error(ctx, jc_join(q, sizeof q, p, "population"),
                 "only invalidity_stock_population_share takes a population");
    bool diag_ok = t->quantity == CQ_INVALIDITY_STOCK || t->quantity == CQ_INVALIDITY_ENTRIES
                   || t->quantity == CQ_INVALIDITY_STOCK_POPULATION_SHARE;
    if (!diag_ok && t->diagnosis != CALIB_ALL)
        jc_error(ctx, jc_join(q, sizeof q, p, "diagnosis"),
                 "quantity %s has no diagnosis filter (allowed: all)", quantity_names[t->quantity]);
    if (t->quantity == CQ_PRIMARY_TO_INVALIDITY && t->sex != CALIB_ALL)
        jc_error(ctx, jc_join(q, sizeof q, p, "sex"),
                 "quantity %s has no sex filter (allowed: all)", quantity_names[t->quantity]);
}

/* Reads the targets of ctx (the file `path`) into t; problems to sink. */
static int targets_load(jc_ctx *ctx, const char *path, calib_targets *t, const jc_sink *sink)
{
    static const char *const top_keys[] = { "ipsim_targets", "description", "targets", "sources",
                                            "note" };
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    if (!ctx)
        return CALIB_NOMEM;
    const cJSON *root = jc_root(ctx);
    if (root && !cJSON_IsObject(root))
        jc_error(ctx, "", "a targets file must be a JSON object");
    else if (root) {
        jc_check_keys(ctx, root, "", top_keys, ARRAY_LEN(top_keys));
        long long version = 0;
        if (jc_integer(ctx, root, "", "ipsim_targets", 1, 1000, true, &version) && version != 1)
            jc_error(ctx, "ipsim_targets", "version %lld is not supported (this ipsim reads 1)",
                     version);
        const char *d = NULL;
        if (jc_string(ctx, root, "", "description", false, &d))
            snprintf(t->description, sizeof t->description, "%s", d);
        const cJSON *src = jc_object(ctx, root, "", "sources", false);
        if (src) {
            for (const cJSON *m = src->child; m; m = m->next)
                if (!cJSON_IsString(m)) {
                    char q[PATH_LEN];
                    jc_error(ctx, jc_join(q, sizeof q, "sources", m->string),
                             "expected a string (a reference)");
                }
            t->sources = cJSON_Duplicate(src, 1);
        }
        const cJSON *a = jc_array(ctx, root, "", "targets", true);
        size_t n = a ? (size_t)cJSON_GetArraySize(a) : 0;
        if (a && (n == 0 || n > CALIB_MAX_TARGETS))
            jc_error(ctx, "targets", "needs 1 to %d targets, found %zu", CALIB_MAX_TARGETS, n);
        else if (a) {
            size_t i = 0;
            for (const cJSON *o = a->child; o; o = o->next, i++) {
                char p[PATH_LEN];
                snprintf(p, sizeof p, "targets[%zu]", i);
                if (!cJSON_IsObject(o)) {
                    jc_error(ctx, p, "expected an object (name, quantity, year, value, ...)");
                    continue;
                }
                read_target(ctx, o, p, &t->target[i], &t->info[i]);
                for (size_t k = 0; k < i; k++)
                    if (t->target[i].name[0] && !strcmp(t->target[k].name, t->target[i].name)) {
                        char q[PATH_LEN];
                        jc_error(ctx, jc_join(q, sizeof q, p, "name"),
                                 "'%s' is already the name of targets[%zu]; names must be unique",
                                 t->target[i].name, k);
                    }
            }
            t->n = n;
        }
    }
    int rc = CALIB_OK;
    if (jc_error_count(ctx) > 0)
        rc = jc_report_errors(ctx, sink) != 0 ? CALIB_NOMEM : CALIB_INVALID;
    jc_free(ctx);
    if (rc != CALIB_OK)
        calib_targets_clear(t);
    return rc;
}

int calib_targets_load(const char *path, calib_targets *t, FILE *err)
{
    jc_sink sink = { err, NULL };
    return targets_load(jc_parse_file(path), path, t, &sink);
}

int calib_targets_load_text_to(const char *name, const char *text, size_t len, calib_targets *t,
                               const jc_sink *sink)
{
    return targets_load(jc_parse(name, text ? text : "", text ? len : 0), name, t, sink);
}

void calib_targets_clear(calib_targets *t)
{
    cJSON_Delete(t->sources);
    t->sources = NULL;
}

/* ---- calibration section --------------------------------------------------- */

static void set_param(calib_spec *s, size_t i, double v)
{
    for (size_t k = 0; k < s->param[i].npaths; k++) {
        char why[8];
        cJSON *node = config_tree_find(s->tree, s->param[i].path[k], why, sizeof why);
        if (node)
            cJSON_SetNumberValue(node, v);
    }
}

/* Loads the tree's current text as a config; message in err on failure. */
static int load_tree(const calib_spec *s, ipsim_config *cfg, char *err, size_t errlen)
{
    int rc = config_tree_load(s->tree, s->config_path, cfg, err, errlen);
    return rc == CONFIG_OK ? CALIB_OK : rc == CONFIG_NOMEM ? CALIB_NOMEM : CALIB_INVALID;
}

static void read_param(jc_ctx *ctx, const cJSON *o, const char *p, calib_spec *s, size_t i)
{
    static const char *const keys[] = { "path", "lower", "upper", "source", "note" };
    char q[PATH_LEN], why[256];
    calib_param *cp = &s->param[i];
    jc_check_keys(ctx, o, p, keys, ARRAY_LEN(keys));
    bool have_l = jc_number(ctx, o, p, "lower", -1e12, 1e12, true, &cp->lower);
    bool have_u = jc_number(ctx, o, p, "upper", -1e12, 1e12, true, &cp->upper);
    if (have_l && have_u && !(cp->lower < cp->upper))
        jc_error(ctx, jc_join(q, sizeof q, p, "upper"),
                 "upper %g must be greater than lower %g", cp->upper, cp->lower);
    const cJSON *list[CALIB_MAX_TIED];
    size_t n = config_tree_path_list(ctx, o, p, CALIB_MAX_TIED,
                                     "population.inflow.cases_per_year[1][1]", list);
    if (n == 0)
        return;
    jc_join(q, sizeof q, p, "path");
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        char qk[PATH_LEN];
        config_tree_path_item(qk, sizeof qk, o, p, k);
        if (!cJSON_IsString(list[k]) || strlen(list[k]->valuestring) >= sizeof cp->path[0]) {
            jc_error(ctx, qk, "expected a JSON path string of at most %zu characters",
                     sizeof cp->path[0] - 1);
            ok = false;
            continue;
        }
        const char *text = list[k]->valuestring;
        cJSON *node = config_tree_find(s->tree, text, why, sizeof why);
        if (!node) {
            jc_error(ctx, qk, "unknown parameter path '%s': %s", text, why);
            ok = false;
            continue;
        }
        if (!cJSON_IsNumber(node)) {
            jc_error(ctx, qk, "'%s' is not a number in the resolved config", text);
            ok = false;
            continue;
        }
        for (size_t j = 0; j <= i; j++)
            for (size_t m = 0; m < (j == i ? cp->npaths : s->param[j].npaths); m++)
                if (!strcmp(s->param[j].path[m], text)) {
                    jc_error(ctx, qk, "'%s' is already set by calibration.parameters[%zu]", text, j);
                    ok = false;
                }
        snprintf(cp->path[cp->npaths++], sizeof cp->path[0], "%s", text);
        if (k == 0)
            cp->start = node->valuedouble;
    }
    if (ok && have_l && have_u && cp->lower < cp->upper
        && !(cp->start > cp->lower && cp->start < cp->upper))
        jc_error(ctx, q, "the config's value %g of '%s' must lie strictly inside %g..%g",
                 cp->start, cp->path[0], cp->lower, cp->upper);
}

/* Loads from `text` (len bytes, named `path`), or from the file `path` when
 * text is NULL. */
static int spec_load(const char *path, const char *text, size_t len, calib_spec *s,
                     const jc_sink *sink)
{
    static const char *const keys[] = { "parameters", "scale", "replications", "seed",
                                        "max_evaluations", "size_tolerance", "initial_step", "restarts",
                                        "source", "note" };
    memset(s, 0, sizeof *s);
    snprintf(s->config_path, sizeof s->config_path, "%s", path);
    int rc = text ? config_load_text_to(path, text, len, &s->cfg, sink)
                  : config_load(path, &s->cfg, sink->stream);
    if (rc != CONFIG_OK)
        return rc == CONFIG_NOMEM ? CALIB_NOMEM : CALIB_INVALID;
    s->tree = cJSON_Parse(s->cfg.resolved_json);
    jc_ctx *ctx = text ? jc_parse(path, text, len) : jc_parse_file(path);
    if (!s->tree || !ctx) {
        jc_free(ctx);
        calib_spec_clear(s);
        return CALIB_NOMEM;
    }
    const cJSON *root = jc_root(ctx);
    const cJSON *cal = root ? jc_object(ctx, root, "", "calibration", true) : NULL;
    if (cal) {
        jc_check_keys(ctx, cal, "calibration", keys, ARRAY_LEN(keys));
        s->scale = s->cfg.model.scale;
        s->replications = 4;
        s->seed = s->cfg.seed;
        s->max_evaluations = 400;
        s->size_tolerance = 1e-3;
        s->initial_step = 0.1;
        s->restarts = 2;
        long long v;
        jc_number(ctx, cal, "calibration", "scale", 1e-6, 100, false, &s->scale);
        if (jc_integer(ctx, cal, "calibration", "replications", 1, 10000, false, &v))
            s->replications = (size_t)v;
        if (jc_integer(ctx, cal, "calibration", "seed", 0, 9007199254740991LL, false, &v))
            s->seed = (uint64_t)v;
        if (jc_integer(ctx, cal, "calibration", "max_evaluations", 1, 1000000, false, &v))
            s->max_evaluations = (size_t)v;
        jc_number(ctx, cal, "calibration", "size_tolerance", 1e-9, 10, false, &s->size_tolerance);
        jc_number(ctx, cal, "calibration", "initial_step", 1e-4, 0.5, false, &s->initial_step);
        if (jc_integer(ctx, cal, "calibration", "restarts", 0, 100, false, &v))
            s->restarts = (size_t)v;
        const cJSON *a = jc_array(ctx, cal, "calibration", "parameters", true);
        size_t n = a ? (size_t)cJSON_GetArraySize(a) : 0;
        if (a && (n == 0 || n > CALIB_MAX_PARAMS))
            jc_error(ctx, "calibration.parameters", "needs 1 to %d parameters, found %zu",
                     CALIB_MAX_PARAMS, n);
        else if (a) {
            size_t i = 0;
            for (const cJSON *o = a->child; o; o = o->next, i++) {
                char p[PATH_LEN];
                snprintf(p, sizeof p, "calibration.parameters[%zu]", i);
                if (!cJSON_IsObject(o))
                    jc_error(ctx, p, "expected an object with path, lower and upper");
                else
                    read_param(ctx, o, p, s, i);
            }
            s->nparams = n;
        }
    }
    /* each bound, with the others at their start, must give a valid config */
    for (size_t i = 0; jc_error_count(ctx) == 0 && i < s->nparams; i++) {
        const char *which[2] = { "lower", "upper" };
        double bound[2] = { s->param[i].lower, s->param[i].upper };
        for (int b = 0; b < 2; b++) {
            char msg[512], p[PATH_LEN];
            ipsim_config probe;
            set_param(s, i, bound[b]);
            int lr = load_tree(s, &probe, msg, sizeof msg);
            if (lr == CALIB_NOMEM) {
                jc_free(ctx);
                calib_spec_clear(s);
                return CALIB_NOMEM;
            }
            if (lr == CALIB_OK)
                config_clear(&probe);
            else {
                snprintf(p, sizeof p, "calibration.parameters[%zu].%s", i, which[b]);
                jc_error(ctx, p, "%g at '%s' gives an invalid config: %s", bound[b],
                         s->param[i].path[0], msg);
            }
        }
        set_param(s, i, s->param[i].start);
    }
    rc = CALIB_OK;
    if (jc_error_count(ctx) > 0) {
        rc = jc_report_errors(ctx, sink) ? CALIB_NOMEM : CALIB_INVALID;
        calib_spec_clear(s);
    }
    jc_free(ctx);
    return rc;
}

int calib_spec_load(const char *path, calib_spec *s, FILE *err)
{
    jc_sink sink = { err, NULL };
    return spec_load(path, NULL, 0, s, &sink);
}

int calib_spec_load_text_to(const char *name, const char *text, size_t len, calib_spec *s,
                            const jc_sink *sink)
{
    return spec_load(name, text ? text : "", text ? len : 0, s, sink);
}

int calib_spec_load_text(const char *name, const char *text, size_t len, calib_spec *s,
                         FILE *err)
{
    jc_sink sink = { err, NULL };
    return calib_spec_load_text_to(name, text, len, s, &sink);
}

void calib_spec_clear(calib_spec *s)
{
    config_clear(&s->cfg);
    cJSON_Delete(s->tree);
    s->tree = NULL;
}

int calib_spec_check_targets(const calib_spec *s, const calib_targets *t, FILE *err)
{
    const model_params *mp = &s->cfg.model;
    size_t months = (size_t)(mp->horizon_days / DAYS_PER_MONTH + 1e-9);
    int rc = CALIB_OK;
    for (size_t i = 0; i < t->n; i++)
        if (!calib_target_covered(&t->target[i], mp->start_year, months)) {
            fprintf(err, "%s: targets[%zu].year: %d is outside the run of %s (1 January %.0f "
                         "plus %.4g years); a stock needs 31 December of the year, entries "
                         "the whole year (and the year before for primary_to_invalidity)\n",
                    t->path, i, t->target[i].year, s->config_path, mp->start_year,
                    mp->horizon_days / DAYS_PER_YEAR);
            rc = CALIB_INVALID;
        }
    return rc;
}

int calib_spec_build(const double *x, model_params *out, char *err, size_t errlen, void *arg)
{
    calib_spec *s = arg;
    for (size_t i = 0; i < s->nparams; i++)
        set_param(s, i, x[i]);
    ipsim_config cfg;
    char msg[512];
    int rc = load_tree(s, &cfg, msg, sizeof msg);
    if (rc != CALIB_OK) {
        snprintf(err, errlen, "the parameter values give an invalid config: %s", msg);
        return -1;
    }
    *out = cfg.model;
    out->scale = s->scale;
    config_clear(&cfg);
    return 0;
}

/* ---- report and calibrated config -------------------------------------------- */

static cJSON *number_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static double round_to(double v, int digits)
{
    if (!isfinite(v) || v == 0)
        return v;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    return strtod(buf, NULL);
}

cJSON *calib_report_json(const calib_spec *s, const calib_targets *t, const calib_outcome *o)
{
    cJSON *r = cJSON_CreateObject();
    if (!r)
        return NULL;
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON_AddStringToObject(r, "note",
                            "written by ipsim calibrate; simulated figures are means over the "
                            "replications of the best evaluation with a 95% t interval of the mean");
    cJSON_AddStringToObject(r, "created", when);
    cJSON_AddStringToObject(r, "config", s->config_path);
    cJSON_AddStringToObject(r, "targets_file", t->path);
    cJSON_AddStringToObject(r, "method",
                            "Nelder-Mead simplex (GSL nmsimplex2) on logit-transformed bounded "
                            "parameters; loss = sum of weight x relative error squared; common "
                            "random numbers (one seed for every evaluation)");
    cJSON_AddNumberToObject(r, "scale", s->scale);
    cJSON_AddNumberToObject(r, "replications", (double)s->replications);
    cJSON_AddItemToObject(r, "seed", jc_exact_u64(s->seed));
    cJSON_AddNumberToObject(r, "evaluations", (double)o->evaluations);
    cJSON_AddNumberToObject(r, "restarts", (double)o->restarts);
    cJSON_AddItemToObject(r, "loss", number_or_null(round_to(o->loss, 6)));
    cJSON_AddNumberToObject(r, "seconds", round_to(o->seconds, 4));
    cJSON_AddNumberToObject(r, "threads", o->threads);
    cJSON_AddStringToObject(r, "stopped", o->stop_reason ? o->stop_reason : "");
    cJSON *params = cJSON_AddArrayToObject(r, "parameters");
    for (size_t i = 0; params && i < s->nparams; i++) {
        const calib_param *cp = &s->param[i];
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        if (cp->npaths == 1)
            cJSON_AddStringToObject(e, "path", cp->path[0]);
        else {
            cJSON *pa = cJSON_AddArrayToObject(e, "path");
            for (size_t k = 0; pa && k < cp->npaths; k++)
                cJSON_AddItemToArray(pa, cJSON_CreateString(cp->path[k]));
        }
        cJSON_AddNumberToObject(e, "value", o->best[i]);
        cJSON_AddNumberToObject(e, "start", cp->start);
        cJSON_AddNumberToObject(e, "lower", cp->lower);
        cJSON_AddNumberToObject(e, "upper", cp->upper);
        cJSON_AddItemToArray(params, e);
    }
    cJSON *rows = cJSON_AddArrayToObject(r, "targets");
    for (size_t i = 0; rows && i < t->n; i++) {
        const calib_target *tg = &t->target[i];
        const calib_fit_row *row = &o->rows[i];
        bool share = calib_quantity_is_share(tg->quantity);
        int digits = share ? 4 : 6;
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        cJSON_AddStringToObject(e, "name", tg->name);
        cJSON_AddStringToObject(e, "quantity", calib_quantity_name(tg->quantity));
        cJSON_AddNumberToObject(e, "year", tg->year);
        cJSON_AddStringToObject(e, "sex", tg->sex == CALIB_ALL ? "all" : sex_names[tg->sex]);
        cJSON_AddStringToObject(e, "diagnosis",
                                tg->diagnosis == CALIB_ALL ? "all" : diag_names[tg->diagnosis]);
        cJSON_AddStringToObject(e, "relation", relation_names[tg->relation]);
        cJSON_AddNumberToObject(e, "value", tg->value);
        cJSON_AddStringToObject(e, "unit", t->info[i].unit);
        cJSON_AddNumberToObject(e, "weight", tg->weight);
        cJSON_AddItemToObject(e, "simulated_mean", number_or_null(round_to(row->mean, digits)));
        cJSON_AddItemToObject(e, "simulated_lo95", number_or_null(round_to(row->lo, digits)));
        cJSON_AddItemToObject(e, "simulated_hi95", number_or_null(round_to(row->hi, digits)));
        cJSON_AddItemToObject(e, "relative_error", number_or_null(round_to(row->rel_error, 4)));
        if (share)
            cJSON_AddItemToObject(e, "difference_points",
                                  number_or_null(round_to(100 * (row->mean - tg->value), 4)));
        if (tg->tolerance > 0) {
            if (share)
                cJSON_AddNumberToObject(e, "tolerance_points", round_to(100 * tg->tolerance, 6));
            else
                cJSON_AddNumberToObject(e, "tolerance_relative", tg->tolerance);
        }
        cJSON_AddBoolToObject(e, "pass", row->pass);
        cJSON_AddStringToObject(e, "source", t->info[i].source);
        if (t->info[i].confidence[0])
            cJSON_AddStringToObject(e, "confidence", t->info[i].confidence);
        cJSON_AddItemToArray(rows, e);
    }
    if (o->mix && o->mix->invalidity > 0) {
        const calib_stock_mix *m = o->mix;
        cJSON *e = cJSON_AddObjectToObject(r, "end_of_run");
        if (e) {
            char at[64];
            double end = s->cfg.model.start_year + s->cfg.model.horizon_days / DAYS_PER_YEAR;
            snprintf(at, sizeof at, "1 January %.0f", end);
            cJSON_AddStringToObject(e, "at", at);
            cJSON_AddStringToObject(e, "note",
                                    "people on invalidity benefit (and on primary-incapacity "
                                    "benefit) at the end of the best evaluation, in incapacity or "
                                    "authorised part-time work: the composition a scenario "
                                    "starting then should give its stock");
            cJSON_AddNumberToObject(e, "invalidity", round_to(m->invalidity, 6));
            cJSON_AddNumberToObject(e, "primary_incapacity", round_to(m->primary, 6));
            cJSON_AddNumberToObject(e, "share_female", round_to(m->share_female, 4));
            cJSON *ms = cJSON_AddObjectToObject(e, "mental_share");
            cJSON_AddNumberToObject(ms, "male", round_to(m->mental_share[SEX_MALE], 4));
            cJSON_AddNumberToObject(ms, "female", round_to(m->mental_share[SEX_FEMALE], 4));
            cJSON *sv = cJSON_AddObjectToObject(e, "severity_shares");
            const char *sev[3] = { "mild", "moderate", "severe" };
            for (int k = 0; k < 3; k++)
                cJSON_AddNumberToObject(sv, sev[k], round_to(m->severity_shares[k], 4));
            cJSON *ag = cJSON_AddObjectToObject(e, "age_shares");
            const char *ages[N_AGE] = { "18-29", "30-39", "40-49", "50-64" };
            for (int k = 0; k < N_AGE; k++)
                cJSON_AddNumberToObject(ag, ages[k], round_to(m->age_shares[k], 4));
            cJSON *ed = cJSON_AddObjectToObject(e, "education_shares");
            const char *edu[N_EDU] = { "low", "medium", "high" };
            for (int k = 0; k < N_EDU; k++)
                cJSON_AddNumberToObject(ed, edu[k], round_to(m->education_shares[k], 4));
            cJSON_AddNumberToObject(e, "mean_years_since_onset",
                                    round_to(m->mean_years_since_onset, 4));
        }
    }
    return r;
}

char *calib_config_text(const calib_spec *s, const calib_targets *t, const calib_outcome *o)
{
    cJSON *tree = cJSON_Duplicate(s->tree, 1);
    cJSON *report = calib_report_json(s, t, o);
    char *text = NULL;
    if (!tree || !report)
        goto done;
    for (size_t i = 0; i < s->nparams; i++)
        for (size_t k = 0; k < s->param[i].npaths; k++) {
            char why[8];
            cJSON *node = config_tree_find(tree, s->param[i].path[k], why, sizeof why);
            if (node)
                cJSON_SetNumberValue(node, o->best[i]);
        }
    cJSON_DeleteItemFromObjectCaseSensitive(tree, "calibration_report");
    cJSON_AddItemToObject(tree, "calibration_report", report);
    report = NULL;
    cJSON *src = cJSON_GetObjectItemCaseSensitive(tree, "sources");
    if (!src)
        src = cJSON_AddObjectToObject(tree, "sources");
    if (src && t->sources)
        for (const cJSON *m = t->sources->child; m; m = m->next)
            if (!cJSON_GetObjectItemCaseSensitive(src, m->string))
                cJSON_AddItemToObject(src, m->string, cJSON_Duplicate(m, 1));
    if (src) {
        char key[600];
        snprintf(key, sizeof key, "calibration targets (%s)", t->path);
        cJSON_DeleteItemFromObjectCaseSensitive(src, key);
        cJSON_AddStringToObject(src, key,
                                t->description[0] ? t->description
                                                  : "published figures the model was fitted to");
    }
    text = cJSON_Print(tree);
done:
    cJSON_Delete(report);
    cJSON_Delete(tree);
    return text;
}
