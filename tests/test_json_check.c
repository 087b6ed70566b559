/* Tests for io/json_check: every error path is provoked on purpose and the exact
 * user-facing message (file:line:column, path, value, what is allowed) is checked.
 */
#include "io/json_check.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static jc_ctx *parse(const char *text)
{
    jc_ctx *ctx = jc_parse("cfg.json", text, strlen(text));
    cr_assert_not_null(ctx, "jc_parse returned NULL (allocation failure)");
    return ctx;
}

/* Asserts the ctx holds exactly one error and returns it. */
static const char *only_error(const jc_ctx *ctx)
{
    cr_assert_eq(jc_error_count(ctx), 1, "expected 1 error, got %zu (first: %s)",
                 jc_error_count(ctx),
                 jc_error_count(ctx) ? jc_error_message(ctx, 0) : "none");
    return jc_error_message(ctx, 0);
}

static void assert_malformed(const char *text, const char *expected)
{
    jc_ctx *ctx = parse(text);
    cr_expect_null(jc_root(ctx), "malformed text gave a tree: %s", text);
    cr_expect_str_eq(only_error(ctx), expected);
    jc_free(ctx);
}

/* Line numbers are the comments; columns are in the tests that use them. */
static const char CONFIG[] =
    "{\n"                                                                                 /* 1 */
    "  \"inflow\": {\n"                                                                   /* 2 */
    "    \"rate\": \"fast\",\n"                                                           /* 3 */
    "    \"rate_per_year\": [1200.5, 980.25, -3.5, \"x\"],\n"                             /* 4 */
    "    \"cohort\": 2.5,\n"                                                              /* 5 */
    "    \"weekly\": 1e999\n"                                                             /* 6 */
    "  },\n"                                                                              /* 7 */
    "  \"policies\": {\n"                                                                 /* 8 */
    "    \"ips\": {\"fidelity\": 130, \"fidelty\": 98, \"mode\": \"ipss\", \"enabled\": \"yes\"},\n" /* 9 */
    "    \"x\": {\"share\": -0.2, \"caseload\": 20.5, \"seed\": 4102444800}\n"            /* 10 */
    "  },\n"                                                                              /* 11 */
    "  \"region_shares\": {\"flanders\": 0.55, \"wallonia\": 0.3, \"brussels\": 0.12}\n"  /* 12 */
    "}\n";

static jc_ctx *config(void)
{
    jc_ctx *ctx = parse(CONFIG);
    cr_assert_not_null(jc_root(ctx));
    cr_assert_eq(jc_error_count(ctx), 0);
    return ctx;
}

static const cJSON *at(jc_ctx *ctx, const char *a, const char *b)
{
    const cJSON *o = jc_object(ctx, jc_root(ctx), "", a, true);
    if (b)
        o = jc_object(ctx, o, a, b, true);
    cr_assert_not_null(o);
    return o;
}

/* ---- malformed JSON ---------------------------------------------------------- */

Test(json_check, malformed_json_reports_line_and_column)
{
    assert_malformed("{\n  \"a\": 1,\n  \"b\": 2.385\n  \"c\": 3\n}",
                     "cfg.json:4:3: malformed JSON: missing ',' between object members "
                     "near '\"c\": 3\\n}'");
}

Test(json_check, unterminated_string_points_at_opening_quote)
{
    assert_malformed("{\"name\": \"Liège\n}",
                     "cfg.json:1:10: malformed JSON: unterminated string (line break before "
                     "the closing '\"') near '\"Liège\\n}'");
    assert_malformed("[\"abc",
                     "cfg.json:1:2: malformed JSON: unterminated string (no closing '\"' before "
                     "end of input) near '\"abc'");
}

Test(json_check, end_of_input_names_the_unclosed_bracket)
{
    assert_malformed("{\n  \"rates\": [0.25,\n    0.5",
                     "cfg.json:3:8: malformed JSON: unexpected end of input; '[' opened at line 2, "
                     "column 12 is not closed");
}

Test(json_check, trailing_commas_are_rejected)
{
    assert_malformed("{\"a\": 1,\n }", "cfg.json:1:8: malformed JSON: trailing comma before '}' near ',\\n }'");
    assert_malformed("[4, 7,]", "cfg.json:1:6: malformed JSON: trailing comma before ']' near ',]'");
}

Test(json_check, trailing_garbage_is_rejected)
{
    assert_malformed("{\"a\": 1}\n\n  {\"b\": 2}",
                     "cfg.json:3:3: malformed JSON: unexpected text after the JSON value "
                     "near '{\"b\": 2}'");
}

Test(json_check, text_after_an_embedded_nul_is_trailing_garbage)
{
    static const char text[] = "{\"a\": 1}\0{}";
    jc_ctx *ctx = jc_parse("cfg.json", text, sizeof text - 1);
    cr_assert_not_null(ctx);
    cr_expect_null(jc_root(ctx));
    cr_expect_str_eq(only_error(ctx),
                     "cfg.json:1:9: malformed JSON: unexpected text after the JSON value "
                     "near '\\x00{}'");
    jc_free(ctx);
}

Test(json_check, only_len_bytes_are_read_without_a_terminating_nul)
{
    const char text[] = "{\"rate\": 3.75}GARBAGE";
    jc_ctx *ctx = jc_parse("cfg.json", text, 14);
    double rate = 0.0;
    cr_assert_not_null(jc_root(ctx));
    cr_expect(jc_number(ctx, jc_root(ctx), "", "rate", 0, 10, true, &rate));
    cr_expect_float_eq(rate, 3.75, 1e-12);
    cr_expect_eq(jc_error_count(ctx), 0);
    jc_free(ctx);
}

Test(json_check, empty_document_is_malformed)
{
    assert_malformed("", "cfg.json:1:1: malformed JSON: empty document (expected a JSON value)");
    assert_malformed(" \n\t", "cfg.json:2:2: malformed JSON: empty document (expected a JSON value)");
    jc_ctx *ctx = jc_parse("cfg.json", NULL, 12);
    cr_expect_null(jc_root(ctx));
    cr_expect_eq(jc_error_count(ctx), 1);
    jc_free(ctx);
}

Test(json_check, syntax_errors_give_a_specific_reason)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"{\"a\": 01}", "cfg.json:1:7: malformed JSON: invalid number: leading zeros are not allowed near '01}'"},
        {"{\"a\": 1.}", "cfg.json:1:7: malformed JSON: invalid number: expected a digit after '.' near '1.}'"},
        {"{\"a\": 2e+}", "cfg.json:1:7: malformed JSON: invalid number: expected a digit in the exponent near '2e+}'"},
        {"[-]", "cfg.json:1:2: malformed JSON: invalid number: expected a digit after '-' near '-]'"},
        {"[+4]", "cfg.json:1:2: malformed JSON: invalid number: a leading '+' is not allowed near '+4]'"},
        {"[.5]", "cfg.json:1:2: malformed JSON: invalid number: write a digit before '.' (0.5, not .5) near '.5]'"},
        {"[NaN]", "cfg.json:1:2: malformed JSON: 'NaN' is not a JSON number near 'NaN]'"},
        {"[True]", "cfg.json:1:2: malformed JSON: invalid literal 'True' (JSON has lowercase true, false, null) near 'True]'"},
        {"[nul]", "cfg.json:1:2: malformed JSON: invalid literal 'nul' (JSON has lowercase true, false, null) near 'nul]'"},
        {"[ips]", "cfg.json:1:2: malformed JSON: invalid value 'ips' (strings need double quotes) near 'ips]'"},
        {"['ips']", "cfg.json:1:2: malformed JSON: strings need double quotes, not single quotes near ''ips']'"},
        {"{rate: 1}", "cfg.json:1:2: malformed JSON: object keys must be double-quoted strings near 'rate: 1}'"},
        {"{\"rate\" 1}", "cfg.json:1:9: malformed JSON: expected ':' after the key, found '1' near '1}'"},
        {"{\"a\": 1 /* x */}", "cfg.json:1:9: malformed JSON: comments are not allowed in JSON near '/* x */}'"},
        {"[1 2]", "cfg.json:1:4: malformed JSON: missing ',' between array elements near '2]'"},
        {"[1; 2]", "cfg.json:1:3: malformed JSON: expected ',' or ']' after an array element, found ';' near '; 2]'"},
        {"{\"a\": 1; }", "cfg.json:1:8: malformed JSON: expected ',' or '}' after an object member, found ';' near '; }'"},
        {"{\"a\": ,}", "cfg.json:1:7: malformed JSON: expected a value, found ',' near ',}'"},
        {"{,}", "cfg.json:1:2: malformed JSON: expected a key (a double-quoted string), found ',' near ',}'"},
        {"[\"a\\qb\"]", "cfg.json:1:4: malformed JSON: invalid escape: backslash followed by 'q' (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) near '\\qb\"]'"},
        {"[\"\\u12g4\"]", "cfg.json:1:3: malformed JSON: invalid \\u escape (needs 4 hex digits) near '\\u12g4\"]'"},
        {"[\"\\ud83d!\"]", "cfg.json:1:3: malformed JSON: invalid \\u escape: high surrogate not followed by a low one near '\\ud83d!\"]'"},
        {"[\"\\ude00\"]", "cfg.json:1:3: malformed JSON: invalid \\u escape: low surrogate without a high one near '\\ude00\"]'"},
        {"[\"a\\u0000b\"]", "cfg.json:1:4: malformed JSON: \\u0000 is not allowed in strings near '\\u0000b\"]'"},
        {"[\"tab\there\"]", "cfg.json:1:6: malformed JSON: control character 0x09 inside a string (escape it, e.g. \\t) near '\\there\"]'"},
        {"[\x01]", "cfg.json:1:2: malformed JSON: expected a value, found byte 0x01 near '\\x01]'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_malformed(cases[i].text, cases[i].message);
}

Test(json_check, near_text_is_capped_at_20_bytes_without_splitting_utf8)
{
    /* 19 ASCII bytes then a 2-byte 'é': the 20-byte window would cut it in half. */
    assert_malformed("[1 \"abcdefghijklmnopqré\"]",
                     "cfg.json:1:4: malformed JSON: missing ',' between array elements "
                     "near '\"abcdefghijklmnopqr'");
}

static char *nested_arrays(size_t depth)
{
    char *s = malloc(2 * depth + 1);
    cr_assert_not_null(s);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[2 * depth] = '\0';
    return s;
}

Test(json_check, nesting_limit_matches_cjson)
{
    char *ok = nested_arrays(CJSON_NESTING_LIMIT), *deep = nested_arrays(CJSON_NESTING_LIMIT + 1);
    jc_ctx *a = parse(ok), *b = parse(deep);
    char expected[128];
    snprintf(expected, sizeof expected,
             "cfg.json:1:%d: malformed JSON: nesting deeper than %d levels near '[]]]]]]]]]]]]]]]]]]]'",
             CJSON_NESTING_LIMIT + 1, CJSON_NESTING_LIMIT);
    cr_expect_not_null(jc_root(a));
    cr_expect_eq(jc_error_count(a), 0);
    cr_expect_null(jc_root(b));
    cr_expect_str_eq(only_error(b), expected);
    jc_free(a);
    jc_free(b);
    free(ok);
    free(deep);
}

static void *failing_malloc(size_t size)
{
    (void)size;
    return NULL;
}

Test(json_check, cjson_allocation_failure_is_reported_not_ignored)
{
    cJSON_Hooks hooks = {.malloc_fn = failing_malloc, .free_fn = free};
    cJSON_InitHooks(&hooks); /* process-wide, but Criterion runs each test in its own process */
    jc_ctx *ctx = parse("{\"a\": [1, 2]}");
    cJSON_InitHooks(NULL);
    cr_expect_null(jc_root(ctx));
    cr_expect_str_eq(only_error(ctx),
                     "cfg.json:1:1: malformed JSON: cJSON could not build the tree (out of memory?) "
                     "near '{\"a\": [1, 2]}'");
    jc_free(ctx);
}

/* ---- duplicate keys ---------------------------------------------------------- */

Test(json_check, duplicate_key_names_the_path_and_both_places)
{
    jc_ctx *ctx = parse("{\n"
                        "  \"policies\": {\"ips\": {\"fidelity\": 98,\n"
                        "                         \"fidelity\": 102}},\n"
                        "  \"seed\": 7, \"seed\": 8\n"
                        "}");
    cr_expect_null(jc_root(ctx));
    cr_assert_eq(jc_error_count(ctx), 2);
    cr_expect_str_eq(jc_error_message(ctx, 0),
                     "cfg.json:3:26: policies.ips: duplicate key 'fidelity' "
                     "(first defined at line 2, column 24)");
    cr_expect_str_eq(jc_error_message(ctx, 1),
                     "cfg.json:4:14: duplicate key 'seed' (first defined at line 4, column 3)");
    jc_free(ctx);
}

Test(json_check, duplicate_key_inside_an_array_element)
{
    jc_ctx *ctx = parse("{\"arms\": [{\"n\": 1}, {\"n\": 2, \"cap\": 4, \"n\": 3}]}");
    cr_expect_null(jc_root(ctx));
    cr_expect_str_eq(only_error(ctx),
                     "cfg.json:1:40: arms[1]: duplicate key 'n' (first defined at line 1, column 22)");
    jc_free(ctx);
}

Test(json_check, keys_equal_after_unescaping_are_duplicates)
{
    jc_ctx *ctx = parse("{\"rate\": 1, \"r\\u0061te\": 2}");
    cr_expect_null(jc_root(ctx));
    cr_expect_str_eq(only_error(ctx),
                     "cfg.json:1:13: duplicate key 'rate' (first defined at line 1, column 2)");
    jc_free(ctx);
}

/* ---- unknown keys ------------------------------------------------------------- */

static const char *const IPS_KEYS[] = {"fidelity", "mode", "enabled"};

Test(json_check, unknown_key_suggests_the_closest_allowed_name)
{
    jc_ctx *ctx = config();
    const cJSON *ips = at(ctx, "policies", "ips");
    cr_expect_eq(jc_check_keys(ctx, ips, "policies.ips", IPS_KEYS, 3), 1);
    cr_expect_str_eq(only_error(ctx),
                     "cfg.json:9:30: policies.ips: unknown key 'fidelty'; did you mean 'fidelity'? "
                     "(allowed: fidelity, mode, enabled)");
    jc_free(ctx);
}

Test(json_check, unknown_key_far_from_every_name_only_lists_allowed)
{
    static const char *const allowed[] = {"share", "caseload", "seed"};
    jc_ctx *ctx = parse("{\"x\": {\"share\": 0.4, \"horizon_days\": 3650, \"sede\": 9}}");
    const cJSON *x = at(ctx, "x", NULL);
    cr_expect_eq(jc_check_keys(ctx, x, "x", allowed, 3), 2);
    cr_assert_eq(jc_error_count(ctx), 2);
    cr_expect_str_eq(jc_error_message(ctx, 0),
                     "cfg.json:1:22: x: unknown key 'horizon_days' (allowed: share, caseload, seed)");
    cr_expect_str_eq(jc_error_message(ctx, 1),
                     "cfg.json:1:44: x: unknown key 'sede'; did you mean 'seed'? "
                     "(allowed: share, caseload, seed)");
    jc_free(ctx);
}

Test(json_check, suggestion_threshold_grows_with_key_length)
{
    /* 14 bytes allow 4 edits (2 insertions, a swap); 4 bytes allow 2 ("mdoe" -> "mode"). */
    static const char *const allowed[] = {"mode", "waiting_list_cap"};
    jc_ctx *ctx = parse("{\"mdoe\": 1, \"wating_lst_cpa\": 2, \"xyzw\": 3}");
    cr_expect_eq(jc_check_keys(ctx, jc_root(ctx), "", allowed, 2), 3);
    cr_assert_eq(jc_error_count(ctx), 3);
    cr_expect_str_eq(jc_error_message(ctx, 0),
                     "cfg.json:1:2: unknown key 'mdoe'; did you mean 'mode'? (allowed: mode, waiting_list_cap)");
    cr_expect_str_eq(jc_error_message(ctx, 1),
                     "cfg.json:1:13: unknown key 'wating_lst_cpa'; did you mean 'waiting_list_cap'? "
                     "(allowed: mode, waiting_list_cap)");
    cr_expect_str_eq(jc_error_message(ctx, 2),
                     "cfg.json:1:34: unknown key 'xyzw' (allowed: mode, waiting_list_cap)");
    jc_free(ctx);
}

Test(json_check, known_keys_pass_and_no_allowed_names_means_none)
{
    jc_ctx *ctx = parse("{\"mode\": \"ips\", \"fidelity\": 101}");
    cr_expect_eq(jc_check_keys(ctx, jc_root(ctx), "", IPS_KEYS, 3), 0);
    cr_expect_eq(jc_error_count(ctx), 0);
    cr_expect_eq(jc_check_keys(ctx, jc_root(ctx), "", NULL, 0), 2);
    cr_expect_str_eq(jc_error_message(ctx, 0), "cfg.json:1:2: unknown key 'mode' (allowed: none)");
    jc_free(ctx);
}

Test(json_check, source_and_note_are_allowed_everywhere_as_strings_only)
{
    static const char *const listed[] = { "x", "source", "note" };
    jc_ctx *ctx = parse("{\"x\": 1, \"source\": \"a report\", \"note\": \"why\"}");
    cr_expect_eq(jc_check_keys(ctx, jc_root(ctx), "o", listed, 1), 0); /* not listed */
    cr_expect_eq(jc_check_keys(ctx, jc_root(ctx), "o", listed, 3), 0); /* listed */
    cr_expect_eq(jc_error_count(ctx), 0);
    jc_free(ctx);
    /* another value is refused whether the key list names them or not, and
     * once even when a reader asks for the string too */
    ctx = parse("{\"x\": 1, \"source\": 5, \"note\": [\"why\"]}");
    cr_expect_eq(jc_check_keys(ctx, jc_root(ctx), "", listed, 1), 0);
    cr_expect_eq(jc_check_keys(ctx, jc_root(ctx), "", listed, 3), 0);
    const char *s = NULL;
    cr_expect_not(jc_string(ctx, jc_root(ctx), "", "source", false, &s));
    cr_assert_eq(jc_error_count(ctx), 2);
    cr_expect_str_eq(jc_error_message(ctx, 0),
                     "cfg.json:1:20: source: expected a string, found a number");
    cr_expect_str_eq(jc_error_message(ctx, 1),
                     "cfg.json:1:31: note: expected a string, found an array");
    jc_free(ctx);
}

/* ---- typed accessors --------------------------------------------------------- */

Test(json_check, number_of_the_wrong_type_is_reported)
{
    jc_ctx *ctx = config();
    double rate = 1.25;
    cr_expect_not(jc_number(ctx, at(ctx, "inflow", NULL), "inflow", "rate", 0, 1e6, true, &rate));
    cr_expect_float_eq(rate, 1.25, 0);
    cr_expect_str_eq(only_error(ctx), "cfg.json:3:13: inflow.rate: expected a number, found a string");
    jc_free(ctx);
}

Test(json_check, number_out_of_range_names_value_and_bounds)
{
    jc_ctx *ctx = config();
    double fidelity = 100.0;
    cr_expect_not(jc_number(ctx, at(ctx, "policies", "ips"), "policies.ips", "fidelity", 25, 125,
                            true, &fidelity));
    cr_expect_float_eq(fidelity, 100.0, 0);
    cr_expect_str_eq(only_error(ctx), "cfg.json:9:25: policies.ips.fidelity: 130 is outside 25..125");
    jc_free(ctx);
}

Test(json_check, number_in_range_is_stored)
{
    jc_ctx *ctx = config();
    double caseload = 0.0;
    cr_expect(jc_number(ctx, at(ctx, "policies", "x"), "policies.x", "caseload", 1, 40, true, &caseload));
    cr_expect_float_eq(caseload, 20.5, 0);
    cr_expect_eq(jc_error_count(ctx), 0);
    jc_free(ctx);
}

Test(json_check, one_sided_bounds_read_naturally)
{
    jc_ctx *ctx = config();
    const cJSON *inflow = at(ctx, "inflow", NULL);
    double v = 0.5;
    cr_expect_not(jc_number(ctx, inflow, "inflow", "cohort", -INFINITY, 2.25, true, &v));
    cr_expect_not(jc_number(ctx, at(ctx, "policies", "x"), "policies.x", "share", 0, INFINITY, true, &v));
    cr_assert_eq(jc_error_count(ctx), 2);
    cr_expect_str_eq(jc_error_message(ctx, 0), "cfg.json:5:15: inflow.cohort: 2.5 is above the maximum 2.25");
    cr_expect_str_eq(jc_error_message(ctx, 1), "cfg.json:10:20: policies.x.share: -0.2 is below the minimum 0");
    jc_free(ctx);
}

Test(json_check, numbers_just_outside_a_bound_keep_their_digits)
{
    jc_ctx *ctx = parse("{\"fidelity\": 125.0000001}");
    double v = 0;
    cr_expect_not(jc_number(ctx, jc_root(ctx), "", "fidelity", 25, 125, true, &v));
    cr_expect_str_eq(only_error(ctx), "cfg.json:1:14: fidelity: 125.0000001 is outside 25..125");
    jc_free(ctx);
}

Test(json_check, overflowing_number_is_reported)
{
    jc_ctx *ctx = config();
    double v = 3.0;
    cr_expect_not(jc_number(ctx, at(ctx, "inflow", NULL), "inflow", "weekly", 0, INFINITY, true, &v));
    cr_expect_str_eq(only_error(ctx), "cfg.json:6:15: inflow.weekly: number is too large for a double");
    jc_free(ctx);
}

Test(json_check, integer_rejects_a_fraction)
{
    jc_ctx *ctx = config();
    long long cohort = 3;
    cr_expect_not(jc_integer(ctx, at(ctx, "inflow", NULL), "inflow", "cohort", 1, 12, true, &cohort));
    cr_expect_eq(cohort, 3);
    cr_expect_str_eq(only_error(ctx), "cfg.json:5:15: inflow.cohort: 2.5 is not a whole number (allowed 1..12)");
    jc_free(ctx);
}

Test(json_check, integer_range_and_large_values)
{
    jc_ctx *ctx = config();
    const cJSON *x = at(ctx, "policies", "x");
    long long seed = 0;
    cr_expect(jc_integer(ctx, x, "policies.x", "seed", 0, 5000000000LL, true, &seed));
    cr_expect_eq(seed, 4102444800LL);
    cr_expect_not(jc_integer(ctx, x, "policies.x", "seed", 0, 4102444799LL, true, &seed));
    cr_expect_eq(seed, 4102444800LL);
    cr_expect_str_eq(only_error(ctx), "cfg.json:10:52: policies.x.seed: 4102444800 is outside 0..4102444799");
    jc_free(ctx);
}

Test(json_check, integer_beyond_long_long_is_out_of_range)
{
    jc_ctx *ctx = parse("{\"n\": 1e19, \"m\": -9223372036854775808}");
    long long n = 5, m = 5;
    cr_expect_not(jc_integer(ctx, jc_root(ctx), "", "n", LLONG_MIN, LLONG_MAX, true, &n));
    cr_expect(jc_integer(ctx, jc_root(ctx), "", "m", LLONG_MIN, LLONG_MAX, true, &m));
    cr_expect_eq(m, LLONG_MIN);
    cr_expect_str_eq(only_error(ctx),
                     "cfg.json:1:7: n: about 1e+19 is outside -9223372036854775808.."
                     "9223372036854775807 (whole numbers from 2^53 on are not held exactly)");
    jc_free(ctx);
}

Test(json_check, probability_outside_0_1_is_rejected)
{
    jc_ctx *ctx = config();
    double share = 0.35;
    cr_expect_not(jc_probability(ctx, at(ctx, "policies", "x"), "policies.x", "share", true, &share));
    cr_expect_float_eq(share, 0.35, 0);
    cr_expect_str_eq(only_error(ctx), "cfg.json:10:20: policies.x.share: -0.2 is not a probability (allowed 0..1)");
    jc_free(ctx);
}

Test(json_check, probability_inside_0_1_is_stored)
{
    jc_ctx *ctx = parse("{\"p\": 0.0625, \"q\": \"0.5\"}");
    double p = 0, q = 0.25;
    cr_expect(jc_probability(ctx, jc_root(ctx), "", "p", true, &p));
    cr_expect_float_eq(p, 0.0625, 0);
    cr_expect_not(jc_probability(ctx, jc_root(ctx), "", "q", true, &q));
    cr_expect_str_eq(only_error(ctx), "cfg.json:1:20: q: expected a number, found a string");
    jc_free(ctx);
}

static const char *const MODES[] = {"ips", "train_then_place", "none"};

Test(json_check, enum_bad_value_lists_the_choices)
{
    jc_ctx *ctx = config();
    int mode = 2;
    cr_expect_not(jc_enum(ctx, at(ctx, "policies", "ips"), "policies.ips", "mode", MODES, 3, true, &mode));
    cr_expect_eq(mode, 2);
    cr_expect_str_eq(only_error(ctx),
                     "cfg.json:9:53: policies.ips.mode: 'ipss' is not allowed; did you mean 'ips'? "
                     "(allowed: ips, train_then_place, none)");
    jc_free(ctx);
}

Test(json_check, enum_good_value_and_wrong_type)
{
    jc_ctx *ctx = parse("{\"a\": \"train_then_place\", \"b\": 1, \"c\": \"Place-then-train\"}");
    int a = -1, b = -1, c = -1;
    cr_expect(jc_enum(ctx, jc_root(ctx), "", "a", MODES, 3, true, &a));
    cr_expect_eq(a, 1);
    cr_expect_not(jc_enum(ctx, jc_root(ctx), "", "b", MODES, 3, true, &b));
    cr_expect_not(jc_enum(ctx, jc_root(ctx), "", "c", MODES, 3, true, &c));
    cr_expect_eq(b, -1);
    cr_expect_eq(c, -1);
    cr_assert_eq(jc_error_count(ctx), 2);
    cr_expect_str_eq(jc_error_message(ctx, 0),
                     "cfg.json:1:32: b: expected a string, found a number (allowed: ips, train_then_place, none)");
    cr_expect_str_eq(jc_error_message(ctx, 1),
                     "cfg.json:1:40: c: 'Place-then-train' is not allowed (allowed: ips, train_then_place, none)");
    jc_free(ctx);
}

static const char *const REGIONS[] = {"flanders", "wallonia", "brussels"};

Test(json_check, shares_must_sum_to_one)
{
    jc_ctx *ctx = config();
    double shares[3] = {0.6, 0.3, 0.1};
    cr_expect_not(jc_shares(ctx, jc_root(ctx), "", "region_shares", REGIONS, 3, true, shares));
    cr_expect_str_eq(only_error(ctx), "cfg.json:12:20: region_shares: shares sum to 0.97, must sum to 1");
    jc_free(ctx);
}

Test(json_check, shares_sum_just_off_one_is_not_printed_as_1)
{
    jc_ctx *ctx = parse("{\"s\": {\"a\": 0.5, \"b\": 0.5000021}}");
    static const char *const names[] = {"a", "b"};
    double out[2];
    cr_expect_not(jc_shares(ctx, jc_root(ctx), "", "s", names, 2, true, out));
    cr_expect_str_eq(only_error(ctx), "cfg.json:1:7: s: shares sum to 1.000002, must sum to 1");
    jc_free(ctx);
}

Test(json_check, shares_report_missing_unknown_and_invalid_names)
{
    jc_ctx *ctx = parse("{\"by\": {\"regions\": {\"flanders\": 0.58, \"walonia\": 0.31,\n"
                        "                      \"brussels\": 1.11}}}");
    double shares[3] = {0.6, 0.3, 0.1};
    const cJSON *by = jc_object(ctx, jc_root(ctx), "", "by", true);
    cr_expect_not(jc_shares(ctx, by, "by", "regions", REGIONS, 3, true, shares));
    cr_assert_eq(jc_error_count(ctx), 3);
    cr_expect_str_eq(jc_error_message(ctx, 0),
                     "cfg.json:1:39: by.regions: unknown key 'walonia'; did you mean 'wallonia'? "
                     "(allowed: flanders, wallonia, brussels)");
    cr_expect_str_eq(jc_error_message(ctx, 1), "cfg.json:1:20: by.regions: missing required key 'wallonia'");
    cr_expect_str_eq(jc_error_message(ctx, 2),
                     "cfg.json:2:35: by.regions.brussels: 1.11 is not a probability (allowed 0..1)");
    cr_expect_float_eq(shares[0], 0.58, 0);
    cr_expect_float_eq(shares[1], 0.0, 0);
    cr_expect_float_eq(shares[2], 0.0, 0);
    jc_free(ctx);
}

Test(json_check, valid_shares_within_tolerance_are_stored)
{
    jc_ctx *ctx = parse("{\"region_shares\": {\"brussels\": 0.1234567, \"flanders\": 0.5765432, "
                        "\"wallonia\": 0.3}}");
    double shares[3] = {0};
    cr_expect(jc_shares(ctx, jc_root(ctx), "", "region_shares", REGIONS, 3, true, shares));
    cr_expect_eq(jc_error_count(ctx), 0);
    cr_expect_float_eq(shares[0], 0.5765432, 0);
    cr_expect_float_eq(shares[1], 0.3, 0);
    cr_expect_float_eq(shares[2], 0.1234567, 0);
    jc_free(ctx);
}

Test(json_check, shares_of_the_wrong_type)
{
    jc_ctx *ctx = parse("{\"region_shares\": [0.5, 0.5]}");
    double shares[3] = {0.6, 0.3, 0.1};
    cr_expect_not(jc_shares(ctx, jc_root(ctx), "", "region_shares", REGIONS, 3, true, shares));
    cr_expect_float_eq(shares[0], 0.6, 0);
    cr_expect_str_eq(only_error(ctx), "cfg.json:1:19: region_shares: expected an object of shares, found an array");
    jc_free(ctx);
}

Test(json_check, missing_required_key_points_at_its_object)
{
    jc_ctx *ctx = config();
    double horizon = 3650.0;
    cr_expect_not(jc_number(ctx, at(ctx, "policies", "x"), "policies.x", "horizon", 1, 1e5, true, &horizon));
    cr_expect_float_eq(horizon, 3650.0, 0);
    cr_expect_str_eq(only_error(ctx), "cfg.json:10:10: policies.x: missing required key 'horizon'");
    jc_free(ctx);
}

Test(json_check, missing_optional_key_keeps_the_default_silently)
{
    jc_ctx *ctx = config();
    const cJSON *x = at(ctx, "policies", "x");
    double horizon = 3650.0;
    long long reps = 17;
    bool flag = true;
    const char *label = "baseline";
    int mode = 1;
    size_t n = 9;
    double arr[2] = {0.125, 0.25}, shares[3] = {0.6, 0.3, 0.1};
    cr_expect_not(jc_number(ctx, x, "policies.x", "horizon", 1, 1e5, false, &horizon));
    cr_expect_not(jc_integer(ctx, x, "policies.x", "reps", 1, 100, false, &reps));
    cr_expect_not(jc_probability(ctx, x, "policies.x", "p", false, &horizon));
    cr_expect_not(jc_bool(ctx, x, "policies.x", "flag", false, &flag));
    cr_expect_not(jc_string(ctx, x, "policies.x", "label", false, &label));
    cr_expect_not(jc_enum(ctx, x, "policies.x", "mode", MODES, 3, false, &mode));
    cr_expect_null(jc_object(ctx, x, "policies.x", "sub", false));
    cr_expect_null(jc_array(ctx, x, "policies.x", "list", false));
    cr_expect_not(jc_number_array(ctx, x, "policies.x", "arr", 0, 1, arr, 2, &n, false));
    cr_expect_not(jc_shares(ctx, x, "policies.x", "regions", REGIONS, 3, false, shares));
    cr_expect_eq(jc_error_count(ctx), 0);
    cr_expect_float_eq(horizon, 3650.0, 0);
    cr_expect_eq(reps, 17);
    cr_expect(flag);
    cr_expect_str_eq(label, "baseline");
    cr_expect_eq(mode, 1);
    cr_expect_eq(n, 9);
    cr_expect_float_eq(arr[1], 0.25, 0);
    cr_expect_float_eq(shares[2], 0.1, 0);
    jc_free(ctx);
}

Test(json_check, bool_string_object_array_type_errors)
{
    jc_ctx *ctx = config();
    const cJSON *ips = at(ctx, "policies", "ips"), *inflow = at(ctx, "inflow", NULL);
    bool enabled = false;
    const char *s = "keep";
    cr_expect_not(jc_bool(ctx, ips, "policies.ips", "enabled", true, &enabled));
    cr_expect_not(jc_string(ctx, ips, "policies.ips", "fidelity", true, &s));
    cr_expect_null(jc_object(ctx, inflow, "inflow", "rate_per_year", true));
    cr_expect_null(jc_array(ctx, jc_root(ctx), "", "policies", true));
    cr_expect_not(enabled);
    cr_expect_str_eq(s, "keep");
    cr_assert_eq(jc_error_count(ctx), 4);
    cr_expect_str_eq(jc_error_message(ctx, 0),
                     "cfg.json:9:72: policies.ips.enabled: expected true or false, found a string");
    cr_expect_str_eq(jc_error_message(ctx, 1),
                     "cfg.json:9:25: policies.ips.fidelity: expected a string, found a number");
    cr_expect_str_eq(jc_error_message(ctx, 2),
                     "cfg.json:4:22: inflow.rate_per_year: expected an object, found an array");
    cr_expect_str_eq(jc_error_message(ctx, 3), "cfg.json:8:15: policies: expected an array, found an object");
    jc_free(ctx);
}

Test(json_check, bool_string_object_array_good_values)
{
    jc_ctx *ctx = parse("{\"on\": false, \"name\": \"Li\\u00e8ge \\\"centre\\\"\", \"o\": {}, \"a\": [null]}");
    bool on = true;
    const char *name = NULL;
    cr_expect(jc_bool(ctx, jc_root(ctx), "", "on", true, &on));
    cr_expect_not(on);
    cr_expect(jc_string(ctx, jc_root(ctx), "", "name", true, &name));
    cr_expect_str_eq(name, "Liège \"centre\"");
    cr_expect_not_null(jc_object(ctx, jc_root(ctx), "", "o", true));
    cr_expect_eq(cJSON_GetArraySize(jc_array(ctx, jc_root(ctx), "", "a", true)), 1);
    cr_expect_eq(jc_error_count(ctx), 0);
    jc_free(ctx);
}

Test(json_check, number_array_reports_each_bad_element_by_index)
{
    jc_ctx *ctx = config();
    double rates[8] = {7.5};
    size_t n = 99;
    cr_expect_not(jc_number_array(ctx, at(ctx, "inflow", NULL), "inflow", "rate_per_year", 0, 5000,
                                  rates, 8, &n, true));
    cr_expect_eq(n, 99);
    cr_expect_float_eq(rates[0], 7.5, 0);
    cr_assert_eq(jc_error_count(ctx), 2);
    cr_expect_str_eq(jc_error_message(ctx, 0), "cfg.json:4:39: inflow.rate_per_year[2]: -3.5 is outside 0..5000");
    cr_expect_str_eq(jc_error_message(ctx, 1),
                     "cfg.json:4:45: inflow.rate_per_year[3]: expected a number, found a string");
    jc_free(ctx);
}

Test(json_check, number_array_length_must_be_1_to_max)
{
    jc_ctx *ctx = parse("{\"empty\": [], \"long\": [0.5, 1.5, 2.5], \"ok\": [2.385, -1.25e-3]}");
    double out[2] = {0};
    size_t n = 0;
    cr_expect_not(jc_number_array(ctx, jc_root(ctx), "", "empty", -10, 10, out, 2, &n, true));
    cr_expect_not(jc_number_array(ctx, jc_root(ctx), "", "long", -10, 10, out, 2, &n, true));
    cr_expect(jc_number_array(ctx, jc_root(ctx), "", "ok", -10, 10, out, 2, &n, true));
    cr_expect_eq(n, 2);
    cr_expect_float_eq(out[0], 2.385, 0);
    cr_expect_float_eq(out[1], -1.25e-3, 0);
    cr_assert_eq(jc_error_count(ctx), 2);
    cr_expect_str_eq(jc_error_message(ctx, 0), "cfg.json:1:11: empty: expected 1..2 numbers, found 0");
    cr_expect_str_eq(jc_error_message(ctx, 1), "cfg.json:1:23: long: expected 1..2 numbers, found 3");
    jc_free(ctx);
}

Test(json_check, parent_errors_do_not_cascade_and_repeat_errors_are_kept_once)
{
    jc_ctx *ctx = parse("[1, 2]");
    double v = 4.5;
    /* NULL parent: already reported by whoever looked it up. */
    cr_expect_not(jc_number(ctx, NULL, "missing", "x", 0, 1, true, &v));
    cr_expect_eq(jc_check_keys(ctx, NULL, "missing", IPS_KEYS, 3), 0);
    cr_expect_eq(jc_error_count(ctx), 0);
    /* A root that is not an object is reported once however often it is read. */
    cr_expect_not(jc_number(ctx, jc_root(ctx), "", "x", 0, 1, true, &v));
    cr_expect_not(jc_number(ctx, jc_root(ctx), "", "y", 0, 1, true, &v));
    cr_expect_str_eq(only_error(ctx), "cfg.json:1:1: expected an object, found an array");
    cr_expect_float_eq(v, 4.5, 0);
    jc_free(ctx);
}

/* ---- locate and jc_error ----------------------------------------------------- */

Test(json_check, locate_walks_nested_arrays_and_escaped_keys)
{
    jc_ctx *ctx = parse("{\n"
                        "  \"a.b\": 1,\n"
                        "  \"arms\": [[0, {\"x\": [5, [6, 7]]}], {\"caf\\u00e9\": \"}\", \"q\\\"k\": [\"]\", 9]}],\n"
                        "  \"\\ud83d\\ude00\": {\"tab\\tkey\": -2.385e2}\n"
                        "}");
    int line = 0, col = 0;
    cr_assert_not_null(jc_root(ctx));
    cr_expect_eq(jc_locate(ctx, "", &line, &col), 0);
    cr_expect(line == 1 && col == 1);
    cr_expect_eq(jc_locate(ctx, "arms[0][1].x[1][1]", &line, &col), 0);
    cr_expect(line == 3 && col == 30, "got %d:%d", line, col);
    cr_expect_eq(jc_locate(ctx, "arms[1].café", &line, &col), 0);
    cr_expect(line == 3 && col == 51, "got %d:%d", line, col);
    cr_expect_eq(jc_locate(ctx, "arms[1].q\"k[1]", &line, &col), 0);
    cr_expect(line == 3 && col == 70, "got %d:%d", line, col);
    cr_expect_eq(jc_locate(ctx, "\xF0\x9F\x98\x80.tab\tkey", &line, &col), 0);
    cr_expect(line == 4 && col == 32, "got %d:%d", line, col);
    jc_free(ctx);
}

Test(json_check, locate_fails_cleanly_for_paths_not_in_the_text)
{
    jc_ctx *ctx = parse("{\"a\": {\"b\": [1, {\"c\": 2}]}, \"a.b\": 3}");
    int line = 42, col = 42;
    static const char *const bad[] = {"a.x", "a.b[2]", "a.b[1].c.d", "a.b[x]", "a.b[1", "a.b]",
                                      "a[0]", "a.b.c", "a.b[1]c", "a.b", "zz", "[0]",
                                      "a.b[99999999999999999999999]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (strcmp(bad[i], "a.b") == 0) /* found, but it is a's member b, not key "a.b" */
            cr_expect_eq(jc_locate(ctx, bad[i], &line, &col), 0);
        else
            cr_expect_eq(jc_locate(ctx, bad[i], &line, &col), -1, "path %s", bad[i]);
    }
    cr_expect_eq(line, 1);
    cr_expect_eq(col, 13);
    jc_free(ctx);
}

/* Independent reference: the column of each value found by searching the text for
 * its unique key, against jc_locate's scanner. */
Test(json_check, locate_agrees_with_a_naive_search)
{
    char text[8192], key[16];
    size_t len = 0;
    len += (size_t)snprintf(text + len, sizeof text - len, "{");
    for (int i = 0; i < 120; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%*s\"k%d\":%*s%d.%d",
                                i ? "," : "", i % 7, i % 3 ? "" : "\n", i, i % 5, "", i * 37, i);
    snprintf(text + len, sizeof text - len, "\n}");
    jc_ctx *ctx = parse(text);
    cr_assert_not_null(jc_root(ctx));
    for (int i = 0; i < 120; i++) {
        char needle[24];
        int line = 0, col = 0, want_line = 1;
        snprintf(key, sizeof key, "k%d", i);
        snprintf(needle, sizeof needle, "\"k%d\":", i);
        const char *p = strstr(text, needle) + strlen(needle);
        while (*p == ' ')
            p++;
        const char *line_start = text;
        for (const char *q = text; q < p; q++)
            if (*q == '\n') {
                want_line++;
                line_start = q + 1;
            }
        cr_assert_eq(jc_locate(ctx, key, &line, &col), 0);
        cr_expect_eq(line, want_line, "%s", key);
        cr_expect_eq(col, (int)(p - line_start) + 1, "%s", key);
    }
    jc_free(ctx);
}

Test(json_check, error_is_located_or_falls_back_to_file_and_path)
{
    jc_ctx *ctx = config();
    jc_error(ctx, "policies.x.caseload", "%g exceeds the %d staff available", 20.5, 18);
    jc_error(ctx, "policies.y", "unit %s has no staff", "Gent");
    jc_error(ctx, "", "scenario %s is incomplete", "belgium");
    cr_assert_eq(jc_error_count(ctx), 3);
    cr_expect_str_eq(jc_error_message(ctx, 0),
                     "cfg.json:10:38: policies.x.caseload: 20.5 exceeds the 18 staff available");
    cr_expect_str_eq(jc_error_message(ctx, 1), "cfg.json: policies.y: unit Gent has no staff");
    cr_expect_str_eq(jc_error_message(ctx, 2), "cfg.json:1:1: scenario belgium is incomplete");
    cr_expect_null(jc_error_message(ctx, 3));
    jc_free(ctx);
}

/* ---- files, accessors of the ctx, join, NULL handling ----------------------- */

Test(json_check, missing_file_names_the_file_and_the_reason)
{
    jc_ctx *ctx = jc_parse_file("/nonexistent/ipsim/belgium.json");
    cr_assert_not_null(ctx);
    cr_expect_null(jc_root(ctx));
    cr_expect_str_eq(only_error(ctx), "/nonexistent/ipsim/belgium.json: cannot open: No such file or directory");
    cr_expect_str_eq(jc_filename(ctx), "/nonexistent/ipsim/belgium.json");
    jc_free(ctx);

    ctx = jc_parse_file("/");
    cr_expect_str_eq(only_error(ctx), "/: cannot read: Is a directory");
    jc_free(ctx);
}

Test(json_check, parse_file_reads_a_file_larger_than_one_buffer)
{
    char path[] = "/tmp/test_json_check_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_neq(fd, -1);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs("{\"padding\": [", f);
    for (int i = 0; i < 4000; i++)
        fprintf(f, "%s%d.125", i ? ", " : "", i);
    fputs("],\n \"last\": 2.385}\n", f);
    fclose(f);

    jc_ctx *ctx = jc_parse_file(path);
    double last = 0;
    int line = 0, col = 0;
    unlink(path);
    cr_assert_not_null(jc_root(ctx), "%s", jc_error_count(ctx) ? jc_error_message(ctx, 0) : "");
    cr_expect(jc_number(ctx, jc_root(ctx), "", "last", 0, 10, true, &last));
    cr_expect_float_eq(last, 2.385, 0);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(jc_root(ctx), "padding")), 4000);
    cr_expect_eq(jc_locate(ctx, "last", &line, &col), 0);
    cr_expect(line == 2 && col == 10);
    cr_expect_str_eq(jc_filename(ctx), path);
    cr_expect_eq(strlen(jc_text(ctx)) > 8192, true);
    jc_free(ctx);
}

Test(json_check, join_builds_dotted_paths)
{
    char buf[32], tiny[6];
    cr_expect_str_eq(jc_join(buf, sizeof buf, "policies.ips", "fidelity"), "policies.ips.fidelity");
    cr_expect_str_eq(jc_join(buf, sizeof buf, "", "inflow"), "inflow");
    cr_expect_str_eq(jc_join(buf, sizeof buf, NULL, "inflow"), "inflow");
    cr_expect_str_eq(jc_join(tiny, sizeof tiny, "policies", "ips"), "polic");
}

Test(json_check, null_ctx_and_free_null_are_harmless)
{
    double v = 1.5;
    int line = 3, col = 4;
    jc_free(NULL);
    cr_expect_null(jc_root(NULL));
    cr_expect_null(jc_filename(NULL));
    cr_expect_null(jc_text(NULL));
    cr_expect_eq(jc_error_count(NULL), 0);
    cr_expect_null(jc_error_message(NULL, 0));
    cr_expect_eq(jc_locate(NULL, "a", &line, &col), -1);
    cr_expect_not(jc_number(NULL, NULL, "", "a", 0, 1, true, &v));
    jc_error(NULL, "a", "ignored %d", 1);
    cr_expect_float_eq(v, 1.5, 0);
    cr_expect(line == 3 && col == 4);
}

Test(json_check, jc_print_writes_numbers_that_read_back_exactly)
{
    /* values cJSON's own printer writes with 15 digits that read back as a
     * neighbouring double, or rounds (integers above 1e15) */
    const double values[] = { 0.1 + 0.2, 1.0 / 3.0, 1234567890123457.0, 9007199254740991.0,
                              2.2250738585072014e-308, 4.9e-324, 0.248955, 20161231, -7.5e-5,
                              1e21 };
    size_t n = sizeof values / sizeof values[0];
    cJSON *arr = cJSON_CreateDoubleArray(values, (int)n);
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddItemToObject(obj, "v", arr);
    cJSON_AddItemToObject(obj, "seed", jc_exact_u64(UINT64_C(1234567890123457)));
    char *text = jc_print(obj, false);
    cr_assert_not_null(text);
    cJSON *back = cJSON_Parse(text);
    cr_assert_not_null(back, "%s", text);
    cJSON *v = cJSON_GetObjectItem(back, "v");
    for (size_t i = 0; i < n; i++)
        cr_expect(cJSON_GetArrayItem(v, (int)i)->valuedouble == values[i],
                  "value %zu: %.17g read back as %.17g (%s)", i, values[i],
                  cJSON_GetArrayItem(v, (int)i)->valuedouble, text);
    cr_expect(strstr(text, "\"seed\":1234567890123457") != NULL, "%s", text);
    cr_expect(strstr(text, "0.248955") != NULL && strstr(text, "20161231") != NULL,
              "short values keep their short form: %s", text);
    /* the tree itself is not changed */
    cr_expect(cJSON_IsNumber(cJSON_GetArrayItem(arr, 0)));
    free(text);
    cJSON_Delete(back);
    cJSON_Delete(obj);
}

Test(json_check, text_that_is_not_utf8_is_malformed_with_its_place)
{
    /* a Latin-1 e-acute, a lone surrogate, an overlong '/', a cut-off euro sign */
    const char *bad[] = { "{\"d\": \"caf\xe9\"}", "{\"d\": \"\xed\xa0\x80\"}",
                          "{\"d\": \"\xc0\xaf\"}", "{\"d\": \"\xe2\x82\"}" };
    const char *want[] = { "cfg.json:1:11: malformed JSON: byte 0xE9 is not valid UTF-8",
                           "cfg.json:1:8: malformed JSON: byte 0xED is not valid UTF-8",
                           "cfg.json:1:8: malformed JSON: byte 0xC0 is not valid UTF-8",
                           "cfg.json:1:8: malformed JSON: byte 0xE2 is not valid UTF-8" };
    for (size_t i = 0; i < 4; i++) {
        jc_ctx *ctx = parse(bad[i]);
        cr_expect_null(jc_root(ctx));
        cr_expect(strncmp(only_error(ctx), want[i], strlen(want[i])) == 0, "case %zu: %s", i,
                  only_error(ctx));
        cr_expect(strstr(only_error(ctx), "\\x") != NULL, "the byte is shown escaped: %s",
                  only_error(ctx));
        jc_free(ctx);
    }
    /* two-, three- and four-byte characters are fine */
    jc_ctx *ok = parse("{\"d\": \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");
    cr_expect_not_null(jc_root(ok));
    cr_expect_eq(jc_error_count(ok), 0);
    jc_free(ok);
}
