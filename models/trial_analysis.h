/* trial_analysis: the planned analyses of a simulated trial, by randomised
 * arm (intention to treat), on the people who were observed for each
 * outcome (complete cases).
 *
 * The plan lists every (outcome, test) pair: binary outcomes get the
 * two-proportion z-test, Pearson chi-square, Cochran-Mantel-Haenszel by
 * region and the partially clustered (coach) test; time to first job gets
 * the plain and region-stratified log-rank tests; days worked and benefit
 * paid get Welch's t and Mann-Whitney. Group 1 is IPS, the comparator the
 * control arm. The tests are those of stats/ (docs/statistics.md).
 */
#ifndef IPSIM_TRIAL_ANALYSIS_H
#define IPSIM_TRIAL_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include "models/trial.h"

enum { OUTCOME_BINARY, OUTCOME_TIME, OUTCOME_CONTINUOUS };
enum { CONT_DAYS_WORKED, CONT_BENEFIT };
enum {
    TEST_Z, TEST_CHISQ, TEST_CMH, TEST_CLUSTER, TEST_LOGRANK, TEST_LOGRANK_STRATIFIED,
    TEST_WELCH, TEST_MANN_WHITNEY, N_TEST_KIND
};

#define TRIAL_MAX_OUTCOMES (N_OUT_BINARY_KIND * TRIAL_MAX_WINDOWS + 3)
#define TRIAL_MAX_TESTS (TRIAL_MAX_OUTCOMES * 4)

typedef struct trial_outcome {
    char name[40];
    int type;          /* OUTCOME_* */
    int kind;          /* OUT_* (binary) or CONT_* (continuous) */
    size_t window;
    const char *unit;  /* "share", "days", "EUR per month" */
} trial_outcome;

typedef struct trial_test {
    size_t outcome;    /* index into the plan's outcomes */
    int kind;          /* TEST_* */
    char name[64];     /* "<outcome>/<test>" */
} trial_test;

typedef struct trial_plan {
    size_t n_outcomes, n_tests;
    trial_outcome outcome[TRIAL_MAX_OUTCOMES];
    trial_test test[TRIAL_MAX_TESTS];
    size_t primary;    /* outcome index of the primary outcome */
} trial_plan;

/* Lists the outcomes and tests of a design. */
void trial_plan_build(const trial_params *tp, trial_plan *plan);

const char *trial_test_name(int kind);     /* "z", "chisq", "cmh", ... */
const char *trial_test_label(int kind);    /* "Two-proportion z", ... */
const char *trial_estimate_label(int kind);/* "risk difference", "hazard ratio", ... */

/* Result of one test. p_value is for the design's sidedness; the interval
 * is two-sided at the level asked for (when asked for, else NaN). */
typedef struct trial_test_result {
    double estimate, lower, upper;
    double statistic, p_value;
    int status;        /* STATS_* (0 = ok; otherwise the test counts as not rejected) */
    bool reject;       /* p_value < alpha */
} trial_test_result;

/* Per outcome and arm: people analysed and their mean (share with the
 * outcome, mean days or EUR, share with an observed first job). */
typedef struct trial_arm_value {
    size_t n[N_ARM];
    double mean[N_ARM];
} trial_arm_value;

typedef struct trial_analysis_ws trial_analysis_ws;

/* Scratch for analysing trials of up to n people. NULL on allocation
 * failure; caller frees with trial_analysis_ws_free. */
trial_analysis_ws *trial_analysis_ws_alloc(size_t n);
void trial_analysis_ws_free(trial_analysis_ws *ws); /* NULL is a no-op */

/* Runs every test of the plan on people[0..n-1] of design d. With ci_level
 * in (0, 1) the intervals are two-sided at that level (costs a second call
 * of each test when the design is one-sided); with 0 they are left NaN
 * (power runs). arms[plan->n_outcomes] receives the arm summaries (may be
 * NULL); *icc the ANOVA ICC of the primary outcome among coached IPS
 * clients (NaN if undefined; may be NULL). Returns 0, or STATS_ENOMEM. */
int trial_analyse(const trial_plan *plan, const trial_design *d, const trial_person *people,
                  size_t n, double ci_level, trial_analysis_ws *ws, trial_test_result *out,
                  trial_arm_value *arms, double *icc);

#endif
