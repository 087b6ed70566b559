/* h5util: HDF5 helpers for the calibration and projection files; see h5util.h. */
#include "io/h5util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "sim/sim_parallel.h"

/* Deflate level of every chunked dataset: 1 is about a fifth faster than 4
 * on the run file for 3.5% more bytes. */
#define H5U_DEFLATE_LEVEL 1

/* Threads that compress the chunks of one dataset (h5u_set_threads). */
static int compress_threads = 1;

void h5u_set_threads(int threads)
{
    compress_threads = threads > 1 ? threads : 1;
}

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
    H5Pset_deflate(dcpl, H5U_DEFLATE_LEVEL);
    H5Pset_obj_track_times(dcpl, 0); /* byte-identical datasets for equal inputs */
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    return d;
}

/* ---- chunks compressed in parallel ----------------------------------------
 * HDF5's own filter pipeline compresses chunk after chunk on one thread, and
 * deflate is most of the time of writing a run file. A dataset of several
 * chunks is therefore filtered here, each chunk on its own thread exactly as
 * the dataset's filters (shuffle, then deflate) would, and the filtered
 * chunks are handed to H5Dwrite_chunk in order. The file is an ordinary
 * shuffled and deflated dataset that any HDF5 reader decompresses. */

typedef struct chunk_job {
    const unsigned char *rows; /* file-type bytes of the whole dataset */
    size_t total_bytes;        /* of the dataset */
    size_t chunk_bytes;        /* of a full chunk (the last one is padded) */
    size_t elem;               /* bytes of one element: the shuffle's unit */
    unsigned char **out;       /* [chunk]: compressed bytes (malloc) */
    size_t *out_len;
} chunk_job;

static int compress_chunk(size_t k, void *arg)
{
    chunk_job *j = arg;
    size_t off = k * j->chunk_bytes;
    size_t have = j->total_bytes - off < j->chunk_bytes ? j->total_bytes - off : j->chunk_bytes;
    size_t n = j->chunk_bytes / j->elem;
    unsigned char *shuffled = calloc(j->chunk_bytes, 1); /* the padding stays zero */
    uLongf cap = compressBound((uLong)j->chunk_bytes);
    unsigned char *z = malloc(cap);
    if (!shuffled || !z) {
        free(shuffled);
        free(z);
        return -1;
    }
    const unsigned char *src = j->rows + off;
    size_t have_elems = have / j->elem;
    for (size_t b = 0; b < j->elem; b++) /* byte b of every element, one after another */
        for (size_t i = 0; i < have_elems; i++)
            shuffled[b * n + i] = src[i * j->elem + b];
    int zr = compress2(z, &cap, shuffled, (uLong)j->chunk_bytes, H5U_DEFLATE_LEVEL);
    free(shuffled);
    if (zr != Z_OK) {
        free(z);
        return -1;
    }
    j->out[k] = z;
    j->out_len[k] = cap;
    return 0;
}

/* Chunks converted and compressed at a time, per thread: the extra memory
 * is about this many chunks (1 MiB each) per thread, whatever the size of
 * the dataset. */
#define CHUNKS_PER_THREAD 4

/* Writes data (memory type mem_type) into the chunked dataset d of file
 * type file_type, whose chunks are blocks of `lead` leading rows of
 * row_elems elements each, a batch of chunks at a time. 0, or -1 (the
 * caller then writes it the usual way). */
static int write_chunks_parallel(hid_t d, hid_t file_type, hid_t mem_type, hsize_t rows,
                                 hsize_t lead, size_t row_elems, const void *data)
{
    size_t fsize = H5Tget_size(file_type), msize = H5Tget_size(mem_type);
    if (fsize == 0 || msize == 0)
        return -1;
    size_t wide = fsize > msize ? fsize : msize;
    size_t nchunks = (size_t)((rows + lead - 1) / lead);
    size_t batch = (size_t)compress_threads * CHUNKS_PER_THREAD;
    if (batch > nchunks)
        batch = nchunks;
    size_t chunk_elems = (size_t)lead * row_elems;
    unsigned char *buf = malloc(batch * chunk_elems * wide);
    void *bkg = calloc(batch * chunk_elems, fsize); /* for compound conversion */
    unsigned char **out = calloc(batch, sizeof *out);
    size_t *out_len = calloc(batch, sizeof *out_len);
    int rc = buf && bkg && out && out_len ? 0 : -1;
    for (size_t first = 0; rc == 0 && first < nchunks; first += batch) {
        size_t count = nchunks - first < batch ? nchunks - first : batch;
        size_t row0 = first * (size_t)lead;
        size_t nrows = (size_t)rows - row0 < count * (size_t)lead ? (size_t)rows - row0
                                                                   : count * (size_t)lead;
        size_t nelem = nrows * row_elems;
        memcpy(buf, (const unsigned char *)data + row0 * row_elems * msize, nelem * msize);
        memset(bkg, 0, nelem * fsize);
        if (H5Tconvert(mem_type, file_type, nelem, buf, bkg, H5P_DEFAULT) < 0) {
            rc = -1;
            break;
        }
        chunk_job j = { buf, nelem * fsize, chunk_elems * fsize, fsize, out, out_len };
        rc = sim_parallel_run(count, compress_threads, compress_chunk, &j, NULL, NULL, 0);
        for (size_t k = 0; rc == 0 && k < count; k++) {
            hsize_t offset[8] = { (hsize_t)(first + k) * lead };
            if (H5Dwrite_chunk(d, H5P_DEFAULT, 0, offset, out_len[k], out[k]) < 0)
                rc = -1;
        }
        for (size_t k = 0; k < count; k++) {
            free(out[k]);
            out[k] = NULL;
        }
    }
    free(buf);
    free(bkg);
    free(out);
    free(out_len);
    return rc;
}

int h5u_write_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                    const hsize_t *dims, const void *data, const char *units)
{
    hid_t d = h5u_create_chunked(loc, name, file_type, rank, dims);
    if (d < 0)
        return -1;
    /* several chunks: filtered in parallel (the chunk is a block of leading
     * rows, see h5u_create_chunked). Not without elements: a trailing
     * dimension of 0 leaves no chunk to write (H5Dwrite_chunk crashes in
     * HDF5 1.10 on one outside the extent) */
    int rc = -1;
    hid_t dcpl = H5Dget_create_plist(d);
    hsize_t chunk[8];
    size_t row_elems = 1;
    for (int i = 1; i < rank; i++)
        row_elems *= (size_t)dims[i];
    if (dcpl >= 0 && row_elems > 0 && H5Pget_chunk(dcpl, rank, chunk) == rank
        && chunk[0] < dims[0])
        rc = write_chunks_parallel(d, file_type, mem_type, dims[0], chunk[0], row_elems, data);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (rc != 0)
        rc = H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0 ? 0 : -1;
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
