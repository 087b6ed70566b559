/* json_check: strict, located reading of JSON configuration trees.
 *
 * A jc_ctx wraps one parsed document (its file name and raw text) and collects
 * user-facing errors of the form
 *     configs/x.json:12:17: policies.ips.fidelity: 130 is outside 25..125
 * Every accessor takes the JSON path of the object it reads from, checks type
 * and range, and records an error (never exits) when the value is wrong. The
 * caller reads everything, then asks jc_error_count(): strict validation
 * reports all problems in one go. No global state; one ctx per document.
 */
#ifndef IPSIM_JSON_CHECK_H
#define IPSIM_JSON_CHECK_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

typedef struct jc_ctx jc_ctx;

/* Parses `text` (length `len`, need not be NUL-terminated) read from `filename`.
 * On malformed JSON returns a ctx with one error "FILE:LINE:COL: malformed JSON: ..."
 * and jc_root() == NULL. Returns NULL only on allocation failure.
 * Caller frees with jc_free. */
jc_ctx *jc_parse(const char *filename, const char *text, size_t len);

/* Reads the whole file then calls jc_parse. A missing or unreadable file gives a
 * ctx whose single error names the file and strerror(errno). NULL on allocation failure. */
jc_ctx *jc_parse_file(const char *path);

void jc_free(jc_ctx *ctx); /* NULL is a no-op */

const cJSON *jc_root(const jc_ctx *ctx);
const char *jc_filename(const jc_ctx *ctx);
const char *jc_text(const jc_ctx *ctx);
size_t jc_text_len(const jc_ctx *ctx); /* bytes of jc_text (which may hold NULs) */

/* Records an error. `path` is the dotted JSON path ("policies.ips.fidelity",
 * array elements as "inflow.rate_per_year[3]"); the message gets the
 * file:line:column of that path in the text prefixed when it can be located,
 * else "file: path: ...". printf-style. */
void jc_error(jc_ctx *ctx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

size_t jc_error_count(const jc_ctx *ctx);
const char *jc_error_message(const jc_ctx *ctx, size_t i);

/* Where a loader sends the problems it finds: each is printed to `stream`
 * (when not NULL) as one line, the text jc_error_message gives, and appended
 * to the cJSON array `list` (when not NULL) as an object {"file", "line",
 * "col", "path", "message"}; line, col and path are null when the error has
 * none, and message is the text after "PATH: ". */
typedef struct jc_sink {
    FILE *stream;
    cJSON *list;
} jc_sink;

/* Sends every error of ctx, in order, to `sink` (NULL: nowhere). 0, or -1
 * when an entry could not be added to the list for lack of memory (the
 * stream still gets every line). */
int jc_report_errors(const jc_ctx *ctx, const jc_sink *sink);

/* Offset of the first byte of s[0..len) that is not well-formed UTF-8, or
 * len when there is none. */
size_t jc_utf8_invalid_at(const char *s, size_t len);

/* The message without the "FILE:LINE:COL: " that names a place in the text
 * of `name`: for messages about a machine-written text (a config edited by
 * the program), whose lines and columns mean nothing to the user. Messages
 * without such a prefix are returned as they are. */
const char *jc_strip_location(const char *msg, const char *name);

/* Line and column (1-based) where the value at `path` starts in the text;
 * 0 on success, -1 if the path cannot be found. */
int jc_locate(const jc_ctx *ctx, const char *path, int *line, int *col);

/* Checks that every member of object `obj` (at `path`) is in `allowed`
 * (n names). Each unknown key gives: "unknown key 'fidelty'; did you mean
 * 'fidelity'? (allowed: a, b, c)" using Levenshtein distance for the suggestion.
 * Members "source" and "note" are documentation and always allowed; their
 * value must be a string. Returns the number of unknown keys found. */
size_t jc_check_keys(jc_ctx *ctx, const cJSON *obj, const char *path,
                     const char *const *allowed, size_t n);

/* Typed accessors. Each looks up member `key` of object `obj` (whose path is
 * `path`). If the member is absent: *out keeps its current value (the default)
 * and, when `required` is true, an error "missing required key" is recorded.
 * If present but of the wrong type or out of range an error naming the full
 * path, the value found and what is allowed is recorded and *out is unchanged.
 * Return true if a valid value was stored. */
bool jc_number(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
               double min, double max, bool required, double *out);
/* Like jc_number but the value must be a whole number within [min, max]. */
bool jc_integer(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                long long min, long long max, bool required, long long *out);
/* Probability in [0, 1]. */
bool jc_probability(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                    bool required, double *out);
bool jc_bool(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
             bool required, bool *out);
/* String that must be one of `choices` (n of them); *out gets its index. */
bool jc_enum(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
             const char *const *choices, size_t n, bool required, int *out);
/* Any string; *out points into the cJSON tree (valid while ctx lives). */
bool jc_string(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
               bool required, const char **out);
/* Member that must be an object (or array); returns it or NULL (error recorded
 * if present with the wrong type, or absent and required). */
const cJSON *jc_object(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                       bool required);
const cJSON *jc_array(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                      bool required);
/* Array of numbers each within [min, max], 1..max_n long; fills out[], sets *n. */
bool jc_number_array(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                     double min, double max, double *out, size_t max_n, size_t *n,
                     bool required);
/* Object whose members are exactly the `n` names (each a probability) and whose
 * values sum to 1 within 1e-6; out[i] gets the share of names[i]. Missing
 * names get 0 and an error, unknown names an error with a suggestion; a bad
 * sum gives "shares sum to 0.97, must sum to 1". */
bool jc_shares(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
               const char *const *names, size_t n, bool required, double *out);

/* Prints `tree` (formatted or on one line) with every number written so that
 * reading the text back gives the same double: the shortest of 15, 16 or 17
 * significant digits that does (cJSON's own printer settles for 15 digits
 * that are within a rounding error, which can move a value by one unit in
 * the last place, and prints integers above 1e15 rounded). Text as
 * cJSON_Print gives it otherwise. NULL when out of memory; caller frees. */
char *jc_print(const cJSON *tree, bool formatted);

/* A number item for the unsigned integer v, printed exactly by jc_print and
 * cJSON_Print alike (a raw item), e.g. a 64-bit seed. NULL if out of memory. */
cJSON *jc_exact_u64(uint64_t v);

/* Joins `path` and `key` into buf ("a.b" + "c" -> "a.b.c"; "" + "c" -> "c"). */
const char *jc_join(char *buf, size_t size, const char *path, const char *key);

#endif
