/* A TLS 1.2 client that renegotiates by RESUMING its session (an abbreviated
 * handshake inside the connection: SSL_renegotiate_abbreviated), which
 * openssl s_client cannot do: its R command always starts a new session.
 * For issue 26 (a resumed renegotiation takes the resumed session's keys).
 *
 *   openssl-resuming-renegotiation PORT CIPHER KEYLOG
 *
 * Connects to 127.0.0.1:PORT (s_server -client_renegotiation), sends one line,
 * reads the answer, renegotiates resuming, sends and reads a second line.
 * Writes its key log (SSLKEYLOGFILE format) to KEYLOG. Prints "RESUMED 1"
 * when the renegotiation resumed. Exit 0 on success.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static FILE *keylog;

static void log_key(const SSL *ssl, const char *line) {
    (void)ssl;
    fprintf(keylog, "%s\n", line);
    fflush(keylog);
}

static int fail(const char *what) {
    fprintf(stderr, "%s failed\n", what);
    ERR_print_errors_fp(stderr);
    return 1;
}

static int exchange(SSL *ssl, const char *line) {
    char buffer[256];
    if (SSL_write(ssl, line, (int)strlen(line)) <= 0) return fail("SSL_write");
    int n = SSL_read(ssl, buffer, sizeof buffer - 1);
    if (n <= 0) return fail("SSL_read");
    buffer[n] = 0;
    printf("READ %s", buffer);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s PORT CIPHER KEYLOG\n", argv[0]); return 2; }
    keylog = fopen(argv[3], "a");
    if (!keylog) return fail("fopen");
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    if (!SSL_CTX_set_cipher_list(ctx, argv[2])) return fail("cipher list");
    SSL_CTX_set_keylog_callback(ctx, log_key);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) return fail("connect");
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "server.test");
    if (SSL_connect(ssl) != 1) return fail("SSL_connect");
    if (exchange(ssl, "GET /first\n")) return 1;
    if (!SSL_renegotiate_abbreviated(ssl)) return fail("SSL_renegotiate_abbreviated");
    if (SSL_do_handshake(ssl) != 1) return fail("renegotiation");
    printf("RESUMED %d\n", SSL_session_reused(ssl));
    if (exchange(ssl, "GET /after-renegotiation\n")) return 1;
    SSL_shutdown(ssl);
    close(fd);
    return 0;
}
