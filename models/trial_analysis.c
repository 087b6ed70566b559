/* trial_analysis: the outcome table of a trial turned into counts and
 * samples, and every planned test run on them; see trial_analysis.h.
 * One pass over the people fills all binary counts (overall, by region,
 * by coach); each survival and rank test sorts its own copy. */
#include "models/trial_analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "stats/stats_cluster.h"
#include "stats/stats_survival.h"
#include "stats/stats_tests.h"

static const char *const test_names[N_TEST_KIND] = {
    "z", "chisq", "cmh", "cluster", "logrank", "logrank_stratified", "welch", "mann_whitney" };
static const char *const test_labels[N_TEST_KIND] = {
    "Two-proportion z", "Pearson chi-square", "CMH by region", "Coach-clustered (robust)",
    "Log-rank", "Log-rank by region", "Welch t", "Mann-Whitney" };
static const char *const estimate_labels[N_TEST_KIND] = {
    "risk difference", "risk difference", "MH risk difference", "risk difference",
    "hazard ratio", "hazard ratio", "mean difference", "probability index" };

const char *trial_test_name(int k) { return k >= 0 && k < N_TEST_KIND ? test_names[k] : "?"; }
const char *trial_test_label(int k) { return k >= 0 && k < N_TEST_KIND ? test_labels[k] : "?"; }
const char *trial_estimate_label(int k)
{
    return k >= 0 && k < N_TEST_KIND ? estimate_labels[k] : "?";
}

static void add_test(trial_plan *plan, size_t outcome, int kind)
{
    trial_test *t = &plan->test[plan->n_tests++];
    char oname[sizeof plan->outcome[0].name];
    memcpy(oname, plan->outcome[outcome].name, sizeof oname);
    t->outcome = outcome;
    t->kind = kind;
    snprintf(t->name, sizeof t->name, "%s/%s", oname, test_names[kind]);
}

void trial_plan_build(const trial_params *tp, trial_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    for (int kind = 0; kind < N_OUT_BINARY_KIND; kind++)
        for (size_t w = 0; w < trial_binary_windows(tp, kind); w++) {
            size_t o = plan->n_outcomes++;
            trial_outcome *x = &plan->outcome[o];
            trial_binary_name(tp, kind, w, x->name, sizeof x->name);
            x->type = OUTCOME_BINARY;
            x->kind = kind;
            x->window = w;
            x->unit = "share";
            if (kind == tp->primary_kind && w == tp->primary_window)
                plan->primary = o;
            add_test(plan, o, TEST_Z);
            add_test(plan, o, TEST_CHISQ);
            add_test(plan, o, TEST_CMH);
            add_test(plan, o, TEST_CLUSTER);
        }
    size_t o = plan->n_outcomes++;
    snprintf(plan->outcome[o].name, sizeof plan->outcome[o].name, "time_to_first_job");
    plan->outcome[o].type = OUTCOME_TIME;
    plan->outcome[o].unit = "days";
    add_test(plan, o, TEST_LOGRANK);
    add_test(plan, o, TEST_LOGRANK_STRATIFIED);
    o = plan->n_outcomes++;
    snprintf(plan->outcome[o].name, sizeof plan->outcome[o].name, "days_worked");
    plan->outcome[o].type = OUTCOME_CONTINUOUS;
    plan->outcome[o].kind = CONT_DAYS_WORKED;
    plan->outcome[o].unit = "days";
    add_test(plan, o, TEST_WELCH);
    add_test(plan, o, TEST_MANN_WHITNEY);
    o = plan->n_outcomes++;
    snprintf(plan->outcome[o].name, sizeof plan->outcome[o].name, "benefit_eur_per_month");
    plan->outcome[o].type = OUTCOME_CONTINUOUS;
    plan->outcome[o].kind = CONT_BENEFIT;
    plan->outcome[o].unit = "EUR per month";
    add_test(plan, o, TEST_WELCH);
    add_test(plan, o, TEST_MANN_WHITNEY);
}

/* ---- scratch ------------------------------------------------------------------ */

struct trial_analysis_ws {
    size_t cap;
    double *time;
    int *event, *group;
    size_t *stratum;
    double *x1, *x2;
    size_t *succ, *size;      /* clusters: coaches then singletons */
    size_t cluster_cap;
    uint64_t *key, *key_tmp;  /* radix sort */
    uint32_t *idx, *idx_tmp;
};

trial_analysis_ws *trial_analysis_ws_alloc(size_t n)
{
    trial_analysis_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    size_t c = n ? n : 1;
    ws->cap = c;
    ws->time = malloc(c * sizeof *ws->time);
    ws->event = malloc(c * sizeof *ws->event);
    ws->group = malloc(c * sizeof *ws->group);
    ws->stratum = malloc(c * sizeof *ws->stratum);
    ws->x1 = malloc(c * sizeof *ws->x1);
    ws->x2 = malloc(c * sizeof *ws->x2);
    ws->key = malloc(c * sizeof *ws->key);
    ws->key_tmp = malloc(c * sizeof *ws->key_tmp);
    ws->idx = malloc(c * sizeof *ws->idx);
    ws->idx_tmp = malloc(c * sizeof *ws->idx_tmp);
    if (!ws->time || !ws->event || !ws->group || !ws->stratum || !ws->x1 || !ws->x2 || !ws->key
        || !ws->key_tmp || !ws->idx || !ws->idx_tmp) {
        trial_analysis_ws_free(ws);
        return NULL;
    }
    return ws;
}

void trial_analysis_ws_free(trial_analysis_ws *ws)
{
    if (!ws)
        return;
    free(ws->time);
    free(ws->event);
    free(ws->group);
    free(ws->stratum);
    free(ws->x1);
    free(ws->x2);
    free(ws->key);
    free(ws->key_tmp);
    free(ws->idx);
    free(ws->idx_tmp);
    free(ws->succ);
    free(ws->size);
    free(ws);
}

/* ---- helpers ------------------------------------------------------------------- */

/* Stable LSD radix sort of ws->idx[0..n-1] by ws->key, one byte per pass,
 * skipping bytes that no two keys differ in. O(n) per pass; the stats
 * functions then find their input already sorted and skip their own
 * O(n log n) sort, which matters over thousands of replications. */
static void radix_sort(trial_analysis_ws *ws, size_t n)
{
    uint64_t *key = ws->key, *tk = ws->key_tmp, diff = 0;
    uint32_t *idx = ws->idx, *ti = ws->idx_tmp;
    for (size_t i = 1; i < n; i++)
        diff |= key[i] ^ key[0];
    for (int shift = 0; shift < 64; shift += 8) {
        if (!((diff >> shift) & 0xff))
            continue;
        size_t count[257] = { 0 };
        for (size_t i = 0; i < n; i++)
            count[((key[i] >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) {
            size_t at = count[(key[i] >> shift) & 0xff]++;
            tk[at] = key[i];
            ti[at] = idx[i];
        }
        uint64_t *s = key;
        key = tk;
        tk = s;
        uint32_t *u = idx;
        idx = ti;
        ti = u;
    }
    if (idx != ws->idx) {
        memcpy(ws->idx, idx, n * sizeof *idx);
        memcpy(ws->key, key, n * sizeof *key);
    }
}

/* Unsigned key with the order of the double v (negative values flipped). */
static uint64_t double_key(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return (b >> 63) ? ~b : b | UINT64_C(0x8000000000000000);
}

static uint32_t float_bits(float v)
{
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Sorts x[0..n-1] ascending through the radix sort. */
static void sort_doubles(trial_analysis_ws *ws, double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ws->key[i] = double_key(x[i]);
        ws->idx[i] = (uint32_t)i;
    }
    radix_sort(ws, n);
    for (size_t i = 0; i < n; i++)
        ws->time[i] = x[ws->idx[i]];
    memcpy(x, ws->time, n * sizeof *x);
}

static void fill(trial_test_result *o, double est, double lo, double hi, double stat, double p,
                 int status)
{
    o->estimate = est;
    o->lower = lo;
    o->upper = hi;
    o->statistic = stat;
    o->p_value = p;
    o->status = status;
}

static void set_ci(trial_test_result *o, double lo, double hi)
{
    o->lower = lo;
    o->upper = hi;
}

/* Counts of one binary outcome. */
typedef struct bin_counts {
    size_t x[N_ARM], n[N_ARM];
    stats_2x2 region[N_REGION];
    size_t clusters;          /* used entries of ws->succ/size */
} bin_counts;

static int count_binary(const trial_design *d, const trial_person *people, size_t n, int kind,
                        size_t w, trial_analysis_ws *ws, bin_counts *c)
{
    memset(c, 0, sizeof *c);
    size_t offset[N_REGION + 1] = { 0 };
    for (int g = 0; g < N_REGION; g++)
        offset[g + 1] = offset[g] + d->coaches[g];
    size_t need = offset[N_REGION] + n;
    if (ws->cluster_cap < need) { /* grown on demand: the design's coaches plus n */
        size_t *s = realloc(ws->succ, need * sizeof *s);
        if (s)
            ws->succ = s;
        size_t *z = s ? realloc(ws->size, need * sizeof *z) : NULL;
        if (!s || !z)
            return STATS_ENOMEM;
        ws->size = z;
        ws->cluster_cap = need;
    }
    memset(ws->succ, 0, offset[N_REGION] * sizeof *ws->succ);
    memset(ws->size, 0, offset[N_REGION] * sizeof *ws->size);
    size_t next = offset[N_REGION];
    for (size_t i = 0; i < n; i++) {
        const trial_person *x = &people[i];
        uint8_t y = trial_person_binary(x, kind, w);
        if (y == TRIAL_MISSING)
            continue;
        int a = x->arm;
        c->x[a] += y;
        c->n[a]++;
        stats_2x2 *t = &c->region[x->region];
        if (a == ARM_IPS) {
            t->x1 += y;
            t->n1++;
            size_t k;
            if (x->received == RECEIVED_IPS && x->coach != TRIAL_NO_COACH
                && x->coach < d->coaches[x->region]) {
                k = offset[x->region] + x->coach;
            } else {
                k = next++;
                ws->succ[k] = ws->size[k] = 0;
            }
            ws->succ[k] += y;
            ws->size[k]++;
        } else {
            t->x2 += y;
            t->n2++;
        }
    }
    c->clusters = next;
    return 0;
}

/* Satterthwaite degrees of freedom of Var p1 + Var p2 for the partially
 * clustered test: the cluster-robust Var p1 rests on J - 1 df (J non-empty
 * clusters of the IPS arm), the binomial Var p2 on n2 - 1. With few coaches
 * the z test is somewhat liberal (stats_cluster.h); a t reference with these
 * df brings its size back to alpha (docs/power.md). NaN when undefined. */
static double cluster_df(const trial_analysis_ws *ws, const bin_counts *c, double se, size_t x2,
                         size_t n2)
{
    size_t J = 0;
    for (size_t k = 0; k < c->clusters; k++)
        J += ws->size[k] > 0;
    if (J < 2 || n2 < 2 || !(se > 0))
        return NAN;
    double p2 = (double)x2 / (double)n2, v2 = p2 * (1 - p2) / (double)n2;
    double v = se * se, v1 = v - v2 > 0 ? v - v2 : 0;
    double den = v1 * v1 / (double)(J - 1) + v2 * v2 / (double)(n2 - 1);
    return den > 0 ? v * v / den : NAN;
}

static void binary_test(int kind, const bin_counts *c, trial_analysis_ws *ws, double alpha,
                        int sided, double ci_alpha, bool ci_separate, trial_test_result *o)
{
    size_t x1 = c->x[ARM_IPS], n1 = c->n[ARM_IPS], x2 = c->x[ARM_CONTROL], n2 = c->n[ARM_CONTROL];
    stats_result r;
    int st;
    switch (kind) {
    case TEST_Z:
        st = stats_two_proportion_z(x1, n1, x2, n2, alpha, (stats_sided)sided, &r);
        fill(o, r.estimate, r.lower, r.upper, r.statistic, r.p_value, st);
        if (ci_separate) {
            stats_two_proportion_z(x1, n1, x2, n2, ci_alpha, STATS_TWO_SIDED, &r);
            set_ci(o, r.lower, r.upper);
        }
        break;
    case TEST_CHISQ:
        /* two-sided whatever the design: the chi-square has no direction */
        st = stats_chisq_2x2(x1, n1, x2, n2, false, ci_separate ? ci_alpha : alpha, &r);
        fill(o, r.estimate, r.lower, r.upper, r.statistic, r.p_value, st);
        break;
    case TEST_CMH: {
        stats_cmh_result m;
        st = stats_cmh(c->region, N_REGION, alpha, (stats_sided)sided, false, &m);
        fill(o, m.risk_diff, m.rd_lower, m.rd_upper, m.chisq, m.p_value, st);
        if (ci_separate) {
            stats_cmh(c->region, N_REGION, ci_alpha, STATS_TWO_SIDED, false, &m);
            set_ci(o, m.rd_lower, m.rd_upper);
        }
        break;
    }
    case TEST_CLUSTER: {
        st = stats_partial_cluster_diff(ws->succ, ws->size, c->clusters, x2, n2, alpha,
                                        (stats_sided)sided, &r);
        fill(o, r.estimate, r.lower, r.upper, r.statistic, r.p_value, st);
        double df = st == STATS_OK ? cluster_df(ws, c, r.se, x2, n2) : NAN;
        if (isfinite(df)) {
            /* the z statistic referred to t with Satterthwaite df */
            double t = r.statistic;
            o->p_value = sided == STATS_GREATER ? gsl_cdf_tdist_Q(t, df)
                                                : 2 * gsl_cdf_tdist_Q(fabs(t), df);
            double q = gsl_cdf_tdist_Qinv(sided == STATS_GREATER ? alpha : alpha / 2, df);
            o->lower = r.estimate - q * r.se;
            o->upper = sided == STATS_GREATER ? INFINITY : r.estimate + q * r.se;
        }
        if (ci_separate && isfinite(df)) {
            double q = gsl_cdf_tdist_Qinv(ci_alpha / 2, df);
            set_ci(o, r.estimate - q * r.se, r.estimate + q * r.se);
        }
        break;
    }
    default:
        fill(o, NAN, NAN, NAN, NAN, NAN, STATS_EINVAL);
    }
}

static int time_tests(const trial_plan *plan, size_t t0, const trial_person *people, size_t n,
                      double alpha, int sided, double ci_alpha, bool ci_separate,
                      trial_analysis_ws *ws, trial_test_result *out)
{
    for (size_t k = t0; k < plan->n_tests && plan->test[k].outcome == plan->test[t0].outcome; k++) {
        bool by_region = plan->test[k].kind == TEST_LOGRANK_STRATIFIED;
        /* the order of stats_logrank: stratum, time, events first, group;
         * times are non-negative floats, whose bits sort like the values */
        for (size_t i = 0; i < n; i++) {
            const trial_person *x = &people[i];
            ws->key[i] = ((by_region ? (uint64_t)x->region : 0) << 40)
                         | ((uint64_t)float_bits(x->time) << 8) | ((uint64_t)!x->event << 1)
                         | (x->arm == ARM_IPS);
            ws->idx[i] = (uint32_t)i;
        }
        radix_sort(ws, n);
        for (size_t j = 0; j < n; j++) {
            const trial_person *x = &people[ws->idx[j]];
            ws->time[j] = x->time;
            ws->event[j] = x->event;
            ws->group[j] = x->arm == ARM_IPS;
            ws->stratum[j] = x->region;
        }
        const size_t *strat = by_region ? ws->stratum : NULL;
        stats_logrank_result lr;
        int st = stats_logrank(ws->time, ws->event, ws->group, strat, n, alpha,
                               (stats_sided)sided, &lr);
        if (st == STATS_ENOMEM)
            return st;
        fill(&out[k], lr.hazard_ratio, lr.hr_lower, lr.hr_upper, lr.chisq, lr.p_value, st);
        if (ci_separate) {
            stats_logrank(ws->time, ws->event, ws->group, strat, n, ci_alpha, STATS_TWO_SIDED, &lr);
            set_ci(&out[k], lr.hr_lower, lr.hr_upper);
        }
    }
    return 0;
}

/* Continuous outcome. Benefit is better when lower: a one-sided design tests
 * "IPS lower" by swapping the groups for the p-value; estimates stay IPS
 * versus control. */
static int continuous_tests(const trial_plan *plan, size_t t0, const trial_person *people,
                            size_t n, double alpha, int sided, double ci_alpha, bool ci_separate,
                            trial_analysis_ws *ws, trial_test_result *out, trial_arm_value *arm)
{
    int kind = plan->outcome[plan->test[t0].outcome].kind;
    size_t n1 = 0, n2 = 0;
    for (size_t i = 0; i < n; i++) {
        double v = kind == CONT_DAYS_WORKED ? people[i].days_worked : people[i].benefit_eur;
        if (isnan(v))
            continue;
        if (people[i].arm == ARM_IPS)
            ws->x1[n1++] = v;
        else
            ws->x2[n2++] = v;
    }
    sort_doubles(ws, ws->x1, n1);
    sort_doubles(ws, ws->x2, n2);
    if (arm) {
        double s1 = 0, s2 = 0;
        for (size_t i = 0; i < n1; i++)
            s1 += ws->x1[i];
        for (size_t i = 0; i < n2; i++)
            s2 += ws->x2[i];
        arm->n[ARM_IPS] = n1;
        arm->n[ARM_CONTROL] = n2;
        arm->mean[ARM_IPS] = n1 ? s1 / (double)n1 : NAN;
        arm->mean[ARM_CONTROL] = n2 ? s2 / (double)n2 : NAN;
    }
    bool swap = kind == CONT_BENEFIT && sided == STATS_GREATER;
    for (size_t k = t0; k < plan->n_tests && plan->test[k].outcome == plan->test[t0].outcome; k++) {
        stats_result r;
        int st;
        bool mw = plan->test[k].kind == TEST_MANN_WHITNEY;
        const double *a = swap ? ws->x2 : ws->x1, *b = swap ? ws->x1 : ws->x2;
        size_t na = swap ? n2 : n1, nb = swap ? n1 : n2;
        st = mw ? stats_mann_whitney(a, na, b, nb, true, alpha, (stats_sided)sided, &r)
                : stats_welch_t(a, na, b, nb, alpha, (stats_sided)sided, &r);
        if (st == STATS_ENOMEM)
            return st;
        double est = r.estimate;
        if (swap)
            est = mw ? 1 - est : -est;
        fill(&out[k], est, swap ? NAN : r.lower, swap ? NAN : r.upper, r.statistic, r.p_value, st);
        if (ci_separate || swap) {
            if (mw)
                stats_mann_whitney(ws->x1, n1, ws->x2, n2, true, ci_alpha, STATS_TWO_SIDED, &r);
            else
                stats_welch_t(ws->x1, n1, ws->x2, n2, ci_alpha, STATS_TWO_SIDED, &r);
            set_ci(&out[k], r.lower, r.upper);
        }
    }
    return 0;
}

int trial_analyse(const trial_plan *plan, const trial_design *d, const trial_person *people,
                  size_t n, double ci_level, trial_analysis_ws *ws, trial_test_result *out,
                  trial_arm_value *arms, double *icc)
{
    const trial_params *tp = &d->tp;
    double alpha = tp->alpha;
    int sided = tp->sided;
    bool want_ci = ci_level > 0 && ci_level < 1;
    double ci_alpha = want_ci ? 1 - ci_level : alpha;
    bool ci_separate = want_ci && !(sided == STATS_TWO_SIDED && fabs(ci_alpha - alpha) < 1e-12);
    if (icc)
        *icc = NAN;
    size_t k = 0;
    while (k < plan->n_tests) {
        size_t o = plan->test[k].outcome;
        const trial_outcome *oc = &plan->outcome[o];
        size_t end = k;
        while (end < plan->n_tests && plan->test[end].outcome == o)
            end++;
        if (oc->type == OUTCOME_BINARY) {
            bin_counts c;
            if (count_binary(d, people, n, oc->kind, oc->window, ws, &c) != 0)
                return STATS_ENOMEM;
            if (arms) {
                for (int a = 0; a < N_ARM; a++) {
                    arms[o].n[a] = c.n[a];
                    arms[o].mean[a] = c.n[a] ? (double)c.x[a] / (double)c.n[a] : NAN;
                }
            }
            for (size_t j = k; j < end; j++)
                binary_test(plan->test[j].kind, &c, ws, alpha, sided, ci_alpha, ci_separate, &out[j]);
            if (icc && o == plan->primary) {
                /* coached IPS clients only: the coach clusters */
                size_t coaches = 0;
                for (int g = 0; g < N_REGION; g++)
                    coaches += d->coaches[g];
                if (coaches >= 2 && stats_icc_anova(ws->succ, ws->size, coaches, icc) != 0)
                    *icc = NAN;
            }
        } else if (oc->type == OUTCOME_TIME) {
            if (time_tests(plan, k, people, n, alpha, sided, ci_alpha, ci_separate, ws, out) != 0)
                return STATS_ENOMEM;
            if (arms) {
                size_t e[N_ARM] = { 0 }, m[N_ARM] = { 0 };
                for (size_t i = 0; i < n; i++) {
                    m[people[i].arm]++;
                    e[people[i].arm] += people[i].event;
                }
                for (int a = 0; a < N_ARM; a++) {
                    arms[o].n[a] = m[a];
                    arms[o].mean[a] = m[a] ? (double)e[a] / (double)m[a] : NAN;
                }
            }
        } else {
            if (continuous_tests(plan, k, people, n, alpha, sided, ci_alpha, ci_separate, ws, out,
                                 arms ? &arms[o] : NULL) != 0)
                return STATS_ENOMEM;
        }
        for (size_t j = k; j < end; j++) {
            out[j].reject = out[j].status == STATS_OK && out[j].p_value < alpha;
            if (!want_ci)
                out[j].lower = out[j].upper = NAN;
        }
        k = end;
    }
    return 0;
}
