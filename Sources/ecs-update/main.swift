import Shared

ECSUpdate.runAsTool()
