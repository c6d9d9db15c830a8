#ifndef SPIKEBAR_CHDF5_SHIM_H
#define SPIKEBAR_CHDF5_SHIM_H
// Debian's libhdf5-dev (apt-get install libhdf5-dev; headers in /usr/include/hdf5/serial, pkg-config
// hdf5-serial). Spikebar vendors no HDF5. The native type ids and H5P_DEFAULT are macros that call
// H5open(); Swift cannot import them, so these inline functions return them.
#include <hdf5.h>

static inline hid_t spikebar_h5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t spikebar_h5_c_s1(void) { return H5T_C_S1; }
static inline hid_t spikebar_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t spikebar_h5s_all(void) { return H5S_ALL; }
static inline hid_t spikebar_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned spikebar_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline size_t spikebar_h5t_variable(void) { return H5T_VARIABLE; }
// Writing (HDF5Writer): file-creation flag and the file types `nir.write` (h5py) stores.
static inline unsigned spikebar_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline hid_t spikebar_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t spikebar_h5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t spikebar_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t spikebar_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t spikebar_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t spikebar_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
// Creation lists of groups and of the file (its root group), for H5Pset_obj_track_times.
static inline hid_t spikebar_h5p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t spikebar_h5p_file_create(void) { return H5P_FILE_CREATE; }
#endif
