import ArgumentParser

/// The flags of ecs-register besides the common ones.
public struct ECSRegisterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Register the task definition in this file (a bare definition or describe-task-definition output) instead of reading stdin.",
                               valueName: "path"))
    public var file: String?

    public init() {}
}

/// ecs-register: registers each document's `taskDefinition` and adds `taskDefinitionArn`.
///
/// A bare definition (from --file, or on stdin without pipeline fields) gives `{"taskDefinitionArn": …}`.
public func runECSRegister(_ options: ECSRegisterOptions, common: CommonOptions, context: ToolContext) -> ExitStatus {
    let clients = ClientCache(context.factory)
    if let path = options.file {
        do {
            let bytes: [UInt8]
            do {
                bytes = try context.fileSystem.read(path)
            } catch let e as FileError {
                throw SimpleToolError(.dataError, "cannot read \(e.path): \(e.detail)")
            }
            let value = try JSON.parse(bytes, source: path)
            let arn = try register(value, source: path, queueUrl: nil, clients: clients, context: context)
            context.output.write(line: JSON.object(JSONObject([(DocumentKey.taskDefinitionArn, .string(arn))])).serialized())
            return .ok
        } catch {
            return fail(context, error)
        }
    }
    return forEachDocument(context) { doc in
        var doc = doc
        let source = "document \(doc.number)"
        if isBareDefinition(doc) {
            let arn = try register(doc.json, source: source, queueUrl: nil, clients: clients, context: context)
            return (Document(object: JSONObject([(DocumentKey.taskDefinitionArn, .string(arn))]), number: doc.number), .ok)
        }
        guard let definition = try doc.taskDefinition() else { throw doc.missing(DocumentKey.taskDefinition) }
        let arn = try register(definition, source: source, queueUrl: try doc.message()?.queueUrl, clients: clients,
                               context: context)
        doc.set(DocumentKey.taskDefinitionArn, .string(arn))
        return (doc, .ok)
    }
}

/// A task definition itself rather than a pipeline document: describe-task-definition output
/// (only `taskDefinition` and `tags`), or an object with `family`/`containerDefinitions` and no pipeline fields.
func isBareDefinition(_ doc: Document) -> Bool {
    let keys = doc.object.keys
    if doc.has(DocumentKey.taskDefinition) {
        return keys.allSatisfy { $0 == DocumentKey.taskDefinition || $0 == "tags" }
    }
    let pipeline = [DocumentKey.message, DocumentKey.service, DocumentKey.taskDefinitionArn]
    return (doc.has("family") || doc.has("containerDefinitions")) && !pipeline.contains(where: doc.has)
}

private func register(_ value: JSON, source: String, queueUrl: String?, clients: ClientCache,
                      context: ToolContext) throws -> String {
    let definition = try TaskDefinition.normalise(value, source: source)
    if !definition.dropped.isEmpty {
        context.logger.info("\(source): dropped read-only fields \(definition.dropped.joined(separator: ", "))")
    }
    let registered = try clients.ecs(queueUrl).registerTaskDefinition(definition.input)
    guard let arn = registered["taskDefinitionArn"]?.stringValue else {
        throw SimpleToolError(.unavailable, "\(source): RegisterTaskDefinition returned no taskDefinitionArn")
    }
    context.logger.info("registered \(arn)")
    return arn
}
