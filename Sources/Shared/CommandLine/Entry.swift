import AWSCore
import Deployment

import ArgumentParser
import CShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ParsableCommand {
    /// Like `main()`, but a usage error is one stderr line `tool: message` with exit 64, as every other error.
    /// With no `arguments`, the process's own (`ProcessArguments.current`); a tool that cannot read them
    /// exits 71 with one stderr line rather than running with its defaults.
    public static func runAsTool(_ arguments: [String]? = nil) -> Never {
        let name = configuration.commandName ?? "tool"
        guard let arguments = arguments ?? ProcessArguments.current.map({ Array($0.dropFirst()) }) else {
            writeAll(fd: 2, "\(name): \(ProcessArguments.unreadable)\n")
            terminate(.osError)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            terminate(.ok)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version.
                print(fullMessage(for: error))
                terminate(.ok)
            }
            writeAll(fd: 2, "\(name): \(message(for: error)) (see \(name) --help)\n")
            terminate(code == .validationFailure ? .usage : ExitStatus(rawValue: code.rawValue) ?? .usage)
        }
    }
}

/// The process's command line, read the way that works everywhere.
///
/// Swift's `CommandLine.arguments` on Linux depends on /proc/self/maps; in a chroot or sandbox without
/// /proc it is empty, even of the program's own name. The C runtime's argv, captured before main
/// (CShim), does not depend on /proc.
public enum ProcessArguments {
    /// What a tool says, after its name, when it could read neither.
    public static let unreadable = "cannot read the command line arguments (argv unavailable; is /proc mounted?)"

    /// The whole command line, the program's name first; nil when it cannot be read.
    public static var current: [String]? {
        resolve(captured: captured, runtime: CommandLine.arguments)
    }

    /// argv as the C runtime passed it to the program, or nil where it was not captured.
    public static var captured: [String]? {
        let argc = Int(cshim_argc())
        guard argc >= 0, let argv = cshim_argv() else { return nil }
        return (0..<argc).map { argv[$0].map { String(cString: $0) } ?? "" }
    }

    /// The captured argv when there is one, else the runtime's; nil when both are empty: every
    /// program has at least its own name, so an empty command line means it was not read.
    public static func resolve(captured: [String]?, runtime: [String]) -> [String]? {
        if let captured = captured, !captured.isEmpty { return captured }
        return runtime.isEmpty ? nil : runtime
    }
}
