/* The summary table of `ipsim run` (cli/report.c) through the command line:
 * columns as wide as their widest cell or policy name, no trailing spaces,
 * singular and plural counts, and the note on few replications. */
#include <math.h>
#include <criterion/criterion.h>
#include <cjson/cJSON.h>

#include "tests/test_util.h"

/* 31 characters, the longest name a policy may have */
#define LONG_NAME "ips_national_good_fidelity_2035"

/* Runs a two-policy scenario (the long name first) and returns its table. */
static void run_table(int reps, int threads, char *so, size_t len)
{
    char dir[64], cfg[128], out[128], cmd[512], err[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/r.json", dir);
    snprintf(out, sizeof out, "%s/r.h5", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"run\": {\"years\": 2, \"scale\": 0.01},\n"
                                    " \"policies\": [{\"name\": \"" LONG_NAME "\", \"type\": \"ips\"},"
                                    " {\"name\": \"status_quo\", \"type\": \"status_quo\"}]}"),
                 0);
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet --reps %d --threads %d", cfg, out, reps,
             threads);
    int st = tu_run_ipsim(cmd, so, len, err, sizeof err);
    cr_assert_eq(st, 0, "exit status %d: %s", st, err);
    unlink(out);
    unlink(cfg);
    rmdir(dir);
}

Test(report, columns_fit_the_longest_policy_name_without_trailing_spaces)
{
    static char so[16384];
    run_table(3, 1, so, sizeof so);
    cr_assert_eq(strlen(LONG_NAME), 31);
    /* the header row names both policies; the second column starts where
     * "status_quo" does there, and so must every cell of that column */
    const char *head = strstr(so, LONG_NAME);
    cr_assert_not_null(head, "%s", so);
    const char *line0 = head;
    while (line0 > so && line0[-1] != '\n')
        line0--;
    const char *sq = strstr(head, "status_quo");
    cr_assert_not_null(sq, "%s", so);
    size_t col2 = (size_t)(sq - line0);
    cr_expect_gt(col2, (size_t)(head - line0) + strlen(LONG_NAME) + 1, "no gap after the name");
    size_t rows = 0;
    /* the policies' table; the differences (one column here) come after it */
    char *diffs = strstr(so, "\nDifference from");
    cr_assert_not_null(diffs, "%s", so);
    *diffs = '\0';
    for (const char *l = so; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        cr_expect(n == 0 || l[n - 1] != ' ', "trailing space in line '%.*s'", (int)n, l);
        /* table rows: the header, "Ever employed ...", "Median ..." and the
         * indented state rows */
        bool row = l == line0 || !strncmp(l, "Ever employed", 13) || !strncmp(l, "Median", 6)
                   || (l[0] == ' ' && l[1] == ' ' && l[2] != ' ');
        if (row) {
            rows++;
            cr_expect(n > col2 && l[col2 - 1] == ' ' && l[col2 - 2] == ' ' && l[col2] != ' ',
                      "second column not at %zu in '%.*s'", col2, (int)n, l);
        }
        l = e ? e + 1 : l + n;
    }
    cr_expect_geq(rows, 10, "%s", so);
}

Test(report, counts_are_singular_or_plural)
{
    static char so[16384];
    run_table(1, 1, so, sizeof so);
    cr_expect(strstr(so, " on 1 thread (") != NULL, "%s", so);
    cr_expect(strstr(so, "2 runs (2 policies x 1 replication)") != NULL, "%s", so);
    run_table(2, 2, so, sizeof so);
    cr_expect(strstr(so, " on 2 threads (") != NULL, "%s", so);
    cr_expect(strstr(so, "4 runs (2 policies x 2 replications)") != NULL, "%s", so);
}

Test(report, few_replications_are_flagged_under_the_table)
{
    static char so[16384];
    run_table(3, 2, so, sizeof so);
    const char *note = strstr(so, "Only 3 replications: each [2.5%, 97.5%] interval is little "
                                  "more than the\nsmallest and largest of 3 values");
    cr_expect_not_null(note, "%s", so);
    cr_expect(note && note > strstr(so, "Died"), "the note is not under the table: %s", so);
    run_table(1, 2, so, sizeof so);
    cr_expect(strstr(so, "Only 1 replication: each interval is that one value") != NULL, "%s",
              so);
    run_table(10, 2, so, sizeof so);
    cr_expect_null(strstr(so, "Only "), "%s", so);
}

/* Under the policies' table, each policy after the first minus the first,
 * taken within each replication: signed, in points for shares, and for a
 * policy against itself exactly 0 with no spread (the same people and
 * random numbers). */
Test(report, differences_from_the_first_policy_are_paired)
{
    char dir[64], cfg[128], out[128], cmd[512], err[4096];
    static char so[32768];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/d.json", dir);
    snprintf(out, sizeof out, "%s/d.h5", dir);
    /* ips and a copy of it under another name; an IPS of higher fidelity */
    cr_assert_eq(tu_write_file(cfg, "{\"run\": {\"years\": 6, \"scale\": 0.01},\n"
                                    " \"policies\": [{\"name\": \"base\", \"type\": \"ips\"},"
                                    " {\"name\": \"same\", \"type\": \"ips\"},"
                                    " {\"name\": \"better\", \"type\": \"ips\", \"programme\":"
                                    " {\"effects\": {\"job_finding\": 3}}}]}"),
                 0);
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet --reps 12", cfg, out);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_assert_eq(st, 0, "exit status %d: %s", st, err);
    const char *d = strstr(so, "\nDifference from base, taken within each replication");
    cr_assert_not_null(d, "%s", so);
    const char *row = strstr(d, "\nEver employed by month 60");
    cr_assert_not_null(row, "%s", d);
    double same, better, lo, hi;
    cr_assert_eq(sscanf(row, "\nEver employed by month 60 %lf pt [%*f, %*f] %lf pt [%lf, %lf]",
                        &same, &better, &lo, &hi), 4, "%s", row);
    cr_expect_eq(same, 0.0);
    cr_expect(strstr(row, "+0.0 pt [+0.0, +0.0]") != NULL, "%.120s", row);
    cr_expect(better > 0 && lo > 0 && lo <= better && better <= hi, "%g [%g, %g]", better, lo,
              hi);
    row = strstr(d, "\n  Invalidity");
    cr_assert_not_null(row);
    cr_expect(strncmp(row + strlen("\n  Invalidity"), "                +0 [+0, +0]", 27) == 0,
              "%.80s", row);
    unlink(out);

    /* --json: the same figures under "difference", naming the policy subtracted */
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet --reps 12 --json", cfg, out);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cJSON *j = cJSON_Parse(so);
    cr_assert_not_null(j, "%s", so);
    cJSON *pols = cJSON_GetObjectItem(j, "policies");
    cr_expect_null(cJSON_GetObjectItem(cJSON_GetArrayItem(pols, 0), "difference"));
    cJSON *dif = cJSON_GetObjectItem(cJSON_GetArrayItem(pols, 2), "difference");
    cr_assert_not_null(dif);
    cr_expect_str_eq(cJSON_GetObjectItem(dif, "minus")->valuestring, "base");
    cJSON *m60 = cJSON_GetArrayItem(cJSON_GetObjectItem(dif, "ever_employed"), 2);
    cr_expect_eq(cJSON_GetObjectItem(m60, "month")->valueint, 60);
    cr_expect(fabs(100 * cJSON_GetObjectItem(m60, "mean")->valuedouble - better) < 0.051);
    cJSON_Delete(j);
    unlink(out);
    unlink(cfg);
    rmdir(dir);
}

/* A difference that rounds to zero prints as +0.0 (or +0), never -0.0: the
 * built-in default's train-then-place month-6 difference is a tiny negative
 * mean over 20 replications. */
Test(report, differences_that_round_to_zero_have_no_minus_sign)
{
    char dir[64], out[128], cmd[512], err[4096];
    static char so[32768];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(out, sizeof out, "%s/z.h5", dir);
    snprintf(cmd, sizeof cmd, "run -o %s --quiet --reps 20", out);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    const char *d = strstr(so, "\nDifference from");
    cr_assert_not_null(d, "%s", so);
    cr_expect(strstr(d, "-0.0") == NULL && strstr(d, "-0 ") == NULL && strstr(d, "-0]") == NULL
                  && strstr(d, "-0,") == NULL,
              "%s", d);
    cr_expect(strstr(d, "Ever employed by month 6    +0.0 pt") != NULL, "%.300s", d);
    unlink(out);
    rmdir(dir);
}
