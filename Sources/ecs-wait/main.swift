import Shared

ECSWait.runAsTool()
