/* The shipped configs: each one validates, and the fidelity sweep
 * (configs/ips_fidelity.json) gives the dose-response docs/model.md shows:
 * IPS's paired gain over train-then-place grows with the IPS-25 score. */
#include <dirent.h>
#include <math.h>
#include <criterion/criterion.h>
#include <cjson/cJSON.h>

#include "tests/test_util.h"

Test(scenarios, every_shipped_config_validates)
{
    const char *dirs[] = { "configs", "configs/calibration", "configs/targets" };
    size_t checked = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", IPSIM_SOURCE_DIR, dirs[d]);
        DIR *dd = opendir(dir);
        cr_assert_not_null(dd, "%s", dir);
        for (struct dirent *e; (e = readdir(dd));) {
            size_t n = strlen(e->d_name);
            if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
                continue;
            char args[1024], out[8192], err[8192];
            snprintf(args, sizeof args, "validate %s/%s", dir, e->d_name);
            cr_expect_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 0, "%s: %s",
                         e->d_name, err);
            checked++;
        }
        closedir(dd);
    }
    cr_expect_geq(checked, 10);
}

/* Mean paired difference from the first policy in "ever employed by month
 * 60" of policy i of a run --json summary. */
static double gain_by_60(const cJSON *summary, int i)
{
    const cJSON *pol = cJSON_GetArrayItem(cJSON_GetObjectItem(summary, "policies"), i);
    const cJSON *ever = cJSON_GetObjectItem(cJSON_GetObjectItem(pol, "difference"),
                                            "ever_employed");
    for (const cJSON *w = ever ? ever->child : NULL; w; w = w->next)
        if (cJSON_GetObjectItem(w, "month")->valuedouble == 60)
            return cJSON_GetObjectItem(w, "mean")->valuedouble;
    cr_assert_fail("no month 60 for policy %d", i);
    return 0;
}

Test(scenarios, fidelity_sweep_gain_grows_with_the_score)
{
    char dir[64], args[1024], err[8192];
    static char out[262144];
    cr_assert_not_null(tu_tmpdir(dir));
    snprintf(args, sizeof args,
             "run %s/configs/ips_fidelity.json --reps 4 --set run.scale=0.01 --json --quiet "
             "-o %s/f.h5", IPSIM_SOURCE_DIR, dir);
    cr_assert_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 0, "%s", err);
    cJSON *summary = cJSON_Parse(out);
    cr_assert_not_null(summary);
    const cJSON *pols = cJSON_GetObjectItem(summary, "policies");
    cr_assert_eq(cJSON_GetArraySize(pols), 7);
    cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(pols, 0), "name")->valuestring,
                     "train_then_place");
    /* policies 1..6: scores 125, 115, 100, 85, 74, 60 */
    double prev = INFINITY;
    for (int i = 1; i <= 6; i++) {
        double g = gain_by_60(summary, i);
        cr_expect_leq(g, prev + 1e-12, "policy %d gains %g, more than the higher score's %g", i,
                      g, prev);
        prev = g;
    }
    cr_expect_gt(gain_by_60(summary, 1), gain_by_60(summary, 6) + 0.005,
                 "top fidelity %g, not IPS %g", gain_by_60(summary, 1), gain_by_60(summary, 6));
    cJSON_Delete(summary);
    char f[128];
    snprintf(f, sizeof f, "%s/f.h5", dir);
    unlink(f);
    rmdir(dir);
}
