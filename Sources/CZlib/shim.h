#ifndef TLSDUMP_CZLIB_SHIM_H
#define TLSDUMP_CZLIB_SHIM_H
#include <zlib.h>
#endif
