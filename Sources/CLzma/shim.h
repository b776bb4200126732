#ifndef TLSDUMP_CLZMA_SHIM_H
#define TLSDUMP_CLZMA_SHIM_H
#include <lzma.h>
#endif
