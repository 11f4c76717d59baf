#if canImport(Glibc)
import Glibc
#endif
import AWSCore
import Deployment
import Shared

/// The local AWS endpoint (`sim/localaws.py`: moto with authentication on), started once per test process.
///
/// It is told our pid (`--parent-pid`), so it exits with the tests; nothing here stops it.
enum LocalAWS {
    /// One IAM user of the endpoint.
    struct User: Sendable {
        var accessKeyId: String
        var secretAccessKey: String
        var credentials: Credentials { Credentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, source: "localaws") }
    }

    /// The parsed ready file.
    struct Info: Sendable {
        var endpoint: String
        var region: String
        var accountId: String
        var roleArn: String
        var users: [String: User]

        func user(_ name: String) throws -> User {
            guard let u = users[name] else { throw StartError("localaws: the ready file has no user '\(name)'") }
            return u
        }
    }

    struct StartError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Seconds to wait for the ready file (importing moto is slow on a busy machine).
    static let startupTimeout: Double = 60

    /// The running endpoint, started on first use.
    static func shared() throws -> Info { try started.get() }

    private static let started: Result<Info, StartError> = Result { () throws(StartError) in try start() }

    private static func start() throws(StartError) -> Info {
        let script = TestFiles.repoRoot + "/sim/localaws.py"
        guard access(script, R_OK) == 0 else { throw StartError("localaws: \(script) is missing") }
        let dir = TestFiles.makeTempDir("localaws")
        let ready = dir + "/ready.json"
        let log = dir + "/localaws.log"
        let output = dir + "/output.log"
        let args = ["python3", script, "--port", "0", "--ready-file", ready, "--auth", "--log-file", log,
                    "--parent-pid", String(getpid())]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // Tracebacks before logging is set up land here, so a failed start can show them.
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, "python3", &actions, nil, &argv, environ)
        guard rc == 0 else { throw StartError("localaws: cannot start python3 (\(String(cString: strerror(rc))))") }

        let clock = SystemTime()
        let giveUp = clock.now() + startupTimeout
        while access(ready, R_OK) != 0 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw StartError("localaws: exited during startup (status \(status)); output: \(tail(output)) log: \(tail(log))")
            }
            if clock.now() > giveUp {
                kill(pid, SIGTERM)
                throw StartError("localaws: no ready file after \(Int(startupTimeout)) s; output: \(tail(output)) log: \(tail(log))")
            }
            usleep(50_000)
        }
        guard let text = TestFiles.read(ready) else { throw StartError("localaws: cannot read \(ready)") }
        let json: JSON
        do { json = try JSON.parse(text, source: ready) } catch {
            throw StartError("localaws: ready file is not JSON: \(error)")
        }
        var users: [String: User] = [:]
        for (name, value) in json["users"]?.objectValue ?? JSONObject() {
            if let id = value["accessKeyId"]?.stringValue, let secret = value["secretAccessKey"]?.stringValue {
                users[name] = User(accessKeyId: id, secretAccessKey: secret)
            }
        }
        guard let endpoint = json["endpoint"]?.stringValue, let region = json["region"]?.stringValue else {
            throw StartError("localaws: ready file lacks endpoint or region: \(text)")
        }
        return Info(endpoint: endpoint, region: region, accountId: json["accountId"]?.stringValue ?? "",
                    roleArn: json["roleArn"]?.stringValue ?? "", users: users)
    }

    /// The last lines of a file, on one line, for failure messages.
    private static func tail(_ path: String) -> String {
        guard let text = TestFiles.read(path), !text.isEmpty else { return "(empty)" }
        return text.split(separator: "\n").suffix(15).joined(separator: " | ")
    }

    /// A generic JSON client for a user of the endpoint, over libcurl with the real clock.
    static func client(_ service: AWSServiceSpec, user: String, secretOverride: String? = nil,
                       retry: RetryPolicy = .standard) throws -> AWSClient {
        let info = try shared()
        var creds = try info.user(user).credentials
        if let secretOverride { creds.secretAccessKey = secretOverride }
        return AWSClient(service: service, region: info.region, endpoint: info.endpoint,
                             credentials: StaticCredentialProvider(creds), transport: CurlTransport(environment: Environment()),
                             time: SystemTime(), random: SystemRandom(), userAgent: Version.userAgent, retry: retry)
    }
}
