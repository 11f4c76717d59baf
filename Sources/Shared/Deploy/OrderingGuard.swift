/// Whether a message predates the service's current PRIMARY deployment (DESIGN §5): such a message must
/// not be deployed over it, since a newer deployment, or the one this message already started before a
/// crash, is in place. Returns the reason when stale, nil otherwise; pure.
///
/// `sentTimestamp` is SQS's SentTimestamp (milliseconds since the epoch); `createdAt` of the deployment
/// is seconds since the epoch, as ECS reports it.
public func staleReason(sentTimestamp: Int64, service: JSON) -> String? {
    let view = ServiceView(service)
    guard let primary = view.primary, let created = primary.createdAt else { return nil }
    let sent = Double(sentTimestamp) / 1000
    guard sent < created else { return nil }
    return "message sent at \(formatEpoch(sent)) is older than deployment \(primary.id) of \(shortTaskDefinition(primary.taskDefinition)) created at \(formatEpoch(created)) on service \(view.name)"
}

/// UTC ISO-8601 with milliseconds, without Foundation.
public func formatEpoch(_ seconds: Double) -> String {
    let millisTotal = Int64((seconds * 1000).rounded())
    var days = millisTotal >= 0 ? millisTotal / 86_400_000 : (millisTotal - 86_399_999) / 86_400_000
    let msOfDay = millisTotal - days * 86_400_000
    // Civil-from-days (Howard Hinnant's algorithm).
    days += 719_468
    let era = (days >= 0 ? days : days - 146_096) / 146_097
    let doe = days - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    var year = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    if month <= 2 { year += 1 }
    func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    let h = msOfDay / 3_600_000, m = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, ms = msOfDay % 1000
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))Z"
}
