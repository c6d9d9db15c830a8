#ifndef SPIKEBAR_CZSTD_SHIM_H
#define SPIKEBAR_CZSTD_SHIM_H
// Debian's libzstd-dev (apt-get install libzstd-dev). Spikebar vendors no compressor.
#include <zstd.h>
#include <zstd_errors.h>
#endif
