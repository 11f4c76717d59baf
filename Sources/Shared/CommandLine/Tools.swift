import AWSCore
import Deployment

import ArgumentParser

/// A tool: its manual (`configuration`), its flags, and `run(_:)`, which does the work against a
/// `ToolContext`, so that tests run it against fakes. `Sources/<tool>/main.swift` only calls `runAsTool()`.
public protocol ToolCommand: ParsableCommand {
    /// The flags every tool takes.
    var common: CommonOptions { get }
    /// True for a tool that has an outcome to report when stopped: SIGTERM/SIGINT then set a flag the run
    /// checks between steps (docs/design.md, "Stopping") instead of ending the process at once.
    static var reportsWhenStopped: Bool { get }
    /// Does the work; returns the exit status.
    func run(_ context: ToolContext) -> ExitStatus
}

extension ToolCommand {
    public static var reportsWhenStopped: Bool { false }

    /// The tool's name: its command name, the executable's name.
    public static var toolName: String { configuration.commandName ?? "" }

    /// Runs the tool in this process: stdin, stdout, stderr, the real AWS; ends the process.
    public func run() throws {
        let context = ToolContext.process(tool: Self.toolName, common: common, handleSignals: Self.reportsWhenStopped)
        terminate(run(context))
    }
}

/// Every tool. Package.swift's `tools` (which scripts/tools prints for the build and packaging scripts)
/// and the `Sources/<tool>/main.swift` executables name the same ones, in this order; a test checks it.
public enum Tools {
    public static let all: [any ToolCommand.Type] = [SQSReceive.self, ECSRegister.self, ECSUpdate.self, ECSWait.self]
}
