import ArgumentParser
import Shared

struct Tool: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ecs-update", version: "0.1.0")
    func run() throws {}
}
Tool.main()
