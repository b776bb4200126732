// Declarations only (see include/CLibFuzzer.h); the definition is in libFuzzer.
