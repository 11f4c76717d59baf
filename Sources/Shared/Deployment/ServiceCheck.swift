import AWSCore

/// The service a document names, checked to be one these tools can deploy to: it exists, is ACTIVE and
/// uses the ECS deployment controller. ecs-register checks before registering anything, ecs-update
/// before updating; either way a message for a service that cannot be deployed changes nothing.
///
/// A cluster that does not exist is the input's fault only when the input named it
/// (`clusterNamedByInput`); one taken from ECS_CLUSTER or --cluster is a configuration error, so a
/// typo in the worker's own settings never makes good messages bad.
public func deployableService(_ ecs: ECSAPI, cluster: String, service: String, clusterNamedByInput: Bool = true) throws -> JSON {
    let current: JSON
    do {
        current = try describeService(ecs, cluster: cluster, service: service)
    } catch let e as AWSError where e.code == "ClusterNotFoundException" && !clusterNamedByInput {
        throw Failure(.configuration, "cluster \(cluster) (from ECS_CLUSTER or --cluster) not found: \(e.message)")
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

/// Points the service at `taskDefinition` (UpdateService) and returns the deployment that started: the
/// PRIMARY one of the answer, without which nothing can be judged (69, as for any broken answer).
public func startDeployment(_ ecs: ECSAPI, cluster: String, service: String, taskDefinition: String) throws -> Deployment {
    let updated = try ecs.updateService(cluster: cluster, service: service, taskDefinition: taskDefinition)
    guard let primary = ServiceView(updated).primary else {
        throw Failure(.unavailable, "UpdateService of service \(service) returned no PRIMARY deployment")
    }
    return primary
}

/// The service as one DescribeServices returns it. A service ECS does not find (its failure reason
/// MISSING, or any other) is the input's fault (65), whichever tool asks.
public func describeService(_ ecs: ECSAPI, cluster: String, service: String) throws -> JSON {
    try serviceIn(try ecs.describeServices(cluster: cluster, services: [service]), cluster: cluster, service: service)
}

/// The one service of a DescribeServices answer that `service` (a name or an ARN, as asked) names; an
/// answer covers up to 10 services, each either among `services` or among `failures`.
public func serviceIn(_ found: DescribeServicesResult, cluster: String, service: String) throws -> JSON {
    // An ARN asked for may come back in the other ARN format (with or without the cluster); the
    // name, its last part, is the same in both.
    let name = service.hasPrefix("arn:") ? String(service.split(separator: "/").last ?? "") : service
    if let current = found.services.first(where: {
        $0["serviceName"]?.stringValue == name || $0["serviceArn"]?.stringValue == service
    }) {
        return current
    }
    let failure = found.failures.first(where: {
        guard let arn = $0["arn"]?.stringValue else { return false }
        return arn == service || arn.hasSuffix("/\(name)")
    })
    let reason = failure?["reason"]?.stringValue ?? "MISSING"
    if reason == "MISSING" { throw Failure(.invalidInput, "service \(service) not found in cluster \(cluster)") }
    throw Failure(.invalidInput, "service \(service) in cluster \(cluster): \(reason)")
}
