import Shared

SQSReceive.runAsTool()
