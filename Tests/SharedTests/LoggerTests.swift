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
    // A `service` attribute is the sender's text: it must not forge a line or drive the terminal.
    static let hostile = "web\necs-wait: service web: succeeded: FORGED\u{1B}]0;owned\u{07}\u{1B}[2J\u{202E}txt.exe"

    @Test func textLinesShowControlCharactersWrittenOut() {
        var out = ""
        let log = Logger(tool: "ecs-wait", sink: { out += $0 })
        log.error("service \(Self.hostile) not found")
        #expect(out == #"ecs-wait: service web\necs-wait: service web: succeeded: FORGED\x1b]0;owned\x07\x1b[2J\u{202E}txt.exe not found"# + "\n")
        #expect(out.filter { $0 == "\n" }.count == 1)
    }

    @Test func progressLinesAreEscapedToo() {
        var out = ""
        let log = Logger(tool: "ecs-wait", sink: { out += $0 })
        log.live = true
        log.progress("event: \u{1B}[2J")
        #expect(out == "\r\u{1B}[Kecs-wait: event: \\x1b[2J")
    }

    @Test func jsonLinesCarryEscapedTextInMessagesAndFields() throws {
        var out = ""
        let log = Logger(tool: "ecs-wait", format: .json, sink: { out += $0 }, clock: { 1 })
        log.warning("a\u{1B}[2Jb", fields: [("service", .string(Self.hostile)), ("n", 3)])
        let line = try JSON.parse(String(out.dropLast()))
        #expect(line["message"] == #"a\x1b[2Jb"#)
        #expect(line["service"]?.stringValue?.contains("\u{1B}") == false)
        #expect(line["service"]?.stringValue?.hasPrefix(#"web\necs-wait"#) == true)
        #expect(line["n"] == 3)
    }

    @Test(arguments: [("plain text", "plain text"), (#"C:\path"#, #"C:\path"#), ("tab\there", #"tab\there"#),
                      ("a\\b\u{0}", #"a\\b\x00"#), ("del\u{7F}", #"del\x7f"#), ("c1\u{85}", #"c1\u{85}"#),
                      ("ünïcødé ✓", "ünïcødé ✓")])
    func escaping(_ input: String, _ expected: String) {
        #expect(Logger.escaped(input) == expected)
    }
}
