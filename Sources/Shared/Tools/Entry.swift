import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ParsableCommand {
    /// Like `main()`, but a usage error is one stderr line `tool: message` with exit 64, as every other error.
    public static func runAsTool(_ arguments: [String]? = nil) -> Never {
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
            let name = configuration.commandName ?? "tool"
            var line = "\(name): \(message(for: error)) (see \(name) --help)\n"
            line.withUTF8 { buf in _ = fwrite(buf.baseAddress, 1, buf.count, stderr) }
            terminate(code == .validationFailure ? .usage : ExitStatus(rawValue: code.rawValue) ?? .usage)
        }
    }
}
