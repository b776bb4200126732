#define _GNU_SOURCE
#include "mapped_file.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { SLOTS = 256 };

struct slot {
    _Atomic uintptr_t base;   // 0: free
    _Atomic size_t length;
    _Atomic int cut;
};

static struct slot slots[SLOTS];
static struct sigaction previous;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int installed;

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t base = atomic_load_explicit(&slots[i].base, memory_order_acquire);
        if (base == 0) continue;
        size_t length = atomic_load_explicit(&slots[i].length, memory_order_relaxed);
        if (address < base || address - base >= length) continue;
        long page = sysconf(_SC_PAGESIZE);
        if (page <= 0) page = 4096;
        uintptr_t start = address & ~((uintptr_t)page - 1);
        // mmap is a plain system call: safe here in practice (not on POSIX's list).
        void *zero = mmap((void *)start, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (zero == MAP_FAILED) break;
        atomic_store_explicit(&slots[i].cut, 1, memory_order_release);
        return;
    }
    // Not ours: whoever handled SIGBUS before us (a sanitizer), else the default action.
    if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction) {
        previous.sa_sigaction(sig, info, context);
        return;
    }
    if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler) {
        previous.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);   // the faulting access runs again and ends the process as before
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    installed = sigaction(SIGBUS, &action, &previous) == 0;
}

const void *tlsdump_map_file(int descriptor, size_t length) {
    void *base = mmap(NULL, length, PROT_READ, MAP_PRIVATE, descriptor, 0);
    return base == MAP_FAILED ? NULL : base;
}

void tlsdump_unmap_file(const void *base, size_t length) {
    if (base) munmap((void *)base, length);
}

int tlsdump_guard_register(const void *base, size_t length) {
    pthread_once(&once, install);
    if (!installed || !base || length == 0) return -1;
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t expected = 0;
        // Reserved as 1 (no real mapping starts there) while its length is set.
        if (atomic_compare_exchange_strong(&slots[i].base, &expected, (uintptr_t)1)) {
            atomic_store_explicit(&slots[i].length, 0, memory_order_relaxed);
            atomic_store_explicit(&slots[i].cut, 0, memory_order_relaxed);
            atomic_store_explicit(&slots[i].length, length, memory_order_relaxed);
            atomic_store_explicit(&slots[i].base, (uintptr_t)base, memory_order_release);
            return i;
        }
    }
    return -1;
}

void tlsdump_guard_unregister(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    atomic_store_explicit(&slots[slot].base, 0, memory_order_release);
}

int tlsdump_guard_cut(int slot) {
    if (slot < 0 || slot >= SLOTS) return 0;
    return atomic_load_explicit(&slots[slot].cut, memory_order_acquire);
}

void tlsdump_map_release(const void *base, size_t offset, size_t length) {
    long page = sysconf(_SC_PAGESIZE);
    if (!base || page <= 0 || length == 0) return;
    uintptr_t start = ((uintptr_t)base + offset + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)base + offset + length) & ~((uintptr_t)page - 1);
    if (end > start) madvise((void *)start, end - start, MADV_DONTNEED);
}

void tlsdump_map_sequential(const void *base, size_t length) {
    if (base && length) madvise((void *)base, length, MADV_SEQUENTIAL);
}
