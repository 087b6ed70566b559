/* stats_tests: two-group hypothesis tests as a trial statistician would run
 * them: proportions (z, Pearson chi-square, Cochran-Mantel-Haenszel), Welch t
 * and Mann-Whitney. Group 1 is the treatment arm, group 2 the comparator;
 * every estimate is "group 1 versus group 2". Pure functions on arrays. */
#ifndef IPSIM_STATS_TESTS_H
#define IPSIM_STATS_TESTS_H

#include <stdbool.h>
#include <stddef.h>

#include "stats/stats_common.h"

/* One stratum of a two-arm binary outcome: x1 successes of n1 in group 1,
 * x2 of n2 in group 2. */
typedef struct stats_2x2 {
    size_t x1, n1;
    size_t x2, n2;
} stats_2x2;

/* Two-proportion z-test of p1 = x1/n1 against p2 = x2/n2.
 * Output: estimate = p1 - p2 with its Wald SE sqrt(p1q1/n1 + p2q2/n2) and
 * 1-alpha Wald CI; statistic = z with the pooled variance p(1-p)(1/n1+1/n2);
 * df = NAN; p_value for `sided`.
 * Returns STATS_EINVAL for NULL out, x > n or bad alpha/sided; STATS_EEMPTY
 * when n1 or n2 is 0 (all NAN); STATS_EDEGEN when the pooled proportion is
 * 0 or 1 (estimate, SE and CI filled; statistic and p NAN). */
int stats_two_proportion_z(size_t x1, size_t n1, size_t x2, size_t n2, double alpha,
                           stats_sided sided, stats_result *out);

/* Pearson chi-square test of the 2x2 table (x1, n1-x1; x2, n2-x2), 1 df,
 * with the Yates correction when `yates` (|ad-bc| reduced by min(N/2, |ad-bc|)).
 * Without correction the statistic equals the square of the pooled z above.
 * Output: estimate, SE and two-sided 1-alpha CI as stats_two_proportion_z;
 * statistic = chi-square; df = 1; p_value = upper chi-square tail.
 * Failure as stats_two_proportion_z (EDEGEN: a zero row or column margin). */
int stats_chisq_2x2(size_t x1, size_t n1, size_t x2, size_t n2, bool yates, double alpha,
                    stats_result *out);

/* Output of stats_cmh. Strata with fewer than 2 people, or with an empty
 * group, carry no information and are skipped. */
typedef struct stats_cmh_result {
    double chisq;      /* CMH statistic, 1 df, continuity-corrected if asked */
    double z;          /* sign(sum a - sum E) * sqrt(chisq), for one-sided p */
    double p_value;    /* for the requested sidedness */
    double odds_ratio; /* Mantel-Haenszel common odds ratio, group 1 vs 2 */
    double log_or_se;  /* Robins-Breslow-Greenland SE of log odds_ratio */
    double or_lower;   /* 1-alpha CI of the odds ratio */
    double or_upper;
    double risk_diff;  /* MH risk difference p1 - p2, weights n1 n2 / N */
    double rd_se;      /* Sato (1989) SE, valid for few large or many small strata */
    double rd_se_gr;   /* Greenland-Robins (1985) SE, valid for few large strata */
    double rd_lower;   /* 1-alpha Wald CI of the risk difference using rd_se */
    double rd_upper;
    size_t strata_used; /* strata contributing to the statistic */
} stats_cmh_result;

/* Cochran-Mantel-Haenszel test for k strata of 2x2 tables, with the MH common
 * odds ratio (Robins-Breslow-Greenland CI) and MH risk difference (Sato CI).
 * With `continuity`, |sum(a - E)| is reduced by min(0.5, |sum(a - E)|).
 * Returns STATS_EINVAL for NULL pointers, x > n or bad alpha/sided;
 * STATS_EEMPTY when k = 0 or no stratum has both groups (all NAN);
 * STATS_EDEGEN when the null variance is 0, e.g. every person a success
 * (chisq, z, p NAN; the estimates are filled where defined).
 * The odds ratio is 0 or +INFINITY (NAN when 0/0) when one of its sums is 0;
 * its limits are then NAN, and this alone does not change the status. */
int stats_cmh(const stats_2x2 *tables, size_t k, double alpha, stats_sided sided,
              bool continuity, stats_cmh_result *out);

/* Welch two-sample t-test of mean(x1) - mean(x2) with unequal variances.
 * Output: estimate = difference in means; se = sqrt(s1^2/n1 + s2^2/n2);
 * df = Welch-Satterthwaite; 1-alpha t-based CI; statistic = t; p_value.
 * Returns STATS_EINVAL for NULL or non-finite data or bad alpha/sided;
 * STATS_EEMPTY when n1 < 2 or n2 < 2 (all NAN); STATS_EDEGEN when both
 * samples have zero variance (estimate filled, se = 0, the rest NAN). */
int stats_welch_t(const double *x1, size_t n1, const double *x2, size_t n2, double alpha,
                  stats_sided sided, stats_result *out);

/* Mann-Whitney U (Wilcoxon rank-sum) test with mid-ranks for ties and the
 * tie-corrected normal approximation, with continuity correction when
 * `continuity`. Output: estimate = probability index U1/(n1 n2) =
 * P(X1 > X2) + P(X1 = X2)/2, so U1 = estimate * n1 * n2; se = DeLong
 * (placement-value) SE of that index and its Wald 1-alpha CI clipped to
 * [0, 1]; statistic = z; df = NAN; p_value. Allocates O(n1+n2) scratch;
 * O((n1+n2) log(n1+n2)); O(n1+n2) when both samples are ascending.
 * Returns STATS_EINVAL for NULL or non-finite data or bad alpha/sided;
 * STATS_ENOMEM; STATS_EEMPTY when a group is empty (all NAN) or has a single
 * value (test filled, se and CI NAN); STATS_EDEGEN when all values are tied
 * (estimate 0.5, statistic and p NAN). */
int stats_mann_whitney(const double *x1, size_t n1, const double *x2, size_t n2,
                       bool continuity, double alpha, stats_sided sided, stats_result *out);

#endif
