#ifndef SPIKEBAR_CZLIB_SHIM_H
#define SPIKEBAR_CZLIB_SHIM_H
// Debian's zlib1g-dev (apt-get install zlib1g-dev): gunzip of the official MNIST files.
#include <zlib.h>
#endif
