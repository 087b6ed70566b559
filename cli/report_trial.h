/* report_trial: what `ipsim trial` and `ipsim power` print: tables for
 * people, JSON (--json) for scripts, from the same figures. */
#ifndef IPSIM_REPORT_TRIAL_H
#define IPSIM_REPORT_TRIAL_H

#include <stdio.h>
#include "io/config.h"
#include "models/trial.h"
#include "models/trial_analysis.h"
#include "models/trial_power.h"

typedef struct report_trial_info {
    const ipsim_config *cfg;
    const trial_design *design;
    const trial_plan *plan;
    const trial_person *people;
    const trial_test_result *tests;
    const trial_arm_value *arms;
    const trial_info *info;
    double icc;
    uint64_t seed;
    size_t replication;
    const char *output, *csv;
    double wall_seconds;
} report_trial_info;

void report_trial_table(FILE *f, const report_trial_info *r);
void report_trial_json(FILE *f, const report_trial_info *r);

typedef struct report_power_info {
    const ipsim_config *cfg;
    const trial_power *pw;
    const char *output, *csv; /* csv: NULL without --csv */
    int threads;
    double wall_seconds;
} report_power_info;

void report_power_table(FILE *f, const report_power_info *r);
void report_power_json(FILE *f, const report_power_info *r);

/* `ipsim power --csv`: one row per grid point and test (n, effect, outcome,
 * test, power with its MCSE and Wilson interval, rejections, failures, mean
 * estimate, and the arms' mean of the test's outcome). Returns 0, or -1 if
 * writing failed. */
int report_power_csv(FILE *f, const trial_power *pw);

#endif
