/* config_tree: JSON paths into a resolved config, and reloading an edited
 * tree through the config reader; see config_tree.h. */
#include "io/config_tree.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names the part of a path before a step, for messages: "'policies[2]'" or,
 * before the first step, "the config". */
static const char *step_owner(char *buf, size_t len, const char *path, size_t upto)
{
    if (upto > 0 && path[upto - 1] == '.')
        upto--;
    if (upto == 0)
        snprintf(buf, len, "the config");
    else
        snprintf(buf, len, "'%.*s'", (int)upto, path);
    return buf;
}

/* Walks `path` from root to *node, whose parent goes to *parent (NULL for
 * the root). With `create`, a missing object member that is not indexed
 * next is added as an empty object. CONFIG_OK; CONFIG_INVALID with the
 * reason in why; CONFIG_NOMEM. */
static int walk(cJSON *root, const char *path, bool create, cJSON **node, cJSON **parent,
                char *why, size_t whylen)
{
    cJSON *at = root, *up = NULL;
    const char *p = path;
    char key[128], owner[160];
    if (!*p) {
        snprintf(why, whylen, "the path is empty");
        return CONFIG_INVALID;
    }
    while (*p) {
        size_t upto = (size_t)(p - path);
        if (*p == '[') {
            /* digits only (no sign or space); counted without overflow */
            const char *d = p + 1;
            unsigned long long idx = 0;
            while (*d >= '0' && *d <= '9') {
                idx = idx < (unsigned long long)INT_MAX ? idx * 10 + (unsigned)(*d - '0')
                                                        : (unsigned long long)INT_MAX + 1;
                d++;
            }
            if (d == p + 1 || *d != ']') {
                snprintf(why, whylen, "bad array index at '%s' (an index is a whole number "
                                      "from 0, in brackets)", p);
                return CONFIG_INVALID;
            }
            if (!cJSON_IsArray(at)) {
                snprintf(why, whylen, "%s is not an array",
                         step_owner(owner, sizeof owner, path, upto));
                return CONFIG_INVALID;
            }
            int size = cJSON_GetArraySize(at);
            cJSON *next = idx < (unsigned long long)size ? cJSON_GetArrayItem(at, (int)idx) : NULL;
            if (!next) {
                snprintf(why, whylen, "%s has %d element%s, index %.*s is out of range",
                         step_owner(owner, sizeof owner, path, upto), size, size == 1 ? "" : "s",
                         (int)(d - p - 1), p + 1);
                return CONFIG_INVALID;
            }
            up = at;
            at = next;
            p = d + 1;
        } else {
            size_t n = strcspn(p, ".[");
            if (n == 0 || n >= sizeof key) {
                snprintf(why, whylen, "%s key at '%s'", n ? "too long a" : "an empty", p);
                return CONFIG_INVALID;
            }
            memcpy(key, p, n);
            key[n] = 0;
            if (!cJSON_IsObject(at)) {
                snprintf(why, whylen, "%s is not an object",
                         step_owner(owner, sizeof owner, path, upto));
                return CONFIG_INVALID;
            }
            cJSON *next = cJSON_GetObjectItemCaseSensitive(at, key);
            if (!next && create && p[n] != '['
                && !(next = cJSON_AddObjectToObject(at, key))) {
                snprintf(why, whylen, "out of memory");
                return CONFIG_NOMEM;
            }
            if (!next) {
                snprintf(why, whylen, "%s has no key '%s'",
                         step_owner(owner, sizeof owner, path, upto), key);
                return CONFIG_INVALID;
            }
            up = at;
            at = next;
            p += n;
        }
        if (*p == '.') {
            p++;
            if (!*p) {
                snprintf(why, whylen, "the path ends with '.'");
                return CONFIG_INVALID;
            }
        }
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

const char *config_tree_path_item(char *buf, size_t len, const cJSON *o, const char *p,
                                  size_t k)
{
    jc_join(buf, len, p, "path");
    if (len > 0 && !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "path"))) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "[%zu]", k);
    }
    return buf;
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
