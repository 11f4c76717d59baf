import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// The tools read their command line from the C runtime's argv, not only from CommandLine, which is
/// empty where /proc is not mounted (tests/image/run checks that case in a chroot).
@Suite struct ProcessArgumentsTests {
    @Test func theCapturedArgvIsTheProcessCommandLine() throws {
        let captured = try #require(ProcessArguments.captured)
        #expect(!captured.isEmpty)
        // Here /proc is mounted, so the runtime's view is there to compare with.
        #expect(captured == CommandLine.arguments)
        #expect(ProcessArguments.current == captured)
    }

    @Test func theCapturedArgvWinsOverTheRuntimes() {
        #expect(ProcessArguments.resolve(captured: ["ecs-wait", "--version"], runtime: []) == ["ecs-wait", "--version"])
        #expect(ProcessArguments.resolve(captured: ["ecs-wait", "--version"], runtime: ["other"]) == ["ecs-wait", "--version"])
    }

    @Test func theRuntimesArgumentsWhenNothingWasCaptured() {
        #expect(ProcessArguments.resolve(captured: nil, runtime: ["sqs-receive", "--help"]) == ["sqs-receive", "--help"])
        #expect(ProcessArguments.resolve(captured: [], runtime: ["sqs-receive"]) == ["sqs-receive"])
    }

    @Test func anEmptyCommandLineIsUnreadableNotEmpty() {
        // Every program has its own name as argv[0]: nothing at all means the arguments were not read,
        // and the tool must not go on with its defaults.
        #expect(ProcessArguments.resolve(captured: nil, runtime: []) == nil)
        #expect(ProcessArguments.resolve(captured: [], runtime: []) == nil)
    }

    @Test func unreadableArgumentsAreTheirOwnDocumentedStatus() {
        #expect(ExitStatus.osError.rawValue == 71)
        #expect(ExitStatus.manual.contains("  71  the command line arguments could not be read"))
        #expect(ExitStatus.osError.worse(.usage) == .osError)
    }
}
