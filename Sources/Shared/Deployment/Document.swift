import AWSCore

/// The field names of the pipeline document, defined once.
public enum DocumentKey {
    public static let message = "message"
    public static let service = "service"
    public static let cluster = "cluster"
    public static let taskDefinition = "taskDefinition"
    public static let taskDefinitionArn = "taskDefinitionArn"
    public static let previousTaskDefinitionArn = "previousTaskDefinitionArn"
    public static let deploymentId = "deploymentId"
    /// True when an earlier delivery of the message started `deploymentId`: ecs-update leaves the service alone.
    public static let reattached = "reattached"
    /// The rollback `ecs-update --rollback` started: `deploymentId`, `taskDefinitionArn`, and the `failure` it answers.
    public static let rollback = "rollback"
    public static let result = "result"
}

/// A document that is not what the tools expect; always bad input (exit 65).
public struct DocumentError: ReportedError, Equatable, CustomStringConvertible {
    public var failureKind: FailureKind { .invalidInput }
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The SQS message a document came from.
public struct DocumentMessage: Equatable, Sendable {
    public var queueUrl: String
    public var messageId: String
    public var receiptHandle: String
    /// Milliseconds since the epoch, as SQS reports SentTimestamp.
    public var sentTimestamp: Int64?
    public var receiveCount: Int64?
    /// Milliseconds since the epoch, as SQS reports ApproximateFirstReceiveTimestamp.
    public var firstReceiveTimestamp: Int64?
    /// String message attributes, in the order SQS returned them.
    public var attributes: JSONObject

    public init(queueUrl: String, messageId: String, receiptHandle: String, sentTimestamp: Int64? = nil,
                receiveCount: Int64? = nil, firstReceiveTimestamp: Int64? = nil, attributes: JSONObject = JSONObject()) {
        self.queueUrl = queueUrl
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.sentTimestamp = sentTimestamp
        self.receiveCount = receiveCount
        self.firstReceiveTimestamp = firstReceiveTimestamp
        self.attributes = attributes
    }

    public var json: JSON {
        var o = JSONObject()
        o["queueUrl"] = .string(queueUrl)
        o["messageId"] = .string(messageId)
        o["receiptHandle"] = .string(receiptHandle)
        if let t = sentTimestamp { o["sentTimestamp"] = .int(t) }
        if let c = receiveCount { o["receiveCount"] = .int(c) }
        if let f = firstReceiveTimestamp { o["firstReceiveTimestamp"] = .int(f) }
        o["attributes"] = .object(attributes)
        return .object(o)
    }
}

/// One pipeline document: a JSON object from stdin with typed access to the shared fields.
///
/// Reading never reorders anything; setting a field that exists keeps its place, a new one goes last.
public struct Document: Equatable, Sendable {
    public private(set) var object: JSONObject
    /// 1-based position in the input stream, for error messages.
    public let number: Int

    public init(_ value: JSON, number: Int) throws {
        guard case .object(let o) = value else {
            throw DocumentError("document \(number): expected a JSON object, got \(value.kindName)")
        }
        self.object = o
        self.number = number
    }

    public init(object: JSONObject, number: Int) {
        self.object = object
        self.number = number
    }

    public var json: JSON { .object(object) }

    public func has(_ key: String) -> Bool { object[key] != nil }

    public mutating func set(_ key: String, _ value: JSON) { object[key] = value }

    public mutating func remove(_ key: String) { object[key] = nil }

    // MARK: Generic access

    /// A string field that must be there.
    public func string(_ key: String) throws -> String {
        guard let s = try optionalString(key) else { throw missing(key) }
        return s
    }

    /// A string field that may be absent (or null); any other type is an error.
    public func optionalString(_ key: String) throws -> String? {
        try Document.optionalString(object[key], path: key, number: number)
    }

    public func missing(_ path: String) -> DocumentError {
        DocumentError("document \(number): missing \"\(path)\"")
    }

    static func wrongType(_ path: String, expected: String, got: JSON, number: Int) -> DocumentError {
        DocumentError("document \(number): \"\(path)\" must be \(expected), got \(got.kindName)")
    }

    static func optionalString(_ value: JSON?, path: String, number: Int) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw wrongType(path, expected: "a string", got: other, number: number)
        }
    }

    static func optionalInt(_ value: JSON?, path: String, number: Int) throws -> Int64? {
        switch value {
        case nil, .null?: return nil
        case let v?:
            // SQS sends numbers as strings; accept both.
            if let i = v.intValue { return i }
            if let s = v.stringValue, let i = Int64(s) { return i }
            throw wrongType(path, expected: "an integer", got: v, number: number)
        }
    }

    // MARK: Typed fields

    public func service() throws -> String { try string(DocumentKey.service) }
    public func cluster() throws -> String? { try optionalString(DocumentKey.cluster) }
    public func taskDefinitionArn() throws -> String? { try optionalString(DocumentKey.taskDefinitionArn) }
    public func previousTaskDefinitionArn() throws -> String? { try optionalString(DocumentKey.previousTaskDefinitionArn) }
    public func deploymentId() throws -> String? { try optionalString(DocumentKey.deploymentId) }

    /// The rollback under way, as `ecs-update --rollback` recorded it; ecs-wait judges its deployment.
    public func rollback() throws -> (deploymentId: String, taskDefinitionArn: String?, failure: JSON)? {
        let key = DocumentKey.rollback
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?:
            guard let id = try Document.optionalString(o["deploymentId"], path: "\(key).deploymentId", number: number) else {
                throw missing("\(key).deploymentId")
            }
            let td = try Document.optionalString(o["taskDefinitionArn"], path: "\(key).taskDefinitionArn", number: number)
            return (id, td, o["failure"] ?? .object(JSONObject()))
        case let other?:
            throw Document.wrongType(key, expected: "an object", got: other, number: number)
        }
    }

    /// Whether the cluster was named by the input itself (a message's `cluster` attribute, or the `cluster`
    /// field of a document that did not come from the queue) rather than by ECS_CLUSTER or --cluster.
    public func clusterNamedByInput() throws -> Bool {
        if let message = try message() { return message.attributes["cluster"] != nil }
        return try cluster() != nil
    }

    /// Whether an earlier delivery's deployment was re-attached (ecs-register), so nothing is to be updated.
    public func reattached() throws -> Bool {
        switch object[DocumentKey.reattached] {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case let other?: throw Document.wrongType(DocumentKey.reattached, expected: "a boolean", got: other, number: number)
        }
    }

    /// The task definition to register, which must be an object when present.
    public func taskDefinition() throws -> JSON? {
        switch object[DocumentKey.taskDefinition] {
        case nil, .null?: return nil
        case let v? where v.objectValue != nil: return v
        case let other?: throw Document.wrongType(DocumentKey.taskDefinition, expected: "an object", got: other, number: number)
        }
    }

    /// The SQS message this document came from, if any.
    public func message() throws -> DocumentMessage? {
        let key = DocumentKey.message
        let m: JSONObject
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?: m = o
        case let other?: throw Document.wrongType(key, expected: "an object", got: other, number: number)
        }
        func required(_ field: String) throws -> String {
            guard let s = try Document.optionalString(m[field], path: "\(key).\(field)", number: number) else {
                throw missing("\(key).\(field)")
            }
            return s
        }
        var attributes = JSONObject()
        switch m["attributes"] {
        case nil, .null?: break
        case .object(let o)?: attributes = o
        case let other?: throw Document.wrongType("\(key).attributes", expected: "an object", got: other, number: number)
        }
        return DocumentMessage(
            queueUrl: try required("queueUrl"),
            messageId: try required("messageId"),
            receiptHandle: try required("receiptHandle"),
            sentTimestamp: try Document.optionalInt(m["sentTimestamp"], path: "\(key).sentTimestamp", number: number),
            receiveCount: try Document.optionalInt(m["receiveCount"], path: "\(key).receiveCount", number: number),
            firstReceiveTimestamp: try Document.optionalInt(m["firstReceiveTimestamp"], path: "\(key).firstReceiveTimestamp",
                                                            number: number),
            attributes: attributes)
    }

    /// The outcome already recorded in the document, if any.
    public func result() throws -> WaitResult? {
        let key = DocumentKey.result
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?:
            guard let raw = try Document.optionalString(o["status"], path: "\(key).status", number: number) else {
                throw missing("\(key).status")
            }
            guard let status = WaitStatus(rawValue: raw) else {
                let known = WaitStatus.allCases.map { $0.rawValue }.joined(separator: ", ")
                throw DocumentError("document \(number): \"\(key).status\" is \"\(raw)\", expected one of \(known)")
            }
            let reason = try Document.optionalString(o["reason"], path: "\(key).reason", number: number) ?? ""
            return WaitResult(status: status, reason: reason)
        case let other?:
            throw Document.wrongType(key, expected: "an object", got: other, number: number)
        }
    }
}
