/* Tests for stats_survival: log-rank (plain and stratified) and Kaplan-Meier
 * against the published Gehan/Freireich 6-MP leukaemia results, brute-force
 * O(n^2) re-implementations, identities and simulation under H0. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats/stats_survival.h"

#define NEAR(got, want, tol)                                                                   \
    cr_assert(fabs((got) - (want)) <= (tol), "%s = %.15g, expected %.15g (tol %g)", #got,     \
              (double)(got), (double)(want), (double)(tol))

static gsl_rng *seeded_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

/* Freireich et al. (1963) remission times in weeks, as analysed by Gehan
 * (1965): 21 patients on 6-mercaptopurine (group 1, + = censored) and 21 on
 * placebo (group 0, no censoring). */
#define GEHAN_N 42
static double gehan_time[GEHAN_N];
static int gehan_event[GEHAN_N], gehan_group[GEHAN_N];

static void gehan_load(void)
{
    const double mp[21] = {6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16,
                           17, 19, 20, 22, 23, 25, 32, 32, 34, 35};
    const int mp_event[21] = {1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0};
    const double pl[21] = {1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23};
    for (int i = 0; i < 21; i++) {
        gehan_time[i] = mp[i];
        gehan_event[i] = mp_event[i];
        gehan_group[i] = 1;
        gehan_time[21 + i] = pl[i];
        gehan_event[21 + i] = 1;
        gehan_group[21 + i] = 0;
    }
}

TestSuite(stats_survival, .init = gehan_load);

/* ---------------------------------------------------------------- log-rank */

Test(stats_survival, logrank_matches_published_6mp_example)
{
    stats_logrank_result r;
    cr_assert_eq(stats_logrank(gehan_time, gehan_event, gehan_group, NULL, GEHAN_N, 0.05,
                               STATS_TWO_SIDED, &r), STATS_OK);
    /* Published: 6-MP observed 9, expected 19.25; chi-square 16.8 on 1 df. */
    NEAR(r.observed, 9.0, 0.0);
    NEAR(r.expected, 19.25, 0.005);
    NEAR(r.chisq, 16.8, 0.05);
    cr_assert_eq(r.events, 30);
    cr_assert_eq(r.strata, 1);
    /* Full precision (hand computation of the hypergeometric sums). */
    NEAR(r.expected, 19.25050094803113, 1e-10);
    NEAR(r.variance, 6.2569605736755, 1e-10);
    NEAR(r.chisq, 16.79294098921654, 1e-9);
    NEAR(r.p_value, gsl_cdf_chisq_Q(16.79294098921654, 1.0), 1e-12);
    NEAR(r.hazard_ratio, 0.19431870864219944, 1e-12);
    NEAR(r.hr_lower, 0.08876125471506145, 1e-6);
    NEAR(r.hr_upper, 0.42540814288381984, 1e-6);
    NEAR(r.log_hr_se, 1.0 / sqrt(6.2569605736755), 1e-12);
}

/* Brute force: at each distinct event time of each stratum, count who is at
 * risk by scanning everyone. O(n^2). */
static void naive_logrank(const double *t, const int *ev, const int *g, const size_t *st, size_t n,
                          double *o, double *e, double *v)
{
    *o = *e = *v = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!ev[i])
            continue;
        int first = 1; /* handle each (stratum, time) once: at its first event */
        for (size_t j = 0; j < i; j++)
            if (ev[j] && t[j] == t[i] && (!st || st[j] == st[i]))
                first = 0;
        if (!first)
            continue;
        double at = 0, at1 = 0, d = 0, d1 = 0;
        for (size_t j = 0; j < n; j++) {
            if (st && st[j] != st[i])
                continue;
            if (t[j] >= t[i]) {
                at++;
                at1 += g[j];
            }
            if (t[j] == t[i] && ev[j]) {
                d++;
                d1 += g[j];
            }
        }
        *o += d1;
        *e += d * at1 / at;
        if (at > 1)
            *v += d * at1 * (at - at1) * (at - d) / (at * at * (at - 1));
    }
}

static void random_trial(gsl_rng *rng, size_t n, double *t, int *ev, int *g, size_t *st)
{
    for (size_t i = 0; i < n; i++) {
        g[i] = (int)gsl_rng_uniform_int(rng, 2);
        st[i] = 10 + 3 * gsl_rng_uniform_int(rng, 4); /* labels 10, 13, 16, 19 */
        double event_time = gsl_ran_exponential(rng, g[i] ? 300.0 : 220.0);
        double censor = gsl_ran_flat(rng, 30.0, 540.0);
        /* Monthly rounding gives many ties, including event/censor ties. */
        t[i] = 30.0 * ceil(fmin(event_time, censor) / 30.0);
        ev[i] = event_time <= censor;
    }
}

Test(stats_survival, logrank_matches_brute_force_with_ties_and_strata)
{
    gsl_rng *rng = seeded_rng(8086);
    enum { N = 173 };
    double t[N];
    int ev[N], g[N];
    size_t st[N];
    for (int rep = 0; rep < 20; rep++) {
        random_trial(rng, N, t, ev, g, st);
        double o, e, v;
        stats_logrank_result r;
        naive_logrank(t, ev, g, NULL, N, &o, &e, &v);
        cr_assert_eq(stats_logrank(t, ev, g, NULL, N, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
        NEAR(r.observed, o, 0.0);
        NEAR(r.expected, e, 1e-9);
        NEAR(r.variance, v, 1e-9);
        naive_logrank(t, ev, g, st, N, &o, &e, &v);
        cr_assert_eq(stats_logrank(t, ev, g, st, N, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
        cr_assert_eq(r.strata, 4);
        NEAR(r.expected, e, 1e-9);
        NEAR(r.variance, v, 1e-9);
        NEAR(r.chisq, (o - e) * (o - e) / v, 1e-9);
    }
    gsl_rng_free(rng);
}

Test(stats_survival, stratified_logrank_with_one_stratum_equals_plain)
{
    size_t same[GEHAN_N];
    for (size_t i = 0; i < GEHAN_N; i++)
        same[i] = 7;
    stats_logrank_result plain, strat;
    cr_assert_eq(stats_logrank(gehan_time, gehan_event, gehan_group, NULL, GEHAN_N, 0.05,
                               STATS_TWO_SIDED, &plain), STATS_OK);
    cr_assert_eq(stats_logrank(gehan_time, gehan_event, gehan_group, same, GEHAN_N, 0.05,
                               STATS_TWO_SIDED, &strat), STATS_OK);
    NEAR(strat.chisq, plain.chisq, 0.0);
    NEAR(strat.hazard_ratio, plain.hazard_ratio, 0.0);
    NEAR(strat.p_value, plain.p_value, 0.0);
}

Test(stats_survival, stratified_logrank_sums_separate_strata)
{
    /* Two copies of the 6-MP data, the second shifted in time, as two strata:
     * O - E and V double, so chi-square doubles. */
    double t[2 * GEHAN_N];
    int ev[2 * GEHAN_N], g[2 * GEHAN_N];
    size_t st[2 * GEHAN_N];
    for (size_t i = 0; i < GEHAN_N; i++) {
        t[i] = gehan_time[i];
        t[GEHAN_N + i] = gehan_time[i] * 2.5 + 1.0;
        ev[i] = ev[GEHAN_N + i] = gehan_event[i];
        g[i] = g[GEHAN_N + i] = gehan_group[i];
        st[i] = 2;
        st[GEHAN_N + i] = 1;
    }
    stats_logrank_result one, both, pooled;
    cr_assert_eq(stats_logrank(gehan_time, gehan_event, gehan_group, NULL, GEHAN_N, 0.05,
                               STATS_TWO_SIDED, &one), STATS_OK);
    cr_assert_eq(stats_logrank(t, ev, g, st, 2 * GEHAN_N, 0.05, STATS_TWO_SIDED, &both),
                 STATS_OK);
    NEAR(both.observed - both.expected, 2.0 * (one.observed - one.expected), 1e-10);
    NEAR(both.variance, 2.0 * one.variance, 1e-10);
    NEAR(both.chisq, 2.0 * one.chisq, 1e-9);
    NEAR(both.hazard_ratio, one.hazard_ratio, 1e-12);
    /* Ignoring the strata mixes the time scales and changes the answer. */
    cr_assert_eq(stats_logrank(t, ev, g, NULL, 2 * GEHAN_N, 0.05, STATS_TWO_SIDED, &pooled),
                 STATS_OK);
    cr_assert(fabs(pooled.chisq - both.chisq) > 0.1);
}

Test(stats_survival, logrank_swapping_groups_inverts_hazard_ratio)
{
    int flipped[GEHAN_N];
    for (size_t i = 0; i < GEHAN_N; i++)
        flipped[i] = 1 - gehan_group[i];
    stats_logrank_result a, b, g;
    cr_assert_eq(stats_logrank(gehan_time, gehan_event, gehan_group, NULL, GEHAN_N, 0.05,
                               STATS_TWO_SIDED, &a), STATS_OK);
    cr_assert_eq(stats_logrank(gehan_time, gehan_event, flipped, NULL, GEHAN_N, 0.05,
                               STATS_TWO_SIDED, &b), STATS_OK);
    NEAR(b.hazard_ratio, 1.0 / a.hazard_ratio, 1e-12);
    NEAR(b.z, -a.z, 1e-12);
    NEAR(b.chisq, a.chisq, 1e-10);
    /* One-sided: placebo (now group 1) has the higher hazard. */
    cr_assert_eq(stats_logrank(gehan_time, gehan_event, flipped, NULL, GEHAN_N, 0.05,
                               STATS_GREATER, &g), STATS_OK);
    NEAR(g.p_value, gsl_cdf_ugaussian_Q(b.z), 1e-15);
    NEAR(g.p_value, b.p_value / 2.0, 1e-12);
    cr_assert(isinf(g.hr_upper));
}

Test(stats_survival, logrank_rejects_degenerate_input)
{
    stats_logrank_result r;
    const double t[] = {5, 8, 13, 21};
    const int ev[] = {1, 0, 1, 1}, none[] = {0, 0, 0, 0};
    const int g[] = {0, 1, 0, 1}, same[] = {1, 1, 1, 1}, bad[] = {0, 1, 2, 1};
    cr_assert_eq(stats_logrank(NULL, NULL, NULL, NULL, 0, 0.05, STATS_TWO_SIDED, &r),
                 STATS_EEMPTY);
    cr_assert(isnan(r.chisq));
    cr_assert_eq(stats_logrank(t, ev, same, NULL, 4, 0.05, STATS_TWO_SIDED, &r), STATS_EEMPTY);
    cr_assert_eq(stats_logrank(t, ev, bad, NULL, 4, 0.05, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_logrank(t, NULL, g, NULL, 4, 0.05, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_logrank(t, ev, g, NULL, 4, 0.0, STATS_TWO_SIDED, &r), STATS_EINVAL);
    cr_assert_eq(stats_logrank(t, ev, g, NULL, 4, 0.05, STATS_TWO_SIDED, NULL), STATS_EINVAL);
    const double tn[] = {5, NAN, 13, 21};
    cr_assert_eq(stats_logrank(tn, ev, g, NULL, 4, 0.05, STATS_TWO_SIDED, &r), STATS_EINVAL);
    /* No events at all. */
    cr_assert_eq(stats_logrank(t, none, g, NULL, 4, 0.05, STATS_TWO_SIDED, &r), STATS_EDEGEN);
    NEAR(r.observed, 0.0, 0.0);
    NEAR(r.variance, 0.0, 0.0);
    cr_assert(isnan(r.chisq) && isnan(r.hazard_ratio));
    /* The only event happens when one group alone is at risk. */
    const int late[] = {0, 0, 0, 1};
    cr_assert_eq(stats_logrank(t, late, g, NULL, 4, 0.05, STATS_TWO_SIDED, &r), STATS_EDEGEN);
    /* All events in one group is fine. */
    const int ev0[] = {1, 0, 1, 0};
    cr_assert_eq(stats_logrank(t, ev0, g, NULL, 4, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
    NEAR(r.observed, 0.0, 0.0);
    cr_assert(r.hazard_ratio < 1.0);
}

Test(stats_survival, logrank_rejects_at_alpha_under_null)
{
    gsl_rng *rng = seeded_rng(1618);
    enum { N = 120 };
    double t[N];
    int ev[N], g[N];
    size_t reps = 3000, rejections = 0;
    for (size_t rep = 0; rep < reps; rep++) {
        for (size_t i = 0; i < N; i++) {
            g[i] = (int)(i % 2);
            double et = gsl_ran_exponential(rng, 250.0), ct = gsl_ran_flat(rng, 60.0, 720.0);
            t[i] = floor(fmin(et, ct)); /* whole days: some ties */
            ev[i] = et <= ct;
        }
        stats_logrank_result r;
        cr_assert_eq(stats_logrank(t, ev, g, NULL, N, 0.05, STATS_TWO_SIDED, &r), STATS_OK);
        rejections += r.p_value < 0.05;
    }
    double rate = (double)rejections / (double)reps, mcse = sqrt(0.05 * 0.95 / (double)reps);
    cr_assert(fabs(rate - 0.05) <= 3.0 * mcse, "rate %.4f", rate);
    gsl_rng_free(rng);
}

/* ---------------------------------------------------------------- Kaplan-Meier */

Test(stats_survival, km_matches_published_6mp_curve)
{
    stats_km *km = stats_km_alloc(21);
    cr_assert_not_null(km);
    cr_assert_eq(stats_km_fit(km, gehan_time, gehan_event, 21, 0.05), STATS_OK);
    /* Published table (e.g. Kleinbaum & Klein; Stata sts list): S, Greenwood
     * SE and log(-log) 95% CI at each 6-MP event time. */
    const double t[] = {6, 7, 10, 13, 16, 22, 23};
    const size_t risk[] = {21, 17, 15, 12, 11, 7, 6}, d[] = {3, 1, 1, 1, 1, 1, 1};
    const double s[] = {0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482};
    const double se[] = {0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346};
    const double lo[] = {0.6197, 0.5631, 0.5032, 0.4316, 0.3675, 0.2678, 0.1881};
    const double hi[] = {0.9516, 0.9228, 0.8894, 0.8491, 0.8049, 0.7468, 0.6801};
    cr_assert_eq(km->n_points, 7);
    for (size_t i = 0; i < 7; i++) {
        NEAR(km->time[i], t[i], 0.0);
        cr_assert_eq(km->n_risk[i], risk[i]);
        cr_assert_eq(km->n_event[i], d[i]);
        NEAR(km->surv[i], s[i], 5e-5);
        NEAR(km->se[i], se[i], 5e-5);
        NEAR(km->lower[i], lo[i], 5e-5);
        NEAR(km->upper[i], hi[i], 5e-5);
    }
    NEAR(km->surv[0], 18.0 / 21.0, 1e-15);
    NEAR(km->median, 23.0, 0.0);
    NEAR(km->max_time, 35.0, 0.0);
    NEAR(stats_km_surv_at(km, 5.99), 1.0, 0.0);
    NEAR(stats_km_surv_at(km, 6.0), km->surv[0], 0.0);
    NEAR(stats_km_surv_at(km, 21.5), km->surv[4], 0.0);
    NEAR(stats_km_surv_at(km, 35.0), km->surv[6], 0.0);
    cr_assert(isnan(stats_km_surv_at(km, 35.5)));
    /* Placebo arm: no censoring, S falls to 0.5 between weeks 8 and 11. */
    cr_assert_eq(stats_km_fit(km, gehan_time + 21, gehan_event + 21, 21, 0.05), STATS_OK);
    NEAR(km->median, 8.0, 0.0);
    NEAR(km->surv[km->n_points - 1], 0.0, 0.0);
    NEAR(km->se[km->n_points - 1], 0.0, 0.0);
    stats_km_free(km);
}

/* Brute force product limit: S(t) = prod over event times u <= t of
 * (1 - d(u)/n(u)), counting n and d by scanning. O(n^2). */
static double naive_km(const double *time, const int *ev, size_t n, double t)
{
    double s = 1.0;
    for (size_t i = 0; i < n; i++) {
        if (!ev[i] || time[i] > t)
            continue;
        int first = 1;
        for (size_t j = 0; j < i; j++)
            if (ev[j] && time[j] == time[i])
                first = 0;
        if (!first)
            continue;
        double at = 0, d = 0;
        for (size_t j = 0; j < n; j++) {
            at += time[j] >= time[i];
            d += time[j] == time[i] && ev[j];
        }
        s *= 1.0 - d / at;
    }
    return s;
}

Test(stats_survival, km_matches_brute_force_product_limit)
{
    gsl_rng *rng = seeded_rng(27182);
    enum { N = 211 };
    double t[N];
    int ev[N], g[N];
    size_t st[N];
    stats_km *km = stats_km_alloc(N);
    for (int rep = 0; rep < 10; rep++) {
        random_trial(rng, N, t, ev, g, st);
        cr_assert_eq(stats_km_fit(km, t, ev, N, 0.05), STATS_OK);
        for (double q = 0.0; q <= km->max_time; q += 15.0)
            NEAR(stats_km_surv_at(km, q), naive_km(t, ev, N, q), 1e-12);
        double med = NAN;
        for (size_t i = 0; i < km->n_points && isnan(med); i++)
            if (naive_km(t, ev, N, km->time[i]) <= 0.5)
                med = km->time[i];
        cr_assert((isnan(med) && isnan(km->median)) || med == km->median);
    }
    stats_km_free(km);
    gsl_rng_free(rng);
}

Test(stats_survival, km_median_is_first_time_at_or_below_half)
{
    const double t[] = {4.5, 2.25, 9.0, 7.75};
    const int ev[] = {1, 1, 1, 1};
    stats_km *km = stats_km_alloc(4);
    cr_assert_eq(stats_km_fit(km, t, ev, 4, 0.05), STATS_OK);
    NEAR(km->surv[1], 0.5, 0.0);
    NEAR(km->median, 4.5, 0.0);
    /* Censor the two last: S stays at 0.5... then never drops below. */
    const int ev2[] = {0, 1, 0, 0};
    cr_assert_eq(stats_km_fit(km, t, ev2, 4, 0.05), STATS_OK);
    NEAR(km->surv[0], 0.75, 0.0);
    cr_assert(isnan(km->median));
    stats_km_free(km);
}

Test(stats_survival, km_handles_degenerate_input)
{
    stats_km *km = stats_km_alloc(3);
    const double t[] = {3.5, 1.25, 8.0, 2.0};
    const int none[] = {0, 0, 0, 0}, all[] = {1, 1, 1, 1};
    cr_assert_eq(stats_km_fit(km, t, none, 4, 0.05), STATS_OK); /* no events: S = 1 */
    cr_assert_eq(km->n_points, 0);
    cr_assert(isnan(km->median));
    NEAR(stats_km_surv_at(km, 7.9), 1.0, 0.0);
    cr_assert_eq(stats_km_fit(km, t, all, 4, 0.05), STATS_EINVAL); /* 4 points, room for 3 */
    cr_assert_eq(km->n_points, 0);
    cr_assert(isnan(stats_km_surv_at(km, 1.0)));
    cr_assert_eq(stats_km_fit(km, t, all, 3, 0.05), STATS_OK);
    cr_assert_eq(stats_km_fit(km, NULL, NULL, 0, 0.05), STATS_EEMPTY);
    cr_assert_eq(stats_km_fit(km, t, NULL, 4, 0.05), STATS_EINVAL);
    cr_assert_eq(stats_km_fit(km, t, all, 3, 1.0), STATS_EINVAL);
    cr_assert_eq(stats_km_fit(NULL, t, all, 3, 0.05), STATS_EINVAL);
    const double inf[] = {3.5, INFINITY};
    cr_assert_eq(stats_km_fit(km, inf, all, 2, 0.05), STATS_EINVAL);
    cr_assert(isnan(stats_km_surv_at(NULL, 1.0)));
    stats_km_free(km);
    stats_km_free(NULL);
    cr_assert_null(stats_km_alloc(SIZE_MAX)); /* allocation failure path */
    km = stats_km_alloc(0); /* capacity 0 is valid for data without events */
    cr_assert_not_null(km);
    cr_assert_eq(stats_km_fit(km, t, none, 4, 0.05), STATS_OK);
    stats_km_free(km);
}

/* Data already in (stratum, time, events first, group) order skip the sort;
 * the result must be that of the same data shuffled, to the last bit. */
Test(stats_survival, sorted_input_gives_the_same_logrank_as_shuffled)
{
    enum { N = 700 };
    gsl_rng *r = seeded_rng(20240917);
    double t[N], ts[N];
    int e[N], g[N], es[N], gs[N];
    size_t s[N], ss[N], idx[N];
    for (size_t i = 0; i < N; i++) {
        /* ties on purpose: times rounded to whole days, censoring at 365 */
        g[i] = (int)(i % 2);
        double x = floor(gsl_ran_exponential(r, g[i] ? 200.0 : 260.0));
        e[i] = x < 365;
        t[i] = e[i] ? x : 365;
        s[i] = gsl_rng_uniform_int(r, 3);
        idx[i] = i;
    }
    /* sort indices by (stratum, time, event desc, group): insertion sort */
    for (size_t i = 1; i < N; i++)
        for (size_t j = i; j > 0; j--) {
            size_t a = idx[j - 1], b = idx[j];
            bool before = s[b] != s[a] ? s[b] < s[a]
                        : t[b] != t[a] ? t[b] < t[a]
                        : e[b] != e[a] ? e[b] > e[a] : g[b] < g[a];
            if (!before)
                break;
            idx[j - 1] = b;
            idx[j] = a;
        }
    for (size_t i = 0; i < N; i++) {
        ts[i] = t[idx[i]];
        es[i] = e[idx[i]];
        gs[i] = g[idx[i]];
        ss[i] = s[idx[i]];
    }
    for (int strat = 0; strat < 2; strat++) {
        stats_logrank_result a, b;
        cr_assert_eq(stats_logrank(t, e, g, strat ? s : NULL, N, 0.05, STATS_TWO_SIDED, &a), 0);
        cr_assert_eq(stats_logrank(ts, es, gs, strat ? ss : NULL, N, 0.05, STATS_TWO_SIDED, &b), 0);
        if (!strat) /* plain: sorted by stratum first is not sorted by time */
            continue;
        cr_expect_eq(a.observed, b.observed);
        cr_expect_eq(a.expected, b.expected);
        cr_expect_eq(a.variance, b.variance);
        cr_expect_eq(a.p_value, b.p_value);
    }
    gsl_rng_free(r);
}
