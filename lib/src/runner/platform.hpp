// Where the runner depends on the operating system, decided here once.
//
// Supported: FreeBSD 14.3 and 15 (where the product runs) and Linux with
// glibc >= 2.34 (Debian 12, where it is built and tested against the emulated
// host). Each facility names the man page and the release it needs. Older
// systems still build: they lose the facility, not correctness.
//
// A Linux build configured with `-Dfreebsd_code_paths=true` takes FreeBSD's
// branch wherever Linux has the calls too, so that the tests compile and run
// it here (tests/run.sh does so in its clang + libc++ build).
#pragma once

#if defined(__FreeBSD__)
#include <sys/param.h>  // __FreeBSD_version
#endif
#if defined(__linux__)
#include <sys/syscall.h>  // SYS_pidfd_open
#endif

#if defined(IOHYVE_FREEBSD_CODE_PATHS) || defined(__FreeBSD__)
#define IOHYVE_FREEBSD_BRANCH 1
#else
#define IOHYVE_FREEBSD_BRANCH 0
#endif

// posix_spawn_file_actions_addclosefrom_np(3): the child closes every
// descriptor above 2 before exec, including those another thread opened
// without O_CLOEXEC. FreeBSD 14.0; glibc 2.34.
#if (defined(__FreeBSD__) && __FreeBSD_version >= 1400000) || \
    (defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34)))
#define IOHYVE_HAVE_SPAWN_CLOSEFROM 1
#else
#define IOHYVE_HAVE_SPAWN_CLOSEFROM 0
#endif

// close_range(2), for the forked pty child: FreeBSD 12.2; glibc 2.34 (the
// Linux kernel has it from 5.9 and answers ENOSYS before; the caller then
// closes descriptors one by one).
#if (defined(__FreeBSD__) && __FreeBSD_version >= 1202000) || \
    (defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34)))
#define IOHYVE_HAVE_CLOSE_RANGE 1
#else
#define IOHYVE_HAVE_CLOSE_RANGE 0
#endif

// pidfd_open(2): Linux 5.3 only; poll() then wakes when the child exits.
// FreeBSD has process descriptors only for pdfork(2), which posix_spawn
// cannot use: there (IOHYVE_FREEBSD_BRANCH) the wait loop polls waitpid()
// with a short backoff instead (spawn.cpp, wait_for_child).
#if defined(__linux__) && defined(SYS_pidfd_open) && !IOHYVE_FREEBSD_BRANCH
#define IOHYVE_HAVE_PIDFD 1
#else
#define IOHYVE_HAVE_PIDFD 0
#endif
