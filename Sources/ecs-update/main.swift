import ArgumentParser
import Shared

/// The ecs-update command line; the work is done by `runECSUpdate` in Shared.
struct Tool: ParsableCommand {
    static let configuration = Manual.ecsUpdate

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: ECSUpdateOptions

    func run() throws {
        let context = ToolContext.process(tool: "ecs-update", common: common)
        terminate(runECSUpdate(options, common: common, context: context))
    }
}

Tool.runAsTool()
