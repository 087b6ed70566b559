/* h5proj: writing a projection file; see h5proj.h. */
#include "io/h5proj.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5util.h"

/* values [rep][year][indicator] and summary [year][indicator][mean, p5, p95]
 * of scenario a, or of a - b when b >= 0 */
static int write_block(hid_t g, const proj_result *r, size_t a, long b)
{
    size_t reps = r->reps, ny = r->nyears;
    double *vals = malloc(reps * ny * N_PI * sizeof *vals);
    double *sum = malloc(ny * N_PI * 3 * sizeof *sum);
    int rc = -1;
    if (!vals || !sum)
        goto done;
    for (size_t k = 0; k < reps; k++)
        for (size_t y = 0; y < ny; y++)
            for (int i = 0; i < N_PI; i++) {
                double v = r->values[PROJ_IDX(r, a, k, y, i)];
                if (b >= 0)
                    v -= r->values[PROJ_IDX(r, (size_t)b, k, y, i)];
                vals[(k * ny + y) * N_PI + i] = v;
            }
    for (size_t y = 0; y < ny; y++)
        for (int i = 0; i < N_PI; i++)
            if (projection_band(r, a, b, y, i, &sum[(y * N_PI + i) * 3]) != 0)
                goto done;
    hsize_t d3[3] = { reps, ny, N_PI };
    rc = h5u_write_doubles(g, "values", 3, d3, vals,
                           "national people, shares or EUR (see /projection indicator units)");
    hsize_t s3[3] = { ny, N_PI, 3 };
    rc |= h5u_write_doubles(g, "summary", 3, s3, sum,
                            "mean, 5% and 95% quantiles across replications");
done:
    free(vals);
    free(sum);
    return rc;
}

/* /uncertainty/rank_correlation [parameter, difference, indicator] in the
 * last year (projection_sensitivity). */
static int write_rank_correlation(hid_t f, const proj_config *pc, const proj_result *r,
                                  const unc_plan *plan, const double *rho)
{
    hid_t g = H5Gopen2(f, "uncertainty", H5P_DEFAULT);
    if (g < 0)
        return -1;
    const model_params *mp = &pc->cfg.model;
    char names[PROJ_MAX_DIFFS][PROJ_DIFF_NAME_LEN];
    const char *dn[PROJ_MAX_DIFFS], *ind[N_PI];
    for (size_t d = 0; d < pc->ndiffs; d++) {
        proj_diff_name(names[d], sizeof names[d], mp, pc->diff_a[d], pc->diff_b[d]);
        dn[d] = names[d];
    }
    for (int i = 0; i < N_PI; i++)
        ind[i] = projection_indicator_name(i);
    hsize_t dims[3] = { plan->u->nparams, pc->ndiffs, N_PI };
    int rc = h5u_write_doubles(g, "rank_correlation", 3, dims, rho, NULL);
    hid_t d = rc == 0 ? H5Dopen2(g, "rank_correlation", H5P_DEFAULT) : -1;
    if (d >= 0) {
        rc |= h5u_attr_labels(d, "differences", dn, pc->ndiffs);
        rc |= h5u_attr_labels(d, "indicators", ind, N_PI);
        rc |= h5u_attr_double(d, "year", r->first_year + (double)r->nyears - 1);
        rc |= h5u_attr_string(d, "description",
                              "Spearman rank correlation across replications of each drawn "
                              "parameter with each difference of each indicator in the last "
                              "year; NaN where undefined");
        H5Dclose(d);
    } else {
        rc = -1;
    }
    H5Gclose(g);
    return rc ? -1 : 0;
}

int h5proj_write(const h5out_target *t, const proj_config *pc, const proj_result *r,
                 const unc_plan *uncertainty, const double *rank_corr, uint64_t seed,
                 double wall_seconds, int threads, char *err, size_t errlen)
{
    hid_t f = h5u_file_create(t->tmp_path);
    if (f < 0) {
        snprintf(err, errlen, "%s: cannot create HDF5 file", t->tmp_path);
        return -1;
    }
    const model_params *mp = &pc->cfg.model;
    h5u_set_threads(threads);
    int rc = h5u_attr_string(f, "config_source", pc->cfg.source);
    rc |= h5u_attr_string(f, "config_overrides",
                          pc->cfg.overrides ? pc->cfg.overrides : "");
    rc |= h5u_attr_string(f, "description", pc->cfg.description);
    rc |= h5u_attr_u64(f, "master_seed", seed);
    rc |= h5u_attr_u64(f, "replications", r->reps);
    rc |= h5u_attr_u64(f, "threads", (uint64_t)threads);
    rc |= h5u_attr_double(f, "wall_seconds", wall_seconds);
    rc |= h5u_attr_double(f, "start_year", mp->start_year);
    rc |= h5u_attr_double(f, "horizon_days", mp->horizon_days);
    rc |= h5u_attr_double(f, "scale", mp->scale);
    rc |= h5u_attr_string(f, "count_units", "national people (simulated people / scale)");
    rc |= h5u_write_text(f, "config", pc->cfg.resolved_json,
                         "JSON: the resolved config (defaults merged with the input)");
    hid_t g = h5u_group(f, "projection");
    if (g < 0) {
        H5Fclose(f);
        snprintf(err, errlen, "%s: cannot create the projection group", t->tmp_path);
        return -1;
    }
    const char *names[N_PI], *units[N_PI];
    for (int i = 0; i < N_PI; i++) {
        names[i] = projection_indicator_name(i);
        units[i] = projection_indicator_unit(i);
    }
    rc |= h5u_attr_labels(g, "indicators", names, N_PI);
    rc |= h5u_attr_labels(g, "indicator_units", units, N_PI);
    static const char *const cols[3] = { "mean", "p5", "p95" };
    rc |= h5u_attr_labels(g, "summary_columns", cols, 3);
    rc |= h5u_attr_string(g, "timing", "stocks and states at 31 December of the year; entries "
                                       "and benefit expenditure are totals of the year");
    double *years = malloc(r->nyears * sizeof *years);
    if (years) {
        for (size_t y = 0; y < r->nyears; y++)
            years[y] = r->first_year + (double)y;
        hsize_t ny = r->nyears;
        rc |= h5u_write_doubles(g, "years", 1, &ny, years, "calendar year");
        free(years);
    } else {
        rc = -1;
    }
    rc |= h5u_attr_double(g, "monthly_invalidity_benefit_eur", pc->benefits.monthly_invalidity);
    rc |= h5u_attr_double(g, "monthly_primary_benefit_eur", pc->benefits.monthly_primary);
    rc |= h5u_attr_double(g, "part_time_benefit_ratio", pc->benefits.part_time_ratio);
    rc |= h5u_attr_double(g, "mean_capped_wage_eur", pc->benefits.mean_capped_wage);

    const char **pnames = calloc(mp->npolicies, sizeof *pnames);
    hid_t sg = h5u_group(g, "scenarios");
    for (size_t p = 0; p < mp->npolicies && sg >= 0 && pnames; p++) {
        pnames[p] = mp->policy[p].name;
        hid_t pg = h5u_group(sg, mp->policy[p].name);
        if (pg < 0) {
            rc = -1;
            break;
        }
        rc |= h5u_attr_string(pg, "type", mp->policy[p].kind == POLICY_IPS ? "ips"
                                          : mp->policy[p].kind == POLICY_TTP ? "train_then_place"
                                                                             : "status_quo");
        rc |= write_block(pg, r, p, -1);
        H5Gclose(pg);
    }
    if (pnames)
        rc |= h5u_attr_labels(g, "scenarios", pnames, mp->npolicies);
    else
        rc = -1;
    free(pnames);
    if (sg >= 0)
        H5Gclose(sg);
    else
        rc = -1;
    hid_t dg = h5u_group(g, "differences");
    for (size_t d = 0; d < pc->ndiffs && dg >= 0; d++) {
        char name[PROJ_DIFF_NAME_LEN];
        proj_diff_name(name, sizeof name, mp, pc->diff_a[d], pc->diff_b[d]);
        hid_t pg = h5u_group(dg, name);
        if (pg < 0) {
            rc = -1;
            break;
        }
        rc |= h5u_attr_string(pg, "scenario", mp->policy[pc->diff_a[d]].name);
        rc |= h5u_attr_string(pg, "minus", mp->policy[pc->diff_b[d]].name);
        rc |= h5u_attr_string(pg, "method", "difference within each replication (common "
                                            "random numbers), then its mean and 5%/95% quantiles");
        rc |= write_block(pg, r, pc->diff_a[d], (long)pc->diff_b[d]);
        H5Gclose(pg);
    }
    if (dg >= 0)
        H5Gclose(dg);
    else
        rc = -1;
    H5Gclose(g);
    if (rc == 0 && uncertainty)
        rc = h5out_write_uncertainty(f, uncertainty);
    if (rc == 0 && uncertainty && rank_corr)
        rc = write_rank_correlation(f, pc, r, uncertainty, rank_corr);
    if (H5Fclose(f) < 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, errlen, "%s: writing the HDF5 file failed (disk full?)", t->final_path);
    return rc ? -1 : 0;
}
