/* config_tree: JSON paths into a resolved config, and reloading an edited
 * tree through the config reader; see config_tree.h. */
#include "io/config_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Walks `path` from root to *node, whose parent goes to *parent (NULL for
 * the root). With `create`, a missing object member is added as an empty
 * object. CONFIG_OK; CONFIG_INVALID with the reason in why; CONFIG_NOMEM. */
static int walk(cJSON *root, const char *path, bool create, cJSON **node, cJSON **parent,
                char *why, size_t whylen)
{
    cJSON *at = root, *up = NULL;
    const char *p = path;
    char key[128];
    if (!*p) {
        snprintf(why, whylen, "the path is empty");
        return CONFIG_INVALID;
    }
    while (*p) {
        if (*p == '[') {
            char *end;
            long idx = strtol(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || idx < 0) {
                snprintf(why, whylen, "bad array index at '%s'", p);
                return CONFIG_INVALID;
            }
            if (!cJSON_IsArray(at)) {
                snprintf(why, whylen, "'%.*s' is not an array", (int)(p - path), path);
                return CONFIG_INVALID;
            }
            cJSON *next = cJSON_GetArrayItem(at, (int)idx);
            if (!next) {
                snprintf(why, whylen, "'%.*s' has %d elements, index %ld is out of range",
                         (int)(p - path), path, cJSON_GetArraySize(at), idx);
                return CONFIG_INVALID;
            }
            up = at;
            at = next;
            p = end + 1;
            if (*p == '.')
                p++;
            continue;
        }
        size_t n = strcspn(p, ".[");
        if (n == 0 || n >= sizeof key) {
            snprintf(why, whylen, "empty or too long key at '%s'", p);
            return CONFIG_INVALID;
        }
        memcpy(key, p, n);
        key[n] = 0;
        if (!cJSON_IsObject(at)) {
            snprintf(why, whylen, "'%.*s' is not an object", (int)(p - path - 1), path);
            return CONFIG_INVALID;
        }
        cJSON *next = cJSON_GetObjectItemCaseSensitive(at, key);
        if (!next && create && !(next = cJSON_AddObjectToObject(at, key))) {
            snprintf(why, whylen, "out of memory");
            return CONFIG_NOMEM;
        }
        if (!next) {
            snprintf(why, whylen, "no key '%s' at '%.*s'", key, (int)(p - path), path);
            return CONFIG_INVALID;
        }
        up = at;
        at = next;
        p += n;
        if (*p == '.')
            p++;
    }
    *node = at;
    *parent = up;
    return CONFIG_OK;
}

cJSON *config_tree_find(cJSON *root, const char *path, char *why, size_t whylen)
{
    cJSON *node, *parent;
    return walk(root, path, false, &node, &parent, why, whylen) == CONFIG_OK ? node : NULL;
}

int config_tree_set(cJSON *root, const char *path, cJSON *value, char *why, size_t whylen)
{
    cJSON *node, *parent;
    int rc = walk(root, path, true, &node, &parent, why, whylen);
    /* an object member's replacement takes over the member's name */
    if (rc == CONFIG_OK
        && !(cJSON_IsObject(parent)
                 ? cJSON_ReplaceItemInObjectCaseSensitive(parent, node->string, value)
                 : cJSON_ReplaceItemViaPointer(parent, node, value))) {
        snprintf(why, whylen, "out of memory");
        rc = CONFIG_NOMEM;
    }
    if (rc != CONFIG_OK)
        cJSON_Delete(value);
    return rc;
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
        const char *first = jc_strip_location(msg ? msg : "invalid config", name);
        snprintf(err, errlen, "%.*s", (int)strcspn(first, "\n"), first);
    }
    free(text);
    free(msg);
    return rc;
}
