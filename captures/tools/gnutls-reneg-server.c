/*
 * A one-connection GnuTLS server that behaves like the IIS of the tlsdump story:
 * plain handshake (no CertificateRequest), wait for an HTTP request, then send
 * HelloRequest and require a client certificate in the renegotiation, answer
 * the request, and close with close_notify after the client's.
 *
 *   gnutls-reneg-server PORT CERT KEY CAFILE PRIORITY [OPTION...]
 *
 * Options (for the renegotiation matrix, Tests/PipelineTests/RenegotiationMatrixTests.swift):
 *   --no-certreq              renegotiate without a CertificateRequest
 *   --reneg-cert CERT KEY     present this certificate instead in the renegotiation
 *                             (a client that checks it, e.g. against the server
 *                             name, rejects it with a fatal alert after its ClientHello)
 *   --client-reneg accept|refuse
 *                             do not renegotiate: wait for the client to (its
 *                             ClientHello after the request) and accept it (a full
 *                             handshake) or refuse it with a warning no_renegotiation
 *   --refuse-fatal            with --client-reneg refuse: a fatal handshake_failure
 *                             instead of the warning
 *
 * Exists because OpenSSL 3 cannot do RC4 any more and gnutls-serv has no way
 * to start a renegotiation. Prints one line per step on stdout (unbuffered)
 * so generate.sh and scenario.sh can follow it: LISTENING, HANDSHAKE <suite>,
 * REQUEST, REHANDSHAKE <result> (or CLIENT-RENEG <result>), RESPONSE, CLOSED.
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

static gnutls_certificate_credentials_t load_credentials(const char *cert, const char *key, const char *ca)
{
    gnutls_certificate_credentials_t cred;
    check("cred", gnutls_certificate_allocate_credentials(&cred));
    check("key", gnutls_certificate_set_x509_key_file(cred, cert, key, GNUTLS_X509_FMT_PEM));
    check("ca", gnutls_certificate_set_x509_trust_file(cred, ca, GNUTLS_X509_FMT_PEM));
    return cred;
}

static void report_rehandshake(gnutls_session_t session, const char *label, int ret)
{
    if (ret < 0) {
        const char *alert = "none";
        if (ret == GNUTLS_E_WARNING_ALERT_RECEIVED || ret == GNUTLS_E_FATAL_ALERT_RECEIVED)
            alert = gnutls_alert_get_name(gnutls_alert_get(session));
        printf("%s failed: %s (alert %s)\n", label, gnutls_strerror(ret), alert ? alert : "unknown");
    } else {
        unsigned int n = 0;
        const gnutls_datum_t *peer = gnutls_certificate_get_peers(session, &n);
        printf("%s ok, client certificates: %u\n", label, peer ? n : 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s PORT CERT KEY CAFILE PRIORITY [--no-certreq] [--reneg-cert CERT KEY]"
                        " [--client-reneg accept|refuse] [--refuse-fatal]\n", argv[0]);
        return 2;
    }
    int request_certificate = 1, refuse_fatal = 0;
    const char *reneg_cert = NULL, *reneg_key = NULL, *client_reneg = NULL;
    for (int i = 6; i < argc; i++) {
        if (strcmp(argv[i], "--no-certreq") == 0) {
            request_certificate = 0;
        } else if (strcmp(argv[i], "--reneg-cert") == 0 && i + 2 < argc) {
            reneg_cert = argv[++i];
            reneg_key = argv[++i];
        } else if (strcmp(argv[i], "--client-reneg") == 0 && i + 1 < argc &&
                   (strcmp(argv[i + 1], "accept") == 0 || strcmp(argv[i + 1], "refuse") == 0)) {
            client_reneg = argv[++i];
        } else if (strcmp(argv[i], "--refuse-fatal") == 0) {
            refuse_fatal = 1;
        } else {
            fprintf(stderr, "%s: unknown or incomplete option %s\n", argv[0], argv[i]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    check("global_init", gnutls_global_init());

    gnutls_certificate_credentials_t cred = load_credentials(argv[2], argv[3], argv[4]);
    gnutls_certificate_credentials_t reneg_cred = reneg_cert ? load_credentials(reneg_cert, reneg_key, argv[4]) : NULL;

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

    if (client_reneg) {
        /* The client's ClientHello arrives as GNUTLS_E_REHANDSHAKE. */
        ssize_t n;
        do {
            n = gnutls_record_recv(session, buf, sizeof buf);
        } while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
        if (n != GNUTLS_E_REHANDSHAKE)
            die("waiting for the client's renegotiation", n < 0 ? (int)n : 0);
        if (strcmp(client_reneg, "accept") == 0) {
            report_rehandshake(session, "CLIENT-RENEG", handshake(session));
        } else if (refuse_fatal) {
            gnutls_alert_send(session, GNUTLS_AL_FATAL, GNUTLS_A_HANDSHAKE_FAILURE);
            printf("CLIENT-RENEG refused: fatal handshake_failure sent\n");
            printf("CLOSED\n");
            close(fd);
            return 0;
        } else {
            check("refuse", gnutls_alert_send(session, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION));
            printf("CLIENT-RENEG refused: warning no_renegotiation sent\n");
        }
    } else {
        /* Renegotiate, by default requiring a client certificate this time. */
        gnutls_certificate_server_set_request(session, request_certificate ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_IGNORE);
        if (reneg_cred)
            check("credentials", gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, reneg_cred));
        check("rehandshake", gnutls_rehandshake(session));
        report_rehandshake(session, "REHANDSHAKE", handshake(session));
    }

    const char *response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n";
    ssize_t sent = gnutls_record_send(session, response, strlen(response));
    if (sent < 0) {
        /* The peer may already have ended the connection (a failed renegotiation). */
        printf("RESPONSE not sent: %s\n", gnutls_strerror((int)sent));
        printf("CLOSED\n");
        close(fd);
        return 0;
    }
    printf("RESPONSE\n");

    /* Wait for the client's close_notify, then answer it. */
    for (;;) {
        ssize_t n = gnutls_record_recv(session, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0 && gnutls_error_is_fatal((int)n)) {
            printf("CLOSED by error: %s\n", gnutls_strerror((int)n));
            close(fd);
            return 0;
        }
    }
    gnutls_bye(session, GNUTLS_SHUT_WR);
    printf("CLOSED\n");
    close(fd);
    gnutls_deinit(session);
    gnutls_certificate_free_credentials(cred);
    if (reneg_cred)
        gnutls_certificate_free_credentials(reneg_cred);
    gnutls_global_deinit();
    return 0;
}
