import ArgumentParser
import Shared

/// The ecs-wait command line; the work is done by `runECSWait` in Shared.
struct Tool: ParsableCommand {
    static let configuration = Manual.ecsWait

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: ECSWaitOptions

    func run() throws {
        let context = ToolContext.process(tool: "ecs-wait", common: common, handleSignals: true)
        terminate(runECSWait(options, common: common, context: context))
    }
}

Tool.runAsTool()
