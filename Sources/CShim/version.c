#include "cversion.h"

// scripts/build-release passes -Xcc -DECS_DEPLOYMENT_COMMIT=\"abc1234\"; a
// plain `swift build` does not, and the binaries then say so honestly.
#ifndef ECS_DEPLOYMENT_COMMIT
#define ECS_DEPLOYMENT_COMMIT "unknown"
#endif

const char *cshim_git_commit(void) { return ECS_DEPLOYMENT_COMMIT; }
