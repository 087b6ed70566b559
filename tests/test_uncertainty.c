/* test_uncertainty: parameter uncertainty across replications.
 * References: the closed-form moments of each distribution (the beta and
 * gamma ones are the mean and sd they are built from) and of a truncated
 * normal; a run whose drawn parameter has no spread against the same run
 * without the section; the drawn values against the thread count and the
 * number of replications; the outcome's dependence on the drawn value. */
#include <hdf5.h>
#include <math.h>
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "io/uncertainty_config.h"
#include "models/projection.h"
#include "models/summary.h"
#include "models/uncertainty.h"
#include "test_util.h"

#define N_DRAWS 40000


/* Sample mean and variance of n draws of d (replications 0..n-1), with the
 * standard errors of both from the sample's own fourth moment. */
static void sample(const unc_dist *d, uint64_t seed, double *mean, double *var, double *se_mean,
                   double *se_var)
{
    double *x = malloc(N_DRAWS * sizeof *x);
    cr_assert_not_null(x);
    double s = 0;
    for (size_t i = 0; i < N_DRAWS; i++) {
        x[i] = unc_draw(d, seed, i, 3);
        cr_assert(x[i] >= d->lower && x[i] <= d->upper, "draw %g outside [%g, %g]", x[i],
                  d->lower, d->upper);
        s += x[i];
    }
    double m = s / N_DRAWS, m2 = 0, m4 = 0;
    for (size_t i = 0; i < N_DRAWS; i++) {
        double e = x[i] - m;
        m2 += e * e;
        m4 += e * e * e * e;
    }
    m2 /= N_DRAWS;
    m4 /= N_DRAWS;
    *mean = m;
    *var = m2;
    *se_mean = sqrt(m2 / N_DRAWS);
    *se_var = sqrt((m4 - m2 * m2) / N_DRAWS);
    free(x);
}

static void expect_moments(const char *what, const unc_dist *d, double mean, double sd)
{
    double m, v, sem, sev;
    sample(d, 17, &m, &v, &sem, &sev);
    cr_expect(fabs(m - mean) < 4 * sem, "%s: mean %g, expected %g (SE %g)", what, m, mean, sem);
    cr_expect(fabs(v - sd * sd) < 4 * sev, "%s: variance %g, expected %g (SE %g)", what, v,
              sd * sd, sev);
}

Test(uncertainty, draws_have_the_moments_of_their_distribution)
{
    unc_dist n = { UNC_NORMAL, 1.6, 0.3, -INFINITY, INFINITY };
    expect_moments("normal", &n, 1.6, 0.3);
    unc_dist ln = { UNC_LOGNORMAL, 1.6, 0.25, -INFINITY, INFINITY };
    double s2 = 0.25 * 0.25;
    expect_moments("lognormal", &ln, 1.6 * exp(s2 / 2), 1.6 * sqrt(exp(s2) * (exp(s2) - 1)));
    unc_dist u = { UNC_UNIFORM, 20, 26, 20, 26 };
    expect_moments("uniform", &u, 23, 6 / sqrt(12));
    unc_dist b = { UNC_BETA, 0, 0, -INFINITY, INFINITY };
    cr_assert_eq(unc_beta_from_moments(0.7, 0.1, &b.a, &b.b), 0);
    expect_moments("beta", &b, 0.7, 0.1);
    unc_dist g = { UNC_GAMMA, 0, 0, -INFINITY, INFINITY };
    cr_assert_eq(unc_gamma_from_moments(20, 4, &g.a, &g.b), 0);
    expect_moments("gamma", &g, 20, 4);
    cr_expect_neq(unc_beta_from_moments(0.7, 0.5, &b.a, &b.b), 0, "sd^2 >= mean (1 - mean)");
}

/* Truncated normal: mean mu + sigma (phi(a) - phi(b)) / (Phi(b) - Phi(a)),
 * variance sigma^2 (1 + (a phi(a) - b phi(b)) / Z - ((phi(a) - phi(b)) / Z)^2)
 * with a, b the standardised bounds (Johnson, Kotz & Balakrishnan 1994). */
Test(uncertainty, truncation_gives_the_truncated_distribution)
{
    double mu = 100, sigma = 15, lo = 90, hi = 125;
    unc_dist d = { UNC_NORMAL, mu, sigma, lo, hi };
    double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
    double z = gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
    double pa = gsl_ran_ugaussian_pdf(a), pb = gsl_ran_ugaussian_pdf(b);
    double mean = mu + sigma * (pa - pb) / z;
    double var = sigma * sigma * (1 + (a * pa - b * pb) / z - ((pa - pb) / z) * ((pa - pb) / z));
    expect_moments("truncated normal", &d, mean, sqrt(var));
    /* a truncation that leaves nothing cannot be drawn */
    unc_dist none = { UNC_LOGNORMAL, 1, 0.01, 5, 6 };
    cr_expect(isnan(unc_quantile(&none, 0.5)) || unc_quantile(&none, 0.5) == 5,
              "%g", unc_quantile(&none, 0.5));
    unc_dist fixed = { UNC_NORMAL, 3, 0, -INFINITY, INFINITY };
    cr_expect_eq(unc_draw(&fixed, 1, 7, 0), 3);
}

/* A truncation far in the upper tail, where the distribution function rounds
 * to 1: the draws come from the upper tail function (the median of a
 * standard normal beyond 9 is where Q falls to half of Q(9)). */
Test(uncertainty, a_truncation_in_the_upper_tail_keeps_its_precision)
{
    unc_dist d = { UNC_NORMAL, 0, 1, 9, INFINITY };
    double want = gsl_cdf_ugaussian_Qinv(gsl_cdf_ugaussian_Q(9) / 2);
    double got = unc_quantile(&d, 0.5);
    cr_expect(fabs(got - want) < 1e-9, "median %.12g, expected %.12g", got, want);
    unc_dist seven = { UNC_NORMAL, 0, 1, 7, INFINITY };
    double top = unc_quantile(&seven, 1 - 1e-12);
    cr_expect(isfinite(top) && top > 7.5, "largest value %g", top);
    double q2 = unc_quantile(&seven, 0.25), q3 = unc_quantile(&seven, 0.75);
    cr_expect(fabs(gsl_cdf_ugaussian_Q(q2) / gsl_cdf_ugaussian_Q(7) - 0.75) < 1e-9, "%.12g", q2);
    cr_expect(fabs(gsl_cdf_ugaussian_Q(q3) / gsl_cdf_ugaussian_Q(7) - 0.25) < 1e-9, "%.12g", q3);
}

/* Beta and gamma quantiles against their distribution functions where
 * GSL's own inversion fails (NaN) or never returns (a beta with alpha +
 * beta near 1e6, i.e. a small sd): every quantile is found and, in the tail
 * it lies in, the distribution function gives q back, or, where the
 * quantile is not representable (a beta piled up against 1), it is the
 * first double where the distribution function reaches q. */
static double cdf_of(const unc_dist *d, double x, bool upper)
{
    if (d->kind == UNC_BETA)
        return upper ? gsl_cdf_beta_Q(x, d->a, d->b) : gsl_cdf_beta_P(x, d->a, d->b);
    return upper ? gsl_cdf_gamma_Q(x, d->a, d->b) : gsl_cdf_gamma_P(x, d->a, d->b);
}

static void expect_inverts(const unc_dist *d, const char *what)
{
    static const double qs[] = { 1e-12, 1e-6, 0.3, 0.5, 0.7, 1 - 1e-6, 1 - 1e-12 };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double x = unc_quantile(d, qs[i]);
        cr_assert(isfinite(x), "%s (%g, %g): quantile %g is %g", what, d->a, d->b, qs[i], x);
        bool upper = qs[i] > 0.5;
        double want = upper ? 1 - qs[i] : qs[i];
        double back = cdf_of(d, x, upper);
        double before = cdf_of(d, nextafter(x, -INFINITY), upper);
        bool first = upper ? before > want && back <= want : before < want && back >= want;
        cr_expect(fabs(back - want) < 1e-6 * want || first,
                  "%s (%g, %g): quantile %g at %.12g gives %.12g", what, d->a, d->b, qs[i], x,
                  back);
    }
}

Test(uncertainty, beta_and_gamma_quantiles_where_gsl_inversion_fails, .timeout = 20)
{
    gsl_set_error_handler_off(); /* the reference's underflows */
    static const double means[] = { 0.01, 0.1, 0.5, 0.9, 0.999 };
    static const double ks[] = { 10, 1000, 3e4, 5e5 }; /* alpha + beta */
    for (size_t i = 0; i < sizeof means / sizeof means[0]; i++)
        for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
            double m = means[i], sd = sqrt(m * (1 - m) / (ks[j] + 1));
            unc_dist b = { UNC_BETA, 0, 0, -INFINITY, INFINITY };
            cr_assert_eq(unc_beta_from_moments(m, sd, &b.a, &b.b), 0);
            expect_inverts(&b, "beta");
        }
    /* beyond UNC_BETA_MAX_SIZE the beta is refused (its distribution
     * function is NaN at the mean, and GSL's inverse never returns) */
    double a, b;
    cr_expect_neq(unc_beta_from_moments(0.5, sqrt(0.25 / (UNC_BETA_MAX_SIZE * 2)), &a, &b), 0);
    static const double shapes[] = { 0.5, 1, 20, 1e4, 1e8 };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        unc_dist g = { UNC_GAMMA, shapes[i], 1.6 / shapes[i], -INFINITY, INFINITY };
        expect_inverts(&g, "gamma");
    }
    /* a gamma of mean 1 and sd 10: half its mass lies below 1e-30 */
    unc_dist g = { UNC_GAMMA, 0, 0, -INFINITY, INFINITY };
    cr_assert_eq(unc_gamma_from_moments(1, 10, &g.a, &g.b), 0);
    double med = unc_quantile(&g, 0.5);
    cr_expect(med > 0 && fabs(gsl_cdf_gamma_P(med, g.a, g.b) - 0.5) < 1e-9, "median %g", med);
}

Test(uncertainty, streams_are_keyed_by_seed_replication_and_parameter)
{
    double u = unc_uniform(5, 3, 1);
    cr_expect_eq(unc_uniform(5, 3, 1), u, "the same key gives the same number");
    cr_expect_neq(unc_uniform(6, 3, 1), u);
    cr_expect_neq(unc_uniform(5, 4, 1), u);
    cr_expect_neq(unc_uniform(5, 3, 2), u);
    cr_expect(u > 0 && u < 1);
}

/* ---- through the command line ---------------------------------------- */

static const char *base_run = "\"run\": {\"years\": 6, \"scale\": 0.01, \"replications\": 6}";

static void write_config(const char *path, const char *uncertainty)
{
    char text[4096];
    snprintf(text, sizeof text, "{%s%s%s}", base_run, uncertainty ? ",\n" : "",
             uncertainty ? uncertainty : "");
    cr_assert_eq(tu_write_file(path, text), 0);
}

/* The run's --json summary with the keys that name the run itself removed. */
static cJSON *run_json(const char *cfg, const char *out, const char *extra)
{
    char cmd[1024], so[65536], err[8192];
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet --json --force %s", cfg, out, extra);
    int st = tu_run_ipsim(cmd, so, sizeof so, err, sizeof err);
    cr_assert_eq(st, 0, "%s", err);
    cJSON *j = cJSON_Parse(so);
    cr_assert_not_null(j, "%s", so);
    static const char *const drop[] = { "config", "output", "wall_seconds", "threads",
                                        "uncertainty" };
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(j, drop[i]);
    return j;
}

static double *read_values(const char *path, hsize_t *reps, hsize_t *nparams)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, "uncertainty/values", H5P_DEFAULT);
    cr_assert_geq(d, 0, "no /uncertainty/values in %s", path);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2];
    cr_assert_eq(H5Sget_simple_extent_ndims(sp), 2);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    double *v = malloc(dims[0] * dims[1] * sizeof *v);
    cr_assert_not_null(v);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    *reps = dims[0];
    *nparams = dims[1];
    return v;
}

/* A parameter drawn with no spread at the config's own value changes
 * nothing: the same people, draws and results as without the section. */
Test(uncertainty_cli, a_parameter_without_spread_gives_the_plain_run)
{
    char dir[64], a[128], b[128], ha[128], hb[128];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(a, sizeof a, "%s/plain.json", dir);
    snprintf(b, sizeof b, "%s/fixed.json", dir);
    snprintf(ha, sizeof ha, "%s/plain.h5", dir);
    snprintf(hb, sizeof hb, "%s/fixed.h5", dir);
    write_config(a, NULL);
    write_config(b, "\"uncertainty\": {\"parameters\": [{\"name\": \"jf\", \"path\": "
                    "\"policies[2].programme.effects.job_finding\", \"distribution\": "
                    "\"normal\", \"mean\": 1.6, \"sd\": 0}]}");
    cJSON *ja = run_json(a, ha, ""), *jb = run_json(b, hb, "");
    char *ta = cJSON_PrintUnformatted(ja), *tb = cJSON_PrintUnformatted(jb);
    cr_expect_str_eq(ta, tb);
    hsize_t reps, np;
    double *v = read_values(hb, &reps, &np);
    cr_expect_eq(reps, 6);
    cr_expect_eq(np, 1);
    for (hsize_t r = 0; r < reps; r++)
        cr_expect_eq(v[r], 1.6);
    free(v);
    free(ta);
    free(tb);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
}

static const char *wide_job_finding =
    "\"uncertainty\": {\"parameters\": [{\"name\": \"jf\", \"path\": "
    "\"policies[2].programme.effects.job_finding\", \"distribution\": \"lognormal\", "
    "\"median\": 1.6, \"sd_log\": 0.6, \"upper\": 20}, {\"name\": \"caseload\", \"path\": "
    "\"policies[2].programme.caseload\", \"distribution\": \"uniform\", \"lower\": 10, "
    "\"upper\": 30, \"round\": true}]}";

Test(uncertainty_cli, values_do_not_depend_on_threads_or_the_number_of_replications)
{
    char dir[64], cfg[128], h1[128], h2[128], h3[128];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/u.json", dir);
    snprintf(h1, sizeof h1, "%s/t1.h5", dir);
    snprintf(h2, sizeof h2, "%s/t2.h5", dir);
    snprintf(h3, sizeof h3, "%s/r3.h5", dir);
    write_config(cfg, wide_job_finding);
    cJSON *j1 = run_json(cfg, h1, "--threads 1"), *j2 = run_json(cfg, h2, "--threads 2");
    char *t1 = cJSON_PrintUnformatted(j1), *t2 = cJSON_PrintUnformatted(j2);
    cr_expect_str_eq(t1, t2, "results depend on the thread count");
    cJSON *j3 = run_json(cfg, h3, "--reps 3");
    hsize_t r1, n1, r3, n3;
    double *v1 = read_values(h1, &r1, &n1), *v2 = read_values(h2, &r1, &n1);
    double *v3 = read_values(h3, &r3, &n3);
    cr_assert_eq(r1, 6);
    cr_assert_eq(r3, 3);
    cr_assert_eq(n1, 2);
    for (hsize_t i = 0; i < r1 * n1; i++)
        cr_expect_eq(v1[i], v2[i]);
    for (hsize_t i = 0; i < r3 * n3; i++)
        cr_expect_eq(v3[i], v1[i], "replication %llu's values depend on --reps",
                     (unsigned long long)(i / n3));
    for (hsize_t r = 0; r < r1; r++) {
        double c = v1[r * n1 + 1];
        cr_expect(c == round(c) && c >= 10 && c <= 30, "caseload %g not a rounded draw", c);
    }
    free(v1);
    free(v2);
    free(v3);
    free(t1);
    free(t2);
    cJSON_Delete(j1);
    cJSON_Delete(j2);
    cJSON_Delete(j3);
}

/* Each replication runs with its own value: the paired IPS gain in people
 * working at the horizon rises with the drawn job-finding effect (Spearman
 * correlation over 12 replications; 0.93 with this seed). */
Test(uncertainty_cli, each_replication_runs_with_its_drawn_value)
{
    char dir[64], cfg[128], h5[128], cmd[512], so[65536], err[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/u.json", dir);
    snprintf(h5, sizeof h5, "%s/u.h5", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"run\": {\"years\": 8, \"scale\": 0.03, \"replications\": "
                                    "12}, \"uncertainty\": {\"parameters\": [{\"name\": \"jf\", "
                                    "\"path\": \"policies[2].programme.effects.job_finding\", "
                                    "\"distribution\": \"lognormal\", \"median\": 1.6, "
                                    "\"sd_log\": 0.7, \"upper\": 30}]}}"), 0);
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet", cfg, h5);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    hsize_t reps, np;
    double *v = read_values(h5, &reps, &np);
    cr_assert_eq(reps, 12);
    /* working at the horizon: part-time, full-time, sustained return */
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    double gain[12];
    int32_t *c[2] = { NULL, NULL };
    hsize_t dims[5];
    const char *pols[2] = { "policies/ips/state_counts", "policies/status_quo/state_counts" };
    for (int k = 0; k < 2; k++) {
        hid_t d = H5Dopen2(f, pols[k], H5P_DEFAULT);
        cr_assert_geq(d, 0);
        hid_t sp = H5Dget_space(d);
        H5Sget_simple_extent_dims(sp, dims, NULL);
        c[k] = malloc(dims[0] * dims[1] * dims[2] * dims[3] * dims[4] * sizeof *c[k]);
        cr_assert_geq(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, c[k]), 0);
        H5Sclose(sp);
        H5Dclose(d);
    }
    H5Fclose(f);
    size_t per_month = dims[2] * dims[3] * dims[4], per_rep = dims[1] * per_month;
    const int working[3] = { ST_EMPLOYED_PT, ST_EMPLOYED_FT, ST_EXIT_RTW };
    for (hsize_t r = 0; r < reps; r++) {
        gain[r] = 0;
        size_t last = r * per_rep + (dims[1] - 1) * per_month;
        for (int w = 0; w < 3; w++)
            for (size_t g = 0; g < dims[3] * dims[4]; g++) {
                size_t i = last + (size_t)working[w] * dims[3] * dims[4] + g;
                gain[r] += c[0][i] - c[1][i];
            }
    }
    /* Spearman: Pearson correlation of the ranks (no ties here) */
    double rv[12], rg[12];
    for (hsize_t i = 0; i < reps; i++) {
        rv[i] = rg[i] = 0;
        for (hsize_t j = 0; j < reps; j++) {
            rv[i] += v[j] < v[i];
            rg[i] += gain[j] < gain[i];
        }
    }
    double mr = (reps - 1) / 2.0, sxy = 0, sxx = 0, syy = 0;
    for (hsize_t i = 0; i < reps; i++) {
        sxy += (rv[i] - mr) * (rg[i] - mr);
        sxx += (rv[i] - mr) * (rv[i] - mr);
        syy += (rg[i] - mr) * (rg[i] - mr);
    }
    double rho = sxy / sqrt(sxx * syy);
    cr_expect_gt(rho, 0.7, "Spearman rho %g between the drawn effect and the gain", rho);
    free(c[0]);
    free(c[1]);
    free(v);
}

Test(uncertainty_cli, project_writes_the_drawn_values)
{
    char dir[64], cfg[128], h5[128], cmd[512], so[65536], err[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/p.json", dir);
    snprintf(h5, sizeof h5, "%s/p.h5", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"run\": {\"years\": 3, \"scale\": 0.005},\n"
                                    " \"projection\": {\"first_year\": 2017, \"last_year\": "
                                    "2019, \"replications\": 3, " TU_BENEFITS "},\n"
                                    " \"uncertainty\": {\"parameters\": [{\"name\": \"jf\", "
                                    "\"path\": \"policies[2].programme.effects.job_finding\", "
                                    "\"distribution\": \"gamma\", \"mean\": 1.6, \"sd\": 0.2}]}}"),
                 0);
    snprintf(cmd, sizeof cmd, "project %s -o %s --quiet", cfg, h5);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(so, "Parameter uncertainty: each replication draws its own value of 1 "
                         "parameter") != NULL, "%s", so);
    /* the default differences (each scenario minus the first) get rank correlations */
    cr_expect(strstr(so, "Which drawn parameter moves the differences in 2019") != NULL, "%s",
              so);
    hsize_t reps, np;
    double *v = read_values(h5, &reps, &np);
    cr_expect_eq(reps, 3);
    cr_expect_eq(np, 1);
    free(v);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "uncertainty/rank_correlation", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[3];
    cr_expect_eq(H5Sget_simple_extent_ndims(sp), 3);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    cr_expect(dims[0] == 1 && dims[1] == 2 && dims[2] == N_PI, "%llu x %llu x %llu",
              (unsigned long long)dims[0], (unsigned long long)dims[1],
              (unsigned long long)dims[2]);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
}

/* A parameter tying numbers with different values in the config (a relapse
 * ratio of 0.7, a caseload of 20) leaves each at its own value for the
 * checks of the parameters after it: a caseload left at 0.7 would refuse
 * the next one. */
Test(uncertainty_cli, a_tied_parameter_leaves_each_path_at_its_own_value)
{
    char dir[64], cfg[128], cmd[512], so[4096], err[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/tied.json", dir);
    write_config(cfg, "\"uncertainty\": {\"parameters\": [{\"name\": \"tied\", \"path\": "
                      "[\"policies[2].programme.effects.relapse\", "
                      "\"policies[2].programme.caseload\"], \"distribution\": \"uniform\", "
                      "\"lower\": 1, \"upper\": 2, \"round\": true}, {\"name\": \"jf\", "
                      "\"path\": \"policies[2].programme.effects.job_finding\", "
                      "\"distribution\": \"normal\", \"mean\": 1.6, \"sd\": 0}]}");
    snprintf(cmd, sizeof cmd, "validate %s", cfg);
    cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
}

/* Bad sections: located errors, exit status 2, no output file. */
Test(uncertainty_cli, bad_sections_are_refused_before_anything_runs)
{
    static const struct {
        const char *section, *where, *what;
    } cases[] = {
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"path\": \"run.scale\", "
          "\"distribution\": \"uniform\", \"lower\": 0.01, \"upper\": 0.02}]}",
          "uncertainty.parameters[0].path", "cannot vary across replications" },
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"path\": "
          "\"policies[2].programme.effects.job_findng\", \"distribution\": \"normal\", "
          "\"mean\": 1, \"sd\": 0.1}]}",
          "uncertainty.parameters[0].path", "unknown parameter path" },
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"path\": "
          "\"policies[2].programme.fidelity.score\", \"distribution\": \"normal\", "
          "\"mean\": 100, \"sd\": 10}]}",
          "uncertainty.parameters[0]", "gives an invalid config" },
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"path\": "
          "\"policies[2].programme.effects.relapse\", \"distribution\": \"beta\", "
          "\"median\": 0.7, \"sd\": 0.1}]}",
          "uncertainty.parameters[0].median", "does not apply to a beta distribution" },
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"path\": "
          "\"policies[2].programme.effects.relapse\", \"distribution\": \"beta\", "
          "\"mean\": 0.5, \"sd\": 1e-5}]}",
          "uncertainty.parameters[0].sd", "too small for a beta distribution" },
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"path\": "
          "\"policies[2].programme.effects.relapse\", \"distribution\": \"weibull\"}]}",
          "uncertainty.parameters[0].distribution", "is not allowed" },
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"path\": "
          "\"policies[2].programme.caseload\", \"distribution\": \"uniform\", \"lower\": 10, "
          "\"upper\": 30}]}",
          "uncertainty.parameters[0]", "\"round\": true" },
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"distribution\": "
          "\"normal\", \"mean\": 1, \"sd\": 0.1}]}",
          "uncertainty.parameters[0]", "missing required key 'path'" },
        { "\"uncertainty\": {\"parameters\": [{\"name\": \"a\", \"path\": "
          "\"policies[2].programme.caseload\", \"distribution\": \"uniform\", \"lower\": 10, "
          "\"upper\": 14, \"round\": true}, {\"name\": \"b\", \"path\": "
          "\"policies[02].programme.caseload\", \"distribution\": \"uniform\", \"lower\": 25, "
          "\"upper\": 30, \"round\": true}]}",
          "uncertainty.parameters[1].path", "already drawn by uncertainty.parameters[0] as" },
    };
    char dir[64], cfg[128], h5[128], cmd[512], so[4096], err[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/bad.json", dir);
    snprintf(h5, sizeof h5, "%s/bad.h5", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_config(cfg, cases[i].section);
        snprintf(cmd, sizeof cmd, "run %s -o %s --quiet", cfg, h5);
        cr_expect_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 2, "case %zu: %s", i,
                     err);
        char where[128];
        snprintf(where, sizeof where, "bad.json:2:");
        cr_expect(strstr(err, where) != NULL, "case %zu not located on line 2: %s", i, err);
        cr_expect(strstr(err, cases[i].where) != NULL, "case %zu: %s", i, err);
        cr_expect(strstr(err, cases[i].what) != NULL, "case %zu: %s", i, err);
        cr_expect_not(tu_file_exists(h5), "case %zu left an output", i);
    }
}

/* Commands that keep the config's values say so (here the benchmark). */
Test(uncertainty_cli, other_commands_say_they_do_not_draw)
{
    char cmd[512], so[8192], err[4096];
    snprintf(cmd, sizeof cmd, "bench %s/configs/ips_uncertainty.json --scale 0.002 --years 2",
             IPSIM_SOURCE_DIR);
    cr_assert_eq(tu_run_ipsim(cmd, so, sizeof so, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(err, "ipsim bench: note: the config's \"uncertainty\" section is not used "
                          "here") != NULL, "%s", err);
}

/* Rounded draws stay within the truncation: a uniform on 0.4..1.6 rounds
 * to 0 in a twelfth of the draws and to 2 in another, but only 1 lies in
 * its range. */
Test(uncertainty_cli, rounded_draws_stay_within_the_truncation)
{
    char dir[64], cfg[128], h5[128];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/r.json", dir);
    snprintf(h5, sizeof h5, "%s/r.h5", dir);
    cr_assert_eq(tu_write_file(cfg, "{\"run\": {\"years\": 1, \"scale\": 0.002, \"replications\": "
                                    "40}, \"uncertainty\": {\"parameters\": [{\"name\": \"cl\", "
                                    "\"path\": \"policies[2].programme.caseload\", "
                                    "\"distribution\": \"uniform\", \"lower\": 0.4, \"upper\": "
                                    "1.6, \"round\": true}]}}"), 0);
    cJSON *j = run_json(cfg, h5, "");
    cJSON_Delete(j);
    hsize_t reps, np;
    double *v = read_values(h5, &reps, &np);
    for (hsize_t r = 0; r < reps; r++)
        cr_expect_eq(v[r], 1, "replication %llu drew %g", (unsigned long long)r, v[r]);
    free(v);
}

/* ---- which parameter moves the differences ----------------------------- */

/* Mid-ranks of x[0..n-1] (ties share their mean rank), naively. */
static void midranks(const double *x, size_t n, double *rank)
{
    for (size_t i = 0; i < n; i++) {
        double below = 0, equal = 0;
        for (size_t j = 0; j < n; j++) {
            below += x[j] < x[i];
            equal += x[j] == x[i];
        }
        rank[i] = below + (equal + 1) / 2;
    }
}

static double naive_spearman(const double *x, const double *y, size_t n)
{
    double rx[64], ry[64], mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    midranks(x, n, rx);
    midranks(y, n, ry);
    for (size_t i = 0; i < n; i++) {
        mx += rx[i] / (double)n;
        my += ry[i] / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxy / sqrt(sxx * syy);
}

/* summary_sensitivity against a naive Spearman on runs made up by hand:
 * 2 policies x 12 replications of a cohort of 50, policy 1's gain over
 * policy 0 in jobs by month 60 set per replication (with ties). */
Test(uncertainty, rank_correlation_matches_a_naive_spearman)
{
    enum { P = 3, R = 12, N = 50, K = 2 };
    static person_outcome people[P * R][N];
    run_results res[P * R];
    double values[R * K], gain[P][R];
    const int jobs0[R] = { 10, 12, 9, 11, 10, 13, 8, 10, 12, 11, 9, 10 };
    const int extra1[R] = { 3, 5, 1, 5, 2, 7, 0, 3, 6, 4, 1, 2 };
    for (int i = 0; i < R; i++) {
        values[i * K + 0] = 1.0 + 0.1 * extra1[i] + 0.01 * (i % 3); /* tracks the gain */
        values[i * K + 1] = (double)((i * 7) % R);                  /* unrelated */
    }
    for (int p = 0; p < P; p++)
        for (int i = 0; i < R; i++) {
            int hits = jobs0[i] + (p == 1 ? extra1[i] : 0);
            for (int k = 0; k < N; k++) {
                person_outcome *o = &people[p * R + i][k];
                *o = (person_outcome){ .from_stock = 1, .diagnosis = DIAG_MENTAL };
                o->first_job_day = k < hits ? 100.0f + (float)k : INFINITY;
            }
            res[p * R + i] = (run_results){ .months = 72, .npeople = N,
                                            .people = people[p * R + i] };
            gain[p][i] = (double)(hits - jobs0[i]) / N;
        }
    double rho[K * P];
    int month = 0;
    cr_assert_eq(summary_sensitivity(res, P, R, values, K, 72 * DAYS_PER_MONTH, rho, &month), 0);
    cr_expect_eq(month, 60);
    double x[R];
    for (int k = 0; k < K; k++) {
        cr_expect(isnan(rho[k * P + 0]), "no difference for the first policy");
        for (int i = 0; i < R; i++)
            x[i] = values[i * K + k];
        double want1 = naive_spearman(x, gain[1], R);
        cr_expect(fabs(rho[k * P + 1] - want1) < 1e-12, "parameter %d: %g, naive %g", k,
                  rho[k * P + 1], want1);
        cr_expect(isnan(rho[k * P + 2]), "policy 2 equals policy 0: no spread, %g",
                  rho[k * P + 2]);
    }
    cr_expect_gt(rho[0 * P + 1], 0.9);
    /* a horizon before month 6 has no headline month */
    cr_assert_eq(summary_sensitivity(res, P, R, values, K, 100, rho, &month), 0);
    cr_expect_eq(month, 0);
    cr_expect(isnan(rho[1]));
}

/* A replication whose cohort is empty (a small stock at a small scale) has
 * no share, hence no difference: the rank correlation is that of the other
 * replications, and undefined when fewer than 3 remain (was: NaN ranked
 * with the numbers, a correlation where there is none). */
Test(uncertainty, rank_correlation_leaves_out_replications_without_a_cohort)
{
    enum { P = 2, R = 10, N = 40, K = 2 };
    static person_outcome people[P * R][N];
    run_results res[P * R];
    double values[R * K], kept_x[K][R], kept_gain[R];
    const int jobs0[R] = { 7, 9, 8, 6, 10, 7, 9, 8, 11, 6 };
    const int extra[R] = { 2, 6, 1, 4, 0, 5, 3, 3, 7, 2 };
    const bool empty[R] = { false, true, false, false, true, false, false, true, false, false };
    size_t kept = 0;
    for (int i = 0; i < R; i++) {
        values[i * K + 0] = 0.85 + 0.05 * extra[i] - 0.003 * i; /* tracks the gain */
        values[i * K + 1] = (double)((i * 3) % R);              /* unrelated */
        if (!empty[i]) {
            for (int k = 0; k < K; k++)
                kept_x[k][kept] = values[i * K + k];
            kept_gain[kept++] = (double)extra[i] / N;
        }
    }
    for (int p = 0; p < P; p++)
        for (int i = 0; i < R; i++) {
            int hits = jobs0[i] + (p == 1 ? extra[i] : 0);
            for (int k = 0; k < N; k++) {
                person_outcome *o = &people[p * R + i][k];
                *o = (person_outcome){ .from_stock = 1, .diagnosis = DIAG_MENTAL };
                o->first_job_day = k < hits ? 50.0f + (float)k : INFINITY;
            }
            res[p * R + i] = (run_results){ .months = 72, .npeople = empty[i] ? 0 : N,
                                            .people = people[p * R + i] };
        }
    double rho[K * P];
    int month = 0;
    cr_assert_eq(summary_sensitivity(res, P, R, values, K, 72 * DAYS_PER_MONTH, rho, &month), 0);
    for (int k = 0; k < K; k++) {
        double want = naive_spearman(kept_x[k], kept_gain, kept);
        cr_expect(fabs(rho[k * P + 1] - want) < 1e-12, "parameter %d: %g, naive %g over %zu",
                  k, rho[k * P + 1], want, kept);
    }
    /* no cohort at all, or in all but 2 replications: no correlation */
    for (int i = 0; i < R; i++)
        res[i].npeople = res[R + i].npeople = i < 2 ? N : 0;
    cr_assert_eq(summary_sensitivity(res, P, R, values, K, 72 * DAYS_PER_MONTH, rho, &month), 0);
    cr_expect(isnan(rho[0 * P + 1]) && isnan(rho[1 * P + 1]), "%g, %g", rho[1], rho[3]);
}

/* projection_sensitivity against the naive Spearman, on a made-up result:
 * 2 scenarios x 10 replications x 2 years; the difference of indicator 0 in
 * the last year follows the parameter with ties, indicator 1 is NaN in 8
 * replications (too few left), indicator 2 has no spread. */
Test(uncertainty, projection_rank_correlation_matches_a_naive_spearman)
{
    enum { R = 10, Y = 2 };
    proj_result r = { .npolicies = 2, .reps = R, .nyears = Y, .first_year = 2030 };
    r.values = calloc(2 * R * Y * N_PI, sizeof *r.values);
    cr_assert_not_null(r.values);
    double values[R], diff[R];
    const double gain[R] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3 };
    for (int i = 0; i < R; i++) {
        values[i] = 0.5 + 0.07 * ((i * 3) % R);
        diff[i] = gain[i];
        r.values[PROJ_IDX(&r, 0, i, Y - 1, 0)] = 100 + i;
        r.values[PROJ_IDX(&r, 1, i, Y - 1, 0)] = 100 + i + gain[i];
        r.values[PROJ_IDX(&r, 1, i, Y - 1, 1)] = i < 8 ? NAN : (double)i;
        r.values[PROJ_IDX(&r, 0, i, Y - 2, 0)] = 1e9 * i; /* an earlier year: not used */
    }
    size_t a = 1, b = 0;
    double rho[N_PI];
    cr_assert_eq(projection_sensitivity(&r, &a, &b, 1, values, 1, rho), 0);
    double want = naive_spearman(values, diff, R);
    cr_expect(fabs(rho[0] - want) < 1e-12, "%g, naive %g", rho[0], want);
    cr_expect(isnan(rho[1]), "2 replications define it: %g", rho[1]);
    cr_expect(isnan(rho[2]), "no spread: %g", rho[2]);
    free(r.values);
}
