#ifndef TLSDUMP_STDIO_COOKIE_H
#define TLSDUMP_STDIO_COOKIE_H
#include <stdio.h>
#include <sys/types.h>

/// Reads up to `size` bytes into `buffer`: the count, 0 at the end, -1 (errno set) on failure.
typedef ssize_t (*tlsdump_cookie_read_function)(void *cookie, char *buffer, size_t size);
/// Called once by fclose: 0 on success.
typedef int (*tlsdump_cookie_close_function)(void *cookie);

/// A read-only stdio stream whose bytes come from `read` (glibc fopencookie,
/// which Swift's Glibc module does not expose: it needs _GNU_SOURCE).
/// NULL (errno set) on failure, or where the C library has no such streams.
FILE *tlsdump_open_cookie_stream(void *cookie, tlsdump_cookie_read_function read,
                                 tlsdump_cookie_close_function close);

#endif
