/* report_trial: tables and JSON of `ipsim trial` and `ipsim power`; see
 * report_trial.h. Shares are printed in percent, risk differences in
 * percentage points, hazard ratios and probability indices as they are. */
#include "cli/report_trial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "cli/report.h"
#include "io/config_trial.h"
#include "io/json_check.h"
#include "stats/stats_common.h"


/* The ANOVA estimate of the ICC, or why there is none: with under 2 IPS
 * clients a coach it means nothing (n = 8 over 23 coaches gave -2). */
static void icc_text(char *buf, size_t len, const trial_design *d, double icc)
{
    size_t coaches = 0;
    for (int g = 0; g < N_REGION; g++)
        coaches += d->coaches[g];
    double per_coach = coaches ? (double)d->n / 2 / (double)coaches : INFINITY;
    if (per_coach < 2)
        snprintf(buf, len, "n/a: about %.1f IPS client%s a coach", per_coach,
                 per_coach == 1 ? "" : "s");
    else
        snprintf(buf, len, "%.3f", icc);
}

static const char *const region_labels[N_REGION] = { "Flanders", "Wallonia", "Brussels" };

static const char *sided_text(int sided) { return sided ? "one-sided (IPS better)" : "two-sided"; }

static void fmt_p(char *buf, size_t len, double p)
{
    if (isnan(p))
        snprintf(buf, len, "n/a");
    else if (p < 0.0001)
        snprintf(buf, len, "<0.0001");
    else
        snprintf(buf, len, "%.4f", p);
}

/* An estimate on its natural scale: risk differences in percentage points. */
static void fmt_est(char *buf, size_t len, int kind, double e, double lo, double hi)
{
    bool rd = kind == TEST_Z || kind == TEST_CHISQ || kind == TEST_CMH || kind == TEST_CLUSTER;
    if (isnan(e))
        snprintf(buf, len, "n/a");
    else if (rd)
        snprintf(buf, len, "%+.1f pp [%+.1f, %+.1f]", 100 * e, 100 * lo, 100 * hi);
    else if (kind == TEST_WELCH)
        snprintf(buf, len, "%+.1f [%+.1f, %+.1f]", e, lo, hi);
    else
        snprintf(buf, len, "%.3f [%.3f, %.3f]", e, lo, hi);
}

/* A mean estimate of `ipsim power` on the scale of fmt_est: risk
 * differences in percentage points. */
static void fmt_mean_est(char *buf, size_t len, int kind, double e)
{
    bool rd = kind == TEST_Z || kind == TEST_CHISQ || kind == TEST_CMH || kind == TEST_CLUSTER;
    if (isnan(e))
        snprintf(buf, len, "n/a");
    else if (rd)
        snprintf(buf, len, "%+.2f pp", 100 * e);
    else if (kind == TEST_WELCH)
        snprintf(buf, len, "%+.1f", e);
    else
        snprintf(buf, len, "%.3f", e);
}

static void fmt_arm(char *buf, size_t len, const trial_outcome *o, double v)
{
    if (isnan(v))
        snprintf(buf, len, "n/a");
    else if (o->type == OUTCOME_CONTINUOUS)
        snprintf(buf, len, "%.1f", v);
    else
        snprintf(buf, len, "%.1f%%", 100 * v);
}

/* The fewest and most people the IPS arm can get: half of each full block of
 * a region, and from its last, incomplete block of r people (the first r of
 * a shuffled block) between r - block/2 and block/2 of them. */
static void ips_arm_range(const trial_design *d, size_t *lo, size_t *hi)
{
    size_t half = (size_t)d->tp.block_size / 2;
    *lo = *hi = 0;
    for (int g = 0; g < N_REGION; g++) {
        size_t full = d->per_region[g] / (2 * half), r = d->per_region[g] % (2 * half);
        *lo += full * half + (r > half ? r - half : 0);
        *hi += full * half + (r < half ? r : half);
    }
}

/* The design; `people` (NULL for a power grid) gives the arms' actual sizes. */
static void design_lines(FILE *f, const trial_design *d, const trial_person *people)
{
    const trial_params *tp = &d->tp;
    size_t lo, hi;
    ips_arm_range(d, &lo, &hi);
    if (people) {
        lo = 0;
        for (size_t i = 0; i < d->n; i++)
            lo += people[i].arm == ARM_IPS;
        hi = lo;
    }
    fprintf(f, "Design: %zu randomised ", d->n);
    if (lo == hi)
        fprintf(f, "%zu:%zu (IPS:control) ", lo, d->n - lo);
    fprintf(f, "in permuted blocks of %d within region (%s %zu, %s %zu, %s %zu),\n",
            tp->block_size, region_labels[0], d->per_region[0], region_labels[1],
            d->per_region[1], region_labels[2], d->per_region[2]);
    if (lo != hi) {
        /* name the regions whose last block is incomplete */
        int half = tp->block_size / 2;
        char which[96] = "";
        for (int g = 0; g < N_REGION; g++)
            if (d->per_region[g] % (size_t)(2 * half))
                snprintf(which + strlen(which), sizeof which - strlen(which), "%s%s",
                         which[0] ? ", " : "", region_labels[g]);
        fprintf(f, "about 1:1 (IPS arm %zu to %zu of %zu: the last block is incomplete in "
                "%s),\n", lo, hi, d->n, which);
    }
    fprintf(f, "recruited over %.0f months, followed %.0f months from randomisation.\n",
            tp->recruitment_days / DAYS_PER_MONTH, tp->follow_up_days / DAYS_PER_MONTH);
    if (tp->model == TRIAL_MODEL_CLAIMANT) {
        size_t coaches = d->coaches[0] + d->coaches[1] + d->coaches[2];
        fprintf(f, "Arms: '%s' vs '%s'; IPS: %zu coaches x %d clients; coach effect: ICC target "
                "%.3f (log-normal sigma %.3f)", tp->ips_policy, tp->control_policy, coaches,
                tp->ips_caseload, tp->coach_icc, d->coach_sigma);
        if (d->coach_sigma > 1)
            fprintf(f, " (a large spread: the ICC mapping is approximate, see docs/power.md)");
        if (d->effect != 1)
            fprintf(f, "; IPS job-finding effect multiplier %g", d->effect);
        fprintf(f, ".\n");
    } else {
        fprintf(f, "Test model '%s' (validation only, not the claimant model): ",
                tp->model == TRIAL_MODEL_BINOMIAL ? "binomial" : "exponential");
        if (tp->model == TRIAL_MODEL_BINOMIAL)
            fprintf(f, "p IPS %.3f, p control %.3f.\n", d->tp.p_test[ARM_IPS],
                    d->tp.p_test[ARM_CONTROL]);
        else
            fprintf(f, "job-finding rate IPS %.3f, control %.3f per year.\n",
                    d->tp.rate_test[ARM_IPS] * DAYS_PER_YEAR,
                    d->tp.rate_test[ARM_CONTROL] * DAYS_PER_YEAR);
    }
    fprintf(f, "Analysis: by randomised arm, complete cases; alpha %g %s; intervals %.0f%%.\n",
            tp->alpha, sided_text(tp->sided), 100 * tp->ci_level);
}

void report_trial_table(FILE *f, const report_trial_info *r)
{
    const trial_design *d = r->design;
    const trial_plan *plan = r->plan;
    fprintf(f, "ipsim %s: simulated trial from %s (replication %zu, seed %llu)\n", IPSIM_VERSION,
            r->cfg->source, r->replication, (unsigned long long)r->seed);
    report_overrides(f, r->cfg);
    design_lines(f, d, r->people);
    const trial_info *in = r->info;
    fprintf(f, "Received: IPS arm %zu IPS, %zu control, %zu none; control arm %zu control, %zu IPS, "
            "%zu none.\n", in->received[ARM_IPS][RECEIVED_IPS],
            in->received[ARM_IPS][RECEIVED_CONTROL], in->received[ARM_IPS][RECEIVED_NONE],
            in->received[ARM_CONTROL][RECEIVED_CONTROL], in->received[ARM_CONTROL][RECEIVED_IPS],
            in->received[ARM_CONTROL][RECEIVED_NONE]);
    size_t lost = 0;
    for (size_t i = 0; i < d->n; i++)
        lost += isfinite(r->people[i].lost_day) && r->people[i].lost_day < d->tp.follow_up_days;
    fprintf(f, "Lost to follow-up before the end: %zu of %zu. %llu events in %.2f s. Output: %s%s%s\n\n",
            lost, d->n, (unsigned long long)in->events, r->wall_seconds, r->output,
            r->csv ? ", " : "", r->csv ? r->csv : "");

    fprintf(f, "%-36s %10s %10s %14s\n", "Outcome", "IPS", "Control", "n IPS/control");
    for (size_t o = 0; o < plan->n_outcomes; o++) {
        const trial_outcome *oc = &plan->outcome[o];
        char a[32], b[32], n[32], label[64];
        fmt_arm(a, sizeof a, oc, r->arms[o].mean[ARM_IPS]);
        fmt_arm(b, sizeof b, oc, r->arms[o].mean[ARM_CONTROL]);
        snprintf(n, sizeof n, "%zu/%zu", r->arms[o].n[ARM_IPS], r->arms[o].n[ARM_CONTROL]);
        snprintf(label, sizeof label, "%s%s", oc->name,
                 oc->type == OUTCOME_TIME ? " (job seen)" : o == plan->primary ? " (primary)" : "");
        fprintf(f, "%-36s %10s %10s %14s\n", label, a, b, n);
    }
    fprintf(f, "\n%-24s %-26s %-20s %-32s %9s\n", "Outcome", "Test", "Effect", "Estimate [CI]",
            "p");
    for (size_t k = 0; k < plan->n_tests; k++) {
        const trial_test *t = &plan->test[k];
        const trial_test_result *x = &r->tests[k];
        char est[64], p[16];
        fmt_est(est, sizeof est, t->kind, x->estimate, x->lower, x->upper);
        fmt_p(p, sizeof p, x->p_value);
        fprintf(f, "%-24s %-26s %-20s %-32s %9s%s%s%s\n",
                k == 0 || plan->test[k - 1].outcome != t->outcome ? plan->outcome[t->outcome].name
                                                                  : "",
                trial_test_label(t->kind), trial_estimate_label(t->kind), est, p,
                x->reject ? " *" : "", x->status ? "  " : "",
                x->status ? stats_strerror(x->status) : "");
    }
    fprintf(f, "\n* p < %g (%s). Risk differences in percentage points; hazard ratio of a first "
            "job (>1 favours IPS);\nprobability index P(IPS > control) + P(tie)/2 (0.5: no "
            "difference).\n", d->tp.alpha, sided_text(d->tp.sided));
    if (!isnan(r->icc)) {
        char icc[64];
        icc_text(icc, sizeof icc, d, r->icc);
        fprintf(f, "ICC of %s among coached IPS clients (ANOVA): %s (target %.3f).\n",
                plan->outcome[plan->primary].name, icc, d->tp.coach_icc);
    }
}

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *design_json(const trial_design *d)
{
    cJSON *o = config_trial_to_json(&d->tp);
    if (!o)
        return cJSON_CreateNull();
    cJSON_AddNumberToObject(o, "participants_total", (double)d->n);
    cJSON *pr = cJSON_AddObjectToObject(o, "participants_by_region");
    static const char *const keys[N_REGION] = { "flanders", "wallonia", "brussels" };
    for (int g = 0; g < N_REGION; g++)
        cJSON_AddNumberToObject(pr, keys[g], (double)d->per_region[g]);
    cJSON_AddNumberToObject(o, "effect_multiplier", d->effect);
    cJSON_AddNumberToObject(o, "coach_sigma", d->coach_sigma);
    cJSON_AddNumberToObject(o, "coach_pilot_replications", (double)d->pilot_replications);
    cJSON_AddItemToObject(o, "coach_icc_predicted", num_or_null(d->coach_icc_reached));
    return o;
}

void report_trial_json(FILE *f, const report_trial_info *r)
{
    const trial_plan *plan = r->plan;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "program", "ipsim");
    cJSON_AddStringToObject(o, "version", IPSIM_VERSION);
    cJSON_AddStringToObject(o, "command", "trial");
    cJSON_AddStringToObject(o, "config", r->cfg->source);
    report_overrides_json(o, r->cfg);
    cJSON_AddStringToObject(o, "output", r->output);
    if (r->csv)
        cJSON_AddStringToObject(o, "csv", r->csv);
    cJSON_AddItemToObject(o, "seed", jc_exact_u64(r->seed));
    cJSON_AddNumberToObject(o, "replication", (double)r->replication);
    cJSON_AddNumberToObject(o, "wall_seconds", r->wall_seconds);
    cJSON_AddNumberToObject(o, "events", (double)r->info->events);
    cJSON_AddItemToObject(o, "design", design_json(r->design));
    cJSON *rec = cJSON_AddObjectToObject(o, "received");
    static const char *const arm[N_ARM] = { "control", "ips" };
    static const char *const recn[N_RECEIVED] = { "none", "control", "ips" };
    for (int a = 0; a < N_ARM; a++) {
        cJSON *x = cJSON_AddObjectToObject(rec, arm[a]);
        for (int k = 0; k < N_RECEIVED; k++)
            cJSON_AddNumberToObject(x, recn[k], (double)r->info->received[a][k]);
    }
    cJSON_AddItemToObject(o, "icc_primary", num_or_null(r->icc));
    cJSON_AddNumberToObject(o, "coach_multiplier_sd", r->info->coach_multiplier_sd);
    cJSON_AddStringToObject(o, "primary_outcome", plan->outcome[plan->primary].name);
    cJSON *arms = cJSON_AddArrayToObject(o, "outcomes");
    for (size_t k = 0; k < plan->n_outcomes; k++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "outcome", plan->outcome[k].name);
        cJSON_AddStringToObject(x, "unit", plan->outcome[k].unit);
        for (int a = N_ARM - 1; a >= 0; a--) {
            cJSON *y = cJSON_AddObjectToObject(x, arm[a]);
            cJSON_AddNumberToObject(y, "n", (double)r->arms[k].n[a]);
            cJSON_AddItemToObject(y, "mean", num_or_null(r->arms[k].mean[a]));
        }
        cJSON_AddItemToArray(arms, x);
    }
    cJSON *tests = cJSON_AddArrayToObject(o, "tests");
    for (size_t k = 0; k < plan->n_tests; k++) {
        const trial_test_result *t = &r->tests[k];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "outcome", plan->outcome[plan->test[k].outcome].name);
        cJSON_AddStringToObject(x, "test", trial_test_name(plan->test[k].kind));
        cJSON_AddStringToObject(x, "estimate_type", trial_estimate_label(plan->test[k].kind));
        cJSON_AddItemToObject(x, "estimate", num_or_null(t->estimate));
        cJSON_AddItemToObject(x, "ci_lower", num_or_null(t->lower));
        cJSON_AddItemToObject(x, "ci_upper", num_or_null(t->upper));
        cJSON_AddNumberToObject(x, "ci_level", r->design->tp.ci_level);
        cJSON_AddItemToObject(x, "statistic", num_or_null(t->statistic));
        cJSON_AddItemToObject(x, "p_value", num_or_null(t->p_value));
        cJSON_AddBoolToObject(x, "reject", t->reject);
        cJSON_AddStringToObject(x, "status", t->status ? stats_strerror(t->status) : "ok");
        cJSON_AddItemToArray(tests, x);
    }
    report_print_json(f, o);
}

/* ---- power ----------------------------------------------------------------- */

static void fmt_power(char *buf, size_t len, const trial_power_value *v)
{
    snprintf(buf, len, "%5.1f%% (%.1f)", 100 * v->power, 100 * v->mc_se);
}

static bool key_test(const trial_plan *plan, size_t k)
{
    return plan->test[k].outcome == plan->primary || plan->test[k].kind == TEST_LOGRANK
           || plan->test[k].kind == TEST_LOGRANK_STRATIFIED;
}

void report_power_table(FILE *f, const report_power_info *r)
{
    const trial_power *pw = r->pw;
    const trial_plan *plan = &pw->plan;
    const trial_design *d0 = &pw->design[0];
    fprintf(f, "ipsim %s: simulated power from %s (%zu replications per point, seed %llu)\n",
            IPSIM_VERSION, r->cfg->source, pw->reps, (unsigned long long)pw->seed);
    report_overrides(f, r->cfg);
    design_lines(f, d0, NULL);
    fprintf(f, "%zu grid point%s x %zu replication%s in %.2f s on %d thread%s (pilot %.2f s). "
            "Output: %s%s%s\n", pw->npoints, pw->npoints == 1 ? "" : "s", pw->reps,
            pw->reps == 1 ? "" : "s", r->wall_seconds, r->threads, r->threads == 1 ? "" : "s",
            pw->pilot_seconds, r->output, r->csv ? ", " : "", r->csv ? r->csv : "");
    size_t show_all = pw->npoints <= 3 ? pw->npoints : 1;
    if (pw->npoints > 1)
        fprintf(f, "The design line is the grid's first point (n = %zu, effect %g); the grid "
                "varies n and the effect as below.\n", d0->n, d0->effect);
    if (show_all < pw->npoints)
        fprintf(f, "Every test is shown for the first point only; all %zu points are in --json "
                "and in the output file (/power/power).\n", pw->npoints);
    fprintf(f, "Power: share of replications rejecting, (Monte Carlo SE), [Wilson 95%%]. Mean "
            "estimates: risk differences in percentage points.\n");
    for (size_t p = 0; p < show_all; p++) {
        const trial_design *d = &pw->design[p];
        char icc[64];
        icc_text(icc, sizeof icc, d, trial_power_icc_mean(pw, p));
        fprintf(f, "\nn = %zu, effect %g (IPS %s %.1f%%, control %.1f%%; mean ICC estimate %s)\n",
                d->n, d->effect, plan->outcome[plan->primary].name,
                100 * trial_power_arm_mean(pw, p, plan->primary, ARM_IPS),
                100 * trial_power_arm_mean(pw, p, plan->primary, ARM_CONTROL), icc);
        fprintf(f, "%-46s %-16s %-17s %-13s %s\n", "Test", "Power (MCSE)", "Wilson 95%",
                "Mean estimate", "Failed");
        for (size_t k = 0; k < plan->n_tests; k++) {
            trial_power_value v;
            trial_power_value_at(pw, p, k, &v);
            char pv[32], wi[40], est[32];
            fmt_power(pv, sizeof pv, &v);
            snprintf(wi, sizeof wi, "[%.1f, %.1f]", 100 * v.lower, 100 * v.upper);
            fmt_mean_est(est, sizeof est, plan->test[k].kind, v.mean_estimate);
            fprintf(f, "%-46s %-16s %-17s %-13s %zu\n", plan->test[k].name, pv, wi, est,
                    v.failures);
        }
    }
    if (pw->npoints > 1) {
        fprintf(f, "\nPower curves (primary outcome and time to first job): power %% (MCSE)\n");
        fprintf(f, "%8s %8s %11s", "n", "effect", "mean RD");
        for (size_t k = 0; k < plan->n_tests; k++)
            if (key_test(plan, k))
                fprintf(f, " %18.18s", strchr(plan->test[k].name, '/') + 1);
        fprintf(f, "\n");
        for (size_t p = 0; p < pw->npoints; p++) {
            const trial_design *d = &pw->design[p];
            double rd = trial_power_arm_mean(pw, p, plan->primary, ARM_IPS)
                        - trial_power_arm_mean(pw, p, plan->primary, ARM_CONTROL);
            fprintf(f, "%8zu %8g %+9.1fpp", d->n, d->effect, 100 * rd);
            for (size_t k = 0; k < plan->n_tests; k++) {
                if (!key_test(plan, k))
                    continue;
                trial_power_value v;
                trial_power_value_at(pw, p, k, &v);
                char pv[32];
                fmt_power(pv, sizeof pv, &v);
                fprintf(f, " %18s", pv);
            }
            fprintf(f, "\n");
        }
    }
    if (pw->n_effect >= 2) {
        fprintf(f, "\nMinimal detectable effect (effect multiplier, interpolated; mean estimate "
                "there)\n");
        for (size_t i = 0; i < pw->n_n; i++) {
            fprintf(f, "n = %zu\n", pw->design[i * pw->n_effect].n);
            fprintf(f, "  %-46s %-24s %-24s\n", "Test", "80% power", "90% power");
            for (size_t k = 0; k < plan->n_tests; k++) {
                char cell[2][48];
                for (int j = 0; j < 2; j++) {
                    double e, est;
                    char es[32];
                    int st = trial_power_mde(pw, i, k, j ? 0.9 : 0.8, &e, &est);
                    fmt_mean_est(es, sizeof es, plan->test[k].kind, est);
                    if (st == 0)
                        snprintf(cell[j], sizeof cell[j], "%.3f (%s)", e, es);
                    else if (st == 2)
                        snprintf(cell[j], sizeof cell[j], "<= %.3f (grid start)", e);
                    else
                        snprintf(cell[j], sizeof cell[j], "not reached");
                }
                fprintf(f, "  %-46s %-24s %-24s\n", plan->test[k].name, cell[0], cell[1]);
            }
        }
    }
}

void report_power_json(FILE *f, const report_power_info *r)
{
    const trial_power *pw = r->pw;
    const trial_plan *plan = &pw->plan;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "program", "ipsim");
    cJSON_AddStringToObject(o, "version", IPSIM_VERSION);
    cJSON_AddStringToObject(o, "command", "power");
    cJSON_AddStringToObject(o, "config", r->cfg->source);
    report_overrides_json(o, r->cfg);
    cJSON_AddStringToObject(o, "output", r->output);
    if (r->csv)
        cJSON_AddStringToObject(o, "csv", r->csv);
    cJSON_AddItemToObject(o, "seed", jc_exact_u64(pw->seed));
    cJSON_AddNumberToObject(o, "replications", (double)pw->reps);
    cJSON_AddNumberToObject(o, "threads", r->threads);
    cJSON_AddNumberToObject(o, "wall_seconds", r->wall_seconds);
    cJSON_AddNumberToObject(o, "pilot_seconds", pw->pilot_seconds);
    cJSON_AddNumberToObject(o, "events", (double)pw->events);
    cJSON_AddStringToObject(o, "primary_outcome", plan->outcome[plan->primary].name);
    cJSON_AddItemToObject(o, "design", design_json(&pw->design[0]));
    cJSON *pts = cJSON_AddArrayToObject(o, "points");
    for (size_t p = 0; p < pw->npoints; p++) {
        const trial_design *d = &pw->design[p];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "n", (double)d->n);
        cJSON_AddNumberToObject(x, "effect", d->effect);
        cJSON_AddNumberToObject(x, "coach_sigma", d->coach_sigma);
        cJSON_AddNumberToObject(x, "coach_pilot_replications", (double)d->pilot_replications);
        cJSON_AddItemToObject(x, "coach_icc_predicted", num_or_null(d->coach_icc_reached));
        cJSON_AddItemToObject(x, "icc_estimate_mean", num_or_null(trial_power_icc_mean(pw, p)));
        cJSON *am = cJSON_AddObjectToObject(x, "arm_means");
        for (size_t oc = 0; oc < plan->n_outcomes; oc++) {
            cJSON *y = cJSON_AddObjectToObject(am, plan->outcome[oc].name);
            cJSON_AddItemToObject(y, "ips", num_or_null(trial_power_arm_mean(pw, p, oc, ARM_IPS)));
            cJSON_AddItemToObject(y, "control",
                                  num_or_null(trial_power_arm_mean(pw, p, oc, ARM_CONTROL)));
        }
        cJSON *ts = cJSON_AddArrayToObject(x, "tests");
        for (size_t k = 0; k < plan->n_tests; k++) {
            trial_power_value v;
            trial_power_value_at(pw, p, k, &v);
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "name", plan->test[k].name);
            cJSON_AddStringToObject(t, "outcome", plan->outcome[plan->test[k].outcome].name);
            cJSON_AddStringToObject(t, "test", trial_test_name(plan->test[k].kind));
            cJSON_AddNumberToObject(t, "power", v.power);
            cJSON_AddNumberToObject(t, "mc_se", v.mc_se);
            cJSON_AddItemToObject(t, "wilson_lower", num_or_null(v.lower));
            cJSON_AddItemToObject(t, "wilson_upper", num_or_null(v.upper));
            cJSON_AddNumberToObject(t, "rejections", (double)v.rejections);
            cJSON_AddNumberToObject(t, "failures", (double)v.failures);
            cJSON_AddStringToObject(t, "estimate_type", trial_estimate_label(plan->test[k].kind));
            cJSON_AddItemToObject(t, "mean_estimate", num_or_null(v.mean_estimate));
            cJSON_AddItemToArray(ts, t);
        }
        cJSON_AddItemToArray(pts, x);
    }
    if (pw->n_effect >= 2) {
        cJSON *mde = cJSON_AddArrayToObject(o, "mde");
        static const char *const status[3] = { "found", "not_reached", "at_grid_start" };
        for (size_t i = 0; i < pw->n_n; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddNumberToObject(x, "n", (double)pw->design[i * pw->n_effect].n);
            cJSON *ts = cJSON_AddArrayToObject(x, "tests");
            for (size_t k = 0; k < plan->n_tests; k++) {
                cJSON *t = cJSON_CreateObject();
                cJSON_AddStringToObject(t, "name", plan->test[k].name);
                for (int j = 0; j < 2; j++) {
                    double e, est;
                    int st = trial_power_mde(pw, i, k, j ? 0.9 : 0.8, &e, &est);
                    cJSON *m = cJSON_AddObjectToObject(t, j ? "power_90" : "power_80");
                    cJSON_AddStringToObject(m, "status", st >= 0 && st <= 2 ? status[st] : "n/a");
                    cJSON_AddItemToObject(m, "effect", num_or_null(e));
                    cJSON_AddItemToObject(m, "mean_estimate", num_or_null(est));
                }
                cJSON_AddItemToArray(ts, t);
            }
            cJSON_AddItemToArray(mde, x);
        }
    }
    report_print_json(f, o);
}

/* A CSV number: empty when undefined, 10 significant digits otherwise. */
static void csv_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.10g", v);
    else
        fputs(",", f);
}

int report_power_csv(FILE *f, const trial_power *pw)
{
    const trial_plan *plan = &pw->plan;
    fprintf(f, "n,effect,outcome,test,replications,rejections,power,mc_se,wilson_lower,"
               "wilson_upper,failures,estimate_type,mean_estimate,ips_mean,control_mean\n");
    for (size_t p = 0; p < pw->npoints; p++) {
        const trial_design *d = &pw->design[p];
        for (size_t k = 0; k < plan->n_tests; k++) {
            size_t o = plan->test[k].outcome;
            trial_power_value v;
            trial_power_value_at(pw, p, k, &v);
            fprintf(f, "%zu,%.10g,%s,%s,%zu,%zu", d->n, d->effect, plan->outcome[o].name,
                    trial_test_name(plan->test[k].kind), pw->reps, v.rejections);
            csv_number(f, v.power);
            csv_number(f, v.mc_se);
            csv_number(f, v.lower);
            csv_number(f, v.upper);
            fprintf(f, ",%zu,%s", v.failures, trial_estimate_label(plan->test[k].kind));
            csv_number(f, v.mean_estimate);
            csv_number(f, trial_power_arm_mean(pw, p, o, ARM_IPS));
            csv_number(f, trial_power_arm_mean(pw, p, o, ARM_CONTROL));
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}
