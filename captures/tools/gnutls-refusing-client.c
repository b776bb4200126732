/*
 * A one-connection GnuTLS client that refuses renegotiation the way BoringSSL,
 * Go's crypto/tls and Botan do by default: a HelloRequest from the server is
 * answered with a warning no_renegotiation alert instead of a ClientHello.
 *
 *   gnutls-refusing-client PORT CAFILE PRIORITY
 *
 * Connects to 127.0.0.1:PORT (SNI and expected name server.test, verified
 * against CAFILE), sends one HTTP request, refuses the server's renegotiation,
 * reads the response and closes with close_notify. The key log is written by
 * GnuTLS itself when SSLKEYLOGFILE is set.
 *
 * Exists because gnutls-cli always performs the renegotiation it is asked for
 * (its no_renegotiation reply is commented out in its source) and Debian's
 * OpenSSL 3 has no RC4 suites, so no stock client can refuse a TLS 1.0
 * RC4-MD5 renegotiation (Tests/PipelineTests/RenegotiationMatrixTests.swift).
 * Prints one line per step on stdout (unbuffered): HANDSHAKE <suite>, REQUEST,
 * REFUSED, RESPONSE, CLOSED.
 */
#include <gnutls/gnutls.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what, int err)
{
    printf("ERROR %s: %s\n", what, err ? gnutls_strerror(err) : "");
    exit(1);
}

static void check(const char *what, int ret)
{
    if (ret < 0)
        die(what, ret);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT CAFILE PRIORITY\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    check("global_init", gnutls_global_init());

    gnutls_certificate_credentials_t cred;
    check("cred", gnutls_certificate_allocate_credentials(&cred));
    check("ca", gnutls_certificate_set_x509_trust_file(cred, argv[2], GNUTLS_X509_FMT_PEM));

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("connect", 0);

    gnutls_session_t session;
    check("init", gnutls_init(&session, GNUTLS_CLIENT));
    check("priority", gnutls_priority_set_direct(session, argv[3], NULL));
    check("credentials", gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred));
    check("sni", gnutls_server_name_set(session, GNUTLS_NAME_DNS, "server.test", strlen("server.test")));
    gnutls_session_set_verify_cert(session, "server.test", 0);
    gnutls_transport_set_int(session, fd);

    int ret;
    do {
        ret = gnutls_handshake(session);
    } while (ret < 0 && gnutls_error_is_fatal(ret) == 0);
    check("handshake", ret);
    char *desc = gnutls_session_get_desc(session);
    printf("HANDSHAKE %s\n", desc);
    gnutls_free(desc);

    const char *request = "GET / HTTP/1.1\r\nHost: server.test\r\n\r\n";
    check("send request", (int)gnutls_record_send(session, request, strlen(request)));
    printf("REQUEST\n");

    /* Read the response; a HelloRequest on the way is refused. */
    char buf[4096];
    size_t have = 0;
    int refused = 0;
    while (have < sizeof buf - 1) {
        ssize_t n = gnutls_record_recv(session, buf + have, sizeof buf - 1 - have);
        if (n == GNUTLS_E_REHANDSHAKE && !refused) {
            check("refuse", gnutls_alert_send(session, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION));
            printf("REFUSED the server's renegotiation: warning no_renegotiation sent\n");
            refused = 1;
            continue;
        }
        if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
            continue;
        if (n <= 0)
            die("recv response", (int)n);
        have += (size_t)n;
        buf[have] = 0;
        if (strstr(buf, "\r\n\r\n") && strstr(buf, "hello\n"))
            break;
    }
    printf("RESPONSE %.*s\n", (int)strcspn(buf, "\r\n"), buf);

    /* close_notify, then the server's. */
    gnutls_bye(session, GNUTLS_SHUT_RDWR);
    printf("CLOSED\n");
    close(fd);
    gnutls_deinit(session);
    gnutls_certificate_free_credentials(cred);
    gnutls_global_deinit();
    return 0;
}
