#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Credentials printed as JSON by a profile's `credential_process` command.
public final class ProcessCredentialProvider: CredentialProvider {
    let provider: String
    let command: String
    let env: Environment

    /// `provider` names it in messages (`profile x`); the command runs under `/bin/sh -c` with `env`.
    public init(provider: String, command: String, env: Environment) {
        self.provider = provider
        self.command = command
        self.env = env
    }

    public func credentials(now: Double) throws -> Credentials {
        let result: ProcessResult
        do {
            result = try runShell(command, env: env)
        } catch let e as ProcessSpawnError {
            throw CredentialError(provider: provider, "cannot run credential_process: \(e.detail)")
        }
        switch result.termination {
        case .exited(0):
            break
        case .exited(let code):
            throw CredentialError(provider: provider, "credential_process exited with status \(code)" + stderrSuffix(result.stderr))
        case .signaled(let sig):
            throw CredentialError(provider: provider, "credential_process killed by signal \(sig)" + stderrSuffix(result.stderr))
        }
        // The output holds the secret: never quote it in a message.
        guard let json = try? JSON.parse(String(decoding: result.stdout, as: UTF8.self), source: "credential_process"),
              json.objectValue != nil else {
            throw CredentialError(provider: provider, "credential_process output is not a JSON object")
        }
        guard let version = json["Version"]?.intValue else {
            throw CredentialError(provider: provider, "credential_process output lacks Version")
        }
        guard version == 1 else {
            throw CredentialError(provider: provider, "credential_process output has Version \(version), expected 1")
        }
        guard let id = json["AccessKeyId"]?.stringValue, !id.isEmpty else {
            throw CredentialError(provider: provider, "credential_process output lacks AccessKeyId")
        }
        guard let secret = json["SecretAccessKey"]?.stringValue, !secret.isEmpty else {
            throw CredentialError(provider: provider, "credential_process output lacks SecretAccessKey")
        }
        var expiration: Double?
        if let e = json["Expiration"]?.stringValue {
            guard let t = ISO8601.parse(e) else {
                throw CredentialError(provider: provider, "credential_process output has an unreadable Expiration \(e)")
            }
            expiration = t
        }
        let token = json["SessionToken"]?.stringValue
        return try Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token?.isEmpty == true ? nil : token,
                               expiration: expiration, source: provider)
            .refusingExpired(at: now, provider: provider, from: "credential_process")
    }

    private func stderrSuffix(_ stderr: [UInt8]) -> String {
        let first = String(decoding: stderr, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first.map { ConfigFile.trim($0) } ?? ""
        return first.isEmpty ? "" : ": " + oneLine(first)
    }
}

/// How a child process ended.
enum ProcessTermination: Equatable {
    case exited(Int32)
    case signaled(Int32)
}

/// A finished child process and what it wrote.
struct ProcessResult {
    var termination: ProcessTermination
    var stdout: [UInt8]
    var stderr: [UInt8]
}

/// A child process could not be started.
struct ProcessSpawnError: Error {
    var detail: String
}

/// Runs `/bin/sh -c command` with posix_spawn, stdin from /dev/null (our stdin is the tools' data),
/// collecting stdout and stderr until the child ends.
func runShell(_ command: String, env: Environment) throws -> ProcessResult {
    var outPipe: [Int32] = [-1, -1]
    var errPipe: [Int32] = [-1, -1]
    guard pipe(&outPipe) == 0 else { throw ProcessSpawnError(detail: String(cString: strerror(errno))) }
    guard pipe(&errPipe) == 0 else {
        close(outPipe[0]); close(outPipe[1])
        throw ProcessSpawnError(detail: String(cString: strerror(errno)))
    }
    // Our ends must not leak into the child, or it would hold its own pipes open.
    for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

    let args = ["/bin/sh", "-c", command]
    let envStrings = env.values.map { "\($0.key)=\($0.value)" }
    var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    var envp: [UnsafeMutablePointer<CChar>?] = envStrings.map { strdup($0) } + [nil]
    defer {
        for p in argv { free(p) }
        for p in envp { free(p) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, &argv, &envp)
    close(outPipe[1])
    close(errPipe[1])
    guard rc == 0 else {
        close(outPipe[0]); close(errPipe[0])
        throw ProcessSpawnError(detail: String(cString: strerror(rc)))
    }

    // Read both pipes together so a chatty stderr cannot block the child's stdout.
    var out: [UInt8] = []
    var err: [UInt8] = []
    var open: [Int32: Bool] = [outPipe[0]: true, errPipe[0]: true]
    var buffer = [UInt8](repeating: 0, count: 65536)
    while open.values.contains(true) {
        var fds = open.filter { $0.value }.keys.sorted().map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let n = poll(&fds, nfds_t(fds.count), -1)
        if n < 0 {
            if errno == EINTR { continue }
            break
        }
        for p in fds where p.revents != 0 {
            let count = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
            if count > 0 {
                if p.fd == outPipe[0] { out.append(contentsOf: buffer[0..<count]) } else { err.append(contentsOf: buffer[0..<count]) }
            } else if count == 0 || errno != EINTR {
                open[p.fd] = false
            }
        }
    }
    close(outPipe[0])
    close(errPipe[0])

    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        if errno != EINTR { throw ProcessSpawnError(detail: String(cString: strerror(errno))) }
    }
    // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
    let termination: ProcessTermination = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    return ProcessResult(termination: termination, stdout: out, stderr: err)
}
