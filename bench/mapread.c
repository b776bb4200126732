/*
 * mapread: the floor for reading a capture in place, as tlsdump reads a
 * plain pcap: the file mapped (sequential advice), every record header walked
 * where it lies, one byte of each packet touched, pages dropped behind the
 * walk. No read(2), no copy.
 *
 *     cc -O2 mapread.c -o mapread && ./mapread FILE.pcap
 *
 * Prints "packets bytes checksum" (as rawread). Classic pcap only (both byte
 * orders); exit status 1 on usage/open errors or another format.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t u32(const unsigned char *p, int swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
        return 1;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 24) {
        fprintf(stderr, "mapread: cannot open %s\n", argv[1]);
        return 1;
    }
    size_t size = (size_t)st.st_size;
    const unsigned char *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (base == MAP_FAILED) {
        fprintf(stderr, "mapread: cannot map %s\n", argv[1]);
        return 1;
    }
    madvise((void *)base, size, MADV_SEQUENTIAL);
    uint32_t magic;
    memcpy(&magic, base, 4);
    int swapped;
    if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) swapped = 0;
    else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) swapped = 1;
    else { fprintf(stderr, "mapread: %s is not a classic pcap\n", argv[1]); return 1; }
    size_t offset = 24, released = 0, step = 8u << 20;
    unsigned long long packets = 0, bytes = 0, checksum = 0;
    while (offset + 16 <= size) {
        uint32_t caplen = u32(base + offset + 8, swapped);
        if (caplen > size - offset - 16) break;
        if (caplen) checksum += base[offset + 16 + caplen - 1];
        packets++;
        bytes += caplen;
        offset += 16 + caplen;
        if (offset - released >= 2 * step) {
            size_t end = (offset - step) & ~(size_t)4095;
            madvise((void *)(base + released), end - released, MADV_DONTNEED);
            released = end;
        }
    }
    printf("%llu %llu %llu\n", packets, bytes, checksum);
    return 0;
}
