/* h5out: HDF5 writing of run sets; see h5out.h. All datasets are chunked
 * and deflate-compressed with the shuffle filter; integer counts are int32. */
#define _DEFAULT_SOURCE /* realpath */
#include "io/h5out.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <hdf5.h>

#include "io/h5util.h"

#include "models/claimant.h"
#include "models/policy.h"

/* The checks of h5out_begin on the name and an existing file. */
static int check_name(const char *path, bool force, char *err, size_t errlen)
{
    size_t len = strlen(path);
    if (len == 0) {
        snprintf(err, errlen, "the output file name is empty");
        return -1;
    }
    if (len >= sizeof ((h5out_target *)0)->final_path) {
        snprintf(err, errlen, "%s: output path too long", path);
        return -1;
    }
    if (path[len - 1] == '/') {
        snprintf(err, errlen, "%s: names a directory; give a file name", path);
        return -1;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: is a directory; give a file name", path);
            return -1;
        }
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "%s: exists and is not a regular file; give another name",
                     path);
            return -1;
        }
        if (!force) {
            snprintf(err, errlen, "%s: file exists; use --force to overwrite it", path);
            return -1;
        }
    }
    return 0;
}

int h5out_check(const char *path, bool force, char *err, size_t errlen)
{
    h5out_target t;
    if (h5out_begin(&t, path, force, err, errlen) != 0)
        return -1;
    h5out_abort(&t);
    return 0;
}

int h5out_begin(h5out_target *t, const char *path, bool force, char *err, size_t errlen)
{
    if (check_name(path, force, err, errlen) != 0)
        return -1;
    snprintf(t->final_path, sizeof t->final_path, "%s", path);
    snprintf(t->tmp_path, sizeof t->tmp_path, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(t->tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const char *slash = strrchr(path, '/');
    if (fd < 0 && errno == ENOENT && slash && slash > path) {
        snprintf(err, errlen, "%s: the folder %.*s does not exist (outputs are written into "
                              "existing folders)", path, (int)(slash - path), path);
        return -1;
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write here: %s", path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

/* The file `path` names, as "real directory/name" (the directory resolved
 * through links), in buf; false if its directory cannot be resolved. */
static bool canonical_path(const char *path, char *buf, size_t len)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    char *real = realpath(dir, NULL);
    if (!real)
        return false;
    int n = snprintf(buf, len, "%s/%s", real, name);
    free(real);
    return n >= 0 && (size_t)n < len;
}

bool h5out_same_file(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ca[8192], cb[8192];
    return canonical_path(a, ca, sizeof ca) && canonical_path(b, cb, sizeof cb)
           && strcmp(ca, cb) == 0;
}

void h5out_abort(const h5out_target *t)
{
    if (t->tmp_path[0])
        unlink(t->tmp_path);
}

int h5out_commit(const h5out_target *t, char *err, size_t errlen)
{
    if (rename(t->tmp_path, t->final_path) != 0) {
        snprintf(err, errlen, "%s: cannot rename from %s: %s", t->final_path, t->tmp_path,
                 strerror(errno));
        h5out_abort(t);
        return -1;
    }
    return 0;
}

/* ---- the run set ---------------------------------------------------------- */

static const char *const state_names[N_STATE] = {
    "primary_incapacity", "invalidity", "waiting", "training", "job_search",
    "employed_part_time", "employed_full_time", "exit_sustained_rtw", "exit_retired", "exit_dead" };
static const char *const flow_from_names[N_FLOW_FROM] = {
    "primary_incapacity", "invalidity", "waiting", "training", "job_search",
    "employed_part_time", "employed_full_time", "exit_sustained_rtw", "exit_retired", "exit_dead",
    "outside" };
static const char *const region_names[N_REGION] = { "flanders", "wallonia", "brussels" };
static const char *const sex_names[N_SEX] = { "male", "female" };
static const char *const diag_names[N_DIAG] = { "mental", "other" };
static const char *const benefit_names[N_BENEFIT] = { "primary_incapacity", "invalidity" };
static const char *const prog_names[2] = { "enrolled", "waiting" };

static hid_t person_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(person_outcome));
    H5Tinsert(t, "id", HOFFSET(person_outcome, id), H5T_STD_U32LE);
    H5Tinsert(t, "sex", HOFFSET(person_outcome, sex), H5T_STD_U8LE);
    H5Tinsert(t, "region", HOFFSET(person_outcome, region), H5T_STD_U8LE);
    H5Tinsert(t, "diagnosis", HOFFSET(person_outcome, diagnosis), H5T_STD_U8LE);
    H5Tinsert(t, "severity", HOFFSET(person_outcome, severity), H5T_STD_U8LE);
    H5Tinsert(t, "education", HOFFSET(person_outcome, education), H5T_STD_U8LE);
    H5Tinsert(t, "from_stock", HOFFSET(person_outcome, from_stock), H5T_STD_U8LE);
    H5Tinsert(t, "final_state", HOFFSET(person_outcome, final_state), H5T_STD_U8LE);
    H5Tinsert(t, "ever_enrolled", HOFFSET(person_outcome, ever_enrolled), H5T_STD_U8LE);
    H5Tinsert(t, "coach", HOFFSET(person_outcome, coach), H5T_STD_U16LE);
    H5Tinsert(t, "age_at_arrival", HOFFSET(person_outcome, age_at_arrival), H5T_IEEE_F32LE);
    H5Tinsert(t, "arrival_day", HOFFSET(person_outcome, arrival_day), H5T_IEEE_F32LE);
    H5Tinsert(t, "onset_day", HOFFSET(person_outcome, onset_day), H5T_IEEE_F32LE);
    H5Tinsert(t, "first_job_day", HOFFSET(person_outcome, first_job_day), H5T_IEEE_F32LE);
    H5Tinsert(t, "days_employed", HOFFSET(person_outcome, days_employed), H5T_IEEE_F32LE);
    H5Tinsert(t, "exit_day", HOFFSET(person_outcome, exit_day), H5T_IEEE_F32LE);
    return t;
}

static hid_t event_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(event_record));
    H5Tinsert(t, "time", HOFFSET(event_record, time), H5T_IEEE_F64LE);
    H5Tinsert(t, "person", HOFFSET(event_record, person), H5T_STD_U32LE);
    H5Tinsert(t, "from", HOFFSET(event_record, from), H5T_STD_U8LE);
    H5Tinsert(t, "to", HOFFSET(event_record, to), H5T_STD_U8LE);
    return t;
}

/* Stacks one int32 array of `per` values from each replication. */
static int write_stacked(hid_t loc, const char *name, const run_results *res, size_t reps,
                         size_t offset_of_ptr, size_t per, int rank, const hsize_t *dims,
                         const char *units)
{
    size_t total = reps * per;
    int32_t *buf = malloc((total ? total : 1) * sizeof *buf);
    if (!buf)
        return -1;
    for (size_t r = 0; r < reps; r++) {
        int32_t *const *src = (int32_t *const *)((const char *)&res[r] + offset_of_ptr);
        memcpy(buf + r * per, *src, per * sizeof *buf);
    }
    int rc = h5u_write_array(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT32, rank, dims, buf, units);
    free(buf);
    return rc;
}

/* The summary table `name` of s; `minus` names the policy subtracted when s
 * holds differences (NULL for the policy's own figures). */
static int write_summary(hid_t g, const char *name, const policy_summary *s, const char *minus)
{
    /* rows: ever_employed_6, _18, _60, median_days_to_first_job, at_horizon_<state>;
     * cols mean, lo, hi and the replications where the figure is defined */
    enum { NROWS = SUMMARY_N_MONTHS + 1 + N_STATE, NCOLS = 4 };
    double v[NROWS][NCOLS];
    const char *names[NROWS];
    char label[NROWS][48];
    const summary_value *x[NROWS];
    for (int k = 0; k < SUMMARY_N_MONTHS; k++) {
        snprintf(label[k], sizeof label[k], "ever_employed_by_month_%d", summary_months[k]);
        x[k] = &s->ever_employed[k];
    }
    snprintf(label[SUMMARY_N_MONTHS], sizeof label[0], "median_days_to_first_job");
    x[SUMMARY_N_MONTHS] = &s->median_days_to_first_job;
    for (int st = 0; st < N_STATE; st++) {
        int k = SUMMARY_N_MONTHS + 1 + st;
        snprintf(label[k], sizeof label[k], "at_horizon_%s", state_names[st]);
        x[k] = &s->at_horizon[st];
    }
    for (int k = 0; k < NROWS; k++) {
        names[k] = label[k];
        v[k][0] = x[k]->mean, v[k][1] = x[k]->lo, v[k][2] = x[k]->hi;
        v[k][3] = (double)x[k]->n;
    }
    hsize_t dims[2] = { NROWS, NCOLS };
    hid_t d = h5u_create_chunked(g, name, H5T_IEEE_F64LE, 2, dims);
    if (d < 0)
        return -1;
    static const char *const cols[NCOLS] = { "mean", "p2_5", "p97_5", "replications_defined" };
    int rc = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0 ? 0 : -1;
    rc |= h5u_attr_labels(d, "rows", names, NROWS);
    rc |= h5u_attr_labels(d, "columns", cols, NCOLS);
    rc |= h5u_attr_string(d, "description",
                      minus ? "differences from the policy named by the attribute minus, taken "
                              "within each replication (same people, same random numbers), then "
                              "summarised across replications as in summary; a difference "
                              "exists where both figures do"
                            : "across replications; shares are of the cohort (initial stock "
                              "with a mental disorder), counts are simulated people; "
                              "replications_defined counts the replications where the figure "
                              "exists (the median days to a first job only where half the "
                              "cohort worked), the others are NaN");
    if (minus)
        rc |= h5u_attr_string(d, "minus", minus);
    rc |= h5u_attr_u64(d, "cohort_size_mean", s->cohort);
    H5Dclose(d);
    return rc;
}

static int write_policy(hid_t pols, const h5out_runset *rs, size_t p)
{
    const ipsim_config *cfg = rs->cfg;
    const policy_params *pol = &cfg->model.policy[p];
    const run_results *res = &rs->results[p * rs->reps];
    size_t reps = rs->reps, months = res[0].months;
    hid_t g = h5u_group(pols, pol->name);
    if (g < 0)
        return -1;
    policy_effects eff;
    policy_effects_compute(pol, &eff);
    int rc = h5u_attr_string(g, "type", policy_kind_name(pol->kind));
    rc |= h5u_attr_double(g, "fidelity_factor", eff.fidelity_factor);
    if (pol->kind != POLICY_STATUS_QUO)
        rc |= h5u_attr_double(g, "fidelity", pol->prog.fidelity);
    h5u_attr_u64(g, "policy_index", p);

    hsize_t d5[5] = { reps, months + 1, N_STATE, N_REGION, N_SEX };
    rc |= write_stacked(g, "state_counts", res, reps, offsetof(run_results, state_counts),
                        (months + 1) * N_STATE * N_REGION * N_SEX, 5, d5, "simulated people");
    hsize_t b5[5] = { reps, months + 1, N_BENEFIT, N_DIAG, N_SEX };
    rc |= write_stacked(g, "benefit_counts", res, reps, offsetof(run_results, benefit_counts),
                        (months + 1) * N_BENEFIT * N_DIAG * N_SEX, 5, b5, "simulated people");
    hsize_t p4[4] = { reps, months + 1, 2, N_REGION };
    rc |= write_stacked(g, "programme_counts", res, reps, offsetof(run_results, programme_counts),
                        (months + 1) * 2 * N_REGION, 4, p4, "simulated people");
    size_t fm = months ? months : 1;
    hsize_t f4[4] = { reps, fm, N_FLOW_FROM, N_STATE };
    rc |= write_stacked(g, "flows", res, reps, offsetof(run_results, flows),
                        fm * N_FLOW_FROM * N_STATE, 4, f4, "transitions per month");
    hsize_t e4[4] = { reps, fm, N_DIAG, N_SEX };
    rc |= write_stacked(g, "invalidity_entries", res, reps,
                        offsetof(run_results, invalidity_entries), fm * N_DIAG * N_SEX, 4, e4,
                        "entries into invalidity per month");
    uint64_t *events = malloc(reps * sizeof *events);
    if (events) {
        for (size_t r = 0; r < reps; r++)
            events[r] = res[r].events;
        hsize_t d1 = reps;
        rc |= h5u_write_array(g, "events_run", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &d1, events,
                          "events");
        free(events);
    } else {
        rc = -1;
    }
    rc |= write_summary(g, "summary", &rs->summaries[p], NULL);
    if (rs->differences && p > 0)
        rc |= write_summary(g, "summary_difference", &rs->differences[p],
                            cfg->model.policy[0].name);

    hid_t reps_g = h5u_group(g, "replications");
    /* memory types mirror the structs; file types are packed so that struct
     * padding (whatever bytes it holds) never reaches the file */
    hid_t ptype = person_type(), etype = event_type();
    hid_t pfile = H5Tcopy(ptype), efile = H5Tcopy(etype);
    H5Tpack(pfile);
    H5Tpack(efile);
    for (size_t r = 0; r < reps && rc == 0 && reps_g >= 0; r++) {
        char name[32];
        snprintf(name, sizeof name, "%zu", r);
        hid_t rg = h5u_group(reps_g, name);
        if (rg < 0) {
            rc = -1;
            break;
        }
        hsize_t n = res[r].npeople;
        rc |= h5u_write_array(rg, "people", pfile, ptype, 1, &n, res[r].people, NULL);
        if (cfg->model.event_log) {
            hsize_t ne = res[r].nlog;
            rc |= h5u_write_array(rg, "event_log", efile, etype, 1, &ne, res[r].log, NULL);
        }
        rc |= h5u_attr_u64(rg, "replication", r);
        H5Gclose(rg);
    }
    H5Tclose(ptype);
    H5Tclose(etype);
    H5Tclose(pfile);
    H5Tclose(efile);
    if (reps_g >= 0)
        H5Gclose(reps_g);
    else
        rc = -1;
    H5Gclose(g);
    return rc;
}

/* The root attributes of a config's run (program, version and creation time
 * come with the file, see h5u_file_create), and the resolved config. */
static int write_header(hid_t f, const ipsim_config *cfg)
{
    int rc = h5u_attr_u64(f, "master_seed", cfg->seed);
    rc |= h5u_attr_string(f, "config_source", cfg->source);
    rc |= h5u_attr_string(f, "config_overrides", cfg->overrides ? cfg->overrides : "");
    rc |= h5u_attr_string(f, "description", cfg->description);
    rc |= h5u_attr_string(f, "time_unit", "days");
    rc |= h5u_attr_double(f, "month_length_days", DAYS_PER_MONTH);
    rc |= h5u_write_text(f, "config", cfg->resolved_json,
                     "JSON: the resolved config (defaults merged with the input)");
    return rc;
}

static hid_t create_file(const h5out_target *t, char *err, size_t errlen)
{
    hid_t f = h5u_file_create(t->tmp_path);
    if (f < 0)
        snprintf(err, errlen, "%s: cannot create HDF5 file", t->tmp_path);
    return f;
}

int h5out_write_uncertainty(hid_t loc, const unc_plan *plan)
{
    const unc_section *u = plan->u;
    const char *names[UNC_MAX_PARAMS], *dists[UNC_MAX_PARAMS], *paths[UNC_MAX_PARAMS];
    char joined[UNC_MAX_PARAMS][UNC_MAX_TIED * (UNC_PATH_LEN + 2)];
    for (size_t i = 0; i < u->nparams; i++) {
        const unc_param *x = &u->param[i];
        names[i] = x->name;
        dists[i] = x->distribution;
        size_t n = 0;
        joined[i][0] = 0;
        for (size_t k = 0; k < x->npaths; k++)
            n += (size_t)snprintf(joined[i] + n, sizeof joined[i] - n, "%s%s", k ? ", " : "",
                                  x->path[k]);
        paths[i] = joined[i];
    }
    hid_t g = h5u_group(loc, "uncertainty");
    if (g < 0)
        return -1;
    hsize_t dims[2] = { plan->reps, u->nparams };
    int rc = h5u_write_doubles(g, "values", 2, dims, plan->values, NULL);
    rc |= h5u_attr_labels(g, "parameters", names, u->nparams);
    rc |= h5u_attr_labels(g, "distributions", dists, u->nparams);
    rc |= h5u_attr_labels(g, "paths", paths, u->nparams);
    rc |= h5u_attr_string(g, "meaning", "the value of each parameter in each replication, "
                                        "written at its paths of the config for every policy "
                                        "of that replication");
    H5Gclose(g);
    return rc ? -1 : 0;
}

/* /uncertainty/rank_correlation: summary_sensitivity's table. */
static int write_rank_correlation(hid_t f, const h5out_runset *rs)
{
    hid_t g = H5Gopen2(f, "uncertainty", H5P_DEFAULT);
    if (g < 0)
        return -1;
    const model_params *mp = &rs->cfg->model;
    hsize_t dims[2] = { rs->uncertainty->u->nparams, mp->npolicies };
    const char *names[MAX_POLICIES];
    for (size_t p = 0; p < mp->npolicies; p++)
        names[p] = mp->policy[p].name;
    char what[256];
    snprintf(what, sizeof what, "Spearman rank correlation across replications of each drawn "
                                "parameter with each policy's difference from %s in the share "
                                "of the cohort ever employed by month %d; NaN for %s itself",
             mp->policy[0].name, rs->rank_corr_month, mp->policy[0].name);
    int rc = h5u_write_doubles(g, "rank_correlation", 2, dims, rs->rank_corr, NULL);
    hid_t d = rc == 0 ? H5Dopen2(g, "rank_correlation", H5P_DEFAULT) : -1;
    if (d >= 0) {
        rc |= h5u_attr_labels(d, "policies", names, mp->npolicies);
        rc |= h5u_attr_string(d, "description", what);
        rc |= h5u_attr_double(d, "month", rs->rank_corr_month);
        H5Dclose(d);
    } else {
        rc = -1;
    }
    H5Gclose(g);
    return rc ? -1 : 0;
}

int h5out_write_runset(const h5out_target *t, const h5out_runset *rs, char *err, size_t errlen)
{
    const ipsim_config *cfg = rs->cfg;
    hid_t f = create_file(t, err, errlen);
    if (f < 0)
        return -1;
    const model_params *mp = &cfg->model;
    h5u_set_threads(rs->threads);
    int rc = write_header(f, cfg);
    rc |= h5u_attr_u64(f, "replications", rs->reps);
    rc |= h5u_attr_u64(f, "threads", (uint64_t)rs->threads);
    rc |= h5u_attr_double(f, "wall_seconds", rs->wall_seconds);
    rc |= h5u_attr_double(f, "start_year", mp->start_year);
    rc |= h5u_attr_double(f, "horizon_days", mp->horizon_days);
    rc |= h5u_attr_double(f, "scale", mp->scale);
    rc |= h5u_attr_string(f, "count_units", "simulated people; divide by scale for national figures");

    hid_t dims = h5u_group(f, "dimensions");
    if (dims >= 0) {
        rc |= h5u_attr_labels(dims, "state", state_names, N_STATE);
        rc |= h5u_attr_labels(dims, "flow_from", flow_from_names, N_FLOW_FROM);
        rc |= h5u_attr_labels(dims, "region", region_names, N_REGION);
        rc |= h5u_attr_labels(dims, "sex", sex_names, N_SEX);
        rc |= h5u_attr_labels(dims, "diagnosis", diag_names, N_DIAG);
        static const char *const sev[N_SEV] = { "mild", "moderate", "severe", "none" };
        static const char *const edu[N_EDU] = { "low", "medium", "high" };
        rc |= h5u_attr_labels(dims, "severity", sev, N_SEV);
        rc |= h5u_attr_labels(dims, "education", edu, N_EDU);
        rc |= h5u_attr_labels(dims, "benefit", benefit_names, N_BENEFIT);
        rc |= h5u_attr_labels(dims, "programme", prog_names, 2);
        H5Gclose(dims);
    } else {
        rc = -1;
    }
    hid_t pols = h5u_group(f, "policies");
    if (pols < 0)
        rc = -1;
    for (size_t p = 0; p < rs->npolicies && rc == 0; p++)
        rc |= write_policy(pols, rs, p);
    if (pols >= 0)
        H5Gclose(pols);
    if (rc == 0 && rs->uncertainty)
        rc = h5out_write_uncertainty(f, rs->uncertainty);
    if (rc == 0 && rs->uncertainty && rs->rank_corr)
        rc = write_rank_correlation(f, rs);
    if (H5Fclose(f) < 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, errlen, "%s: writing the HDF5 file failed (disk full?)", t->final_path);
    return rc ? -1 : 0;
}

/* ---- building blocks for other writers ------------------------------------ */

hid_t h5out_create(const h5out_target *t, char *err, size_t errlen)
{
    return create_file(t, err, errlen);
}

int h5out_write_header(hid_t file, const ipsim_config *cfg) { return write_header(file, cfg); }
