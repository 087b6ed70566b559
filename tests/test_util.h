/* test_util: helpers shared by the Criterion tests: running the ipsim
 * binary, temporary directories, and configs from inline JSON text. */
#ifndef IPSIM_TEST_UTIL_H
#define IPSIM_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/config.h"

/* Runs `ipsim ARGS` through the shell with stdout and stderr captured into
 * out/err (NUL-terminated, truncated to size); returns the exit status. */
static inline int tu_run_ipsim(const char *args, char *out, size_t out_size, char *err,
                               size_t err_size)
{
    char dir[] = "/tmp/ipsim-test-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s >%s/out 2>%s/err", IPSIM_BINARY, args, dir, dir);
    int st = system(cmd);
    char path[256];
    const char *names[2] = { "out", "err" };
    char *bufs[2] = { out, err };
    size_t sizes[2] = { out_size, err_size };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (bufs[i] && sizes[i]) {
            FILE *f = fopen(path, "r");
            size_t n = f ? fread(bufs[i], 1, sizes[i] - 1, f) : 0;
            bufs[i][n] = 0;
            if (f)
                fclose(f);
        }
        unlink(path);
    }
    rmdir(dir);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Makes a fresh temporary directory; path written into buf (>= 32 bytes). */
static inline const char *tu_tmpdir(char *buf)
{
    strcpy(buf, "/tmp/ipsim-test-XXXXXX");
    return mkdtemp(buf);
}

static inline int tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static inline int tu_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Loads a config from inline text; aborts the test on error. */
static inline int tu_config(const char *text, ipsim_config *cfg)
{
    return config_load_text("inline.json", text, strlen(text), cfg, stderr);
}

/* A complete projection.benefits section for configs in tests. */
#define TU_BENEFITS                                                                           \
    "\"benefits\": {\"replacement_rates\": {\"dependants\": 0.65, \"living_alone\": 0.55,"  \
    " \"cohabiting\": 0.4}, \"household_shares\": {\"dependants\": 0.35,"                   \
    " \"living_alone\": 0.3, \"cohabiting\": 0.35}, \"primary_rate\": 0.6,"                  \
    " \"part_time_benefit_ratio\": 0.5, \"wage\": {\"median_monthly_eur\": 2000,"            \
    " \"sigma_log\": 0.45, \"cap_monthly_eur\": 4400}}"

#ifdef H5_VERS_MAJOR /* for test files that include <hdf5.h> first */
/* The string dataset `name` (e.g. "config") of HDF5 file `path`, or NULL;
 * caller frees. */
static inline char *tu_h5_text(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return NULL;
    char *text = NULL;
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d >= 0) {
        hid_t t = H5Dget_type(d);
        text = calloc(H5Tget_size(t) + 1, 1);
        if (text && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) < 0) {
            free(text);
            text = NULL;
        }
        H5Tclose(t);
        H5Dclose(d);
    }
    H5Fclose(f);
    return text;
}
#endif

#endif
