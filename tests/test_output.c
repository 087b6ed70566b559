/* HDF5 output: the layout documented in docs/output.md, byte-identical
 * datasets for the same seed whatever the number of threads, the atomic
 * write (no temporary file left behind), and chunks compressed in parallel
 * against HDF5's own filter pipeline. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <math.h>
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <hdf5.h>

#include "io/h5util.h"
#include "models/params.h"
#include "models/results.h"
#include "tests/test_util.h"

static const char *scenario =
    "{\"run\": {\"years\": 5.5, \"scale\": 0.002, \"replications\": 3, \"seed\": 123}}";

static void run_to(const char *dir, const char *name, const char *extra)
{
    char cfg[256], cmd[1024], out[16384], err[8192];
    snprintf(cfg, sizeof cfg, "%s/scenario.json", dir);
    if (!tu_file_exists(cfg))
        cr_assert_eq(tu_write_file(cfg, scenario), 0);
    snprintf(cmd, sizeof cmd, "run %s -o %s/%s --quiet %s", cfg, dir, name, extra);
    int st = tu_run_ipsim(cmd, out, sizeof out, err, sizeof err);
    cr_assert_eq(st, 0, "ipsim %s failed: %s", cmd, err);
}

static int attr_exists(hid_t loc, const char *name) { return H5Aexists(loc, name) > 0; }

static void expect_dims(hid_t file, const char *path, int rank, const hsize_t *want)
{
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    cr_assert_geq(d, 0, "missing dataset %s", path);
    hid_t s = H5Dget_space(d);
    hsize_t dims[8];
    cr_assert_eq(H5Sget_simple_extent_ndims(s), rank, "%s rank", path);
    H5Sget_simple_extent_dims(s, dims, NULL);
    for (int i = 0; i < rank; i++)
        cr_expect_eq(dims[i], want[i], "%s dim %d: %llu != %llu", path, i,
                     (unsigned long long)dims[i], (unsigned long long)want[i]);
    hid_t dcpl = H5Dget_create_plist(d);
    cr_expect_eq(H5Pget_layout(dcpl), H5D_CHUNKED, "%s is not chunked", path);
    int nf = H5Pget_nfilters(dcpl), deflate = 0;
    for (int i = 0; i < nf; i++) {
        unsigned flags, cd[8];
        size_t ncd = 8;
        if (H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_DEFLATE)
            deflate = 1;
    }
    cr_expect(deflate, "%s is not compressed", path);
    H5Pclose(dcpl);
    H5Sclose(s);
    H5Dclose(d);
}

Test(output, file_is_self_describing_with_documented_layout)
{
    char dir[64], path[256];
    cr_assert_not_null(tu_tmpdir(dir));
    run_to(dir, "a.h5", "--event-log");
    snprintf(path, sizeof path, "%s/a.h5", dir);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    const char *attrs[] = { "program", "version", "created", "master_seed", "replications",
                            "config_source", "time_unit", "month_length_days", "scale",
                            "horizon_days", "start_year" };
    for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++)
        cr_expect(attr_exists(f, attrs[i]), "missing root attribute %s", attrs[i]);
    uint64_t seed = 0;
    hid_t a = H5Aopen(f, "master_seed", H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_UINT64, &seed);
    H5Aclose(a);
    cr_expect_eq(seed, 123);

    /* the resolved config is valid JSON and carries the run settings */
    hid_t d = H5Dopen2(f, "config", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    hid_t t = H5Dget_type(d);
    size_t len = H5Tget_size(t);
    char *text = calloc(len + 1, 1);
    cr_assert_geq(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text), 0);
    cJSON *cfg = cJSON_Parse(text);
    cr_assert_not_null(cfg, "config is not JSON");
    cJSON *run = cJSON_GetObjectItem(cfg, "run");
    cr_expect_float_eq(cJSON_GetObjectItem(run, "scale")->valuedouble, 0.002, 1e-12);
    cr_expect_not_null(cJSON_GetObjectItem(cfg, "transitions"), "defaults not merged in");
    cJSON_Delete(cfg);
    free(text);
    H5Tclose(t);
    H5Dclose(d);

    hid_t dims = H5Gopen2(f, "dimensions", H5P_DEFAULT);
    cr_assert_geq(dims, 0);
    cr_expect(attr_exists(dims, "state") && attr_exists(dims, "region") && attr_exists(dims, "sex"));
    H5Gclose(dims);

    size_t months = (size_t)(5.5 * 12);
    const char *pols[] = { "status_quo", "train_then_place", "ips" };
    for (int p = 0; p < 3; p++) {
        char ds[256];
        hsize_t sc[5] = { 3, months + 1, N_STATE, N_REGION, N_SEX };
        snprintf(ds, sizeof ds, "/policies/%s/state_counts", pols[p]);
        expect_dims(f, ds, 5, sc);
        hsize_t fl[4] = { 3, months, N_FLOW_FROM, N_STATE };
        snprintf(ds, sizeof ds, "/policies/%s/flows", pols[p]);
        expect_dims(f, ds, 4, fl);
        hsize_t bc[5] = { 3, months + 1, N_BENEFIT, N_DIAG, N_SEX };
        snprintf(ds, sizeof ds, "/policies/%s/benefit_counts", pols[p]);
        expect_dims(f, ds, 5, bc);
        for (int r = 0; r < 3; r++) {
            snprintf(ds, sizeof ds, "/policies/%s/replications/%d/people", pols[p], r);
            hid_t pd = H5Dopen2(f, ds, H5P_DEFAULT);
            cr_assert_geq(pd, 0, "missing %s", ds);
            hid_t pt = H5Dget_type(pd);
            cr_expect_eq(H5Tget_class(pt), H5T_COMPOUND);
            const char *fields[] = { "id", "days_employed", "first_job_day", "final_state" };
            for (int k = 0; k < 4; k++)
                cr_expect_geq(H5Tget_member_index(pt, fields[k]), 0, "field %s", fields[k]);
            H5Tclose(pt);
            H5Dclose(pd);
            snprintf(ds, sizeof ds, "/policies/%s/replications/%d/event_log", pols[p], r);
            cr_expect(H5Lexists(f, ds, H5P_DEFAULT) > 0, "missing %s", ds);
        }
        snprintf(ds, sizeof ds, "/policies/%s/summary", pols[p]);
        cr_expect(H5Lexists(f, ds, H5P_DEFAULT) > 0);
        /* [row, {mean, p2_5, p97_5, replications_defined}]: the shares by
         * months 6 and 18 are defined in every replication, and lie in
         * their interval */
        hid_t sd = H5Dopen2(f, ds, H5P_DEFAULT);
        hid_t ss = H5Dget_space(sd);
        hsize_t sdims[2];
        cr_assert_eq(H5Sget_simple_extent_ndims(ss), 2);
        H5Sget_simple_extent_dims(ss, sdims, NULL);
        cr_expect_eq(sdims[1], 4);
        double *sv = malloc(sdims[0] * sdims[1] * sizeof *sv);
        cr_assert_geq(H5Dread(sd, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, sv), 0);
        for (int k = 0; k < 2; k++) {
            cr_expect_eq(sv[k * 4 + 3], 3, "row %d defined in %g replications", k, sv[k * 4 + 3]);
            cr_expect(sv[k * 4 + 1] <= sv[k * 4] && sv[k * 4] <= sv[k * 4 + 2]);
        }
        free(sv);
        H5Sclose(ss);
        H5Dclose(sd);
        /* from the second policy on, the differences from the first */
        snprintf(ds, sizeof ds, "/policies/%s/summary_difference", pols[p]);
        cr_expect_eq(H5Lexists(f, ds, H5P_DEFAULT) > 0, p > 0, "%s", ds);
        if (p > 0) {
            sd = H5Dopen2(f, ds, H5P_DEFAULT);
            cr_expect(attr_exists(sd, "minus") && attr_exists(sd, "rows"), "%s", ds);
            H5Dclose(sd);
        }
    }

    /* counts at month 0 add up to the initial stock of the default scenario
     * (390,765 invalids plus the calibrated primary incapacity) at scale 0.002 */
    ipsim_config def;
    cr_assert_eq(config_load(NULL, &def, stderr), CONFIG_OK);
    int64_t stock = (int64_t)floor(def.model.stock.people * 0.002 + 0.5);
    config_clear(&def);
    int32_t *counts = malloc(3 * (months + 1) * N_STATE * N_REGION * N_SEX * sizeof *counts);
    d = H5Dopen2(f, "/policies/ips/state_counts", H5P_DEFAULT);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, counts), 0);
    H5Dclose(d);
    int64_t total = 0;
    for (size_t i = 0; i < N_STATE * N_REGION * N_SEX; i++)
        total += counts[i];
    cr_expect_eq(total, stock);
    free(counts);
    H5Fclose(f);

    /* nothing but the output file is left in the directory */
    DIR *dd = opendir(dir);
    struct dirent *de;
    while ((de = readdir(dd)))
        cr_expect(de->d_name[0] == '.' || !strcmp(de->d_name, "a.h5")
                      || !strcmp(de->d_name, "scenario.json"),
                  "stray file %s", de->d_name);
    closedir(dd);
}

/* Compares every dataset of file b with the same path in file a, byte for byte. */
typedef struct cmp_ctx {
    hid_t other;
    size_t datasets;
    char first_diff[256];
} cmp_ctx;

static herr_t compare_one(hid_t obj, const char *name, const H5O_info_t *info, void *arg)
{
    cmp_ctx *c = arg;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t da = H5Dopen2(obj, name, H5P_DEFAULT), db = H5Dopen2(c->other, name, H5P_DEFAULT);
    if (db < 0) {
        snprintf(c->first_diff, sizeof c->first_diff, "%s missing", name);
        H5Dclose(da);
        return 1;
    }
    hid_t ta = H5Dget_type(da);
    hid_t sa = H5Dget_space(da), sb = H5Dget_space(db);
    hssize_t na = H5Sget_simple_extent_npoints(sa), nb = H5Sget_simple_extent_npoints(sb);
    size_t bytes = (size_t)na * H5Tget_size(ta);
    int differ = na != nb;
    if (!differ && bytes) {
        char *ba = malloc(bytes), *bb = malloc(bytes);
        H5Dread(da, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, ba);
        H5Dread(db, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, bb);
        differ = memcmp(ba, bb, bytes) != 0;
        free(ba);
        free(bb);
    }
    if (differ && !c->first_diff[0])
        snprintf(c->first_diff, sizeof c->first_diff, "%s differs", name);
    c->datasets++;
    H5Sclose(sa);
    H5Sclose(sb);
    H5Tclose(ta);
    H5Dclose(da);
    H5Dclose(db);
    return differ ? 1 : 0;
}

static void expect_identical(const char *pa, const char *pb)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fa = H5Fopen(pa, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(pb, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(fa, 0);
    cr_assert_geq(fb, 0);
    cmp_ctx c = { .other = fb };
    H5Ovisit2(fa, H5_INDEX_NAME, H5_ITER_NATIVE, compare_one, &c, H5O_INFO_BASIC);
    cr_expect_eq(c.first_diff[0], 0, "%s vs %s: %s", pa, pb, c.first_diff);
    cr_expect_gt(c.datasets, 20, "only %zu datasets compared", c.datasets);
    H5Fclose(fa);
    H5Fclose(fb);
}

Test(output, same_seed_gives_identical_datasets_with_1_or_2_threads)
{
    char dir[64], a[256], b[256], c[256];
    cr_assert_not_null(tu_tmpdir(dir));
    run_to(dir, "t1.h5", "--threads 1 --event-log");
    run_to(dir, "t2.h5", "--threads 2 --event-log");
    run_to(dir, "t2b.h5", "--threads 2 --event-log");
    snprintf(a, sizeof a, "%s/t1.h5", dir);
    snprintf(b, sizeof b, "%s/t2.h5", dir);
    snprintf(c, sizeof c, "%s/t2b.h5", dir);
    expect_identical(a, b);
    expect_identical(b, c);
}

Test(output, different_seed_gives_different_data)
{
    char dir[64], a[256], b[256];
    cr_assert_not_null(tu_tmpdir(dir));
    run_to(dir, "s1.h5", "");
    run_to(dir, "s2.h5", "--seed 124");
    snprintf(a, sizeof a, "%s/s1.h5", dir);
    snprintf(b, sizeof b, "%s/s2.h5", dir);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
    cmp_ctx ctx = { .other = fb };
    H5Ovisit2(fa, H5_INDEX_NAME, H5_ITER_NATIVE, compare_one, &ctx, H5O_INFO_BASIC);
    cr_expect_neq(ctx.first_diff[0], 0, "a different seed produced identical files");
    H5Fclose(fa);
    H5Fclose(fb);
}

Test(output, rerunning_the_recorded_config_reproduces_a_run_with_overrides)
{
    char dir[64], a[256], b[256], cfg2[256], cmd[1024], out[65536], err[8192];
    cr_assert_not_null(tu_tmpdir(dir));
    /* a seed above 1e15 (cJSON's own printer rounds such numbers) */
    run_to(dir, "o1.h5", "--seed 1234567890123457 --reps 2 --event-log");
    snprintf(a, sizeof a, "%s/o1.h5", dir);
    char *text = tu_h5_text(a, "config");
    cr_assert_not_null(text);
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j);
    cJSON *run = cJSON_GetObjectItem(j, "run");
    cr_expect(strstr(text, "1234567890123457") != NULL, "seed not recorded exactly");
    cr_expect_eq(cJSON_GetObjectItem(run, "replications")->valuedouble, 2);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(run, "event_log")));
    cJSON_Delete(j);
    snprintf(cfg2, sizeof cfg2, "%s/recorded.json", dir);
    cr_assert_eq(tu_write_file(cfg2, text), 0);
    free(text);
    snprintf(b, sizeof b, "%s/o2.h5", dir);
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet --json", cfg2, b);
    cr_assert_eq(tu_run_ipsim(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(out, "\"seed\":\t1234567890123457") != NULL, "JSON seed not exact: %.300s",
              out);
    expect_identical(a, b);
}

Test(output, json_summary_on_stdout)
{
    char dir[64], cfg[256], cmd[512], out[65536], err[4096];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/scenario.json", dir);
    cr_assert_eq(tu_write_file(cfg, scenario), 0);
    snprintf(cmd, sizeof cmd, "run %s -o %s/j.h5 --json", cfg, dir);
    cr_assert_eq(tu_run_ipsim(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j, "stdout is not JSON: %s", out);
    cJSON *pols = cJSON_GetObjectItem(j, "policies");
    cr_assert_eq(cJSON_GetArraySize(pols), 3);
    cJSON *ee = cJSON_GetObjectItem(cJSON_GetArrayItem(pols, 2), "ever_employed");
    cr_assert_eq(cJSON_GetArraySize(ee), 3);
    cJSON *m18 = cJSON_GetArrayItem(ee, 1);
    cr_expect_eq(cJSON_GetObjectItem(m18, "month")->valueint, 18);
    double mean = cJSON_GetObjectItem(m18, "mean")->valuedouble;
    double lo = cJSON_GetObjectItem(m18, "p2_5")->valuedouble;
    double hi = cJSON_GetObjectItem(m18, "p97_5")->valuedouble;
    cr_expect(lo <= mean && mean <= hi && mean > 0 && mean < 1, "%g [%g, %g]", mean, lo, hi);
    /* what was run: the calendar and the (absent) description */
    cr_expect_eq(cJSON_GetObjectItem(j, "start_year")->valuedouble, 2017);
    cr_expect_eq(cJSON_GetObjectItem(j, "years")->valuedouble, 5.5);
    cr_expect(cJSON_IsNull(cJSON_GetObjectItem(j, "description")));
    cJSON_Delete(j);
}

/* The built-in default's description names its own three policies; a
 * config that does not give a description has none (in the summary, the
 * root attribute and /config), rather than the default's. */
Test(output, a_config_without_description_does_not_take_the_defaults)
{
    ipsim_config def, mine, described;
    cr_assert_eq(config_load(NULL, &def, stderr), CONFIG_OK);
    cr_assert(def.description[0], "the built-in default has a description");
    cr_assert_eq(tu_config("{\"policies\": [{\"type\": \"ips\", \"programme\":"
                           " {\"fidelity\": {\"score\": 85}}}]}", &mine), CONFIG_OK);
    cr_expect_str_empty(mine.description);
    cr_expect(strstr(mine.resolved_json, "\"description\"") == NULL, "%.400s",
              mine.resolved_json);
    cr_assert_eq(tu_config("{\"description\": \"IPS at fair fidelity\"}", &described),
                 CONFIG_OK);
    cr_expect_str_eq(described.description, "IPS at fair fidelity");
    cr_expect(strstr(described.resolved_json, "IPS at fair fidelity") != NULL);

    char dir[64], cfg[256], cmd[512], out[16384], err[4096], h5[256];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/scenario.json", dir);
    snprintf(h5, sizeof h5, "%s/d.h5", dir);
    cr_assert_eq(tu_write_file(cfg, scenario), 0);
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet --reps 1", cfg, h5);
    cr_assert_eq(tu_run_ipsim(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(out, def.description) == NULL, "%s", out);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t a = H5Aopen(f, "description", H5P_DEFAULT);
    cr_assert_geq(a, 0);
    hid_t t = H5Aget_type(a);
    cr_expect_leq(H5Tget_size(t), 1, "the description attribute is not empty");
    H5Tclose(t);
    H5Aclose(a);
    H5Fclose(f);
    config_clear(&def);
    config_clear(&mine);
    config_clear(&described);
    unlink(h5);
    unlink(cfg);
    rmdir(dir);
}

/* The thread count reported (summary, --json, the root attribute) is the
 * one used: at most one per run, however many were asked for. */
Test(output, reported_threads_are_at_most_one_per_run)
{
    char dir[64], cfg[256], cmd[512], out[65536], err[4096], h5[256];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(cfg, sizeof cfg, "%s/scenario.json", dir);
    snprintf(h5, sizeof h5, "%s/t.h5", dir);
    cr_assert_eq(tu_write_file(cfg, scenario), 0);
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet --reps 1 --threads 64 --json", cfg, h5);
    cr_assert_eq(tu_run_ipsim(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j, "%s", out);
    cr_expect_eq(cJSON_GetObjectItem(j, "threads")->valueint, 3, "3 runs (3 policies x 1)");
    cJSON_Delete(j);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    uint64_t threads = 0;
    hid_t a = H5Aopen(f, "threads", H5P_DEFAULT);
    cr_assert_geq(a, 0);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_UINT64, &threads), 0);
    cr_expect_eq(threads, 3);
    H5Aclose(a);
    H5Fclose(f);
    unlink(h5);
    unlink(cfg);
    rmdir(dir);
}

Test(output, interrupted_run_leaves_no_file)
{
    char dir[64], out[256];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(out, sizeof out, "%s/big.h5", dir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl(IPSIM_BINARY, "ipsim", "run", "-o", out, "--reps", "40", "--threads", "1", "--quiet",
              (char *)NULL);
        _exit(127);
    }
    /* wait until the temporary file exists, i.e. the run has started */
    int started = 0;
    for (int i = 0; i < 400 && !started; i++) {
        DIR *dd = opendir(dir);
        struct dirent *de;
        while ((de = readdir(dd)))
            if (strstr(de->d_name, ".tmp-"))
                started = 1;
        closedir(dd);
        nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
    }
    cr_assert(started, "the run never created its temporary file");
    kill(pid, SIGINT);
    int st;
    waitpid(pid, &st, 0);
    cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "ipsim did not stop on SIGINT");
    DIR *dd = opendir(dir);
    struct dirent *de;
    while ((de = readdir(dd)))
        cr_expect(de->d_name[0] == '.', "left behind: %s", de->d_name);
    closedir(dd);
    rmdir(dir);
}

/* Without -o the file is CONFIG's base name with .h5 in the current
 * directory, not next to CONFIG, as run --help says. */
Test(output, default_output_goes_to_the_current_directory)
{
    char cfgdir[64], cwd[64], cfg[128], cmd[1024], path[160], help[8192], err[4096];
    cr_assert_not_null(tu_tmpdir(cfgdir));
    cr_assert_not_null(tu_tmpdir(cwd));
    snprintf(cfg, sizeof cfg, "%s/scenario.json", cfgdir);
    cr_assert_eq(tu_write_file(cfg, scenario), 0);
    snprintf(cmd, sizeof cmd, "cd %s && %s run %s --reps 1 --threads 1 --quiet >%s/so 2>%s/se",
             cwd, IPSIM_BINARY, cfg, cwd, cwd);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
    snprintf(path, sizeof path, "%s/scenario.h5", cwd);
    cr_expect(tu_file_exists(path), "no %s", path);
    unlink(path);
    snprintf(path, sizeof path, "%s/scenario.h5", cfgdir);
    cr_expect_not(tu_file_exists(path), "written next to the config");
    const char *rm[] = { "so", "se" };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", cwd, rm[i]);
        unlink(path);
    }
    unlink(cfg);
    rmdir(cfgdir);
    rmdir(cwd);
    cr_expect_eq(tu_run_ipsim("run --help", help, sizeof help, err, sizeof err), 0);
    cr_expect(strstr(help, "written in the current directory") != NULL, "%s", help);
}

/* A record whose memory layout (padded) differs from its packed file type. */
typedef struct rec {
    uint8_t a;
    double b;
    uint16_t c;
} rec;

/* h5u_write_array filters a dataset of several chunks itself (shuffle and
 * deflate on several threads, H5Dwrite_chunk): read back through HDF5 it
 * must equal the data, as a plain H5Dwrite through the filter pipeline does,
 * for a compound type with a partial last chunk and for doubles, and store
 * chunks as small as the pipeline's. */
Test(output, parallel_chunk_compression_matches_the_filter_pipeline)
{
    char dir[64], path[128];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(path, sizeof path, "%s/chunks.h5", dir);
    size_t n = 250001; /* about 2.75 MiB packed: three chunks, the last one partial */
    rec *r = malloc(n * sizeof *r);
    double *x = malloc(3 * n * sizeof *x);
    cr_assert(r && x);
    for (size_t i = 0; i < n; i++) {
        r[i] = (rec){ (uint8_t)(i % 7), (double)i * 0.25, (uint16_t)(i % 1000) };
        for (int k = 0; k < 3; k++)
            x[3 * i + k] = sin((double)(3 * i + k));
    }
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(rec));
    H5Tinsert(mem, "a", HOFFSET(rec, a), H5T_NATIVE_UINT8);
    H5Tinsert(mem, "b", HOFFSET(rec, b), H5T_NATIVE_DOUBLE);
    H5Tinsert(mem, "c", HOFFSET(rec, c), H5T_NATIVE_UINT16);
    hid_t file = H5Tcreate(H5T_COMPOUND, 11);
    H5Tinsert(file, "a", 0, H5T_STD_U8LE);
    H5Tinsert(file, "b", 1, H5T_IEEE_F64LE);
    H5Tinsert(file, "c", 9, H5T_STD_U16LE);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hsize_t d1 = n, d2[2] = { n, 3 };
    h5u_set_threads(3);
    cr_assert_eq(h5u_write_array(f, "rec", file, mem, 1, &d1, r, NULL), 0);
    cr_assert_eq(h5u_write_doubles(f, "x", 2, d2, x, NULL), 0);
    h5u_set_threads(1);
    /* the same through HDF5's own pipeline */
    hid_t p1 = h5u_create_chunked(f, "rec_plain", file, 1, &d1);
    hid_t p2 = h5u_create_chunked(f, "x_plain", H5T_IEEE_F64LE, 2, d2);
    cr_assert_geq(H5Dwrite(p1, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, r), 0);
    cr_assert_geq(H5Dwrite(p2, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x), 0);
    H5Dclose(p1);
    H5Dclose(p2);
    H5Fclose(f);

    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    const char *names[2][2] = { { "rec", "rec_plain" }, { "x", "x_plain" } };
    for (int k = 0; k < 2; k++) {
        hsize_t stored[2];
        for (int v = 0; v < 2; v++) {
            hid_t d = H5Dopen2(f, names[k][v], H5P_DEFAULT);
            cr_assert_geq(d, 0);
            stored[v] = H5Dget_storage_size(d);
            if (k == 0) {
                rec *back = calloc(n, sizeof *back);
                cr_assert_geq(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, back), 0);
                size_t bad = 0;
                for (size_t i = 0; i < n; i++)
                    bad += back[i].a != r[i].a || back[i].b != r[i].b || back[i].c != r[i].c;
                cr_expect_eq(bad, 0, "%s: %zu records differ", names[k][v], bad);
                free(back);
            } else {
                double *back = calloc(3 * n, sizeof *back);
                cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back),
                              0);
                cr_expect_arr_eq(back, x, 3 * n * sizeof *x, "%s differs", names[k][v]);
                free(back);
            }
            H5Dclose(d);
        }
        /* compressed like the pipeline's (the padding of the last chunk may
         * differ) and really compressed */
        cr_expect(stored[0] <= stored[1] + stored[1] / 100, "%s: %llu bytes against %llu",
                  names[k][0], (unsigned long long)stored[0], (unsigned long long)stored[1]);
    }
    H5Fclose(f);
    H5Tclose(mem);
    H5Tclose(file);
    free(r);
    free(x);
    unlink(path);
    rmdir(dir);
}

/* A dataset without elements is written, whatever its shape: rows of zero
 * values each (a trailing dimension of 0) in more rows than one chunk
 * holds, and no rows. */
Test(output, arrays_without_elements_are_written)
{
    char dir[64], path[128];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(path, sizeof path, "%s/empty.h5", dir);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    double none = 2.385;
    hsize_t wide[2] = { 300000, 0 }, tall[3] = { 0, 4, 7 };
    h5u_set_threads(3);
    cr_expect_eq(h5u_write_doubles(f, "no_columns", 2, wide, &none, NULL), 0);
    cr_expect_eq(h5u_write_doubles(f, "no_rows", 3, tall, &none, "days"), 0);
    h5u_set_threads(1);
    H5Fclose(f);

    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    const char *names[2] = { "no_columns", "no_rows" };
    const hsize_t *want[2] = { wide, tall };
    for (int k = 0; k < 2; k++) {
        hid_t d = H5Dopen2(f, names[k], H5P_DEFAULT);
        cr_assert_geq(d, 0, "%s", names[k]);
        hid_t s = H5Dget_space(d);
        hsize_t dims[3] = { 0 };
        int rank = H5Sget_simple_extent_dims(s, dims, NULL);
        cr_expect_eq(rank, k == 0 ? 2 : 3, "%s", names[k]);
        for (int i = 0; i < rank; i++)
            cr_expect_eq(dims[i], want[k][i], "%s: dimension %d", names[k], i);
        H5Sclose(s);
        H5Dclose(d);
    }
    H5Fclose(f);
    unlink(path);
    rmdir(dir);
}
