/* h5util: HDF5 helpers for the calibration and projection files; see h5util.h. */
#include "io/h5util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int h5u_attr_string(hid_t loc, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    H5Tset_strpad(type, H5T_STR_NULLTERM);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, type, value) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return rc;
}

int h5u_attr_double(hid_t loc, const char *name, double value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, &value) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    return rc;
}

int h5u_attr_u64(hid_t loc, const char *name, uint64_t value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, H5T_NATIVE_UINT64, &value) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    return rc;
}

int h5u_attr_labels(hid_t loc, const char *name, const char *const *labels, size_t n)
{
    size_t width = 1;
    for (size_t i = 0; i < n; i++)
        if (strlen(labels[i]) + 1 > width)
            width = strlen(labels[i]) + 1;
    char *buf = calloc(n ? n : 1, width);
    if (!buf)
        return -1;
    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * width, labels[i], strlen(labels[i]));
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, width);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    hsize_t dim = n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, type, buf) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    free(buf);
    return rc;
}

hid_t h5u_group(hid_t loc, const char *name)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    return g;
}

hid_t h5u_file_create(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (f < 0)
        return f;
    char created[64];
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    int rc = h5u_attr_string(f, "program", "ipsim");
    rc |= h5u_attr_string(f, "version", IPSIM_VERSION);
    rc |= h5u_attr_string(f, "created", created);
    if (rc != 0) {
        H5Fclose(f);
        return -1;
    }
    return f;
}

hid_t h5u_create_chunked(hid_t loc, const char *name, hid_t type, int rank,
                         const hsize_t *dims)
{
    if (rank < 1 || rank > 8)
        return -1;
    hsize_t chunk[8];
    size_t row = H5Tget_size(type);
    for (int i = rank - 1; i >= 1; i--) {
        chunk[i] = dims[i] ? dims[i] : 1;
        row *= chunk[i];
    }
    hsize_t lead = row ? (1u << 20) / row : 1; /* about 1 MiB per chunk */
    if (lead < 1)
        lead = 1;
    chunk[0] = dims[0] < lead ? (dims[0] ? dims[0] : 1) : lead;
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    H5Pset_obj_track_times(dcpl, 0); /* byte-identical datasets for equal inputs */
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    return d;
}

int h5u_write_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                    const hsize_t *dims, const void *data, const char *units)
{
    hid_t d = h5u_create_chunked(loc, name, file_type, rank, dims);
    if (d < 0)
        return -1;
    int rc = H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0 ? 0 : -1;
    if (rc == 0 && units)
        rc = h5u_attr_string(d, "units", units);
    H5Dclose(d);
    return rc;
}

int h5u_write_doubles(hid_t loc, const char *name, int rank, const hsize_t *dims,
                      const double *data, const char *units)
{
    return h5u_write_array(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, data,
                           units);
}

int h5u_write_text(hid_t loc, const char *name, const char *text, const char *format)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(text) + 1);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    int rc = d >= 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) >= 0 ? 0 : -1;
    if (d >= 0) {
        if (rc == 0 && format)
            rc = h5u_attr_string(d, "format", format);
        H5Dclose(d);
    }
    H5Sclose(space);
    H5Tclose(type);
    return rc;
}
