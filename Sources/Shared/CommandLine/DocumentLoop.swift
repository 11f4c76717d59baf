import AWSCore
import Deployment

extension ExitStatus {
    /// How much a status matters when a run ends with several: problems of the environment first
    /// (they affect every document), then bad input, then certain deployment failures, then unknown outcomes.
    var severity: Int {
        switch self {
        case .ok: return 0
        case .superseded: return 1
        case .timedOut: return 2
        case .deploymentFailed: return 3
        case .dataError: return 4
        case .throttled: return 5
        case .unavailable: return 6
        case .noPermission: return 7
        case .config: return 8
        case .usage: return 9
        case .osError: return 10
        }
    }

    /// The more severe of two statuses: the exit status of a run over several documents.
    public func worse(_ other: ExitStatus) -> ExitStatus { other.severity > severity ? other : self }
}

/// The exit status of any error: a ToolError's own, its kind's for an error of the lower layers, 65 for
/// bad JSON or an unreadable input, else 69.
public func exitStatus(of error: Error) -> ExitStatus {
    switch error {
    case let e as ToolError: return e.exitStatus
    case let e as ReportedError: return e.exitStatus
    case is JSONParseError, is FileError: return .dataError
    default: return .unavailable
    }
}

/// Runs `step` on each document of the context's input as it arrives (a pipeline streams).
///
/// Each document the step returns is written as one line. A document that already carries an outcome
/// (`result`, e.g. stale or rejected upstream) passes through untouched unless `passDecided` is false.
/// A failing document is reported as one stderr line and the run goes on with the next; bad JSON ends
/// the run, since the stream cannot be trusted past it. When a document from the queue fails for a
/// reason that retrying cannot mend (bad input, 65), it is written with `result` {status: rejected},
/// so that the worker can tell a message that will never succeed from one that may; for any other
/// failure nothing is written. Returns the most severe status seen (0 for no input).
func forEachDocument(_ context: ToolContext, passDecided: Bool = true,
                     _ step: (Document) throws -> (Document?, ExitStatus)) -> ExitStatus {
    var input = DocumentInput()
    var worst = ExitStatus.ok
    while true {
        do {
            while let (number, value) = try input.next() {
                if context.shouldStop() {
                    context.logger.error("interrupted; document \(number) and any after it were not processed")
                    return worst.worse(.timedOut)
                }
                worst = worst.worse(handleDocument(value, number: number, context: context, passDecided: passDecided, step))
            }
            if input.ended { return worst }
            try input.read(context.input)
        } catch {
            context.logger.error(describe(error))
            return worst.worse(exitStatus(of: error))
        }
    }
}

/// The documents of a tool's input, parsed as its bytes arrive.
struct DocumentInput {
    private var parser = JSONStreamParser(source: "<stdin>")
    /// How many documents have been taken.
    private(set) var count = 0
    /// Every document has been taken and the input is at its end.
    private(set) var ended = false

    /// The next whole document read so far with its number (from 1); nil when more input is needed or
    /// none is left. Throws for bad JSON.
    mutating func next() throws -> (number: Int, value: JSON)? {
        guard let value = try parser.next() else {
            if parser.isFinished { ended = true }
            return nil
        }
        count += 1
        return (count, value)
    }

    /// Reads one more chunk, waiting for it.
    mutating func read(_ source: ByteSource) throws {
        if let chunk = try source.read() { parser.append(chunk) } else { parser.finish() }
    }
}

/// One document through `step` (or passed through when decided), its output written; returns its status.
func handleDocument(_ value: JSON, number: Int, context: ToolContext, passDecided: Bool = true,
                    _ step: (Document) throws -> (Document?, ExitStatus)) -> ExitStatus {
    var current: Document?
    do {
        let doc = try Document(value, number: number)
        current = doc
        if passDecided, let decided = try doc.result() {
            context.logger.debug("document \(number): already \(decided.status.rawValue), passed through")
            context.output.write(line: doc.json.serialized())
            return decided.status.exitStatus
        }
        let (out, status) = try step(doc)
        if let out = out { context.output.write(line: out.json.serialized()) }
        return status
    } catch {
        return reportFailure(error, of: current, number: number, context: context)
    }
}

/// Reports a document's failure as one stderr line and returns its status; a message failing for bad
/// input (65) is written with `result` {status: rejected}, its task definition summarised.
func reportFailure(_ error: Error, of document: Document?, number: Int, context: ToolContext) -> ExitStatus {
    let message = describe(error)
    let prefix = "document \(number)"
    let line = message.hasPrefix(prefix + ":") ? message : "\(prefix): \(message)"
    context.logger.error(line)
    let status = exitStatus(of: error)
    if status == .dataError, var doc = document, (try? doc.message()) != nil {
        doc.set(DocumentKey.result, WaitResult(status: .rejected, reason: message).json)
        // The body of a rejected message may hold secrets too.
        doc.summariseTaskDefinition()
        context.output.write(line: doc.json.serialized())
    }
    return status
}

/// Reports an error of a whole run (not of one document) and returns its status.
func fail(_ context: ToolContext, _ error: Error) -> ExitStatus {
    context.logger.error(describe(error))
    return exitStatus(of: error)
}

/// ECS_TIMEOUT in seconds (300 when unset).
func ecsTimeout(_ env: Environment) throws -> Double {
    guard let raw = env.nonEmpty("ECS_TIMEOUT") else { return 300 }
    guard let v = Double(raw), v > 0, v.isFinite else {
        throw SimpleToolError(.usage, "ECS_TIMEOUT must be a positive number of seconds, got \"\(raw)\"")
    }
    return v
}
