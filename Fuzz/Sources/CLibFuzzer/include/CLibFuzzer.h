#ifndef TLSDUMP_CLIBFUZZER_H
#define TLSDUMP_CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, LLVM 11+): parses libFuzzer's flags from
/// argv and fuzzes `callback`. Called from the targets' own `main`, because
/// SwiftPM links an executable's entry point as `main` (`--defsym`).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
