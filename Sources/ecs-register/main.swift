import Shared

ECSRegister.runAsTool()
