/* ipsim bench from the command line: a tiny scenario, repeated runs, and
 * the JSON report a script reads (events, timings, draw times, memory). */
#include <math.h>
#include <criterion/criterion.h>
#include <cjson/cJSON.h>

#include "tests/test_util.h"

static double number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsNumber(v), "no number '%s' in the report", key);
    return v->valuedouble;
}

Test(bench_cli, repeated_runs_report_median_and_range)
{
    static char out[65536], err[4096];
    int rc = tu_run_ipsim("bench --scale 0.002 --years 2 --runs 3 --json", out, sizeof out, err,
                          sizeof err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    cJSON *o = cJSON_Parse(out);
    cr_assert_not_null(o, "not JSON: %s", out);
    cr_expect_eq(number(o, "runs"), 3);
    double lo = number(o, "seconds_min"), mid = number(o, "seconds"), hi = number(o, "seconds_max");
    cr_expect(lo > 0 && lo <= mid && mid <= hi, "min %g median %g max %g", lo, mid, hi);
    const cJSON *each = cJSON_GetObjectItemCaseSensitive(o, "seconds_per_run");
    cr_assert(cJSON_IsArray(each));
    cr_expect_eq(cJSON_GetArraySize(each), 3);
    double events = number(o, "events");
    cr_expect_gt(events, 1000);
    cr_expect_float_eq(number(o, "events_per_second"), events / mid, 1e-9 * events / mid);
    cr_expect_gt(number(o, "people_total"), number(o, "people_stock"));
    cr_expect_gt(number(o, "ns_per_exponential_draw_keyed"), 0);
    cr_expect_gt(number(o, "ns_per_exponential_draw_inline_ziggurat"), 0);
    cr_expect_gt(number(o, "model_bytes_per_person"), 64); /* at least the record */
    /* the phases are each positive and, as medians of three runs, add up to
     * a time between the fastest and the slowest whole run */
    double stock = number(o, "seconds_stock"), loop = number(o, "seconds_events");
    double outcomes = number(o, "seconds_outcomes");
    cr_expect(stock > 0 && loop > 0 && outcomes >= 0, "phases %g %g %g", stock, loop, outcomes);
    cr_expect(stock + loop + outcomes <= 3 * hi && loop < hi, "phases %g %g %g, slowest run %g",
              stock, loop, outcomes, hi);
    cr_expect_float_eq(number(o, "events_per_second_event_loop"), events / loop,
                       1e-9 * events / loop);
    cJSON_Delete(o);
}

Test(bench_cli, one_run_splits_into_phases)
{
    static char out[65536], err[4096];
    int rc = tu_run_ipsim("bench --scale 0.002 --years 2 --json", out, sizeof out, err, sizeof err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    cJSON *o = cJSON_Parse(out);
    cr_assert_not_null(o, "not JSON: %s", out);
    double whole = number(o, "seconds");
    double parts = number(o, "seconds_stock") + number(o, "seconds_events")
                   + number(o, "seconds_outcomes");
    /* one run: the phases are consecutive clock readings of the whole */
    cr_expect_float_eq(parts, whole, 1e-9 * whole + 1e-12, "phases %g, whole %g", parts, whole);
    cJSON_Delete(o);
}

Test(bench_cli, bad_options_are_refused)
{
    static char out[4096], err[4096];
    cr_expect_eq(tu_run_ipsim("bench --runs 0", out, sizeof out, err, sizeof err), 2);
    cr_expect(strstr(err, "--runs") != NULL, "%s", err);
    cr_expect_eq(tu_run_ipsim("bench --policy nobody --years 1 --scale 0.001", out, sizeof out,
                              err, sizeof err), 2);
    cr_expect(strstr(err, "nobody") != NULL, "%s", err);
    /* --scale takes a decimal number: strtod would read hexadecimal too */
    cr_expect_eq(tu_run_ipsim("bench --scale 0x1p-3 --years 1", out, sizeof out, err,
                              sizeof err), 2);
    cr_expect(strstr(err, "--scale") != NULL, "%s", err);
}
