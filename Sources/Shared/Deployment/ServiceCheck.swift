import AWSCore

/// The service a document names, checked to be one these tools can deploy to: it exists, is ACTIVE and
/// uses the ECS deployment controller. ecs-register checks before registering anything, ecs-update
/// before updating; either way a message for a service that cannot be deployed changes nothing.
public func deployableService(_ ecs: ECSAPI, cluster: String, service: String) throws -> JSON {
    let found = try ecs.describeServices(cluster: cluster, services: [service])
    guard let current = found.services.first else {
        let reason = found.failures.first?["reason"]?.stringValue ?? "MISSING"
        if reason == "MISSING" { throw Failure(.invalidInput, "service \(service) not found in cluster \(cluster)") }
        throw Failure(.invalidInput, "service \(service) in cluster \(cluster): \(reason)")
    }
    let view = ServiceView(current)
    if let status = view.status, status != "ACTIVE" {
        throw Failure(.invalidInput, "service \(service) in cluster \(cluster) is \(status)")
    }
    if view.controllerType != "ECS" {
        throw Failure(.invalidInput,
                              "service \(service) uses the \(view.controllerType) deployment controller; only ECS rolling deployments are supported")
    }
    return current
}
