#ifndef TLSDUMP_CZSTD_SHIM_H
#define TLSDUMP_CZSTD_SHIM_H
#include <zstd.h>
#endif
