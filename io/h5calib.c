/* h5calib: writing the calibration group; see h5calib.h. */
#include "io/h5calib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5util.h"

/* One report row in the file (packed, fixed-length strings). */
typedef struct report_row {
    char name[64];
    char quantity[40];
    int32_t year;
    char sex[8];
    char diagnosis[8];
    double value, weight, simulated_mean, simulated_lo95, simulated_hi95, relative_error;
    double tolerance;
    uint8_t pass;
} report_row;

static hid_t report_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(report_row));
    hid_t s64 = H5Tcopy(H5T_C_S1), s40 = H5Tcopy(H5T_C_S1), s8 = H5Tcopy(H5T_C_S1);
    H5Tset_size(s64, 64);
    H5Tset_size(s40, 40);
    H5Tset_size(s8, 8);
    H5Tinsert(t, "name", HOFFSET(report_row, name), s64);
    H5Tinsert(t, "quantity", HOFFSET(report_row, quantity), s40);
    H5Tinsert(t, "year", HOFFSET(report_row, year), H5T_NATIVE_INT32);
    H5Tinsert(t, "sex", HOFFSET(report_row, sex), s8);
    H5Tinsert(t, "diagnosis", HOFFSET(report_row, diagnosis), s8);
    H5Tinsert(t, "value", HOFFSET(report_row, value), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "weight", HOFFSET(report_row, weight), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "simulated_mean", HOFFSET(report_row, simulated_mean), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "simulated_lo95", HOFFSET(report_row, simulated_lo95), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "simulated_hi95", HOFFSET(report_row, simulated_hi95), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "relative_error", HOFFSET(report_row, relative_error), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "tolerance", HOFFSET(report_row, tolerance), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "pass", HOFFSET(report_row, pass), H5T_NATIVE_UINT8);
    H5Tclose(s64);
    H5Tclose(s40);
    H5Tclose(s8);
    return t;
}

static int write_report(hid_t g, const h5calib_data *d)
{
    const calib_targets *tg = d->targets;
    report_row *rows = calloc(tg->n ? tg->n : 1, sizeof *rows);
    if (!rows)
        return -1;
    static const char *const sex[N_SEX] = { "male", "female" };
    static const char *const diag[N_DIAG] = { "mental", "other" };
    for (size_t i = 0; i < tg->n; i++) {
        const calib_target *t = &tg->target[i];
        const calib_fit_row *r = &d->outcome->rows[i];
        report_row *o = &rows[i];
        snprintf(o->name, sizeof o->name, "%s", t->name);
        snprintf(o->quantity, sizeof o->quantity, "%s", calib_quantity_name(t->quantity));
        o->year = t->year;
        snprintf(o->sex, sizeof o->sex, "%s", t->sex == CALIB_ALL ? "all" : sex[t->sex]);
        snprintf(o->diagnosis, sizeof o->diagnosis, "%s",
                 t->diagnosis == CALIB_ALL ? "all" : diag[t->diagnosis]);
        o->value = t->value;
        o->weight = t->weight;
        o->simulated_mean = r->mean;
        o->simulated_lo95 = r->lo;
        o->simulated_hi95 = r->hi;
        o->relative_error = r->rel_error;
        o->tolerance = t->tolerance;
        o->pass = r->pass;
    }
    hid_t mem = report_type(), file = H5Tcopy(mem);
    H5Tpack(file);
    hsize_t n = tg->n;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t ds = H5Dcreate2(g, "report", file, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    int rc = ds >= 0 && H5Dwrite(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0 ? 0 : -1;
    if (ds >= 0) {
        rc |= h5u_attr_string(ds, "description",
                              "one row per target: published value, simulated mean over the "
                              "replications of the best evaluation with its 95% t interval, "
                              "relative error (mean - value) / value; tolerance is relative "
                              "for counts and absolute (share units) for shares");
        H5Dclose(ds);
    }
    H5Sclose(space);
    H5Tclose(mem);
    H5Tclose(file);
    free(rows);
    return rc;
}

int h5calib_write(const h5out_target *t, const h5calib_data *d, char *err, size_t errlen)
{
    hid_t f = h5u_file_create(t->tmp_path);
    if (f < 0) {
        snprintf(err, errlen, "%s: cannot create HDF5 file", t->tmp_path);
        return -1;
    }
    const calib_spec *s = d->spec;
    const calib_outcome *o = d->outcome;
    size_t np = s->nparams;
    int rc = 0;
    hid_t g = h5u_group(f, "calibration");
    if (g < 0) {
        H5Fclose(f);
        snprintf(err, errlen, "%s: cannot create the calibration group", t->tmp_path);
        return -1;
    }
    rc |= h5u_attr_string(g, "config", s->config_path);
    rc |= h5u_attr_string(g, "targets_file", d->targets->path);
    rc |= h5u_attr_string(g, "method", "Nelder-Mead simplex (GSL nmsimplex2) on logit-"
                                       "transformed bounded parameters, common random numbers");
    rc |= h5u_attr_u64(g, "seed", s->seed);
    rc |= h5u_attr_double(g, "scale", s->scale);
    rc |= h5u_attr_u64(g, "replications", s->replications);
    rc |= h5u_attr_u64(g, "evaluations", o->evaluations);
    rc |= h5u_attr_double(g, "loss", o->loss);
    rc |= h5u_attr_double(g, "wall_seconds", o->seconds);
    rc |= h5u_attr_u64(g, "threads", (uint64_t)o->threads);
    rc |= h5u_attr_string(g, "stopped", o->stop_reason ? o->stop_reason : "");

    const char **names = calloc(np, sizeof *names);
    char (*label)[CALIB_MAX_TIED * 162] = calloc(np, sizeof *label);
    double *cols = calloc(4 * np, sizeof *cols);
    if (!names || !label || !cols) {
        rc = -1;
    } else {
        for (size_t i = 0; i < np; i++) {
            const calib_param *cp = &s->param[i];
            size_t used = 0;
            for (size_t k = 0; k < cp->npaths; k++)
                used += (size_t)snprintf(label[i] + used, sizeof label[i] - used, "%s%s",
                                         k ? "," : "", cp->path[k]);
            names[i] = label[i];
            cols[i] = o->best[i];
            cols[np + i] = cp->start;
            cols[2 * np + i] = cp->lower;
            cols[3 * np + i] = cp->upper;
        }
        hsize_t n1 = np;
        rc |= h5u_write_doubles(g, "best", 1, &n1, cols, NULL);
        rc |= h5u_write_doubles(g, "start", 1, &n1, cols + np, NULL);
        rc |= h5u_write_doubles(g, "lower", 1, &n1, cols + 2 * np, NULL);
        rc |= h5u_write_doubles(g, "upper", 1, &n1, cols + 3 * np, NULL);
        rc |= h5u_attr_labels(g, "parameters", names, np);
        hsize_t ne = d->nevals ? d->nevals : 0;
        if (ne > 0) {
            rc |= h5u_write_doubles(g, "loss_trace", 1, &ne, d->trace_loss, "loss");
            hsize_t d2[2] = { ne, np };
            rc |= h5u_write_doubles(g, "parameter_trace", 2, d2, d->trace_params,
                                    "parameter values, columns as the parameters attribute");
        }
    }
    free(names);
    free(label);
    free(cols);
    rc |= write_report(g, d);
    if (d->report_json)
        rc |= h5u_write_text(g, "report_json", d->report_json, "JSON: the calibration_report");
    if (d->config_text)
        rc |= h5u_write_text(g, "calibrated_config", d->config_text, "JSON: the calibrated config");
    H5Gclose(g);
    if (H5Fclose(f) < 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, errlen, "%s: writing the HDF5 file failed (disk full?)", t->final_path);
    return rc ? -1 : 0;
}
