// The git commit the binaries were built from, fixed at compile time so that
// `--version` can name it without a runtime lookup.
#ifndef CVERSION_H
#define CVERSION_H

/// The abbreviated git commit given as -DECS_DEPLOYMENT_COMMIT at build time, or "unknown".
const char *cshim_git_commit(void);

#endif
