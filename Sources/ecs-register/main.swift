import ArgumentParser
import Shared

/// The ecs-register command line; the work is done by `runECSRegister` in Shared.
struct Tool: ParsableCommand {
    static let configuration = Manual.ecsRegister

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: ECSRegisterOptions

    func run() throws {
        let context = ToolContext.process(tool: "ecs-register", common: common)
        terminate(runECSRegister(options, common: common, context: context))
    }
}

Tool.runAsTool()
