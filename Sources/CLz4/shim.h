#ifndef TLSDUMP_CLZ4_SHIM_H
#define TLSDUMP_CLZ4_SHIM_H
#include <lz4frame.h>
#endif
