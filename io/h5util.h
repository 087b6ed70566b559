/* h5util: small HDF5 helpers shared by the calibration and projection
 * writers (string and number attributes, label lists, compressed arrays,
 * JSON text datasets). Every helper returns 0 or -1 (or a negative hid_t);
 * none prints. Files are created with object time tracking off, so equal
 * inputs give byte-identical datasets.
 */
#ifndef IPSIM_H5UTIL_H
#define IPSIM_H5UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <hdf5.h>

/* Creates (truncates) `path` with the root attributes program, version and
 * created (UTC, ISO 8601). Negative on failure; caller closes with H5Fclose. */
hid_t h5u_file_create(const char *path);
hid_t h5u_group(hid_t loc, const char *name);
int h5u_attr_string(hid_t loc, const char *name, const char *value);
int h5u_attr_double(hid_t loc, const char *name, double value);
int h5u_attr_u64(hid_t loc, const char *name, uint64_t value);
/* Attribute holding a list of n strings (dimension labels). */
int h5u_attr_labels(hid_t loc, const char *name, const char *const *labels, size_t n);
/* How many threads compress the chunks of a dataset that has several (1 by
 * default; the run and projection writers set their --threads). The file
 * does not depend on it. Not thread-safe: set it before writing. */
void h5u_set_threads(int threads);

/* Creates a chunked (about 1 MiB a chunk, whole trailing dimensions),
 * shuffled and deflate-compressed dataset of `rank` <= 8 dims, without
 * object times (equal inputs give byte-identical files). Caller closes it. */
hid_t h5u_create_chunked(hid_t loc, const char *name, hid_t type, int rank,
                         const hsize_t *dims);
/* Such a dataset written in one go from `data` (memory type `mem_type`), with
 * a "units" attribute when units is not NULL. */
int h5u_write_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                    const hsize_t *dims, const void *data, const char *units);
/* h5u_write_array for doubles. */
int h5u_write_doubles(hid_t loc, const char *name, int rank, const hsize_t *dims,
                      const double *data, const char *units);
/* Scalar UTF-8 string dataset (JSON text) with a "format" attribute. */
int h5u_write_text(hid_t loc, const char *name, const char *text, const char *format);

#endif
