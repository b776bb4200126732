#ifndef TLSDUMP_CBROTLI_SHIM_H
#define TLSDUMP_CBROTLI_SHIM_H
#include <brotli/decode.h>
#endif
