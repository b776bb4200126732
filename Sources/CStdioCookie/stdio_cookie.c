#define _GNU_SOURCE
#include <errno.h>
#include "stdio_cookie.h"

FILE *tlsdump_open_cookie_stream(void *cookie, tlsdump_cookie_read_function read,
                                 tlsdump_cookie_close_function close) {
#if defined(__GLIBC__)
    cookie_io_functions_t functions = { .read = read, .write = NULL, .seek = NULL, .close = close };
    return fopencookie(cookie, "r", functions);
#else
    (void)cookie; (void)read; (void)close;
    errno = ENOTSUP;
    return NULL;
#endif
}
