#ifndef TLSDUMP_CBROTLIENCODER_SHIM_H
#define TLSDUMP_CBROTLIENCODER_SHIM_H
#include <brotli/encode.h>
#endif
