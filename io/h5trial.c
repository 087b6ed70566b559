/* h5trial: HDF5 layout of trial and power files; see h5trial.h. Built on
 * the h5out building blocks, so attributes, chunking, compression and the
 * atomic rename are those of every ipsim file. */
#include "io/h5trial.h"
#include "io/h5util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "io/config_trial.h"
#include "io/json_check.h"
#include "models/claimant.h"

static const char *const arm_names[N_ARM] = { "control", "ips" };
static const char *const received_names[N_RECEIVED] = { "none", "control", "ips" };
static const char *const region_names[N_REGION] = { "flanders", "wallonia", "brussels" };

static int write_design(hid_t f, const trial_params *tp)
{
    cJSON *j = config_trial_to_json(tp);
    char *text = j ? jc_print(j, true) : NULL;
    cJSON_Delete(j);
    if (!text)
        return -1;
    int rc = h5u_write_text(f, "trial_design", text,
                              "JSON: the resolved trial section (defaults merged with the input)");
    free(text);
    return rc;
}

/* Memory type of trial_person with the design's windows named. */
static hid_t person_type(const trial_params *tp)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(trial_person));
    H5Tinsert(t, "id", HOFFSET(trial_person, id), H5T_NATIVE_UINT32);
    H5Tinsert(t, "region", HOFFSET(trial_person, region), H5T_NATIVE_UINT8);
    H5Tinsert(t, "arm", HOFFSET(trial_person, arm), H5T_NATIVE_UINT8);
    H5Tinsert(t, "received", HOFFSET(trial_person, received), H5T_NATIVE_UINT8);
    H5Tinsert(t, "sex", HOFFSET(trial_person, sex), H5T_NATIVE_UINT8);
    H5Tinsert(t, "severity", HOFFSET(trial_person, severity), H5T_NATIVE_UINT8);
    H5Tinsert(t, "education", HOFFSET(trial_person, education), H5T_NATIVE_UINT8);
    H5Tinsert(t, "final_state", HOFFSET(trial_person, final_state), H5T_NATIVE_UINT8);
    H5Tinsert(t, "first_job_observed", HOFFSET(trial_person, event), H5T_NATIVE_UINT8);
    H5Tinsert(t, "sustained_rtw", HOFFSET(trial_person, sustained), H5T_NATIVE_UINT8);
    H5Tinsert(t, "coach", HOFFSET(trial_person, coach), H5T_NATIVE_UINT16);
    H5Tinsert(t, "block", HOFFSET(trial_person, block), H5T_NATIVE_UINT32);
    H5Tinsert(t, "age", HOFFSET(trial_person, age), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "randomisation_day", HOFFSET(trial_person, rand_day), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "lost_day", HOFFSET(trial_person, lost_day), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "first_job_day", HOFFSET(trial_person, first_job), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "time_to_first_job", HOFFSET(trial_person, time), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "days_worked", HOFFSET(trial_person, days_worked), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "benefit_eur_per_month", HOFFSET(trial_person, benefit_eur), H5T_NATIVE_FLOAT);
    char name[40];
    for (size_t k = 0; k < tp->n_ever; k++) {
        trial_binary_name(tp, OUT_EVER_WORKED, k, name, sizeof name);
        H5Tinsert(t, name, HOFFSET(trial_person, ever) + k, H5T_NATIVE_UINT8);
    }
    for (size_t k = 0; k < tp->n_at; k++) {
        trial_binary_name(tp, OUT_WORKING, k, name, sizeof name);
        H5Tinsert(t, name, HOFFSET(trial_person, working) + k, H5T_NATIVE_UINT8);
        trial_binary_name(tp, OUT_WORKING_ON_BENEFIT, k, name, sizeof name);
        H5Tinsert(t, name, HOFFSET(trial_person, working_on_benefit) + k, H5T_NATIVE_UINT8);
    }
    return t;
}

/* Little-endian packed file type from a native compound memory type. */
static hid_t file_type_of(hid_t mem)
{
    int n = H5Tget_nmembers(mem);
    size_t size = 0;
    for (int i = 0; i < n; i++) {
        hid_t m = H5Tget_member_type(mem, (unsigned)i);
        size += H5Tget_size(m);
        H5Tclose(m);
    }
    hid_t f = H5Tcreate(H5T_COMPOUND, size);
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        char *name = H5Tget_member_name(mem, (unsigned)i);
        hid_t m = H5Tget_member_type(mem, (unsigned)i);
        hid_t le;
        if (H5Tget_class(m) == H5T_FLOAT)
            le = H5Tcopy(H5T_IEEE_F32LE);
        else
            le = H5Tcopy(H5Tget_size(m) == 1 ? H5T_STD_U8LE
                         : H5Tget_size(m) == 2 ? H5T_STD_U16LE : H5T_STD_U32LE);
        H5Tinsert(f, name, off, le);
        off += H5Tget_size(le);
        H5Tclose(le);
        H5Tclose(m);
        H5free_memory(name);
    }
    return f;
}

static int write_test_table(hid_t g, const trial_plan *plan, const trial_test_result *tests)
{
    enum { NCOL = 7 };
    size_t nt = plan->n_tests;
    double *v = malloc((nt ? nt : 1) * NCOL * sizeof *v);
    const char **names = malloc((nt ? nt : 1) * sizeof *names);
    if (!v || !names) {
        free(v);
        free(names);
        return -1;
    }
    for (size_t k = 0; k < nt; k++) {
        const trial_test_result *r = &tests[k];
        double row[NCOL] = { r->estimate, r->lower, r->upper, r->statistic, r->p_value,
                             (double)r->status, (double)r->reject };
        memcpy(v + k * NCOL, row, sizeof row);
        names[k] = plan->test[k].name;
    }
    hsize_t dims[2] = { nt, NCOL };
    int rc = h5u_write_array(g, "tests", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, v, NULL);
    hid_t d = H5Dopen2(g, "tests", H5P_DEFAULT);
    static const char *const cols[NCOL] = { "estimate", "ci_lower", "ci_upper", "statistic",
                                            "p_value", "status", "reject" };
    if (d >= 0) {
        rc |= h5u_attr_labels(d, "rows", names, nt);
        rc |= h5u_attr_labels(d, "columns", cols, NCOL);
        const char **est = malloc((nt ? nt : 1) * sizeof *est);
        if (est) {
            for (size_t k = 0; k < nt; k++)
                est[k] = trial_estimate_label(plan->test[k].kind);
            rc |= h5u_attr_labels(d, "estimate", est, nt);
            free(est);
        }
        rc |= h5u_attr_string(d, "description",
                                "IPS versus control by randomised arm; p_value for the design's "
                                "sidedness; status 0 = ok (stats_strerror)");
        H5Dclose(d);
    } else {
        rc = -1;
    }
    free(v);
    free(names);
    return rc;
}

static int write_arms(hid_t g, const trial_plan *plan, const trial_arm_value *arms)
{
    size_t no = plan->n_outcomes;
    double *v = malloc((no ? no : 1) * N_ARM * 2 * sizeof *v);
    const char **names = malloc((no ? no : 1) * sizeof *names);
    if (!v || !names) {
        free(v);
        free(names);
        return -1;
    }
    for (size_t o = 0; o < no; o++) {
        names[o] = plan->outcome[o].name;
        for (int a = 0; a < N_ARM; a++) {
            v[(o * N_ARM + (size_t)a) * 2] = (double)arms[o].n[a];
            v[(o * N_ARM + (size_t)a) * 2 + 1] = arms[o].mean[a];
        }
    }
    hsize_t dims[3] = { no, N_ARM, 2 };
    int rc = h5u_write_array(g, "arms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, dims, v, NULL);
    hid_t d = H5Dopen2(g, "arms", H5P_DEFAULT);
    static const char *const cols[2] = { "n", "mean" };
    if (d >= 0) {
        rc |= h5u_attr_labels(d, "outcome", names, no);
        rc |= h5u_attr_labels(d, "arm", arm_names, N_ARM);
        rc |= h5u_attr_labels(d, "columns", cols, 2);
        rc |= h5u_attr_string(d, "description", "people analysed and their mean: share with "
                                "the outcome, share with an observed first job, mean days or EUR");
        H5Dclose(d);
    } else {
        rc = -1;
    }
    free(v);
    free(names);
    return rc;
}

static int write_common_attrs(hid_t f, const trial_design *d)
{
    const trial_params *tp = &d->tp;
    int rc = h5u_attr_double(f, "alpha", tp->alpha);
    rc |= h5u_attr_string(f, "sided", tp->sided ? "greater" : "two_sided");
    rc |= h5u_attr_double(f, "ci_level", tp->ci_level);
    rc |= h5u_attr_double(f, "follow_up_days", tp->follow_up_days);
    rc |= h5u_attr_double(f, "recruitment_days", tp->recruitment_days);
    rc |= h5u_attr_double(f, "coach_icc_target", tp->coach_icc);
    return rc;
}

int h5trial_write_trial(const h5out_target *t, const h5trial_trial *tr, char *err, size_t errlen)
{
    hid_t f = h5out_create(t, err, errlen);
    if (f < 0)
        return -1;
    const trial_design *d = tr->design;
    int rc = h5out_write_header(f, tr->cfg);
    rc |= h5u_attr_string(f, "kind", "trial");
    rc |= h5u_attr_u64(f, "replication", tr->replication);
    rc |= h5u_attr_double(f, "wall_seconds", tr->wall_seconds);
    rc |= h5u_attr_u64(f, "events", tr->info->events);
    rc |= write_common_attrs(f, d);
    rc |= h5u_attr_double(f, "coach_sigma", d->coach_sigma);
    rc |= h5u_attr_u64(f, "coach_pilot_replications", d->pilot_replications);
    rc |= h5u_attr_double(f, "coach_icc_predicted", d->coach_icc_reached);
    rc |= h5u_attr_double(f, "icc_primary_estimate", tr->icc);
    rc |= h5u_attr_double(f, "coach_multiplier_sd", tr->info->coach_multiplier_sd);
    rc |= write_design(f, &d->tp);
    hid_t g = h5u_group(f, "trial");
    if (g < 0) {
        H5Fclose(f);
        snprintf(err, errlen, "%s: writing the HDF5 file failed", t->final_path);
        return -1;
    }
    hid_t mem = person_type(&d->tp), file = file_type_of(mem);
    hsize_t n = d->n;
    rc |= h5u_write_array(g, "people", file, mem, 1, &n, tr->people, NULL);
    hid_t pd = H5Dopen2(g, "people", H5P_DEFAULT);
    if (pd >= 0) {
        rc |= h5u_attr_labels(pd, "arm", arm_names, N_ARM);
        rc |= h5u_attr_labels(pd, "received", received_names, N_RECEIVED);
        rc |= h5u_attr_labels(pd, "region", region_names, N_REGION);
        rc |= h5u_attr_string(pd, "description",
                                "one row per participant in order of randomisation; days are from "
                                "randomisation (randomisation_day from the start of recruitment); "
                                "binary outcomes 0/1, 255 = not observed; NaN = not observed; "
                                "coach 65535 = none");
        H5Dclose(pd);
    }
    H5Tclose(mem);
    H5Tclose(file);
    rc |= write_test_table(g, tr->plan, tr->tests);
    rc |= write_arms(g, tr->plan, tr->arms);
    size_t rec[N_ARM * N_RECEIVED];
    for (int a = 0; a < N_ARM; a++)
        for (int r = 0; r < N_RECEIVED; r++)
            rec[a * N_RECEIVED + r] = tr->info->received[a][r];
    uint64_t rec64[N_ARM * N_RECEIVED];
    for (size_t i = 0; i < N_ARM * N_RECEIVED; i++)
        rec64[i] = rec[i];
    hsize_t rd[2] = { N_ARM, N_RECEIVED };
    rc |= h5u_write_array(g, "received", H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, rd, rec64,
                            "participants");
    H5Gclose(g);
    if (H5Fclose(f) < 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, errlen, "%s: writing the HDF5 file failed (disk full?)", t->final_path);
    return rc ? -1 : 0;
}

#define PCOLS 7 /* columns of /power/points */

int h5trial_write_power(const h5out_target *t, const ipsim_config *cfg, const trial_power *pw,
                        int threads, double wall_seconds, char *err, size_t errlen)
{
    hid_t f = h5out_create(t, err, errlen);
    if (f < 0)
        return -1;
    size_t np = pw->npoints, nt = pw->plan.n_tests, no = pw->plan.n_outcomes, R = pw->reps;
    h5u_set_threads(threads);
    int rc = h5out_write_header(f, cfg);
    rc |= h5u_attr_string(f, "kind", "power");
    rc |= h5u_attr_u64(f, "replications", R);
    rc |= h5u_attr_u64(f, "power_seed", pw->seed);
    rc |= h5u_attr_u64(f, "threads", (uint64_t)threads);
    rc |= h5u_attr_double(f, "wall_seconds", wall_seconds);
    rc |= h5u_attr_double(f, "pilot_seconds", pw->pilot_seconds);
    rc |= h5u_attr_u64(f, "events", pw->events);
    rc |= write_common_attrs(f, &pw->design[0]);
    rc |= write_design(f, &pw->design[0].tp);
    hid_t g = h5u_group(f, "power");
    if (g < 0) {
        H5Fclose(f);
        snprintf(err, errlen, "%s: writing the HDF5 file failed", t->final_path);
        return -1;
    }
    const char **tests = malloc(nt * sizeof *tests), **outs = malloc(no * sizeof *outs);
    double *buf = malloc(np * PCOLS * sizeof *buf);
    if (!tests || !outs || !buf) {
        free(tests);
        free(outs);
        free(buf);
        H5Gclose(g);
        H5Fclose(f);
        snprintf(err, errlen, "out of memory writing %s", t->final_path);
        return -1;
    }
    for (size_t k = 0; k < nt; k++)
        tests[k] = pw->plan.test[k].name;
    for (size_t o = 0; o < no; o++)
        outs[o] = pw->plan.outcome[o].name;
    rc |= h5u_attr_labels(g, "tests", tests, nt);
    rc |= h5u_attr_labels(g, "outcomes", outs, no);
    rc |= h5u_attr_labels(g, "arms", arm_names, N_ARM);
    rc |= h5u_attr_string(g, "primary_outcome", pw->plan.outcome[pw->plan.primary].name);
    hsize_t d1;
    d1 = pw->n_n;
    rc |= h5u_write_array(g, "n_grid", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &d1, pw->n_list,
                            "participants (0 = as configured)");
    d1 = pw->n_effect;
    rc |= h5u_write_array(g, "effect_grid", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &d1,
                            pw->effect_list, "multiplier (docs/power.md)");

    /* per point: participants, coach sigma, ICC predicted and estimated, pilot */
    hsize_t pd[2] = { np, PCOLS };
    for (size_t p = 0; p < np; p++) {
        const trial_design *d = &pw->design[p];
        double row[PCOLS] = { (double)d->n, d->effect, d->coach_sigma, d->coach_icc_reached,
                              trial_power_icc_mean(pw, p), d->ips_p_pilot,
                              (double)d->pilot_replications };
        memcpy(buf + p * PCOLS, row, sizeof row);
    }
    static const char *const pcols[PCOLS] = { "participants", "effect", "coach_sigma",
                                              "coach_icc_predicted", "icc_estimate_mean",
                                              "pilot_ips_primary_share",
                                              "coach_pilot_replications" };
    rc |= h5u_write_array(g, "points", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, pd, buf, NULL);
    hid_t ds = H5Dopen2(g, "points", H5P_DEFAULT);
    if (ds >= 0) {
        rc |= h5u_attr_labels(ds, "columns", pcols, PCOLS);
        rc |= h5u_attr_string(ds, "description", "grid point p = i_n * len(effect_grid) + i_effect");
        H5Dclose(ds);
    }

    /* summaries [point][test] */
    static const char *const snames[6] = { "power", "mc_se", "wilson_lower", "wilson_upper",
                                           "failures", "mean_estimate" };
    double *sv[6];
    bool ok = true;
    for (int s = 0; s < 6; s++)
        ok &= (sv[s] = malloc(np * nt * sizeof(double))) != NULL;
    for (size_t p = 0; ok && p < np; p++)
        for (size_t k = 0; k < nt; k++) {
            trial_power_value v;
            trial_power_value_at(pw, p, k, &v);
            double row[6] = { v.power, v.mc_se, v.lower, v.upper, (double)v.failures,
                              v.mean_estimate };
            for (int s = 0; s < 6; s++)
                sv[s][p * nt + k] = row[s];
        }
    hsize_t sd[2] = { np, nt };
    for (int s = 0; ok && s < 6; s++)
        rc |= h5u_write_array(g, snames[s], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, sd, sv[s],
                                s == 4 ? "replications" : NULL);
    for (int s = 0; s < 6; s++)
        free(sv[s]);
    if (!ok)
        rc = -1;
    double *am = malloc(np * no * N_ARM * sizeof *am);
    if (am) {
        for (size_t p = 0; p < np; p++)
            for (size_t o = 0; o < no; o++)
                for (int a = 0; a < N_ARM; a++)
                    am[(p * no + o) * N_ARM + (size_t)a] = trial_power_arm_mean(pw, p, o, a);
        hsize_t ad[3] = { np, no, N_ARM };
        rc |= h5u_write_array(g, "arm_mean", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, ad, am,
                                "mean over replications of each arm's value");
        free(am);
    } else {
        rc = -1;
    }

    /* minimal detectable effects [i_n][test] at 80% and 90% */
    if (pw->n_effect >= 2) {
        double *m = malloc(pw->n_n * nt * 4 * sizeof *m);
        int32_t *st = malloc(pw->n_n * nt * 2 * sizeof *st);
        if (m && st) {
            for (size_t i = 0; i < pw->n_n; i++)
                for (size_t k = 0; k < nt; k++) {
                    double e, est;
                    st[(i * nt + k) * 2] = trial_power_mde(pw, i, k, 0.8, &e, &est);
                    m[(i * nt + k) * 4] = e;
                    m[(i * nt + k) * 4 + 1] = est;
                    st[(i * nt + k) * 2 + 1] = trial_power_mde(pw, i, k, 0.9, &e, &est);
                    m[(i * nt + k) * 4 + 2] = e;
                    m[(i * nt + k) * 4 + 3] = est;
                }
            hsize_t md[3] = { pw->n_n, nt, 4 };
            rc |= h5u_write_array(g, "mde", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, md, m, NULL);
            hid_t dm = H5Dopen2(g, "mde", H5P_DEFAULT);
            static const char *const mcols[4] = { "effect_80", "estimate_80", "effect_90",
                                                  "estimate_90" };
            if (dm >= 0) {
                rc |= h5u_attr_labels(dm, "columns", mcols, 4);
                rc |= h5u_attr_string(dm, "description",
                                        "smallest effect multiplier reaching 80%/90% power, "
                                        "linearly interpolated on the effect grid, and the mean "
                                        "estimate there; NaN when not reached (see mde_status)");
                H5Dclose(dm);
            }
            hsize_t sd2[3] = { pw->n_n, nt, 2 };
            rc |= h5u_write_array(g, "mde_status", H5T_STD_I32LE, H5T_NATIVE_INT32, 3, sd2, st,
                                    "0 found, 1 not reached, 2 reached at the smallest effect");
        } else {
            rc = -1;
        }
        free(m);
        free(st);
    }

    /* every replication */
    hid_t rg = h5u_group(g, "replications");
    if (rg >= 0) {
        hsize_t rd[3] = { np, R, nt };
        rc |= h5u_write_array(rg, "estimate", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, rd,
                                pw->estimate, NULL);
        rc |= h5u_write_array(rg, "p_value", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, rd,
                                pw->p_value, NULL);
        rc |= h5u_write_array(rg, "reject", H5T_STD_U8LE, H5T_NATIVE_UINT8, 3, rd, pw->reject,
                                NULL);
        rc |= h5u_write_array(rg, "failed", H5T_STD_U8LE, H5T_NATIVE_UINT8, 3, rd, pw->failed,
                                NULL);
        hsize_t ad[4] = { np, R, no, N_ARM };
        rc |= h5u_write_array(rg, "arm_mean", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 4, ad,
                                pw->arm_mean, NULL);
        hsize_t id[2] = { np, R };
        rc |= h5u_write_array(rg, "icc", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, id, pw->icc, NULL);
        H5Gclose(rg);
    } else {
        rc = -1;
    }
    free(tests);
    free(outs);
    free(buf);
    H5Gclose(g);
    if (H5Fclose(f) < 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, errlen, "%s: writing the HDF5 file failed (disk full?)", t->final_path);
    return rc ? -1 : 0;
}
