// The process's command line as the C runtime handed it to the program.
#ifndef CARGS_H
#define CARGS_H

/// argc as captured before main, or -1 where it could not be captured.
int cshim_argc(void);
/// argv as captured before main (argv[argc] is NULL), or NULL where it could not be captured.
char *const *cshim_argv(void);

#endif
