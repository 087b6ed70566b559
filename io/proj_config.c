/* proj_config: reading the "projection" section; see proj_config.h. */
#include "io/proj_config.h"

#include <math.h>
#include <string.h>

#include "io/json_check.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PATH_LEN 256

static const char *const household_names[3] = { "dependants", "living_alone", "cohabiting" };

static long policy_named(const model_params *mp, const char *name)
{
    for (size_t i = 0; i < mp->npolicies; i++)
        if (!strcmp(mp->policy[i].name, name))
            return (long)i;
    return -1;
}

/* "'x' is not the name of a policy of this config (policies: a, b, c)" at `path`. */
static void no_such_policy(jc_ctx *ctx, const char *path, const model_params *mp,
                           const char *name)
{
    char names[MAX_POLICIES * 34] = "";
    for (size_t i = 0; i < mp->npolicies; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 mp->policy[i].name);
    jc_error(ctx, path, "'%s' is not the name of a policy of this config (policies: %s)", name,
             names);
}

static void read_differences(jc_ctx *ctx, const cJSON *o, proj_config *pc)
{
    static const char *const keys[] = { "scenario", "minus", "source", "note" };
    const model_params *mp = &pc->cfg.model;
    const cJSON *a = jc_array(ctx, o, "projection", "differences", false);
    if (!a) {
        /* every scenario minus the first */
        for (size_t i = 1; i < mp->npolicies && pc->ndiffs < PROJ_MAX_DIFFS; i++) {
            pc->diff_a[pc->ndiffs] = i;
            pc->diff_b[pc->ndiffs++] = 0;
        }
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (n > PROJ_MAX_DIFFS) {
        jc_error(ctx, "projection.differences", "at most %d differences, found %zu",
                 PROJ_MAX_DIFFS, n);
        return;
    }
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        char p[PATH_LEN], q[PATH_LEN];
        snprintf(p, sizeof p, "projection.differences[%zu]", i);
        if (!cJSON_IsObject(e)) {
            jc_error(ctx, p, "expected an object {\"scenario\": NAME, \"minus\": NAME}");
            continue;
        }
        jc_check_keys(ctx, e, p, keys, ARRAY_LEN(keys));
        const char *sa = NULL, *sb = NULL;
        bool ha = jc_string(ctx, e, p, "scenario", true, &sa);
        bool hb = jc_string(ctx, e, p, "minus", true, &sb);
        long ia = ha ? policy_named(mp, sa) : -1, ib = hb ? policy_named(mp, sb) : -1;
        if (ha && ia < 0)
            no_such_policy(ctx, jc_join(q, sizeof q, p, "scenario"), mp, sa);
        if (hb && ib < 0)
            no_such_policy(ctx, jc_join(q, sizeof q, p, "minus"), mp, sb);
        if (ia >= 0 && ib >= 0 && ia == ib) {
            jc_error(ctx, p, "a scenario minus itself is always 0");
            continue;
        }
        if (ia >= 0 && ib >= 0) {
            /* each difference is the HDF5 group "A_minus_B": two that give one
             * name (the same pair, or names containing "_minus_") would
             * collide when the file is written, after the whole run */
            char name[PROJ_DIFF_NAME_LEN], other[PROJ_DIFF_NAME_LEN];
            proj_diff_name(name, sizeof name, mp, (size_t)ia, (size_t)ib);
            for (size_t k = 0; k < pc->ndiffs; k++) {
                if (strcmp(name, proj_diff_name(other, sizeof other, mp, pc->diff_a[k],
                                                pc->diff_b[k])) != 0)
                    continue;
                if (pc->diff_a[k] == (size_t)ia && pc->diff_b[k] == (size_t)ib)
                    jc_error(ctx, p, "'%s' minus '%s' is already projection.differences[%zu]",
                             sa, sb, k);
                else
                    jc_error(ctx, p, "'%s' minus '%s' and projection.differences[%zu] would "
                             "both be stored as '%s': rename a policy", sa, sb, k, name);
                break;
            }
            pc->diff_a[pc->ndiffs] = (size_t)ia;
            pc->diff_b[pc->ndiffs++] = (size_t)ib;
        }
    }
}

static void read_benefits(jc_ctx *ctx, const cJSON *o, proj_wages *w)
{
    static const char *const keys[] = { "replacement_rates", "household_shares", "primary_rate",
                                        "wage", "part_time_benefit_ratio", "source", "note" };
    static const char *const wage_keys[] = { "median_monthly_eur", "sigma_log",
                                             "cap_monthly_eur", "source", "note" };
    const char *path = "projection.benefits";
    const cJSON *b = jc_object(ctx, o, "projection", "benefits", true);
    if (!b)
        return;
    jc_check_keys(ctx, b, path, keys, ARRAY_LEN(keys));
    const cJSON *rr = jc_object(ctx, b, path, "replacement_rates", true);
    if (rr) {
        static const char *const rk[] = { "dependants", "living_alone", "cohabiting", "source",
                                          "note" };
        jc_check_keys(ctx, rr, "projection.benefits.replacement_rates", rk, ARRAY_LEN(rk));
        for (int h = 0; h < 3; h++)
            jc_probability(ctx, rr, "projection.benefits.replacement_rates", household_names[h],
                           true, &w->invalidity_rate[h]);
    }
    jc_shares(ctx, b, path, "household_shares", household_names, 3, true, w->household_share);
    jc_probability(ctx, b, path, "primary_rate", true, &w->primary_rate);
    jc_probability(ctx, b, path, "part_time_benefit_ratio", true, &w->part_time_ratio);
    const cJSON *wg = jc_object(ctx, b, path, "wage", true);
    if (wg) {
        const char *wp = "projection.benefits.wage";
        jc_check_keys(ctx, wg, wp, wage_keys, ARRAY_LEN(wage_keys));
        jc_number(ctx, wg, wp, "median_monthly_eur", 1, 1e6, true, &w->median_monthly);
        jc_number(ctx, wg, wp, "sigma_log", 0, 5, true, &w->sigma_log);
        jc_number(ctx, wg, wp, "cap_monthly_eur", 1, 1e6, true, &w->cap_monthly);
    }
}

/* Checks that the run covers the years: each year that falls outside is
 * reported at its own key, first_year after last_year at last_year. */
static void check_years(jc_ctx *ctx, const model_params *mp, long long fy, long long ly)
{
    char run[160];
    double years = mp->horizon_days / DAYS_PER_YEAR;
    snprintf(run, sizeof run, "years %lld..%lld need the run to cover 1 January %lld to "
             "31 December %lld (run: 1 January %.0f plus %.4g year%s)", fy, ly, fy, ly,
             mp->start_year, years, years == 1 ? "" : "s");
    if (fy > ly) {
        jc_error(ctx, "projection.last_year", "%lld is before first_year %lld", ly, fy);
        return;
    }
    if (!projection_starts_by(mp, (int)fy))
        jc_error(ctx, "projection.first_year", "%lld is before the run starts: %s", fy, run);
    if (!projection_lasts_to(mp, (int)ly))
        jc_error(ctx, "projection.last_year", "%lld is after the run ends: %s", ly, run);
}

/* Loads from `text` (len bytes, named `name`), or from the file `name` when
 * text is NULL. */
static int load(const char *name, const char *text, size_t len, proj_config *pc,
                const jc_sink *sink)
{
    static const char *const keys[] = { "first_year", "last_year", "replications", "differences",
                                        "benefits", "source", "note" };
    memset(pc, 0, sizeof *pc);
    int rc = text ? config_load_text_to(name, text, len, &pc->cfg, sink)
                  : config_load(name, &pc->cfg, sink->stream);
    if (rc != CONFIG_OK)
        return rc == CONFIG_NOMEM ? PROJ_NOMEM : PROJ_INVALID;
    jc_ctx *ctx = text ? jc_parse(name, text, len) : jc_parse_file(name);
    if (!ctx) {
        config_clear(&pc->cfg);
        return PROJ_NOMEM;
    }
    const cJSON *root = jc_root(ctx);
    const cJSON *o = root ? jc_object(ctx, root, "", "projection", true) : NULL;
    if (o) {
        jc_check_keys(ctx, o, "projection", keys, ARRAY_LEN(keys));
        long long fy = 0, ly = 0, reps = (long long)pc->cfg.replications;
        jc_integer(ctx, o, "projection", "first_year", 1900, 2200, true, &fy);
        jc_integer(ctx, o, "projection", "last_year", 1900, 2200, true, &ly);
        if (jc_integer(ctx, o, "projection", "replications", 1, 100000, false, &reps))
            pc->cfg.replications = (size_t)reps;
        pc->replications = pc->cfg.replications;
        pc->first_year = (int)fy;
        pc->last_year = (int)ly;
        if (fy && ly)
            check_years(ctx, &pc->cfg.model, fy, ly);
        read_differences(ctx, o, pc);
        read_benefits(ctx, o, &pc->wages);
    }
    rc = PROJ_OK;
    if (jc_error_count(ctx) > 0) {
        rc = jc_report_errors(ctx, sink) ? PROJ_NOMEM : PROJ_INVALID;
        config_clear(&pc->cfg);
    } else {
        projection_benefits(&pc->wages, &pc->benefits);
    }
    jc_free(ctx);
    return rc;
}

int proj_config_load(const char *path, proj_config *pc, FILE *err)
{
    jc_sink sink = { err, NULL };
    return load(path, NULL, 0, pc, &sink);
}

int proj_config_load_text_to(const char *name, const char *text, size_t len, proj_config *pc,
                             const jc_sink *sink)
{
    return load(name, text ? text : "", text ? len : 0, pc, sink);
}

int proj_config_load_text(const char *name, const char *text, size_t len, proj_config *pc,
                          FILE *err)
{
    jc_sink sink = { err, NULL };
    return proj_config_load_text_to(name, text, len, pc, &sink);
}

const char *proj_diff_name(char *buf, size_t len, const model_params *mp, size_t a, size_t b)
{
    snprintf(buf, len, "%s_minus_%s", mp->policy[a].name, mp->policy[b].name);
    return buf;
}

void proj_config_clear(proj_config *pc)
{
    config_clear(&pc->cfg);
}
