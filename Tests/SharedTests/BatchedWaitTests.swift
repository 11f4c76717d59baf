import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

// ecs-wait given several documents waits for all of them at once: the deployments on one client and
// cluster share each poll's DescribeServices, up to 10 services per call.

private func v(_ family: String, _ revision: Int) -> String { Fixture.td("\(family):\(revision)") }

/// A document as ecs-update writes it: our deployment ecs-svc/<n>8 of <service>:8, replacing :7.
private func document(_ service: String, cluster: String = "prod", revision: Int = 8, deployment: String? = nil) -> String {
    let id = deployment ?? "ecs-svc/\(service)-\(revision)"
    return #"{"service":"\#(service)","cluster":"\#(cluster)","taskDefinitionArn":"\#(v(service, revision))","previousTaskDefinitionArn":"\#(v(service, 7))","deploymentId":"\#(id)"}"#
}

/// The service as each poll sees it: our deployment rolling, then completed at poll `completesAt`.
private func rollout(_ service: String, completesAt: Int, revision: Int = 8) -> [FakeECS.Frame] {
    let old = Fixture.deployment("ecs-svc/\(service)-7", "ACTIVE", td: v(service, 7), running: 2, rollout: "COMPLETED",
                                 createdAt: Fixture.epoch - 3600)
    let rolling = Fixture.deployment("ecs-svc/\(service)-\(revision)", td: v(service, revision), running: 1, pending: 1)
    let done = Fixture.deployment("ecs-svc/\(service)-\(revision)", td: v(service, revision), running: 2, rollout: "COMPLETED")
    return Array(repeating: FakeECS.Frame(service: Fixture.service(service, deployments: [rolling, old])), count: completesAt - 1)
        + [FakeECS.Frame(service: Fixture.service(service, deployments: [done]))]
}

@Suite struct BatchedWaitTests {
    let ecs = FakeECS()
    let time = ManualTime(Fixture.epoch + 30)

    func run(_ stdin: String, args: [String] = [], level: Logger.Level = .error,
             shouldStop: @escaping () -> Bool = { false }) throws -> (Harness, Shared.ExitStatus) {
        let h = Harness(tool: "ecs-wait", stdin: stdin, factory: FakeFactory(ecs: ecs), time: time, level: level,
                        shouldStop: shouldStop)
        let status = try ECSWait.parse(args).run(h.context)
        return (h, status)
    }

    @Test func twelveDeploymentsShareEachPollTenServicesPerCall() throws {
        let names = (1...12).map { "svc\($0)" }
        // svc1…svc6 complete at the second poll, the others at the third.
        for (i, name) in names.enumerated() { ecs.serviceFrames[name] = rollout(name, completesAt: i < 6 ? 2 : 3) }
        let (h, status) = try run(names.map { document($0) }.joined(separator: "\n"))
        #expect(status == .ok)
        #expect(h.outJSON.count == 12)
        #expect(h.outJSON.allSatisfy { $0["result"]?["status"] == "succeeded" })
        // Poll 1: 10 + 2 services; poll 2: the same; poll 3: the six still rolling, in one call.
        #expect(ecs.describedServiceBatches == [Array(names[0..<10]), Array(names[10...]),
                                                Array(names[0..<10]), Array(names[10...]),
                                                Array(names[6...])])
        // 5 calls for 12 deployments, where one wait per document makes 30.
        #expect(ecs.count("DescribeServices") == 5)
        #expect(time.sleeps == [1, 2])
    }

    @Test func resultsAreWrittenInTheOrderOfTheOutcomes() throws {
        ecs.serviceFrames["slow"] = rollout("slow", completesAt: 3)
        ecs.serviceFrames["fast"] = rollout("fast", completesAt: 1)
        let (h, status) = try run(document("slow") + "\n" + document("fast"))
        #expect(status == .ok)
        #expect(h.outJSON.map { $0["service"]?.stringValue } == ["fast", "slow"])
        #expect(h.outJSON.map { $0["result"]?["elapsedSeconds"]?.doubleValue } == [0.0, 3.0])
    }

    @Test func theExitStatusIsTheWorstOutcome() throws {
        ecs.serviceFrames["ok"] = rollout("ok", completesAt: 2)
        var failing = rollout("bad", completesAt: 2)
        failing[1] = FakeECS.Frame(service: Fixture.service("bad", deployments: [
            Fixture.deployment("ecs-svc/bad-8", td: v("bad", 8), failed: 3, rollout: "FAILED",
                               reason: "ECS deployment circuit breaker: tasks failed to start."),
        ]))
        ecs.serviceFrames["bad"] = failing
        let (h, status) = try run(document("ok") + "\n" + document("bad"))
        #expect(status == .deploymentFailed)
        #expect(Set(h.outJSON.map { $0["result"]?["status"]?.stringValue ?? "" }) == ["succeeded", "failed"])
        #expect(ecs.count("DescribeServices") == 2)
    }

    @Test func aBacklogOfOneServiceAsksForItOnce() throws {
        // Two deployments of one service: the newer replaces the older, which is superseded.
        let old = Fixture.deployment("ecs-svc/web-7", "ACTIVE", td: v("web", 7), running: 2, rollout: "COMPLETED",
                                     createdAt: Fixture.epoch - 3600)
        let eight = Fixture.deployment("ecs-svc/web-8", "ACTIVE", td: v("web", 8), running: 0, createdAt: Fixture.epoch)
        let nine = Fixture.deployment("ecs-svc/web-9", td: v("web", 9), running: 1, pending: 1, createdAt: Fixture.epoch + 1)
        let done = Fixture.deployment("ecs-svc/web-9", td: v("web", 9), running: 2, rollout: "COMPLETED", createdAt: Fixture.epoch + 1)
        ecs.serviceFrames["web"] = [FakeECS.Frame(service: Fixture.service("web", deployments: [nine, eight, old])),
                                    FakeECS.Frame(service: Fixture.service("web", deployments: [done]))]
        let (h, status) = try run(document("web", revision: 8) + "\n" + document("web", revision: 9))
        #expect(status == .superseded)
        #expect(h.outJSON.map { $0["result"]?["status"]?.stringValue } == ["superseded", "succeeded"])
        #expect(ecs.describedServiceBatches == [["web"], ["web"]])
    }

    @Test func eachClusterHasItsOwnCalls() throws {
        ecs.serviceFrames["a"] = rollout("a", completesAt: 1)
        ecs.serviceFrames["b"] = rollout("b", completesAt: 1)
        ecs.serviceFrames["c"] = rollout("c", completesAt: 1)
        let (_, status) = try run([document("a", cluster: "blue"), document("b", cluster: "green"),
                                   document("c", cluster: "blue")].joined(separator: "\n"))
        #expect(status == .ok)
        #expect(ecs.describedServiceBatches == [["a", "c"], ["b"]])
    }

    @Test func aMissingServiceFailsOnlyItsOwnDocument() throws {
        ecs.serviceFrames["web"] = rollout("web", completesAt: 2)
        ecs.serviceFrames["gone"] = [FakeECS.Frame(service: nil)]
        let (h, status) = try run(document("web") + "\n" + document("gone"))
        #expect(status == .dataError)
        #expect(h.outJSON.map { $0["service"]?.stringValue } == ["web"])
        #expect(h.outJSON.first?["result"]?["status"] == "succeeded")
        #expect(h.stderr == ["ecs-wait: document 2: service gone not found in cluster prod\n"])
        #expect(ecs.describedServiceBatches == [["web", "gone"], ["web"]])
    }

    @Test func aThrottledPollIsOneWarningAndEveryWaitGoesOn() throws {
        ecs.serviceFrames["a"] = rollout("a", completesAt: 1)
        ecs.serviceFrames["b"] = rollout("b", completesAt: 1)
        ecs.errors["DescribeServices"] = [FakeAWSError(.throttled, "ThrottlingException: Rate exceeded")]
        let (h, status) = try run(document("a") + "\n" + document("b"), level: .warning)
        #expect(status == .ok)
        #expect(h.outJSON.count == 2)
        #expect(h.stderr == ["ecs-wait: warning: ThrottlingException: Rate exceeded; still waiting\n"])
        #expect(time.sleeps == [15])
    }

    @Test func aDocumentArrivingDuringTheWaitJoinsTheNextPoll() throws {
        ecs.serviceFrames["first"] = rollout("first", completesAt: 5)
        ecs.serviceFrames["late"] = rollout("late", completesAt: 2)
        let start = time.current
        let h = Harness(tool: "ecs-wait", factory: FakeFactory(ecs: ecs), time: time)
        // The second document comes 2.5 s after the first, while the first waits; the input ends later.
        h.context.input = TimedSource(time: time, [(start, document("first") + "\n"), (start + 2.5, document("late") + "\n")],
                                      endsAt: start + 4)
        #expect(try ECSWait.parse([]).run(h.context) == .ok)
        #expect(ecs.describedServiceBatches == [["first"], ["first"], ["first", "late"], ["first", "late"], ["first"]])
        #expect(h.outJSON.map { $0["service"]?.stringValue } == ["late", "first"])
        // While the input is open, a first poll waits half a second for more documents: the first one's at
        // 0.5 s, the late one's (it came at 2.5 s) at 3 s, shared; its outcome at the next shared poll, at 4 s.
        #expect(h.outJSON.map { $0["result"]?["elapsedSeconds"]?.doubleValue } == [1.5, 8.0])
    }

    @Test func documentsWrittenOneByOneByAPipelineShareTheirFirstPoll() throws {
        let names = ["a", "b", "c", "d"]
        for name in names { ecs.serviceFrames[name] = rollout(name, completesAt: 1) }
        let start = time.current
        let h = Harness(tool: "ecs-wait", factory: FakeFactory(ecs: ecs), time: time)
        // ecs-update writes a document every 0.1 s and ends later.
        h.context.input = TimedSource(time: time, names.enumerated().map { (start + 0.1 * Double($0.offset), document($0.element) + "\n") },
                                      endsAt: start + 5)
        #expect(try ECSWait.parse([]).run(h.context) == .ok)
        #expect(ecs.describedServiceBatches == [names])
        #expect(h.outJSON.count == 4)
    }

    @Test func badJSONEndsTheReadingButNotTheWaitsStarted() throws {
        ecs.serviceFrames["web"] = rollout("web", completesAt: 2)
        let (h, status) = try run(document("web") + "\n{\"service\": ")
        #expect(status == .dataError)
        #expect(h.outJSON.first?["result"]?["status"] == "succeeded")
        #expect(h.stderr.count == 1)
        #expect(h.stderr.first?.contains("<stdin>") == true)
    }

    @Test func aStopEndsEveryWaitAsTimedOut() throws {
        ecs.serviceFrames["a"] = rollout("a", completesAt: 5)
        ecs.serviceFrames["b"] = rollout("b", completesAt: 5)
        let (h, status) = try run(document("a") + "\n" + document("b"), shouldStop: { [ecs] in ecs.count("DescribeServices") >= 2 })
        #expect(status == .timedOut)
        #expect(h.outJSON.count == 2)
        for out in h.outJSON {
            #expect(out["result"]?["status"] == "timed_out")
            #expect(out["result"]?["reason"]?.stringValue?.hasPrefix("interrupted after 1s while waiting for deployment") == true)
        }
        #expect(ecs.count("DescribeServices") == 2)
    }

    @Test func aStopBeforeTheInputEndsNamesWhatWasNotProcessed() throws {
        ecs.serviceFrames["a"] = rollout("a", completesAt: 1)
        var stop = false
        let h = Harness(tool: "ecs-wait", factory: FakeFactory(ecs: ecs), time: time, shouldStop: { stop })
        let start = time.current
        h.context.input = TimedSource(time: time, [(start, document("a") + "\n"), (start + 100, document("b") + "\n")])
        // The stop comes as the first result is written, before the second document arrives.
        h.context.output = StopAfterFirst { stop = true }
        #expect(try ECSWait.parse([]).run(h.context) == .timedOut)
        #expect(h.stderr == ["ecs-wait: interrupted; document 2 and any after it were not processed\n"])
        #expect(ecs.describedServiceBatches == [["a"]])
    }

    @Test func eachServiceIsFoundInAnAnswerByNameOrEitherARNFormat() throws {
        let web = Fixture.service("web", deployments: [])
        let api = Fixture.service("api", deployments: [])
        let answer = DescribeServicesResult(services: [web, api], failures: [
            ["arn": "arn:aws:ecs:us-east-1:123456789012:service/prod/gone", "reason": "MISSING"],
            ["arn": "arn:aws:ecs:us-east-1:123456789012:service/prod/odd", "reason": "INACTIVE_SOMEHOW"],
        ])
        #expect(try serviceIn(answer, cluster: "prod", service: "api")["serviceName"] == "api")
        #expect(try serviceIn(answer, cluster: "prod", service: "arn:aws:ecs:us-east-1:123456789012:service/prod/web")["serviceName"] == "web")
        // The old ARN format, without the cluster, names the same service.
        #expect(try serviceIn(answer, cluster: "prod", service: "arn:aws:ecs:us-east-1:123456789012:service/web")["serviceName"] == "web")
        #expect(throws: Failure(.invalidInput, "service gone not found in cluster prod")) {
            try serviceIn(answer, cluster: "prod", service: "gone")
        }
        #expect(throws: Failure(.invalidInput, "service odd in cluster prod: INACTIVE_SOMEHOW")) {
            try serviceIn(answer, cluster: "prod", service: "odd")
        }
        // A service the answer does not mention at all is not taken for another one.
        #expect(throws: Failure(.invalidInput, "service other not found in cluster prod")) {
            try serviceIn(answer, cluster: "prod", service: "other")
        }
    }
}
