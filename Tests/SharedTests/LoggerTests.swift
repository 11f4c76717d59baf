import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct LoggerTests {
    @Test func progressIsOneRedrawnLineOnATerminalAndPlainLinesElsewhere() {
        var out = ""
        let live = Logger(tool: "ecs-wait", sink: { out += $0 })
        live.live = true
        live.progress("running 0/2")
        live.progress("running 1/2")
        live.info("event: started")
        live.endProgress()
        #expect(out == "\r\u{1B}[Kecs-wait: running 0/2\r\u{1B}[Kecs-wait: running 1/2"
                    + "\r\u{1B}[Kecs-wait: event: started\necs-wait: running 1/2\n")

        var plain = ""
        let pipe = Logger(tool: "ecs-wait", sink: { plain += $0 })
        pipe.progress("running 0/2")
        pipe.endProgress()
        #expect(plain == "ecs-wait: running 0/2\n")
    }

    @Test func jsonLinesCarryFieldsAndNeverTheProgressEscapes() throws {
        var out = ""
        let log = Logger(tool: "sqs-receive", format: .json, sink: { out += $0 }, clock: { 1.5 })
        log.live = true
        log.progress("running 1/2")
        log.warning("slow", fields: [("service", "web")])
        let lines = out.split(separator: "\n").map { try? JSON.parse(String($0)) }
        #expect(lines.count == 2)
        #expect(lines[0]?["message"] == "running 1/2")
        #expect(lines[1]?["level"] == "warning")
        #expect(lines[1]?["service"] == "web")
        #expect(!out.contains("\u{1B}"))
    }

    @Test func quietDropsInfo() {
        var out = ""
        let log = Logger(tool: "t", level: .error, sink: { out += $0 })
        log.info("hidden")
        log.progress("hidden too")
        log.error("shown")
        #expect(out == "t: shown\n")
    }
}
