import Testing
import Glibc
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct ConfigFileTests {
    static let home = "/home/dev"
    static let configPath = "/home/dev/.aws/config"
    static let credentialsPath = "/home/dev/.aws/credentials"

    func load(config: String? = nil, credentials: String? = nil, env extra: [String: String] = [:],
              profileFlag: String? = nil) throws -> SharedConfig {
        var files: [String: String] = [:]
        if let config { files[Self.configPath] = config }
        if let credentials { files[Self.credentialsPath] = credentials }
        var env = Environment(["HOME": Self.home])
        for (k, v) in extra { env[k] = v }
        return try SharedConfig.load(profileFlag: profileFlag, env: env, fs: MemoryFileSystem(files))
    }

    @Test func profileSectionsInConfigVersusCredentials() throws {
        let config = """
        [default]
        region = eu-west-1
        [profile prod]
        region = us-east-2
        role_arn = arn:aws:iam::123456789012:role/deploy
        [staging]
        region = ap-south-1
        [profile   spaced  ]
        region = sa-east-1
        """
        let credentials = """
        [default]
        aws_access_key_id = AKIDDEFAULT
        [prod]
        aws_access_key_id = AKIDPROD
        [profile odd]
        aws_access_key_id = AKIDODD
        """
        let c = try load(config: config, credentials: credentials)
        #expect(c.profiles["default"]?["region"] == "eu-west-1")
        #expect(c.profiles["default"]?["aws_access_key_id"] == "AKIDDEFAULT")
        #expect(c.profiles["prod"]?["region"] == "us-east-2")
        #expect(c.profiles["prod"]?["aws_access_key_id"] == "AKIDPROD")
        #expect(c.profiles["prod"]?.origin["aws_access_key_id"] == Self.credentialsPath)
        #expect(c.profiles["prod"]?.origin["region"] == Self.configPath)
        // `[staging]` without `profile ` is not a profile in the config file.
        #expect(c.profiles["staging"] == nil)
        #expect(c.profiles["spaced"]?["region"] == "sa-east-1")
        // The credentials file names profiles without the prefix: the cross-SDK grammar ignores
        // `[profile odd]` there (until issue 9 it became a profile named "profile odd").
        #expect(c.profiles["profile odd"] == nil)
        #expect(c.profiles["odd"] == nil)
        #expect(c.profileName == "default")
        #expect(!c.profileExplicit)
    }

    @Test func profileDefaultFormIsAcceptedAndWinsOverPlainDefault() throws {
        let c = try load(config: "[profile default]\nregion = us-west-2\n[default]\nregion = eu-north-1\noutput = json\n")
        #expect(c.profile?["region"] == "us-west-2")
        // `[profile default]` replaces `[default]` entirely (the spec); they were merged before issue 9.
        #expect(c.profile?["output"] == nil)
        #expect(c.profile?.origin["region"] == Self.configPath)
        let only = try load(config: "[profile default]\nregion = us-west-1\n")
        #expect(only.profile?["region"] == "us-west-1")
    }

    @Test func credentialsFileWinsOverConfigFile() throws {
        let c = try load(config: "[profile a]\naws_access_key_id = FROMCONFIG\nregion = eu-west-3\n",
                         credentials: "[a]\naws_access_key_id = FROMCREDS\n")
        #expect(c.profiles["a"]?["aws_access_key_id"] == "FROMCREDS")
        #expect(c.profiles["a"]?["region"] == "eu-west-3")
    }

    @Test func commentsAndOddSpacing() throws {
        let text = """
        # a comment
        ; another comment
        [default]   # comment after a header
        region=eu-west-1
        output   =    json    ; trailing comment
        key_with_hash = abc#def
        key_with_semicolon = abc;def
        tabbed\t=\tvalue\t# comment
        Mixed_Case_Key = Value Kept
        empty_value =
        role_arn = arn:aws:iam::123456789012:role/x
        continued = first
          second line ; kept
        """
        let s = try #require(try ConfigFile.parse(text)["default"])
        #expect(s.values["region"] == "eu-west-1")
        #expect(s.values["output"] == "json")
        #expect(s.values["key_with_hash"] == "abc#def")
        #expect(s.values["key_with_semicolon"] == "abc;def")
        #expect(s.values["tabbed"] == "value")
        // Keys are lowercased and the value keeps its case.
        #expect(s.values["mixed_case_key"] == "Value Kept")
        #expect(s.values["Mixed_Case_Key"] == nil)
        #expect(s.values["empty_value"] == "")
        #expect(s.values["role_arn"] == "arn:aws:iam::123456789012:role/x")
        // An indented line continues the value above it, comment characters and all (the spec).
        #expect(s.values["continued"] == "first\nsecond line ; kept")
        #expect(s.values.count == 9)
    }

    /// Until issue 9 these lines were skipped; the cross-SDK grammar makes each an error naming the line.
    @Test func linesOutsideTheGrammarAreErrorsNamingFileAndLine() throws {
        let table: [(String, String)] = [
            ("[default]\nregion = eu-west-1\ncolon_key: colon value\n", "line 3: expected an '=' sign defining a property"),
            ("[default]\nnot a setting line\n", "line 2: expected an '=' sign defining a property"),
            ("# x\n  # an indented comment is a continuation\n[default]\n", "line 2: expected a profile definition"),
            ("[default]\n  orphan = 1\n", "line 2: expected a property definition, found continuation"),
            ("[profile a\nregion = x\n", "line 1: profile definition must end with ']'"),
            ("[default]\n= value\n", "line 2: property did not have a name"),
            ("[default]\ns3 =\n  no equals\n", "line 3: expected an '=' sign defining a sub-property"),
            ("[default]\ns3 =\n  = 1\n", "line 3: sub-property did not have a name"),
        ]
        for (text, detail) in table {
            do {
                _ = try load(config: text)
                Issue.record("expected an error for \(text)")
            } catch let e as ReportedError {
                #expect(e.exitStatus == .config)
                #expect(e.message == "cannot parse /home/dev/.aws/config \(detail)")
            }
        }
        do {
            _ = try load(credentials: "[default]\naws_access_key_id = A\nstray\n")
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.message == "cannot parse /home/dev/.aws/credentials line 3: expected an '=' sign defining a property")
        }
    }

    /// A byte-order mark (Windows editors write one) used to hide the first section.
    @Test func leadingByteOrderMarkIsDropped() throws {
        let c = try load(config: "\u{FEFF}[default]\nregion = eu-west-1\n",
                         credentials: "\u{FEFF}[default]\naws_access_key_id = AKIDBOM\naws_secret_access_key = s\n")
        #expect(c.profile?["region"] == "eu-west-1")
        #expect(c.profile?["aws_access_key_id"] == "AKIDBOM")
        // Through the real file system too, from bytes EF BB BF.
        let dir = try ScratchDir()
        try dir.write("config", "\u{FEFF}[profile bom]\r\nregion = ap-south-2\r\n")
        let real = try SharedConfig.load(profileFlag: "bom", env: Environment(["AWS_CONFIG_FILE": dir.path + "/config"]),
                                         fs: LocalFileSystem())
        #expect(real.profile?["region"] == "ap-south-2")
        // Only at the very start: elsewhere it is an ordinary character of a value.
        #expect(try ConfigFile.parse("[default]\nx = \u{FEFF}y\n")["default"]?.values["x"] == "\u{FEFF}y")
    }

    @Test func crlfLineEndings() throws {
        let s = try #require(try ConfigFile.parse("[default]\r\nregion = eu-west-1\r\noutput = text\r\n")["default"])
        #expect(s.values == ["region": "eu-west-1", "output": "text"])
    }

    @Test func nestedSubsectionsAreToleratedAndKeptApart() throws {
        let text = """
        [profile dev]
        s3 =
          max_concurrent_requests = 20
          addressing_style = path
        region = us-east-1
        services = local
        [services local]
        sqs =
          endpoint_url = http://127.0.0.1:4566
        ecs =
          endpoint_url = http://127.0.0.1:4567
        """
        let c = try load(config: text)
        let dev = try #require(c.profiles["dev"])
        #expect(dev["region"] == "us-east-1")
        #expect(dev["max_concurrent_requests"] == nil)
        #expect(dev.subsections["s3"] == ["max_concurrent_requests": "20", "addressing_style": "path"])
        #expect(c.services["local"]?["sqs"]?["endpoint_url"] == "http://127.0.0.1:4566")
        #expect(c.services["local"]?["ecs"]?["endpoint_url"] == "http://127.0.0.1:4567")
    }

    @Test func laterDuplicateKeysAndSectionsWin() throws {
        let text = """
        [default]
        region = us-east-1
        output = json
        region = eu-west-1
        [profile x]
        region = a
        [default]
        output = text
        """
        let c = try load(config: text)
        #expect(c.profile?["region"] == "eu-west-1")
        #expect(c.profile?["output"] == "text")
        #expect(c.profiles["x"]?["region"] == "a")
    }

    /// Until issue 9 these were skipped; the spec makes them an error.
    @Test func settingsBeforeAnySectionAreAnError() throws {
        #expect(throws: ConfigParseError(path: "<input>", line: 1, detail: "expected a profile definition")) {
            try ConfigFile.parse("region = us-east-1\n[default]\noutput = json\n")
        }
    }

    @Test func missingFilesAreEmpty() throws {
        let c = try load()
        #expect(c.profiles.isEmpty)
        #expect(c.configPath == Self.configPath)
        #expect(c.credentialsPath == Self.credentialsPath)
    }

    @Test func unreadableFileIsAConfigurationErrorNamingIt() throws {
        let fs = MemoryFileSystem([Self.credentialsPath: "[default]\n"])
        fs.unreadable.insert(Self.configPath)
        do {
            _ = try SharedConfig.load(profileFlag: nil, env: Environment(["HOME": Self.home]), fs: fs)
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.exitStatus == .config)
            #expect(e.message == "cannot read /home/dev/.aws/config: permission denied")
        }
    }

    @Test func unreadableRealFileThroughLocalFileSystem() throws {
        // A directory where the file should be cannot be read as a file.
        let dir = try ScratchDir()
        try dir.write("config/placeholder", "")
        let env = Environment(["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config"])
        do {
            _ = try SharedConfig.load(profileFlag: nil, env: env, fs: LocalFileSystem())
            Issue.record("expected an error")
        } catch let e as ReportedError {
            #expect(e.exitStatus == .config)
            #expect(e.message.hasPrefix("cannot read \(dir.path)/config: "))
        }
    }

    @Test func pathsFromEnvironmentHomeAndDefault() throws {
        let custom = SharedConfig.paths(env: Environment(["HOME": "/h", "AWS_CONFIG_FILE": "/etc/aws/cfg",
                                                          "AWS_SHARED_CREDENTIALS_FILE": "~/creds"]))
        #expect(custom.config == "/etc/aws/cfg")
        #expect(custom.credentials == "/h/creds")
        let noHome = SharedConfig.paths(env: Environment([:]))
        #expect(noHome.config == "/root/.aws/config")
        #expect(noHome.credentials == "/root/.aws/credentials")
        let fs = MemoryFileSystem(["/etc/aws/cfg": "[profile p]\nregion = eu-west-2\n"])
        let c = try SharedConfig.load(profileFlag: "p", env: Environment(["AWS_CONFIG_FILE": "/etc/aws/cfg"]), fs: fs)
        #expect(c.profile?["region"] == "eu-west-2")
    }

    @Test func unknownProfileIsAnErrorNamingIt() throws {
        for (flag, env) in [("ghost", [String: String]()), (nil, ["AWS_PROFILE": "ghost"])] {
            do {
                _ = try load(config: "[default]\nregion = eu-west-1\n", env: env, profileFlag: flag)
                Issue.record("expected an error")
            } catch let e as ReportedError {
                #expect(e.exitStatus == .config)
                #expect(e.message == "profile ghost not found in /home/dev/.aws/credentials or /home/dev/.aws/config")
            }
        }
        // The flag wins over AWS_PROFILE.
        let c = try load(config: "[profile a]\nregion = x-y-1\n", env: ["AWS_PROFILE": "ghost"], profileFlag: "a")
        #expect(c.profileName == "a")
        #expect(c.profileExplicit)
        // A missing default profile is no error.
        #expect(try load(config: "[profile a]\n").profile == nil)
    }
}

/// A scratch directory removed when the value is released.
final class ScratchDir {
    let path: String

    init() throws {
        var template = Array("/tmp/ecs-deployment-test-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw Failure(.configuration, "mkdtemp failed") }
        path = String(cString: p)
    }

    deinit {
        _ = system("rm -rf '\(path)'")
    }

    /// Writes `text` to `relative` under the directory, creating parent directories.
    @discardableResult
    func write(_ relative: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        let full = path + "/" + relative
        if let slash = full.lastIndex(of: "/") {
            _ = system("mkdir -p '\(full[..<slash])'")
        }
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw Failure(.configuration, "cannot write \(full)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw Failure(.configuration, "short write to \(full)")
        }
        return full
    }
}
