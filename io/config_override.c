/* config_override: "--set PATH=VALUE" on top of a config; see
 * config_override.h. */
#include "io/config_override.h"

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

/* VALUE as JSON, or as a string when it does not read as JSON. */
static cJSON *override_value(const char *text)
{
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithOpts(text, &end, true);
    return v ? v : cJSON_CreateString(text);
}

int config_override_text(const char *resolved_json, const char *const *sets, size_t n,
                         char **text, char *err, size_t errlen)
{
    *text = NULL;
    cJSON *tree = cJSON_Parse(resolved_json);
    if (!tree) {
        snprintf(err, errlen, "out of memory");
        return CONFIG_NOMEM;
    }
    int rc = CONFIG_OK;
    for (size_t i = 0; i < n && rc == CONFIG_OK; i++) {
        const char *eq = strchr(sets[i], '=');
        if (!eq || eq == sets[i]) {
            snprintf(err, errlen, "--set %s: expected PATH=VALUE, e.g. --set run.years=15 or "
                                  "--set policies[2].programme.fidelity.score=85", sets[i]);
            rc = CONFIG_INVALID;
            break;
        }
        char path[512], why[512];
        if ((size_t)(eq - sets[i]) >= sizeof path) {
            snprintf(err, errlen, "--set %.40s...: the path is longer than %zu characters",
                     sets[i], sizeof path - 1);
            rc = CONFIG_INVALID;
            break;
        }
        memcpy(path, sets[i], (size_t)(eq - sets[i]));
        path[eq - sets[i]] = '\0';
        cJSON *value = override_value(eq + 1);
        if (!value) {
            rc = CONFIG_NOMEM;
            snprintf(err, errlen, "out of memory");
            break;
        }
        rc = config_tree_set(tree, path, value, why, sizeof why);
        if (rc == CONFIG_INVALID)
            snprintf(err, errlen, "--set %s: %s (paths are those of the resolved config, as "
                                  "an output file stores it under /config)", sets[i], why);
        else if (rc == CONFIG_NOMEM)
            snprintf(err, errlen, "out of memory");
    }
    if (rc == CONFIG_OK) {
        *text = jc_print(tree, false); /* exact numbers: a value is read back as given */
        if (!*text) {
            snprintf(err, errlen, "out of memory");
            rc = CONFIG_NOMEM;
        }
    }
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

/* Lists the overrides in `out` (cfg->overrides), one a line; a list too
 * long to hold ends with "...". */
static void note_overrides(char *out, size_t len, const config_overrides *ov)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ov->n; i++) {
        int w = snprintf(out + at, len - at, "%s%s", i ? "\n" : "", ov->set[i]);
        if (w < 0 || (size_t)w >= len - at) {
            snprintf(out + (len > 5 ? len - 5 : 0), len > 5 ? 5 : len, "\n...");
            return;
        }
        at += (size_t)w;
    }
}

int config_load_overridden(const char *path, const config_overrides *ov, ipsim_config *cfg,
                           FILE *err)
{
    int rc = config_load(path, cfg, err);
    if (rc != CONFIG_OK || !ov || ov->n == 0)
        return rc;
    char name[sizeof cfg->source];
    memcpy(name, cfg->source, sizeof name);
    char *resolved = cfg->resolved_json;
    cfg->resolved_json = NULL;
    config_clear(cfg);
    rc = load_overridden(name, resolved, ov, load_config_text, cfg, err);
    free(resolved);
    if (rc == CONFIG_OK)
        note_overrides(cfg->overrides, sizeof cfg->overrides, ov);
    return rc;
}

int proj_config_load_overridden(const char *path, const config_overrides *ov, proj_config *pc,
                                FILE *err)
{
    int rc = proj_config_load(path, pc, err);
    if (rc != PROJ_OK || !ov || ov->n == 0)
        return rc;
    char name[sizeof pc->cfg.source];
    memcpy(name, pc->cfg.source, sizeof name);
    char *resolved = pc->cfg.resolved_json;
    pc->cfg.resolved_json = NULL;
    proj_config_clear(pc);
    rc = load_overridden(name, resolved, ov, load_proj_text, pc, err);
    free(resolved);
    if (rc == PROJ_OK)
        note_overrides(pc->cfg.overrides, sizeof pc->cfg.overrides, ov);
    return rc;
}
