#include "cargs.h"
#include <stddef.h>
#include <stdlib.h> // defines __GLIBC__ where the C library is glibc

// Swift's runtime on Linux finds CommandLine.arguments by locating the
// initial stack through /proc/self/maps; without /proc it sees no arguments
// at all, and a tool would run with its defaults. glibc calls every
// .init_array entry with (argc, argv, envp) before main, in the executable as
// in shared objects (a documented glibc extension to the ELF ABI), so the
// arguments are taken from there. Elsewhere nothing is captured, and the
// caller falls back to CommandLine.arguments.

static int captured_argc = -1;
static char *const *captured_argv = NULL;

#if defined(__linux__) && defined(__GLIBC__)
static void cshim_capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc >= 0 && argv != NULL) {
        captured_argc = argc;
        captured_argv = argv;
    }
}

__attribute__((section(".init_array"), used))
static void (*const cshim_capture_arguments_entry)(int, char **, char **) = cshim_capture_arguments;
#endif

int cshim_argc(void) { return captured_argc; }
char *const *cshim_argv(void) { return captured_argv; }
