#ifndef TLSDUMP_MAPPED_FILE_H
#define TLSDUMP_MAPPED_FILE_H
#include <stddef.h>

/// A read-only file mapping that survives the file shrinking under it.
///
/// Reading a mapped page past the end of a file that was cut after mmap raises
/// SIGBUS, which kills the process by default. tlsdump maps capture files to
/// read them in place, and a capture may be cut while it is read (a rotating
/// writer, a user's `truncate`). The guard installs one SIGBUS handler: a
/// fault inside a registered mapping gets an anonymous zero page mapped over
/// the lost one (the read then completes, with zeros) and marks the mapping as
/// cut; the reader checks the mark before it hands a record on and ends the
/// file as truncated. A fault anywhere else goes to the handler installed
/// before (sanitizers', or the default action).

/// Maps `length` bytes of `descriptor` read-only (length > 0); NULL on failure (errno set).
const void *tlsdump_map_file(int descriptor, size_t length);
/// Unmaps a mapping from tlsdump_map_file.
void tlsdump_unmap_file(const void *base, size_t length);
/// Registers a mapping with the guard (installing the handler on first use);
/// returns its slot, or -1 when every slot is taken (then do not map: read another way).
int tlsdump_guard_register(const void *base, size_t length);
void tlsdump_guard_unregister(int slot);
/// Nonzero once a fault was absorbed inside the slot's mapping.
int tlsdump_guard_cut(int slot);
/// Drops the pages of [offset, offset + length) from this process's mapping
/// (they stay in the page cache; a later read faults them in again).
void tlsdump_map_release(const void *base, size_t offset, size_t length);
/// Asks the kernel for aggressive read-ahead over the mapping.
void tlsdump_map_sequential(const void *base, size_t length);

#endif
