/*
 * A one-connection GnuTLS server that behaves like the IIS of the tlsdump story:
 * plain handshake (no CertificateRequest), wait for an HTTP request, then send
 * HelloRequest and require a client certificate in the renegotiation, answer
 * the request, and close with close_notify after the client's.
 *
 *   gnutls-reneg-server PORT CERT KEY CAFILE PRIORITY
 *
 * Exists because OpenSSL 3 cannot do RC4 any more and gnutls-serv has no way
 * to start a renegotiation. Prints one line per step on stdout (unbuffered)
 * so generate.sh can follow it: LISTENING, HANDSHAKE <suite>, REQUEST,
 * REHANDSHAKE <result>, RESPONSE, CLOSED.
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

static int handshake(gnutls_session_t session)
{
    int ret;
    do {
        ret = gnutls_handshake(session);
    } while (ret < 0 && gnutls_error_is_fatal(ret) == 0 && ret != GNUTLS_E_WARNING_ALERT_RECEIVED);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s PORT CERT KEY CAFILE PRIORITY\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    check("global_init", gnutls_global_init());

    gnutls_certificate_credentials_t cred;
    check("cred", gnutls_certificate_allocate_credentials(&cred));
    check("key", gnutls_certificate_set_x509_key_file(cred, argv[2], argv[3], GNUTLS_X509_FMT_PEM));
    check("ca", gnutls_certificate_set_x509_trust_file(cred, argv[4], GNUTLS_X509_FMT_PEM));

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 1) < 0)
        die("bind/listen", 0);
    printf("LISTENING\n");
    int fd = accept(listener, NULL, NULL);
    if (fd < 0)
        die("accept", 0);
    close(listener);

    gnutls_session_t session;
    check("init", gnutls_init(&session, GNUTLS_SERVER));
    check("priority", gnutls_priority_set_direct(session, argv[5], NULL));
    check("credentials", gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred));
    gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
    gnutls_transport_set_int(session, fd);

    check("handshake", handshake(session));
    char *desc = gnutls_session_get_desc(session);
    printf("HANDSHAKE %s\n", desc);
    gnutls_free(desc);

    /* Read the request up to its blank line. */
    char buf[4096];
    size_t have = 0;
    while (have < sizeof buf - 1) {
        ssize_t n = gnutls_record_recv(session, buf + have, sizeof buf - 1 - have);
        if (n <= 0)
            die("recv request", (int)n);
        have += (size_t)n;
        buf[have] = 0;
        if (strstr(buf, "\r\n\r\n"))
            break;
    }
    printf("REQUEST %.*s\n", (int)strcspn(buf, "\r\n"), buf);

    /* Renegotiate, this time requiring a client certificate. */
    gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
    check("rehandshake", gnutls_rehandshake(session));
    int ret = handshake(session);
    if (ret < 0) {
        printf("REHANDSHAKE failed: %s (alert %s)\n", gnutls_strerror(ret),
               gnutls_alert_get_name(gnutls_alert_get(session)));
    } else {
        unsigned int n = 0;
        const gnutls_datum_t *peer = gnutls_certificate_get_peers(session, &n);
        printf("REHANDSHAKE ok, client certificates: %u\n", peer ? n : 0);
    }

    const char *response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n";
    check("send response", (int)gnutls_record_send(session, response, strlen(response)));
    printf("RESPONSE\n");

    /* Wait for the client's close_notify, then answer it. */
    for (;;) {
        ssize_t n = gnutls_record_recv(session, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0 && gnutls_error_is_fatal((int)n))
            die("recv close", (int)n);
    }
    gnutls_bye(session, GNUTLS_SHUT_WR);
    printf("CLOSED\n");
    close(fd);
    gnutls_deinit(session);
    gnutls_certificate_free_credentials(cred);
    gnutls_global_deinit();
    return 0;
}
