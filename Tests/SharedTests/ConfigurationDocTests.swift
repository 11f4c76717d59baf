import Foundation
import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// docs/configuration.md cannot drift from the code: it carries `ConfigSettings.markdown` verbatim,
/// and that table names exactly the environment variables and profile keys the sources read.
@Suite struct ConfigurationDocTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ relative: String) throws -> String {
        try String(contentsOf: repo.appendingPathComponent(relative), encoding: .utf8)
    }

    /// Every Swift file under Sources/Shared.
    static func sources() throws -> [(String, String)] {
        let root = repo.appendingPathComponent("Sources/Shared")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        return try files.sorted().map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// The names in backquotes in the table's sources.
    static var tableNames: Set<String> {
        Set(ConfigSettings.all.flatMap { $0.sources }.flatMap { matches("`([^`]+)`", in: $0) })
    }

    @Test func docCarriesTheTable() throws {
        let doc = try Self.read("docs/configuration.md")
        let begin = "<!-- settings: generated from ConfigSettings.all; ConfigurationDocTests checks it -->\n"
        let end = "\n<!-- settings end -->"
        guard let b = doc.range(of: begin), let e = doc.range(of: end, range: b.upperBound..<doc.endIndex) else {
            Issue.record("docs/configuration.md lacks the settings markers")
            return
        }
        let inDoc = String(doc[b.upperBound..<e.lowerBound])
        #expect(inDoc == ConfigSettings.markdown, "paste ConfigSettings.markdown between the markers of docs/configuration.md")
    }

    @Test func tableNamesExactlyWhatTheCodeReads() throws {
        var environment: Set<String> = []
        var profileKeys: Set<String> = []
        for (_, text) in try Self.sources() {
            environment.formUnion(Self.matches(#"nonEmpty\("([A-Za-z0-9_]+)"\)"#, in: text))
            environment.formUnion(Self.matches(#"flagSetting\("([A-Z0-9_]+)""#, in: text))
            profileKeys.formUnion(Self.matches(#"\b(?:p|profile\??)\["([a-z0-9_]+)"\]"#, in: text))
            profileKeys.formUnion(Self.matches(#"flagSetting\("[A-Z0-9_]+", "([a-z0-9_]+)"\)"#, in: text))
        }
        // Read by prefix: AWS_ENDPOINT_URL_ + the service.
        #expect(try Self.sources().contains { $0.1.contains(#"env.nonEmpty("AWS_ENDPOINT_URL_" + service.uppercased())"#) })
        environment.formUnion(["AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_STS"])
        #expect(environment.count > 30)
        #expect(profileKeys.contains("role_arn") && profileKeys.contains("use_fips_endpoint"))

        let table = Self.tableNames.union(["AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_STS"])  // written `_ECS` / `_STS`
        for name in environment.union(profileKeys).sorted() where !table.contains(name) {
            Issue.record("the code reads \(name) but ConfigSettings.all does not list it")
        }
        // Every environment variable or profile key the table names is read somewhere.
        let known = environment.union(profileKeys)
        for name in Self.tableNames.sorted() where name.range(of: #"^[A-Za-z0-9_]+$"#, options: .regularExpression) != nil {
            let isConfigName = name == name.uppercased() || name.contains("_") || ["region", "services"].contains(name)
            if isConfigName && !known.contains(name) && !["_ECS", "_STS", "endpoint_url", "cluster", "default"].contains(name) {
                Issue.record("ConfigSettings.all lists \(name), which no source reads")
            }
        }
    }
}
