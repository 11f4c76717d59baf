import AWSCore

/// Checks a RegisterTaskDefinition input against ECS's published model before any call, as the
/// AWS CLI does client-side: member names, types and required members at every depth, no NUL in
/// any string, and ECS's size limit. ECS itself ignores some unknown members, so a typo such as
/// `memorry` would otherwise register a definition without the setting its sender meant.
public struct TaskDefinitionModel: Sendable {
    /// One shape of the model: what a value must be.
    enum Shape: Sendable {
        case structure(members: [(name: String, shape: String)], required: Set<String>)
        case list(member: String)
        case map(key: String, value: String)
        case string, integer, long, boolean, double
    }

    let shapes: [String: Shape]
    let root: String
    /// Shapes checked in all, for the count in the documentation.
    public var shapeCount: Int { shapes.count }

    /// ECS's limit on a task definition's size: "The maximum size of a task definition is 64 KiB"
    /// (Amazon ECS service quotas, "Task definition size").
    public static let maximumBytes = 65_536

    /// The model embedded in the tools.
    public static let ecs: TaskDefinitionModel = {
        do {
            return try TaskDefinitionModel(json: JSON.parse(Array(ecsRegisterTaskDefinitionModel.utf8), source: "ECS model"))
        } catch {
            fatalError("the embedded ECS model does not parse: \(error)")
        }
    }()

    init(json: JSON) throws {
        guard let root = json["root"]?.stringValue, let table = json["shapes"]?.objectValue else {
            throw ModelError.malformed("no root or shapes")
        }
        var shapes: [String: Shape] = [:]
        for (name, entry) in table {
            guard let type = entry["type"]?.stringValue else { throw ModelError.malformed("shape \(name) has no type") }
            switch type {
            case "structure":
                let members = (entry["members"]?.objectValue ?? JSONObject()).map { (name: $0.key, shape: $0.value.stringValue ?? "") }
                let required = Set((entry["required"]?.arrayValue ?? []).compactMap(\.stringValue))
                shapes[name] = .structure(members: members, required: required)
            case "list":
                shapes[name] = .list(member: entry["member"]?.stringValue ?? "")
            case "map":
                shapes[name] = .map(key: entry["key"]?.stringValue ?? "", value: entry["value"]?.stringValue ?? "")
            case "string": shapes[name] = .string
            case "integer": shapes[name] = .integer
            case "long": shapes[name] = .long
            case "boolean": shapes[name] = .boolean
            case "double", "float": shapes[name] = .double
            default: throw ModelError.malformed("shape \(name) has type \(type), which the checker does not know")
            }
        }
        for (name, shape) in shapes {
            let refs: [String]
            switch shape {
            case .structure(let members, _): refs = members.map(\.shape)
            case .list(let member): refs = [member]
            case .map(let key, let value): refs = [key, value]
            default: refs = []
            }
            for ref in refs where shapes[ref] == nil { throw ModelError.malformed("shape \(name) refers to unknown \(ref)") }
        }
        guard shapes[root] != nil else { throw ModelError.malformed("no root shape \(root)") }
        self.shapes = shapes
        self.root = root
    }

    enum ModelError: Error { case malformed(String) }

    /// Every problem of `input`, each as `path: what` (e.g. `containerDefinitions[0].memorry: unknown; did you
    /// mean memory?`), in document order; empty when ECS's model accepts it. Pure.
    public func problems(_ input: JSON) -> [String] {
        var found: [String] = []
        check(input, shape: root, path: "", into: &found)
        if found.isEmpty {
            let size = input.serialized().utf8.count
            if size > Self.maximumBytes {
                found.append("the task definition is \(size) bytes, over ECS's limit of \(Self.maximumBytes) (64 KiB)")
            }
        }
        return found
    }

    private func check(_ value: JSON, shape name: String, path: String, into found: inout [String]) {
        let here = path.isEmpty ? "the task definition" : path
        func wrong(_ expected: String) { found.append("\(here): must be \(expected), got \(value.kindName)") }
        switch shapes[name]! {
        case .structure(let members, let required):
            guard case .object(let object) = value else { return wrong("an object") }
            for (key, member) in object {
                let at = path.isEmpty ? key : "\(path).\(key)"
                noNUL(key, path: at, into: &found)
                guard let shape = members.first(where: { $0.name == key })?.shape else {
                    let hint = nearest(key, among: members.map(\.name)).map { "; did you mean \($0)?" } ?? ""
                    found.append("\(at): unknown\(hint)")
                    continue
                }
                // null is what JSON has for "not given"; the CLI and SDKs drop such members.
                if member != .null { check(member, shape: shape, path: at, into: &found) }
            }
            for key in members.map(\.name) where required.contains(key) && (object[key] == nil || object[key] == .null) {
                found.append("\(path.isEmpty ? key : "\(path).\(key)"): required, missing")
            }
        case .list(let member):
            guard case .array(let items) = value else { return wrong("an array") }
            for (i, item) in items.enumerated() { check(item, shape: member, path: "\(path)[\(i)]", into: &found) }
        case .map(_, let valueShape):
            guard case .object(let object) = value else { return wrong("an object") }
            for (key, item) in object {
                noNUL(key, path: "\(path) key \"\(key)\"", into: &found)
                check(item, shape: valueShape, path: "\(path).\(key)", into: &found)
            }
        case .string:
            guard case .string(let s) = value else { return wrong("a string") }
            noNUL(s, path: here, into: &found)
        case .integer, .long:
            guard case .int = value else { return wrong("an integer") }
        case .boolean:
            guard case .bool = value else { return wrong("true or false") }
        case .double:
            switch value {
            case .int, .double: break
            default: wrong("a number")
            }
        }
    }

    private func noNUL(_ s: String, path: String, into found: inout [String]) {
        if s.utf8.contains(0) { found.append("\(path): contains a NUL character (\\u0000)") }
    }
}

/// The candidate closest to `word` when it is a likely typo of it: the same but for letter case, or
/// at most two edits away (one for short words).
func nearest(_ word: String, among candidates: [String]) -> String? {
    let lower = word.lowercased()
    if let same = candidates.first(where: { $0.lowercased() == lower }) { return same }
    let limit = word.count <= 4 ? 1 : 2
    var best: (name: String, distance: Int)?
    for c in candidates {
        let d = editDistance(lower, c.lowercased())
        if d <= limit, d < (best?.distance ?? Int.max) { best = (c, d) }
    }
    return best?.name
}

/// Levenshtein distance over characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
