import AWSCore

/// Turns a message body or file into a RegisterTaskDefinition input.
public enum TaskDefinition {
    /// Fields ECS returns but refuses on registration; exactly these are dropped.
    public static let readOnlyFields: [String] = [
        "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
        "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt",
    ]

    /// A registration input and the read-only fields removed from it (for the log).
    public struct Normalised: Equatable, Sendable {
        public var input: JSON
        public var dropped: [String]
    }

    /// Accepts a bare definition or `aws ecs describe-task-definition` output; `source` names the input in errors.
    public static func normalise(_ value: JSON, source: String) throws -> Normalised {
        guard case .object(let outer) = value else {
            throw Failure(.invalidInput, "\(source): task definition must be a JSON object, got \(value.kindName)")
        }
        var definition = outer
        if case .object(let inner)? = outer["taskDefinition"] {
            // describe-task-definition output: the definition is wrapped, tags sit beside it.
            definition = inner
            if let tags = outer["tags"], definition["tags"] == nil { definition["tags"] = tags }
        }
        var dropped: [String] = []
        for key in definition.keys where readOnlyFields.contains(key) {
            dropped.append(key)
        }
        for key in dropped { definition[key] = nil }
        try validate(definition, source: source)
        let problems = TaskDefinitionModel.ecs.problems(.object(definition))
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
            throw Failure(.invalidInput, "\(source): \(first)\(more)")
        }
        return Normalised(input: .object(definition), dropped: dropped)
    }

    /// The minimum this tool checks; everything else is left to ECS's own validation.
    static func validate(_ definition: JSONObject, source: String) throws {
        switch definition["family"] {
        case nil:
            throw Failure(.invalidInput, "\(source): task definition is missing \"family\"")
        case .string(let s)? where !s.isEmpty:
            break
        case .string?:
            throw Failure(.invalidInput, "\(source): task definition \"family\" is empty")
        case let other?:
            throw Failure(.invalidInput, "\(source): task definition \"family\" must be a string, got \(other.kindName)")
        }
        switch definition["containerDefinitions"] {
        case nil:
            throw Failure(.invalidInput, "\(source): task definition is missing \"containerDefinitions\"")
        case .array?:
            break
        case let other?:
            throw Failure(.invalidInput,
                                  "\(source): task definition \"containerDefinitions\" must be an array, got \(other.kindName)")
        }
    }
}

extension TaskDefinition {
    /// What a document keeps of a task definition once it has been judged or registered: its family,
    /// revision and the containers' names and images. The body may hold secrets (environment values,
    /// commands, log options) and the worker's output goes to log collectors; the whole definition
    /// stays in ECS under its ARN. Pure.
    public static func summary(_ value: JSON, arn: String?) -> JSON {
        var definition = value.objectValue ?? JSONObject()
        if case .object(let inner)? = definition["taskDefinition"] { definition = inner }
        var out = JSONObject()
        if let family = definition["family"]?.stringValue { out["family"] = .string(family) }
        if let arn, let colon = arn.lastIndex(of: ":"), let revision = Int64(arn[arn.index(after: colon)...]) {
            out["revision"] = .int(revision)
        }
        out["containerDefinitions"] = .array((definition["containerDefinitions"]?.arrayValue ?? []).map { container in
            var c = JSONObject()
            if let name = container["name"]?.stringValue { c["name"] = .string(name) }
            if let image = container["image"]?.stringValue { c["image"] = .string(image) }
            return .object(c)
        })
        return .object(out)
    }
}

extension Document {
    /// Replaces the task definition body, if any, with its summary (`TaskDefinition.summary`).
    public mutating func summariseTaskDefinition() {
        guard let body = object[DocumentKey.taskDefinition], body.objectValue != nil else { return }
        set(DocumentKey.taskDefinition, TaskDefinition.summary(body, arn: try? taskDefinitionArn()))
    }
}

/// Whether two task definition references name the same revision (full ARN or `family:revision`).
public func sameTaskDefinition(_ a: String?, _ b: String?) -> Bool {
    guard let a = a, let b = b else { return false }
    if a == b { return true }
    return a.hasSuffix("task-definition/" + b) || b.hasSuffix("task-definition/" + a)
}

/// `family:revision` of a task definition ARN, for messages.
public func shortTaskDefinition(_ arn: String) -> String {
    guard let marker = arn.ranges(of: "task-definition/").last else { return arn }
    return String(arn[marker.upperBound...])
}
