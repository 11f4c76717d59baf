import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// The cross-SDK profile-parser tests (smithy-rs `profile-parser-tests.json`, vendored in
/// Vectors/aws-conventions/profile), all 65, against `SharedConfig.load`: the profiles and sso-sessions
/// it reads from the two files, or the error it raises.
///
/// One difference of form, not of behaviour: the tools' messages begin in lower case (`cannot parse
/// FILE line N: expected an '=' sign defining a property`), so the spec's `errorContaining` text is
/// compared ignoring case.
@Suite struct ProfileParserVectorTests {
    @Test func everyProfileParserCase() throws {
        let root = try ConventionVectors.json("profile/profile-parser-tests.json")
        let tests = try #require(root["tests"]?.arrayValue)
        #expect(tests.count == 65)
        var passed = 0
        for t in tests {
            let name = t["name"]?.stringValue ?? "?"
            var files: [String: String] = [:]
            if let c = t["input"]?["configFile"]?.stringValue { files["/h/.aws/config"] = c }
            if let c = t["input"]?["credentialsFile"]?.stringValue { files["/h/.aws/credentials"] = c }
            let output = t["output"] ?? .null
            let result = Result { try SharedConfig.load(profileFlag: nil, env: Environment(["HOME": "/h"]), fs: MemoryFileSystem(files)) }
            if let expectedError = output["errorContaining"]?.stringValue {
                guard case .failure(let e as ConfigParseError) = result else {
                    Issue.record("\(name): expected an error containing \(expectedError), got \(result)")
                    continue
                }
                guard e.exitStatus == .config, e.message.lowercased().contains(expectedError.lowercased()),
                      e.message.hasPrefix("cannot parse /h/.aws/") else {
                    Issue.record("\(name): \(e.message) does not contain \(expectedError)")
                    continue
                }
                passed += 1
                continue
            }
            guard case .success(let config) = result else {
                Issue.record("\(name): unexpected error \(result)")
                continue
            }
            var expected: [String: [String: String]] = [:]
            for (profile, values) in output["config"]?["profiles"]?.objectValue ?? JSONObject() {
                var v: [String: String] = [:]
                for (k, value) in values.objectValue ?? JSONObject() { v[k] = value.stringValue }
                expected[profile] = v
            }
            let actual = config.profiles.mapValues(\.values)
            var ok = actual == expected
            if let sessions = output["config"]?["sso_sessions"]?.objectValue {
                var expectedSessions: [String: [String: String]] = [:]
                for (session, values) in sessions {
                    var v: [String: String] = [:]
                    for (k, value) in values.objectValue ?? JSONObject() { v[k] = value.stringValue }
                    expectedSessions[session] = v
                }
                ok = ok && config.ssoSessions == expectedSessions
            }
            if ok { passed += 1 } else { Issue.record("\(name): got \(actual), sso \(config.ssoSessions); expected \(expected)") }
        }
        print("profile-parser-tests.json: \(passed)/\(tests.count) cases pass")
        #expect(passed == tests.count)
    }
}
