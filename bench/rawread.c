/*
 * rawread: the floor for any pcap reader. Reads every packet of a capture
 * with pcap_next_ex and nothing else, so tlsdump's cost can be expressed as a
 * ratio to the cost of just getting the bytes out of libpcap.
 *
 *     cc -O2 rawread.c -lpcap -o rawread && ./rawread FILE [BUFFER_BYTES]
 *
 * With BUFFER_BYTES, the file is opened with fopen and given a stdio buffer
 * of that size (setvbuf) before pcap_fopen_offline, as tlsdump does (1 MiB):
 * libpcap's own open leaves stdio's 4 KiB buffer, one read(2) per 4 KiB.
 *
 * Prints "packets bytes checksum" on stdout. The checksum (a sum over one
 * byte of every packet) and the caplen sum make the loop observable, so the
 * compiler cannot drop it. Exit status: 0 ok, 1 usage/open error, 2 read error.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s FILE.pcap [BUFFER_BYTES]\n", argv[0]);
        return 1;
    }

    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *handle;
    if (argc == 3) {
        long size = atol(argv[2]);
        FILE *file = fopen(argv[1], "rb");
        char *buffer = size > 0 ? malloc((size_t)size) : NULL;
        if (file == NULL || buffer == NULL || setvbuf(file, buffer, _IOFBF, (size_t)size) != 0) {
            fprintf(stderr, "rawread: cannot open %s with a %ld-byte buffer\n", argv[1], size);
            return 1;
        }
        handle = pcap_fopen_offline(file, errbuf);   /* the buffer lives until exit */
    } else {
        handle = pcap_open_offline(argv[1], errbuf);
    }
    if (handle == NULL) {
        fprintf(stderr, "rawread: %s\n", errbuf);
        return 1;
    }

    struct pcap_pkthdr *header;
    const u_char *data;
    uint64_t packets = 0, bytes = 0, checksum = 0;
    int status;
    while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
        packets++;
        bytes += header->caplen;
        if (header->caplen > 0)
            checksum += data[header->caplen - 1];
    }
    if (status == PCAP_ERROR) {
        fprintf(stderr, "rawread: %s\n", pcap_geterr(handle));
        pcap_close(handle);
        return 2;
    }
    pcap_close(handle);

    printf("%llu %llu %llu\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)checksum);
    return 0;
}
