/* json_check: strict, located reading of JSON configuration files on top of cJSON.
 * Invariants: a ctx owns a NUL-terminated copy of its text and, only when that text is
 * strict RFC 8259 JSON without duplicate keys, the cJSON tree built from it; errors are
 * owned strings kept in order and never repeated, each with its line, column and path
 * kept apart for structured reports; nothing global is ever written.
 */
#include "io/json_check.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JC_MAX_DEPTH CJSON_NESTING_LIMIT /* cJSON refuses deeper nesting; say so first */
#define JC_NEAR_BYTES 20                 /* text quoted after "near" in syntax errors */
#define JC_SHARE_TOLERANCE 1e-6
#define JC_NO_INDEX (-1LL)

/* One recorded error: the whole line as printed, and its parts. */
typedef struct jc_err {
    char *text;          /* "FILE:LINE:COL: PATH: message" */
    char *path;          /* NULL when the error names no path */
    int line, col;       /* 0 when not located */
    size_t msg_off;      /* where the message starts in text */
} jc_err;

struct jc_ctx {
    char *filename;
    char *text;          /* copy of the input; text[len] == '\0' */
    size_t len;
    cJSON *root;         /* NULL when the text was rejected */
    jc_err *errors;
    size_t n_errors;
    size_t cap_errors;
    size_t lost_errors;  /* errors that could not be stored for lack of memory */
};

static const char jc_lost_message[] = "(an error was found but its message was lost: out of memory)";

/* ---------------------------------------------------------------------------------
 * Growable string; a failed allocation sticks, so callers check once at the end.
 */
typedef struct {
    char *buf;
    size_t len;
    size_t cap;
    bool failed;
} jc_sb;

static void sb_append(jc_sb *sb, const char *s, size_t n)
{
    if (sb->failed)
        return;
    if (n > SIZE_MAX - sb->len - 1) {
        sb->failed = true;
        return;
    }
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < sb->len + n + 1)
            cap = cap > SIZE_MAX / 2 ? sb->len + n + 1 : cap * 2;
        char *grown = realloc(sb->buf, cap);
        if (!grown) {
            sb->failed = true;
            return;
        }
        sb->buf = grown;
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

static void sb_puts(jc_sb *sb, const char *s)
{
    sb_append(sb, s, strlen(s));
}

static void sb_vprintf(jc_sb *sb, const char *fmt, va_list ap)
{
    char small[256];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, again);
    va_end(again);
    if (n < 0) {
        sb->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        sb_append(sb, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        sb->failed = true;
        return;
    }
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    sb_append(sb, big, (size_t)n);
    free(big);
}

static void sb_printf(jc_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(jc_sb *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

/* Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms,
 * no surrogates, at most U+10FFFF) that starts t[0..len), or 0 if none. */
static size_t utf8_seq_len(const unsigned char *t, size_t len)
{
    if (len == 0)
        return 0;
    unsigned c = t[0];
    size_t n;                      /* continuation bytes */
    unsigned lo = 0x80, hi = 0xBF; /* range of the first continuation byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (n >= len) /* cut off by the end of the text */
        return 0;
    for (size_t k = 1; k <= n; k++) {
        unsigned d = t[k];
        if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF))
            return 0;
    }
    return n + 1;
}

/* Offset of the first byte of t[0..len) not in well-formed UTF-8, or len. */
static size_t utf8_invalid_at(const unsigned char *t, size_t len)
{
    size_t i = 0, n;
    while (i < len && (n = utf8_seq_len(t + i, len - i)) > 0)
        i += n;
    return i;
}

/* Appends user text with control bytes and bytes that are not UTF-8 escaped,
 * so a message stays on one line and prints cleanly. */
static void sb_escaped(jc_sb *sb, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            sb_puts(sb, "\\n");
        else if (c == '\r')
            sb_puts(sb, "\\r");
        else if (c == '\t')
            sb_puts(sb, "\\t");
        else if (c < 0x20 || c == 0x7f)
            sb_printf(sb, "\\x%02X", c);
        else if (c < 0x80)
            sb_append(sb, (const char *)&s[i], 1);
        else {
            size_t len = utf8_seq_len((const unsigned char *)s + i, n - i);
            if (len == 0) {
                sb_printf(sb, "\\x%02X", c); /* not UTF-8: shown as a byte */
            } else {
                sb_append(sb, s + i, len);
                i += len - 1;
            }
        }
    }
}

/* Returns the built string (caller frees) or NULL if any step ran out of memory. */
static char *sb_take(jc_sb *sb)
{
    if (!sb->failed && !sb->buf)
        sb_append(sb, "", 0);
    if (sb->failed) {
        free(sb->buf);
        sb->buf = NULL;
        return NULL;
    }
    return sb->buf;
}

/* Every finite double of magnitude 2^52 or more is whole; below, the cast is exact.
 * (Avoids floor() so the module needs no libm.) */
static bool is_whole(double v)
{
    if (!isfinite(v))
        return false;
    if (fabs(v) >= 4503599627370496.0)
        return true;
    return (double)(long long)v == v;
}

/* ---------------------------------------------------------------------------------
 * Numbers in messages: %g, with more digits only when %g would misstate the value
 * (so 125.0000001 is not shown as "125" next to the bound 125), and whole numbers
 * below 1e15 in full.
 */
static const char *fmt_num(char buf[40], double v)
{
    if (is_whole(v) && fabs(v) < 1e15) { /* whole: 4102444800, not 4.1024448e+09 */
        snprintf(buf, 40, "%.0f", v);
        return buf;
    }
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* A bound of an allowed range: fmt_num when six digits hold it exactly,
 * else "about" and six digits (1/12 reads "about 0.0833333", not 17 digits;
 * a value outside the range is always printed exactly, so the message never
 * makes an excluded value look allowed). */
static const char *fmt_bound(char buf[40], double v)
{
    char six[24];
    snprintf(six, sizeof six, "%.6g", v);
    if (!isfinite(v) || strtod(six, NULL) == v || (is_whole(v) && fabs(v) < 1e15))
        return fmt_num(buf, v);
    snprintf(buf, 40, "about %s", six);
    return buf;
}

/* A sum of shares: %g, with more digits only while the text would look like 1. */
static const char *fmt_sum(char buf[40], double v)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, v);
        if (fabs(strtod(buf, NULL) - 1.0) > JC_SHARE_TOLERANCE)
            break;
    }
    return buf;
}

/* ---------------------------------------------------------------------------------
 * Scanner: a strict RFC 8259 validator over the raw text. It gives syntax errors a
 * precise place and reason (cJSON has neither), and jc_locate walks text with it.
 */
typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    bool failed;
    size_t err_pos;
    char reason[160];
} jc_scan;

static int scan_fail(jc_scan *sc, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int scan_fail(jc_scan *sc, size_t pos, const char *fmt, ...)
{
    if (!sc->failed) {
        va_list ap;
        sc->failed = true;
        sc->err_pos = pos;
        va_start(ap, fmt);
        vsnprintf(sc->reason, sizeof sc->reason, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void offset_to_line_col(const char *s, size_t len, size_t off, int *line, int *col)
{
    size_t l = 1, line_start = 0;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) { /* O(off): only run when an error is reported */
        if (s[i] == '\n') {
            l++;
            line_start = i + 1;
        }
    }
    *line = l > INT_MAX ? INT_MAX : (int)l;
    *col = off - line_start + 1 > INT_MAX ? INT_MAX : (int)(off - line_start + 1);
}

static jc_scan scan_start(const char *s, size_t len)
{
    jc_scan sc = {.s = s, .len = len};
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 BOM, as cJSON skips it */
        sc.pos = 3;
    return sc;
}

static bool at_end(const jc_scan *sc)
{
    return sc->pos >= sc->len;
}

static char peek(const jc_scan *sc)
{
    return at_end(sc) ? '\0' : sc->s[sc->pos];
}

static void scan_ws(jc_scan *sc)
{
    while (!at_end(sc)) {
        char c = sc->s[sc->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        sc->pos++;
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

static const char *char_desc(char buf[16], char ch)
{
    unsigned char c = (unsigned char)ch;
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02X", c);
    return buf;
}

static int scan_eof(jc_scan *sc, size_t open)
{
    if (open == SIZE_MAX)
        return scan_fail(sc, sc->len, "unexpected end of input");
    int line, col;
    offset_to_line_col(sc->s, sc->len, open, &line, &col);
    return scan_fail(sc, sc->len,
                     "unexpected end of input; '%c' opened at line %d, column %d is not closed",
                     sc->s[open], line, col);
}

static int hex4(const jc_scan *sc, size_t pos, unsigned *out)
{
    unsigned v = 0;
    if (pos > sc->len || sc->len - pos < 4)
        return -1;
    for (size_t i = 0; i < 4; i++) {
        char c = sc->s[pos + i];
        v <<= 4;
        if (is_digit(c))
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Decodes one character of a string body at sc->pos (not the closing quote) into
 * UTF-8 out[0..n) and returns n, or -1 on an invalid character or escape. */
static int scan_char(jc_scan *sc, unsigned char out[4])
{
    size_t at = sc->pos;
    unsigned char c = (unsigned char)sc->s[at];
    if (c < 0x20)
        return scan_fail(sc, at, "control character 0x%02X inside a string (escape it, e.g. \\t)", c);
    if (c != '\\') {
        out[0] = c;
        sc->pos++;
        return 1;
    }
    if (sc->len - at < 2)
        return scan_fail(sc, at, "unterminated escape at end of input");
    char e = sc->s[at + 1];
    static const char plain[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";
    const char *hit = e ? strchr(plain, e) : NULL;
    if (hit) {
        out[0] = (unsigned char)value[hit - plain];
        sc->pos += 2;
        return 1;
    }
    if (e != 'u') {
        char d[16];
        return scan_fail(sc, at, "invalid escape: backslash followed by %s (allowed: \\\" \\\\ \\/ "
                         "\\b \\f \\n \\r \\t \\uXXXX)", char_desc(d, e));
    }
    unsigned cp, lo;
    size_t next = at + 6;
    if (hex4(sc, at + 2, &cp) < 0)
        return scan_fail(sc, at, "invalid \\u escape (needs 4 hex digits)");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return scan_fail(sc, at, "invalid \\u escape: low surrogate without a high one");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (sc->len - next < 2 || sc->s[next] != '\\' || sc->s[next + 1] != 'u'
            || hex4(sc, next + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
            return scan_fail(sc, at, "invalid \\u escape: high surrogate not followed by a low one");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        next += 6;
    }
    if (cp == 0)
        return scan_fail(sc, at, "\\u0000 is not allowed in strings");
    sc->pos = next;
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Scans the string token at sc->pos (a '"'). When `name` is given, *equal tells
 * whether the decoded string is exactly name[0..n): no allocation, escapes decoded. */
static int scan_string(jc_scan *sc, const char *name, size_t n, bool *equal)
{
    size_t open = sc->pos, matched = 0;
    bool same = true;
    sc->pos++;
    for (;;) {
        if (at_end(sc))
            return scan_fail(sc, open, "unterminated string (no closing '\"' before end of input)");
        char c = sc->s[sc->pos];
        if (c == '"')
            break;
        if (c == '\n' || c == '\r')
            return scan_fail(sc, open, "unterminated string (line break before the closing '\"')");
        unsigned char u[4];
        int k = scan_char(sc, u);
        if (k < 0)
            return -1;
        for (int j = 0; name && j < k; j++) {
            if (same && matched < n && (unsigned char)name[matched] == u[j])
                matched++;
            else
                same = false;
        }
    }
    sc->pos++;
    if (equal)
        *equal = name && same && matched == n;
    return 0;
}

static int scan_number(jc_scan *sc)
{
    size_t start = sc->pos;
    if (peek(sc) == '-')
        sc->pos++;
    if (!is_digit(peek(sc)))
        return scan_fail(sc, start, "invalid number: expected a digit after '-'");
    if (peek(sc) == '0') {
        sc->pos++;
        if (is_digit(peek(sc)))
            return scan_fail(sc, start, "invalid number: leading zeros are not allowed");
    } else {
        while (is_digit(peek(sc)))
            sc->pos++;
    }
    if (peek(sc) == '.') {
        sc->pos++;
        if (!is_digit(peek(sc)))
            return scan_fail(sc, start, "invalid number: expected a digit after '.'");
        while (is_digit(peek(sc)))
            sc->pos++;
    }
    if (peek(sc) == 'e' || peek(sc) == 'E') {
        sc->pos++;
        if (peek(sc) == '+' || peek(sc) == '-')
            sc->pos++;
        if (!is_digit(peek(sc)))
            return scan_fail(sc, start, "invalid number: expected a digit in the exponent");
        while (is_digit(peek(sc)))
            sc->pos++;
    }
    return 0;
}

/* True if w[0..n) is a non-empty, case-insensitive prefix of lit ("tru", "NULL"). */
static bool word_prefix(const char *w, size_t n, const char *lit)
{
    if (n == 0 || n > strlen(lit))
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = (w[i] >= 'A' && w[i] <= 'Z') ? (char)(w[i] - 'A' + 'a') : w[i];
        if (a != lit[i])
            return false;
    }
    return true;
}

static int scan_word(jc_scan *sc)
{
    static const char *const literals[] = {"true", "false", "null", "none"};
    size_t start = sc->pos;
    while (is_word_char(peek(sc)))
        sc->pos++;
    const char *w = sc->s + start;
    size_t n = sc->pos - start;
    int shown = n > 20 ? 20 : (int)n;
    if ((n == 4 && memcmp(w, "true", 4) == 0) || (n == 5 && memcmp(w, "false", 5) == 0)
        || (n == 4 && memcmp(w, "null", 4) == 0))
        return 0;
    for (size_t i = 0; i < sizeof literals / sizeof literals[0]; i++)
        if (word_prefix(w, n, literals[i])) /* mistyped literal, not a missing quote */
            return scan_fail(sc, start, "invalid literal '%.*s' (JSON has lowercase true, false, null)",
                             shown, w);
    if (word_prefix(w, n, "nan") && n == 3)
        return scan_fail(sc, start, "'%.*s' is not a JSON number", shown, w);
    if (word_prefix(w, n, "infinity") && n >= 3)
        return scan_fail(sc, start, "'%.*s' is not a JSON number", shown, w);
    return scan_fail(sc, start, "invalid value '%.*s' (strings need double quotes)", shown, w);
}

static int scan_value(jc_scan *sc, int depth, size_t open);

static int scan_object(jc_scan *sc, int depth)
{
    size_t open = sc->pos, comma = SIZE_MAX;
    char d[16];
    if (depth > JC_MAX_DEPTH)
        return scan_fail(sc, open, "nesting deeper than %d levels", JC_MAX_DEPTH);
    sc->pos++;
    scan_ws(sc);
    if (peek(sc) == '}' && !at_end(sc)) {
        sc->pos++;
        return 0;
    }
    for (;;) {
        scan_ws(sc);
        if (at_end(sc))
            return scan_eof(sc, open);
        char c = sc->s[sc->pos];
        if (c == '}' && comma != SIZE_MAX)
            return scan_fail(sc, comma, "trailing comma before '}'");
        if (c == '/')
            return scan_fail(sc, sc->pos, "comments are not allowed in JSON");
        if (c != '"') {
            if (is_word_char(c) || c == '\'')
                return scan_fail(sc, sc->pos, "object keys must be double-quoted strings");
            return scan_fail(sc, sc->pos, "expected a key (a double-quoted string), found %s",
                             char_desc(d, c));
        }
        if (scan_string(sc, NULL, 0, NULL) < 0)
            return -1;
        scan_ws(sc);
        if (at_end(sc))
            return scan_eof(sc, open);
        if (sc->s[sc->pos] != ':')
            return scan_fail(sc, sc->pos, "expected ':' after the key, found %s",
                             char_desc(d, sc->s[sc->pos]));
        sc->pos++;
        scan_ws(sc);
        if (scan_value(sc, depth, open) < 0)
            return -1;
        scan_ws(sc);
        if (at_end(sc))
            return scan_eof(sc, open);
        c = sc->s[sc->pos];
        if (c == ',') {
            comma = sc->pos++;
            continue;
        }
        if (c == '}') {
            sc->pos++;
            return 0;
        }
        if (c == '"')
            return scan_fail(sc, sc->pos, "missing ',' between object members");
        if (c == '/')
            return scan_fail(sc, sc->pos, "comments are not allowed in JSON");
        return scan_fail(sc, sc->pos, "expected ',' or '}' after an object member, found %s",
                         char_desc(d, c));
    }
}

static int scan_array(jc_scan *sc, int depth)
{
    size_t open = sc->pos, comma = SIZE_MAX;
    char d[16];
    if (depth > JC_MAX_DEPTH)
        return scan_fail(sc, open, "nesting deeper than %d levels", JC_MAX_DEPTH);
    sc->pos++;
    scan_ws(sc);
    if (peek(sc) == ']' && !at_end(sc)) {
        sc->pos++;
        return 0;
    }
    for (;;) {
        scan_ws(sc);
        if (peek(sc) == ']' && !at_end(sc) && comma != SIZE_MAX)
            return scan_fail(sc, comma, "trailing comma before ']'");
        if (scan_value(sc, depth, open) < 0)
            return -1;
        scan_ws(sc);
        if (at_end(sc))
            return scan_eof(sc, open);
        char c = sc->s[sc->pos];
        if (c == ',') {
            comma = sc->pos++;
            continue;
        }
        if (c == ']') {
            sc->pos++;
            return 0;
        }
        if (c == '"' || c == '{' || c == '[' || c == '-' || is_word_char(c))
            return scan_fail(sc, sc->pos, "missing ',' between array elements");
        if (c == '/')
            return scan_fail(sc, sc->pos, "comments are not allowed in JSON");
        return scan_fail(sc, sc->pos, "expected ',' or ']' after an array element, found %s",
                         char_desc(d, c));
    }
}

/* Scans one value at sc->pos; `depth` counts the containers around it and `open` is
 * the innermost one's offset (SIZE_MAX at top level), for end-of-input messages. */
static int scan_value(jc_scan *sc, int depth, size_t open)
{
    char d[16];
    if (at_end(sc))
        return scan_eof(sc, open);
    char c = sc->s[sc->pos];
    if (c == '{')
        return scan_object(sc, depth + 1);
    if (c == '[')
        return scan_array(sc, depth + 1);
    if (c == '"')
        return scan_string(sc, NULL, 0, NULL);
    if (c == '-' || is_digit(c))
        return scan_number(sc);
    if (is_word_char(c))
        return scan_word(sc);
    if (c == '\'')
        return scan_fail(sc, sc->pos, "strings need double quotes, not single quotes");
    if (c == '/')
        return scan_fail(sc, sc->pos, "comments are not allowed in JSON");
    if (c == '+')
        return scan_fail(sc, sc->pos, "invalid number: a leading '+' is not allowed");
    if (c == '.')
        return scan_fail(sc, sc->pos, "invalid number: write a digit before '.' (0.5, not .5)");
    return scan_fail(sc, sc->pos, "expected a value, found %s", char_desc(d, c));
}

static int scan_document(jc_scan *sc)
{
    scan_ws(sc);
    if (at_end(sc))
        return scan_fail(sc, sc->pos, "empty document (expected a JSON value)");
    if (scan_value(sc, 0, SIZE_MAX) < 0)
        return -1;
    scan_ws(sc);
    if (!at_end(sc))
        return scan_fail(sc, sc->pos, "unexpected text after the JSON value");
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Navigation over the text by path. Paths are "a.b[2].c"; a key segment runs up to
 * the next '.' or '[', so keys containing those characters cannot be addressed.
 */

/* sc at an object: moves to the value of member name[0..n); *key_off gets its key. */
static int nav_member(jc_scan *sc, const char *name, size_t n, size_t *key_off)
{
    if (peek(sc) != '{' || at_end(sc))
        return -1;
    sc->pos++;
    for (;;) {
        bool equal = false;
        scan_ws(sc);
        if (peek(sc) != '"' || at_end(sc))
            return -1;
        size_t key = sc->pos;
        if (scan_string(sc, name, n, &equal) < 0)
            return -1;
        scan_ws(sc);
        if (peek(sc) != ':')
            return -1;
        sc->pos++;
        scan_ws(sc);
        if (equal) {
            *key_off = key;
            return 0;
        }
        if (scan_value(sc, 0, SIZE_MAX) < 0)
            return -1;
        scan_ws(sc);
        if (peek(sc) != ',')
            return -1;
        sc->pos++;
    }
}

/* sc at an array: moves to element `index`. */
static int nav_index(jc_scan *sc, unsigned long long index)
{
    if (peek(sc) != '[' || at_end(sc))
        return -1;
    sc->pos++;
    for (unsigned long long i = 0;; i++) {
        scan_ws(sc);
        if (at_end(sc) || peek(sc) == ']')
            return -1;
        if (i == index)
            return 0;
        if (scan_value(sc, 0, SIZE_MAX) < 0)
            return -1;
        scan_ws(sc);
        if (peek(sc) != ',')
            return -1;
        sc->pos++;
    }
}

static int nav_path(jc_scan *sc, const char *path, size_t *key_off)
{
    const char *p = path ? path : "";
    bool first = true;
    while (*p) {
        if (*p == '[') {
            unsigned long long index = 0;
            const char *digits = ++p;
            while (is_digit(*p)) {
                if (index > (ULLONG_MAX - 9) / 10)
                    return -1;
                index = index * 10 + (unsigned long long)(*p++ - '0');
            }
            if (p == digits || *p != ']')
                return -1;
            p++;
            if (nav_index(sc, index) < 0)
                return -1;
            *key_off = sc->pos;
        } else {
            if (!first && *p++ != '.')
                return -1;
            const char *key = p;
            while (*p && *p != '.' && *p != '[')
                p++;
            if (nav_member(sc, key, (size_t)(p - key), key_off) < 0)
                return -1;
        }
        first = false;
    }
    return 0;
}

/* Finds `path`, then its member `key` (if not NULL), then element `index` (if not
 * JC_NO_INDEX). *val_off gets where that value starts; *key_off where its key starts
 * (the value itself when the last step is not a key). O(text length). */
static int jc_find(const jc_ctx *ctx, const char *path, const char *key, long long index,
                   size_t *key_off, size_t *val_off)
{
    jc_scan sc = scan_start(ctx->text, ctx->len);
    size_t k;
    scan_ws(&sc);
    if (at_end(&sc))
        return -1;
    k = sc.pos;
    if (nav_path(&sc, path, &k) < 0)
        return -1;
    if (key && nav_member(&sc, key, strlen(key), &k) < 0)
        return -1;
    if (index != JC_NO_INDEX) {
        if (index < 0 || nav_index(&sc, (unsigned long long)index) < 0)
            return -1;
        k = sc.pos;
    }
    if (key_off)
        *key_off = k;
    if (val_off)
        *val_off = sc.pos;
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Error recording.
 */

/* Stores "FILE[:LINE:COL]: [PATH: ]MESSAGE" where PATH is path, .key and [index] as
 * given; an identical earlier message is not repeated. */
static void record_v(jc_ctx *ctx, bool located, size_t off, const char *path, const char *key,
                     long long index, const char *fmt, va_list ap)
{
    jc_sb sb = {0}, ps = {0};
    bool has_path = path && *path;
    int line = 0, col = 0;
    if (has_path)
        sb_puts(&ps, path);
    if (key) {
        if (has_path)
            sb_puts(&ps, ".");
        sb_escaped(&ps, key, strlen(key));
        has_path = true;
    }
    if (index != JC_NO_INDEX) {
        sb_printf(&ps, "[%lld]", index);
        has_path = true;
    }
    char *where = has_path ? sb_take(&ps) : NULL;
    sb_puts(&sb, ctx->filename);
    if (located) {
        offset_to_line_col(ctx->text, ctx->len, off, &line, &col);
        sb_printf(&sb, ":%d:%d", line, col);
    }
    sb_puts(&sb, ": ");
    if (where) {
        sb_puts(&sb, where);
        sb_puts(&sb, ": ");
    }
    size_t msg_off = sb.len;
    sb_vprintf(&sb, fmt, ap);
    char *msg = sb_take(&sb);
    if (!msg || (has_path && !where)) {
        free(msg);
        free(where);
        ctx->lost_errors++;
        return;
    }
    for (size_t i = 0; i < ctx->n_errors; i++) {
        if (strcmp(ctx->errors[i].text, msg) == 0) {
            free(msg);
            free(where);
            return;
        }
    }
    if (ctx->n_errors == ctx->cap_errors) {
        size_t cap = ctx->cap_errors ? 2 * ctx->cap_errors : 8;
        jc_err *grown = cap > SIZE_MAX / sizeof *grown ? NULL
                                                       : realloc(ctx->errors, cap * sizeof *grown);
        if (!grown) {
            free(msg);
            free(where);
            ctx->lost_errors++;
            return;
        }
        ctx->errors = grown;
        ctx->cap_errors = cap;
    }
    ctx->errors[ctx->n_errors++] = (jc_err){ msg, where, line, col, msg_off };
}

static void record_at(jc_ctx *ctx, bool located, size_t off, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void record_at(jc_ctx *ctx, bool located, size_t off, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record_v(ctx, located, off, path, NULL, JC_NO_INDEX, fmt, ap);
    va_end(ap);
}

/* Error about the value at path[.key][[index]], located at that value. */
static void report_value(jc_ctx *ctx, const char *path, const char *key, long long index,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void report_value(jc_ctx *ctx, const char *path, const char *key, long long index,
                         const char *fmt, ...)
{
    size_t off = 0;
    bool located = jc_find(ctx, path, key, index, NULL, &off) == 0;
    va_list ap;
    va_start(ap, fmt);
    record_v(ctx, located, off, path, key, index, fmt, ap);
    va_end(ap);
}

/* Error about member `key` itself of the object at `path`, located at the key. */
static void report_key(jc_ctx *ctx, const char *path, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report_key(jc_ctx *ctx, const char *path, const char *key, const char *fmt, ...)
{
    size_t off = 0;
    bool located = jc_find(ctx, path, key, JC_NO_INDEX, &off, NULL) == 0;
    va_list ap;
    va_start(ap, fmt);
    record_v(ctx, located, off, path, NULL, JC_NO_INDEX, fmt, ap);
    va_end(ap);
}

static void report_malformed(jc_ctx *ctx, size_t off, const char *reason)
{
    jc_sb near = {0};
    if (off < ctx->len) {
        size_t end = ctx->len - off > JC_NEAR_BYTES ? off + JC_NEAR_BYTES : ctx->len;
        /* do not cut a UTF-8 character in half (at most 3 continuation bytes
         * follow its first; other bytes are shown escaped anyway) */
        for (int k = 0; k < 3 && end > off + 1 && end < ctx->len
                        && ((unsigned char)ctx->text[end] & 0xC0) == 0x80; k++)
            end--;
        sb_escaped(&near, ctx->text + off, end - off);
    }
    char *quoted = sb_take(&near);
    if (!quoted) {
        ctx->lost_errors++;
        return;
    }
    if (off < ctx->len)
        record_at(ctx, true, off, NULL, "malformed JSON: %s near '%s'", reason, quoted);
    else
        record_at(ctx, true, off, NULL, "malformed JSON: %s", reason);
    free(quoted);
}

/* ---------------------------------------------------------------------------------
 * Construction.
 */

static jc_ctx *ctx_alloc(const char *filename)
{
    const char *name = filename ? filename : "<input>";
    jc_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        goto fail;
    ctx->filename = malloc(strlen(name) + 1);
    if (!ctx->filename)
        goto fail_free_ctx;
    memcpy(ctx->filename, name, strlen(name) + 1);
    ctx->text = calloc(1, 1);
    if (!ctx->text)
        goto fail_free_filename;
    return ctx;

fail_free_filename:
    free(ctx->filename);
fail_free_ctx:
    free(ctx);
fail:
    return NULL;
}

/* Walks the cJSON tree and the text side by side (cJSON keeps members in text
 * order) and reports every key that repeats an earlier key of the same object.
 * Returns the number found, or -1 on allocation failure. O(m^2) per object of m
 * members, fine for configuration files. */
static int dup_walk(jc_ctx *ctx, const cJSON *item, jc_scan *sc, jc_sb *path, int *found)
{
    bool is_obj = cJSON_IsObject(item);
    if (!is_obj && !cJSON_IsArray(item))
        return scan_value(sc, 0, SIZE_MAX) < 0 ? -1 : 0;
    size_t open = sc->pos, base = path->len;
    long long i = 0;
    sc->pos++;
    for (const cJSON *child = item->child; child; child = child->next, i++) {
        scan_ws(sc);
        if (is_obj) {
            size_t key_off = sc->pos;
            if (scan_string(sc, NULL, 0, NULL) < 0)
                return -1;
            scan_ws(sc);
            sc->pos++; /* ':' */
            scan_ws(sc);
            const cJSON *prev = item->child;
            while (prev != child && strcmp(prev->string, child->string) != 0)
                prev = prev->next;
            if (prev != child) {
                jc_scan again = scan_start(ctx->text, ctx->len);
                size_t first = key_off;
                int line = 0, col = 0;
                again.pos = open;
                if (nav_member(&again, child->string, strlen(child->string), &first) == 0)
                    offset_to_line_col(ctx->text, ctx->len, first, &line, &col);
                jc_sb key = {0};
                sb_escaped(&key, child->string, strlen(child->string));
                char *shown = sb_take(&key);
                if (!shown)
                    return -1;
                record_at(ctx, true, key_off, path->buf,
                          "duplicate key '%s' (first defined at line %d, column %d)",
                          shown, line, col);
                free(shown);
                (*found)++;
            }
            if (path->len)
                sb_puts(path, ".");
            sb_escaped(path, child->string, strlen(child->string));
        } else {
            sb_printf(path, "[%lld]", i);
        }
        if (path->failed || dup_walk(ctx, child, sc, path, found) < 0)
            return -1;
        path->len = base;
        path->buf[base] = '\0';
        scan_ws(sc);
        if (peek(sc) == ',')
            sc->pos++;
    }
    scan_ws(sc);
    sc->pos++; /* closing bracket */
    return 0;
}

/* Takes ownership of text (len bytes plus room for a NUL). */
static jc_ctx *parse_owned(const char *filename, char *text, size_t len)
{
    jc_ctx *ctx = ctx_alloc(filename);
    if (!ctx) {
        free(text);
        return NULL;
    }
    free(ctx->text);
    ctx->text = text;
    ctx->text[len] = '\0';
    ctx->len = len;

    size_t bad = utf8_invalid_at((const unsigned char *)ctx->text, ctx->len);
    if (bad < ctx->len) {
        char why[96];
        snprintf(why, sizeof why, "byte 0x%02X is not valid UTF-8 (a JSON file must be UTF-8)",
                 (unsigned char)ctx->text[bad]);
        report_malformed(ctx, bad, why);
        return ctx;
    }
    jc_scan sc = scan_start(ctx->text, ctx->len);
    if (scan_document(&sc) < 0) {
        report_malformed(ctx, sc.err_pos, sc.reason);
        return ctx;
    }
    /* Not cJSON_GetErrorPtr: it is process-global. return_parse_end is ours alone. */
    const char *end = NULL;
    ctx->root = cJSON_ParseWithLengthOpts(ctx->text, ctx->len, &end, false);
    size_t stop = end ? (size_t)(end - ctx->text) : 0;
    if (!ctx->root) { /* the text is valid, so cJSON ran out of memory */
        report_malformed(ctx, stop, "cJSON could not build the tree (out of memory?)");
        return ctx;
    }
    jc_scan tail = scan_start(ctx->text, ctx->len);
    tail.pos = stop;
    scan_ws(&tail);
    if (!at_end(&tail)) { /* require_null_terminated, without needing a NUL */
        report_malformed(ctx, tail.pos, "unexpected text after the JSON value");
        goto reject;
    }

    jc_sb path = {0};
    int dups = 0;
    sb_append(&path, "", 0);
    jc_scan walk = scan_start(ctx->text, ctx->len);
    scan_ws(&walk);
    int rc = path.failed ? -1 : dup_walk(ctx, ctx->root, &walk, &path, &dups);
    free(path.buf);
    if (rc < 0) {
        jc_free(ctx);
        return NULL;
    }
    if (dups > 0)
        goto reject;
    return ctx;

reject:
    cJSON_Delete(ctx->root);
    ctx->root = NULL;
    return ctx;
}

jc_ctx *jc_parse(const char *filename, const char *text, size_t len)
{
    if (!text)
        len = 0;
    if (len == SIZE_MAX)
        return NULL;
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    if (len)
        memcpy(copy, text, len);
    return parse_owned(filename, copy, len);
}

static jc_ctx *ctx_io_error(const char *path, const char *what, int err)
{
    char msg[256];
#if defined(_GNU_SOURCE)
    const char *s = strerror_r(err, msg, sizeof msg); /* GNU variant */
#else
    const char *s = strerror_r(err, msg, sizeof msg) == 0 ? msg : "unknown error";
#endif
    jc_ctx *ctx = ctx_alloc(path);
    if (ctx)
        record_at(ctx, false, 0, NULL, "cannot %s: %s", what, s);
    return ctx;
}

jc_ctx *jc_parse_file(const char *path)
{
    if (!path)
        return ctx_io_error(NULL, "open", EINVAL);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ctx_io_error(path, "open", errno);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 2) { /* keep a byte for the NUL */
            size_t grown_cap = cap ? 2 * cap : 8192;
            char *grown = grown_cap < cap ? NULL : realloc(buf, grown_cap);
            if (!grown)
                goto fail_free_buf;
            buf = grown;
            cap = grown_cap;
        }
        size_t want = cap - len - 1;
        size_t got = fread(buf + len, 1, want, f);
        len += got;
        if (got < want) {
            if (ferror(f)) {
                int err = errno ? errno : EIO;
                free(buf);
                fclose(f);
                return ctx_io_error(path, "read", err);
            }
            break;
        }
    }
    fclose(f);
    return parse_owned(path, buf, len);

fail_free_buf:
    free(buf);
    fclose(f);
    return NULL;
}

void jc_free(jc_ctx *ctx)
{
    if (!ctx)
        return;
    cJSON_Delete(ctx->root);
    for (size_t i = 0; i < ctx->n_errors; i++) {
        free(ctx->errors[i].text);
        free(ctx->errors[i].path);
    }
    free(ctx->errors);
    free(ctx->text);
    free(ctx->filename);
    free(ctx);
}

const cJSON *jc_root(const jc_ctx *ctx)
{
    return ctx ? ctx->root : NULL;
}

const char *jc_filename(const jc_ctx *ctx)
{
    return ctx ? ctx->filename : NULL;
}

const char *jc_text(const jc_ctx *ctx)
{
    return ctx ? ctx->text : NULL;
}

size_t jc_text_len(const jc_ctx *ctx) { return ctx ? ctx->len : 0; }

void jc_error(jc_ctx *ctx, const char *path, const char *fmt, ...)
{
    if (!ctx || !fmt)
        return;
    size_t off = 0;
    bool located = jc_find(ctx, path, NULL, JC_NO_INDEX, NULL, &off) == 0;
    va_list ap;
    va_start(ap, fmt);
    record_v(ctx, located, off, path, NULL, JC_NO_INDEX, fmt, ap);
    va_end(ap);
}

size_t jc_error_count(const jc_ctx *ctx)
{
    return ctx ? ctx->n_errors + ctx->lost_errors : 0;
}

const char *jc_error_message(const jc_ctx *ctx, size_t i)
{
    if (!ctx || i >= ctx->n_errors + ctx->lost_errors)
        return NULL;
    return i < ctx->n_errors ? ctx->errors[i].text : jc_lost_message;
}

/* {"file", "line", "col", "path", "message"} of error i; NULL when out of memory. */
static cJSON *error_json(const jc_ctx *ctx, size_t i)
{
    const jc_err *e = i < ctx->n_errors ? &ctx->errors[i] : NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = (ctx->filename ? cJSON_AddStringToObject(o, "file", ctx->filename)
                             : cJSON_AddNullToObject(o, "file"))
              && (e && e->line ? cJSON_AddNumberToObject(o, "line", e->line)
                               : cJSON_AddNullToObject(o, "line"))
              && (e && e->line ? cJSON_AddNumberToObject(o, "col", e->col)
                               : cJSON_AddNullToObject(o, "col"))
              && (e && e->path ? cJSON_AddStringToObject(o, "path", e->path)
                               : cJSON_AddNullToObject(o, "path"))
              && cJSON_AddStringToObject(o, "message",
                                         e ? e->text + e->msg_off : jc_lost_message);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Report order: errors located in the text by line and column, then the
 * others; found order among equals. */
typedef struct err_rank {
    long line;   /* LONG_MAX when not located */
    int col;
    size_t index;
} err_rank;

static int error_order(const void *pa, const void *pb)
{
    const err_rank *x = pa, *y = pb;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

int jc_report_errors(const jc_ctx *ctx, const jc_sink *sink)
{
    int rc = 0;
    size_t n = jc_error_count(ctx);
    err_rank *order = n && ctx->n_errors == n ? malloc(n * sizeof *order) : NULL;
    for (size_t i = 0; i < n && order; i++) {
        const jc_err *e = &ctx->errors[i];
        order[i] = (err_rank){ e->line ? (long)e->line : LONG_MAX, e->col, i };
    }
    if (order)
        qsort(order, n, sizeof *order, error_order);
    for (size_t k = 0; sink && k < n; k++) {
        size_t i = order ? order[k].index : k;
        if (sink->stream)
            fprintf(sink->stream, "%s\n", jc_error_message(ctx, i));
        if (sink->list) {
            cJSON *o = error_json(ctx, i);
            if (!o || !cJSON_AddItemToArray(sink->list, o)) {
                cJSON_Delete(o);
                rc = -1;
            }
        }
    }
    free(order);
    return rc;
}

int jc_locate(const jc_ctx *ctx, const char *path, int *line, int *col)
{
    size_t off;
    int l, c;
    if (!ctx || jc_find(ctx, path, NULL, JC_NO_INDEX, NULL, &off) < 0)
        return -1;
    offset_to_line_col(ctx->text, ctx->len, off, &l, &c);
    if (line)
        *line = l;
    if (col)
        *col = c;
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Key checks with suggestions.
 */

/* Edit distance in bytes, one row of memory; SIZE_MAX if that row cannot be had. */
static size_t levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (lb >= SIZE_MAX / sizeof(size_t))
        return SIZE_MAX;
    size_t *row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

/* Index of the closest name within max(2, len/3) edits of `word`, first on ties; -1 if none. */
static long suggest(const char *word, const char *const *names, size_t n)
{
    size_t len = strlen(word), limit = len / 3 > 2 ? len / 3 : 2, best = SIZE_MAX;
    long pick = -1;
    for (size_t i = 0; i < n; i++) {
        size_t ln = strlen(names[i]);
        if ((ln > len ? ln - len : len - ln) > limit)
            continue; /* the distance is at least the length difference */
        size_t d = levenshtein(word, names[i]);
        if (d <= limit && d < best) {
            best = d;
            pick = (long)i;
        }
    }
    return pick;
}

/* "unknown key 'x'; did you mean 'y'? (allowed: a, b)" (what = "key"), or for
 * values "'x' is not allowed; ...". NULL on allocation failure. */
static char *unknown_message(const char *what, const char *word, const char *const *names, size_t n)
{
    jc_sb sb = {0};
    long pick = suggest(word, names, n);
    if (what) {
        sb_printf(&sb, "unknown %s '", what);
        sb_escaped(&sb, word, strlen(word));
        sb_puts(&sb, "'");
    } else {
        sb_puts(&sb, "'");
        sb_escaped(&sb, word, strlen(word));
        sb_puts(&sb, "' is not allowed");
    }
    if (pick >= 0)
        sb_printf(&sb, "; did you mean '%s'?", names[pick]);
    sb_puts(&sb, " (allowed: ");
    for (size_t i = 0; i < n; i++)
        sb_printf(&sb, "%s%s", i ? ", " : "", names[i]);
    if (n == 0)
        sb_puts(&sb, "none");
    sb_puts(&sb, ")");
    return sb_take(&sb);
}

static bool in_list(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

static const char *type_name(const cJSON *item)
{
    if (cJSON_IsString(item))
        return "a string";
    if (cJSON_IsNumber(item))
        return "a number";
    if (cJSON_IsBool(item))
        return "a boolean";
    if (cJSON_IsNull(item))
        return "null";
    if (cJSON_IsArray(item))
        return "an array";
    if (cJSON_IsObject(item))
        return "an object";
    return "an invalid value";
}

/* Accessors read from objects only; anything else at `path` is reported once. */
static bool require_object(jc_ctx *ctx, const cJSON *obj, const char *path)
{
    if (cJSON_IsObject(obj))
        return true;
    report_value(ctx, path, NULL, JC_NO_INDEX, "expected an object, found %s", type_name(obj));
    return false;
}

/* "source" and "note" document a config and are allowed in every object,
 * with a string value. */
static bool is_doc_key(const cJSON *m)
{
    return strcmp(m->string, "source") == 0 || strcmp(m->string, "note") == 0;
}

size_t jc_check_keys(jc_ctx *ctx, const cJSON *obj, const char *path,
                     const char *const *allowed, size_t n)
{
    size_t unknown = 0;
    if (!ctx || !obj || !require_object(ctx, obj, path))
        return 0;
    for (const cJSON *m = obj->child; m; m = m->next) {
        if (m->string && is_doc_key(m)) {
            if (!cJSON_IsString(m)) /* the same words as jc_string, so said once */
                report_value(ctx, path, m->string, JC_NO_INDEX, "expected a string, found %s",
                             type_name(m));
            continue;
        }
        if (!m->string || in_list(m->string, allowed, n))
            continue;
        unknown++;
        char *msg = unknown_message("key", m->string, allowed, n);
        if (!msg) {
            ctx->lost_errors++;
            continue;
        }
        report_key(ctx, path, m->string, "%s", msg);
        free(msg);
    }
    return unknown;
}

/* ---------------------------------------------------------------------------------
 * Typed accessors. A NULL obj means its parent was missing or wrong, which has been
 * reported already, so it is skipped silently rather than cascading errors.
 */

static const cJSON *member_get(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                               bool required)
{
    if (!ctx || !obj || !key || !require_object(ctx, obj, path))
        return NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item && required)
        report_value(ctx, path, NULL, JC_NO_INDEX, "missing required key '%s'", key);
    return item;
}

static bool number_of(jc_ctx *ctx, const cJSON *item, const char *path, const char *key,
                      long long index, double *v)
{
    if (!cJSON_IsNumber(item)) {
        report_value(ctx, path, key, index, "expected a number, found %s", type_name(item));
        return false;
    }
    if (!isfinite(item->valuedouble)) {
        report_value(ctx, path, key, index, "number is too large for a double");
        return false;
    }
    *v = item->valuedouble;
    return true;
}

static bool in_range(jc_ctx *ctx, const char *path, const char *key, long long index,
                     double v, double min, double max)
{
    char a[40], b[40], c[40];
    if (v >= min && v <= max)
        return true;
    if (isinf(min) && min < 0)
        report_value(ctx, path, key, index, "%s is above the maximum %s", fmt_num(a, v),
                     fmt_bound(c, max));
    else if (isinf(max) && max > 0)
        report_value(ctx, path, key, index, "%s is below the minimum %s", fmt_num(a, v),
                     fmt_bound(b, min));
    else
        report_value(ctx, path, key, index, "%s is outside %s..%s", fmt_num(a, v),
                     fmt_bound(b, min), fmt_bound(c, max));
    return false;
}

bool jc_number(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
               double min, double max, bool required, double *out)
{
    double v;
    const cJSON *item = member_get(ctx, obj, path, key, required);
    if (!item || !number_of(ctx, item, path, key, JC_NO_INDEX, &v)
        || !in_range(ctx, path, key, JC_NO_INDEX, v, min, max))
        return false;
    *out = v;
    return true;
}

bool jc_integer(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                long long min, long long max, bool required, long long *out)
{
    double v;
    char a[40];
    const cJSON *item = member_get(ctx, obj, path, key, required);
    if (!item || !number_of(ctx, item, path, key, JC_NO_INDEX, &v))
        return false;
    if (!is_whole(v)) {
        report_value(ctx, path, key, JC_NO_INDEX, "%s is not a whole number (allowed %lld..%lld)",
                     fmt_num(a, v), min, max);
        return false;
    }
    /* -2^63 <= v < 2^63 makes the conversion defined; then compare as integers. */
    if (v < -9223372036854775808.0 || v >= 9223372036854775808.0
        || (long long)v < min || (long long)v > max) {
        if (fabs(v) >= 9007199254740992.0) /* the text's last digits are lost */
            report_value(ctx, path, key, JC_NO_INDEX,
                         "about %.6g is outside %lld..%lld (whole numbers from 2^53 on are "
                         "not held exactly)", v, min, max);
        else
            report_value(ctx, path, key, JC_NO_INDEX, "%s is outside %lld..%lld",
                         fmt_num(a, v), min, max);
        return false;
    }
    *out = (long long)v;
    return true;
}

static bool probability_of(jc_ctx *ctx, const cJSON *item, const char *path, const char *key,
                           double *out)
{
    double v;
    char a[40];
    if (!number_of(ctx, item, path, key, JC_NO_INDEX, &v))
        return false;
    if (v < 0.0 || v > 1.0) {
        report_value(ctx, path, key, JC_NO_INDEX, "%s is not a probability (allowed 0..1)",
                     fmt_num(a, v));
        return false;
    }
    *out = v;
    return true;
}

bool jc_probability(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                    bool required, double *out)
{
    const cJSON *item = member_get(ctx, obj, path, key, required);
    return item && probability_of(ctx, item, path, key, out);
}

bool jc_bool(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
             bool required, bool *out)
{
    const cJSON *item = member_get(ctx, obj, path, key, required);
    if (!item)
        return false;
    if (!cJSON_IsBool(item)) {
        report_value(ctx, path, key, JC_NO_INDEX, "expected true or false, found %s",
                     type_name(item));
        return false;
    }
    *out = cJSON_IsTrue(item);
    return true;
}

bool jc_enum(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
             const char *const *choices, size_t n, bool required, int *out)
{
    const cJSON *item = member_get(ctx, obj, path, key, required);
    if (!item)
        return false;
    if (!cJSON_IsString(item)) {
        jc_sb sb = {0};
        for (size_t i = 0; i < n; i++)
            sb_printf(&sb, "%s%s", i ? ", " : "", choices[i]);
        char *list = sb_take(&sb);
        if (!list) {
            ctx->lost_errors++;
            return false;
        }
        report_value(ctx, path, key, JC_NO_INDEX, "expected a string, found %s (allowed: %s)",
                     type_name(item), n ? list : "none");
        free(list);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(item->valuestring, choices[i]) == 0) {
            *out = (int)i;
            return true;
        }
    }
    char *msg = unknown_message(NULL, item->valuestring, choices, n);
    if (!msg) {
        ctx->lost_errors++;
        return false;
    }
    report_value(ctx, path, key, JC_NO_INDEX, "%s", msg);
    free(msg);
    return false;
}

bool jc_string(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
               bool required, const char **out)
{
    const cJSON *item = member_get(ctx, obj, path, key, required);
    if (!item)
        return false;
    if (!cJSON_IsString(item)) {
        report_value(ctx, path, key, JC_NO_INDEX, "expected a string, found %s", type_name(item));
        return false;
    }
    *out = item->valuestring;
    return true;
}

const cJSON *jc_object(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                       bool required)
{
    const cJSON *item = member_get(ctx, obj, path, key, required);
    if (item && !cJSON_IsObject(item)) {
        report_value(ctx, path, key, JC_NO_INDEX, "expected an object, found %s", type_name(item));
        return NULL;
    }
    return item;
}

const cJSON *jc_array(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                      bool required)
{
    const cJSON *item = member_get(ctx, obj, path, key, required);
    if (item && !cJSON_IsArray(item)) {
        report_value(ctx, path, key, JC_NO_INDEX, "expected an array, found %s", type_name(item));
        return NULL;
    }
    return item;
}

bool jc_number_array(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                     double min, double max, double *out, size_t max_n, size_t *n,
                     bool required)
{
    const cJSON *arr = jc_array(ctx, obj, path, key, required);
    bool ok = true;
    size_t count = 0;
    double v;
    if (!arr)
        return false;
    for (const cJSON *el = arr->child; el; el = el->next, count++) {
        long long index = count > LLONG_MAX ? LLONG_MAX : (long long)count;
        if (!number_of(ctx, el, path, key, index, &v) || !in_range(ctx, path, key, index, v, min, max))
            ok = false;
    }
    if (count == 0 || count > max_n) {
        report_value(ctx, path, key, JC_NO_INDEX, "expected 1..%zu numbers, found %zu", max_n, count);
        ok = false;
    }
    if (!ok)
        return false;
    count = 0;
    for (const cJSON *el = arr->child; el; el = el->next)
        out[count++] = el->valuedouble;
    *n = count;
    return true;
}

/* Unlike the other accessors, a present shares object always rewrites out[]: names
 * that are missing or invalid get 0, as the header promises. */
bool jc_shares(jc_ctx *ctx, const cJSON *obj, const char *path, const char *key,
               const char *const *names, size_t n, bool required, double *out)
{
    const cJSON *shares = member_get(ctx, obj, path, key, required);
    if (!shares)
        return false;
    if (!cJSON_IsObject(shares)) {
        report_value(ctx, path, key, JC_NO_INDEX, "expected an object of shares, found %s",
                     type_name(shares));
        return false;
    }
    jc_sb sb = {0};
    if (path && *path)
        sb_printf(&sb, "%s.", path);
    sb_puts(&sb, key);
    char *full = sb_take(&sb);
    if (!full) {
        ctx->lost_errors++;
        return false;
    }
    bool ok = jc_check_keys(ctx, shares, full, names, n) == 0, complete = true;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(shares, names[i]);
        out[i] = 0.0;
        if (!m)
            report_value(ctx, full, NULL, JC_NO_INDEX, "missing required key '%s'", names[i]);
        if (!m || !probability_of(ctx, m, full, names[i], &out[i])) {
            ok = complete = false;
            continue;
        }
        sum += out[i];
    }
    if (complete && fabs(sum - 1.0) > JC_SHARE_TOLERANCE) {
        char s[40];
        report_value(ctx, full, NULL, JC_NO_INDEX, "shares sum to %s, must sum to 1", fmt_sum(s, sum));
        ok = false;
    }
    free(full);
    return ok;
}

size_t jc_utf8_invalid_at(const char *s, size_t len)
{
    return utf8_invalid_at((const unsigned char *)s, len);
}

const char *jc_strip_location(const char *msg, const char *name)
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

const char *jc_join(char *buf, size_t size, const char *path, const char *key)
{
    if (!buf || size == 0)
        return buf;
    if (path && *path)
        snprintf(buf, size, "%s.%s", path, key ? key : "");
    else
        snprintf(buf, size, "%s", key ? key : "");
    return buf;
}

/* ---- exact printing ------------------------------------------------------ */

/* The shortest of %.15g, %.16g and %.17g that reads back as d; null (as
 * cJSON writes them) for NaN and infinities, which JSON cannot hold. */
static void exact_number_text(double d, char *buf, size_t len)
{
    if (!isfinite(d)) {
        snprintf(buf, len, "null");
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* Turns every number of the tree into a raw item with its exact text. */
static int exact_numbers(cJSON *item)
{
    for (; item; item = item->next) {
        if (cJSON_IsNumber(item)) {
            char buf[40];
            exact_number_text(item->valuedouble, buf, sizeof buf);
            char *text = malloc(strlen(buf) + 1);
            if (!text)
                return -1;
            strcpy(text, buf);
            item->type = cJSON_Raw;
            item->valuestring = text; /* freed by cJSON_Delete */
        } else if (item->child && exact_numbers(item->child) != 0) {
            return -1;
        }
    }
    return 0;
}

char *jc_print(const cJSON *tree, bool formatted)
{
    cJSON *copy = cJSON_Duplicate(tree, 1);
    if (!copy)
        return NULL;
    char *text = NULL;
    if (exact_numbers(copy) == 0)
        text = formatted ? cJSON_Print(copy) : cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    return text;
}

cJSON *jc_exact_u64(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return cJSON_CreateRaw(buf);
}
