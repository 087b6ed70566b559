/* config_tree: JSON paths into a resolved config, and reloading an edited
 * tree through the config reader; see config_tree.h. */
#include "io/config_tree.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *config_tree_find(cJSON *root, const char *path, char *why, size_t whylen)
{
    cJSON *node = root;
    const char *p = path;
    char key[128];
    if (!*p) {
        snprintf(why, whylen, "the path is empty");
        return NULL;
    }
    while (*p) {
        if (*p == '[') {
            char *end;
            long idx = strtol(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || idx < 0) {
                snprintf(why, whylen, "bad array index at '%s'", p);
                return NULL;
            }
            if (!cJSON_IsArray(node)) {
                snprintf(why, whylen, "'%.*s' is not an array", (int)(p - path), path);
                return NULL;
            }
            cJSON *next = cJSON_GetArrayItem(node, (int)idx);
            if (!next) {
                snprintf(why, whylen, "'%.*s' has %d elements, index %ld is out of range",
                         (int)(p - path), path, cJSON_GetArraySize(node), idx);
                return NULL;
            }
            node = next;
            p = end + 1;
            if (*p == '.')
                p++;
            continue;
        }
        size_t n = strcspn(p, ".[");
        if (n == 0 || n >= sizeof key) {
            snprintf(why, whylen, "empty or too long key at '%s'", p);
            return NULL;
        }
        memcpy(key, p, n);
        key[n] = 0;
        if (!cJSON_IsObject(node)) {
            snprintf(why, whylen, "'%.*s' is not an object", (int)(p - path - 1), path);
            return NULL;
        }
        cJSON *next = cJSON_GetObjectItemCaseSensitive(node, key);
        if (!next) {
            snprintf(why, whylen, "no key '%s' at '%.*s'", key, (int)(p - path), path);
            return NULL;
        }
        node = next;
        p += n;
        if (*p == '.')
            p++;
    }
    return node;
}

size_t config_tree_path_list(jc_ctx *ctx, const cJSON *o, const char *p, size_t max,
                             const char *example, const cJSON **list)
{
    char q[256];
    jc_join(q, sizeof q, p, "path");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(o, "path");
    if (!path) {
        jc_error(ctx, p, "missing required key 'path' (a JSON path such as \"%s\", or a list "
                         "of them)", example);
        return 0;
    }
    size_t n = 0;
    if (cJSON_IsString(path)) {
        list[n++] = path;
    } else if (cJSON_IsArray(path) && cJSON_GetArraySize(path) >= 1
               && (size_t)cJSON_GetArraySize(path) <= max) {
        for (const cJSON *e = path->child; e; e = e->next)
            list[n++] = e;
    } else {
        jc_error(ctx, q, "expected a JSON path string or a list of 1 to %zu of them", max);
    }
    return n;
}

/* Drops the "FILE:LINE:COL: " of a message about the edited (one-line,
 * machine-written) text: the location means nothing to the user. */
static const char *without_location(const char *msg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(msg, name, n) != 0 || msg[n] != ':')
        return msg;
    const char *p = msg + n + 1;
    for (int field = 0; field < 2; field++) {
        if (!isdigit((unsigned char)*p))
            return msg;
        while (isdigit((unsigned char)*p))
            p++;
        if (*p++ != ':')
            return msg;
    }
    return *p == ' ' ? p + 1 : msg;
}

int config_tree_load(const cJSON *tree, const char *name, ipsim_config *cfg, char *err,
                     size_t errlen)
{
    char *text = jc_print(tree, false); /* exact numbers: a drawn value is read back as drawn */
    char *msg = NULL;
    size_t msglen = 0;
    FILE *mem = open_memstream(&msg, &msglen);
    if (!text || !mem) {
        free(text);
        if (mem)
            fclose(mem);
        free(msg);
        snprintf(err, errlen, "out of memory");
        return CONFIG_NOMEM;
    }
    int rc = config_load_text(name, text, strlen(text), cfg, mem);
    fclose(mem);
    if (rc != CONFIG_OK) {
        const char *first = without_location(msg ? msg : "invalid config", name);
        snprintf(err, errlen, "%.*s", (int)strcspn(first, "\n"), first);
    }
    free(text);
    free(msg);
    return rc;
}
