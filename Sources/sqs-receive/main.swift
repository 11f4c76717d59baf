import ArgumentParser
import Shared

/// The sqs-receive command line; the work is done by `runSQSReceive` in Shared.
struct Tool: ParsableCommand {
    static let configuration = Manual.sqsReceive

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: SQSReceiveOptions

    func run() throws {
        let context = ToolContext.process(tool: "sqs-receive", common: common)
        terminate(runSQSReceive(options, common: common, context: context))
    }
}

Tool.runAsTool()
