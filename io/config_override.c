/* config_override: "--set PATH=VALUE" on top of a config; see
 * config_override.h. */
#include "io/config_override.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "io/config_tree.h"
#include "io/json_check.h"

int config_overrides_add(config_overrides *ov, const char *set)
{
    if (ov->n == CONFIG_MAX_OVERRIDES)
        return -1;
    ov->set[ov->n++] = set;
    return 0;
}

const char *config_overrides_find(const config_overrides *ov, const char *const *paths,
                                  size_t n)
{
    for (size_t i = 0; i < ov->n; i++) {
        size_t len = strcspn(ov->set[i], "=");
        for (size_t k = 0; k < n; k++)
            if (strlen(paths[k]) == len && !strncmp(ov->set[i], paths[k], len))
                return ov->set[i];
    }
    return NULL;
}

/* True when every number in v is finite (JSON text such as 1e999 reads as
 * infinity). */
static bool finite_numbers(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return isfinite(v->valuedouble);
    for (const cJSON *c = v->child; c; c = c->next)
        if (!finite_numbers(c))
            return false;
    return true;
}

/* VALUE into *out: JSON, read as strictly as a config file, or a string
 * when it does not read as JSON and does not start like JSON (a brace,
 * bracket, quote, digit, sign or point: a mistyped number or list must not
 * pass as text). CONFIG_OK; CONFIG_INVALID with the reason in why;
 * CONFIG_NOMEM. */
static int override_value(const char *text, cJSON **out, char *why, size_t whylen)
{
    *out = NULL;
    jc_ctx *ctx = jc_parse("VALUE", text, strlen(text));
    if (!ctx)
        return CONFIG_NOMEM;
    const cJSON *root = jc_root(ctx);
    int rc = CONFIG_OK;
    if (root) {
        *out = cJSON_Duplicate(root, true);
        if (!*out) {
            rc = CONFIG_NOMEM;
        } else if (!finite_numbers(*out)) {
            snprintf(why, whylen, "VALUE has a number too large for a double");
            rc = CONFIG_INVALID;
        }
    } else {
        const char *first = text + strspn(text, " ");
        if (*first && strchr("{[\"-+.0123456789", *first)) {
            const char *msg = jc_error_message(ctx, 0);
            msg = jc_strip_location(msg ? msg : "malformed JSON", "VALUE");
            if (!strncmp(msg, "malformed JSON: ", 16))
                msg += 16;
            snprintf(why, whylen, "VALUE is not JSON: %s (a text that starts like JSON must "
                                  "be written as a JSON string, in double quotes)", msg);
            rc = CONFIG_INVALID;
        } else if (!(*out = cJSON_CreateString(text))) {
            rc = CONFIG_NOMEM;
        }
    }
    jc_free(ctx);
    if (rc != CONFIG_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* Checks that an override is one line of UTF-8 text (it is recorded one a
 * line). CONFIG_OK, or CONFIG_INVALID with the reason in why. */
static int check_text(const char *set, char *why, size_t whylen)
{
    size_t len = strlen(set), bad = jc_utf8_invalid_at(set, len);
    if (bad < len) {
        snprintf(why, whylen, "byte 0x%02X at offset %zu is not UTF-8 text",
                 (unsigned char)set[bad], bad);
        return CONFIG_INVALID;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)set[i] < 0x20 || set[i] == 0x7f) {
            snprintf(why, whylen, "control character 0x%02X at offset %zu (a line break or "
                                  "tab): write the value on one line", (unsigned char)set[i], i);
            return CONFIG_INVALID;
        }
    return CONFIG_OK;
}

/* Applies one "PATH=VALUE" to the tree. CONFIG_OK; CONFIG_INVALID with the
 * reason in why; CONFIG_NOMEM. */
static int apply_one(cJSON *tree, const char *set, char *why, size_t whylen)
{
    const char *eq = strchr(set, '=');
    if (!eq || eq == set) {
        snprintf(why, whylen, "expected PATH=VALUE, e.g. --set run.years=15 or "
                              "--set policies[2].programme.fidelity.score=85");
        return CONFIG_INVALID;
    }
    char path[512];
    if ((size_t)(eq - set) >= sizeof path) {
        snprintf(why, whylen, "the path is longer than %zu characters", sizeof path - 1);
        return CONFIG_INVALID;
    }
    memcpy(path, set, (size_t)(eq - set));
    path[eq - set] = '\0';
    cJSON *value;
    int rc = override_value(eq + 1, &value, why, whylen);
    if (rc != CONFIG_OK)
        return rc;
    rc = config_tree_set(tree, path, value, why, whylen);
    if (rc == CONFIG_INVALID) {
        size_t used = strlen(why);
        snprintf(why + used, whylen - used, " (ipsim validate CONFIG --resolved shows the paths)");
    }
    return rc;
}

int config_override_text(const char *resolved_json, const char *const *sets, size_t n,
                         char **text, char *err, size_t errlen)
{
    *text = NULL;
    cJSON *tree = cJSON_Parse(resolved_json);
    int rc = tree ? CONFIG_OK : CONFIG_NOMEM;
    for (size_t i = 0; i < n && rc == CONFIG_OK; i++) {
        char why[512];
        if ((rc = check_text(sets[i], why, sizeof why)) != CONFIG_OK)
            snprintf(err, errlen, "--set number %zu: %s", i + 1, why);
        else if ((rc = apply_one(tree, sets[i], why, sizeof why)) == CONFIG_INVALID)
            snprintf(err, errlen, "--set %s: %s", sets[i], why);
    }
    if (rc == CONFIG_OK) /* exact numbers: a value is read back as given */
        rc = (*text = jc_print(tree, false)) ? CONFIG_OK : CONFIG_NOMEM;
    if (rc == CONFIG_NOMEM)
        snprintf(err, errlen, "out of memory");
    cJSON_Delete(tree);
    return rc;
}

/* A loader of config text (config_load_text_to, proj_config_load_text_to)
 * into `out`; its codes are CONFIG_OK, CONFIG_INVALID and CONFIG_NOMEM
 * (PROJ_* have the same values). */
typedef int (*text_loader)(const char *name, const char *text, size_t len, void *out,
                           const jc_sink *sink);

static int load_config_text(const char *name, const char *text, size_t len, void *out,
                            const jc_sink *sink)
{
    return config_load_text_to(name, text, len, out, sink);
}

static int load_proj_text(const char *name, const char *text, size_t len, void *out,
                          const jc_sink *sink)
{
    return proj_config_load_text_to(name, text, len, out, sink);
}

/* Loads the resolved config text of the file `name` with the overrides
 * applied, through `load`. Problems go to err, each as
 * "NAME with --set: PATH: message". */
static int load_overridden(const char *name, const char *resolved_json,
                           const config_overrides *ov, text_loader load, void *out, FILE *err)
{
    char why[1024];
    char *text = NULL;
    int rc = config_override_text(resolved_json, ov->set, ov->n, &text, why, sizeof why);
    if (rc != CONFIG_OK) {
        fprintf(err, "%s: %s\n", name, why);
        return rc;
    }
    char *msg = NULL;
    size_t msglen = 0;
    FILE *mem = open_memstream(&msg, &msglen);
    if (!mem) {
        free(text);
        fprintf(err, "%s: out of memory\n", name);
        return CONFIG_NOMEM;
    }
    jc_sink sink = { mem, NULL };
    rc = load(name, text, strlen(text), out, &sink);
    fclose(mem);
    for (const char *line = msg; line && *line;) {
        size_t len = strcspn(line, "\n");
        const char *rest = jc_strip_location(line, name);
        fprintf(err, "%s with --set: %.*s\n", name, (int)(len - (size_t)(rest - line)), rest);
        line += len + (line[len] == '\n');
    }
    free(msg);
    free(text);
    return rc;
}

/* The overrides, one a line (heap; NULL when out of memory). */
static char *join_overrides(const config_overrides *ov)
{
    size_t len = 1;
    for (size_t i = 0; i < ov->n; i++)
        len += strlen(ov->set[i]) + 1;
    char *out = malloc(len), *at = out;
    for (size_t i = 0; out && i < ov->n; i++)
        at += sprintf(at, "%s%s", i ? "\n" : "", ov->set[i]);
    if (out && ov->n == 0)
        *out = '\0';
    return out;
}

/* Reads the resolved config of *cfg again, as `load` reads it into `out`
 * (which holds cfg), with the overrides applied, and notes them in
 * cfg->overrides. The loader's code; on failure nothing is held. */
static int reload_overridden(ipsim_config *cfg, const config_overrides *ov, text_loader load,
                             void *out, FILE *err)
{
    char name[sizeof cfg->source];
    memcpy(name, cfg->source, sizeof name);
    char *resolved = cfg->resolved_json;
    cfg->resolved_json = NULL;
    config_clear(cfg);
    int rc = load_overridden(name, resolved, ov, load, out, err);
    free(resolved);
    if (rc == CONFIG_OK && !(cfg->overrides = join_overrides(ov))) {
        config_clear(cfg);
        fprintf(err, "%s: out of memory\n", name);
        rc = CONFIG_NOMEM;
    }
    return rc;
}

int config_load_overridden(const char *path, const config_overrides *ov, ipsim_config *cfg,
                           FILE *err)
{
    int rc = config_load(path, cfg, err);
    if (rc != CONFIG_OK || !ov || ov->n == 0)
        return rc;
    return reload_overridden(cfg, ov, load_config_text, cfg, err);
}

int proj_config_load_overridden(const char *path, const config_overrides *ov, proj_config *pc,
                                FILE *err)
{
    int rc = proj_config_load(path, pc, err);
    if (rc != PROJ_OK || !ov || ov->n == 0)
        return rc;
    return reload_overridden(&pc->cfg, ov, load_proj_text, pc, err);
}

/* True when target is node or lies inside it. */
static bool holds(const cJSON *node, const cJSON *target)
{
    if (node == target)
        return true;
    for (const cJSON *c = node->child; c; c = c->next)
        if (holds(c, target))
            return true;
    return false;
}

int config_overrides_check_drawn(const ipsim_config *cfg, char *err, size_t errlen)
{
    const unc_section *u = &cfg->uncertainty;
    if (!cfg->overrides || u->nparams == 0)
        return CONFIG_OK;
    cJSON *tree = cJSON_Parse(cfg->resolved_json);
    if (!tree) {
        snprintf(err, errlen, "out of memory");
        return CONFIG_NOMEM;
    }
    /* the number each drawn path names, found once for all the overrides */
    const cJSON *drawn_at[UNC_MAX_PARAMS][UNC_MAX_TIED];
    for (size_t i = 0; i < u->nparams; i++)
        for (size_t k = 0; k < u->param[i].npaths; k++) {
            char why[8];
            drawn_at[i][k] = config_tree_find(tree, u->param[i].path[k], why, sizeof why);
        }
    int rc = CONFIG_OK;
    for (const char *set = cfg->overrides; rc == CONFIG_OK && *set;) {
        size_t n = strcspn(set, "\n"), plen = strcspn(set, "=");
        char path[512], why[256];
        snprintf(path, sizeof path, "%.*s", (int)plen, set);
        const cJSON *node = config_tree_find(tree, path, why, sizeof why);
        for (size_t i = 0; node && rc == CONFIG_OK && i < u->nparams; i++)
            for (size_t k = 0; rc == CONFIG_OK && k < u->param[i].npaths; k++) {
                const char *drawn = u->param[i].path[k];
                const cJSON *target = drawn_at[i][k];
                if (!target || !holds(node, target))
                    continue;
                char what[UNC_PATH_LEN + 16];
                snprintf(what, sizeof what, node == target ? "drawn" : "holds %s, drawn", drawn);
                snprintf(err, errlen, "%s: %s anew in every replication by "
                                      "uncertainty.parameters[%zu] ('%s'), so the value set "
                                      "would not be used; change that parameter instead, or "
                                      "leave it out of uncertainty.parameters",
                         path, what, i, u->param[i].name);
                rc = CONFIG_INVALID;
            }
        set += n + (set[n] == '\n');
    }
    cJSON_Delete(tree);
    return rc;
}
