#if canImport(Glibc)
import Glibc
#endif
import CCurl
import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

// Tests pass an empty environment so a proxy set around the test run cannot intercept loopback
// traffic; the first test keeps libcurl's own environment handling in use.
@Suite struct TransportTests {
    @Test func getRoundTripsTargetHeadersAndBody() throws {
        let server = try LoopbackServer { req in
            (200, [("Content-Type", "application/json"), ("x-amzn-RequestId", "r-1")], Array(#"{"ok":true}"#.utf8))
        }
        defer { server.stop() }
        let transport = CurlTransport()
        let response = try transport.send(HTTPRequest(
            method: "GET", url: server.url + "/v2/credentials?x=1&y=%2F",
            headers: [("X-Custom", "value 1"), ("X-Empty", "")]))
        #expect(response.status == 200)
        #expect(response.text == #"{"ok":true}"#)
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("X-Amzn-RequestId") == "r-1")
        let got = try #require(server.requests.first)
        #expect(got.method == "GET")
        #expect(got.target == "/v2/credentials?x=1&y=%2F")
        #expect(got.header("X-Custom") == "value 1")
        #expect(got.header("X-Empty") == "")
        #expect(got.body.isEmpty)
    }

    @Test func postSendsExactBodyWithoutExpectOrDefaultContentType() throws {
        let server = try LoopbackServer { req in (201, [], req.body.reversed()) }
        defer { server.stop() }
        let transport = CurlTransport(environment: Environment())
        // Large enough that libcurl would add "Expect: 100-continue" on its own.
        let body = (0..<5000).map { UInt8($0 % 251) }
        let response = try transport.send(HTTPRequest(method: "POST", url: server.url + "/",
                                                      headers: [("X-Amz-Target", "AmazonSQS.ReceiveMessage")],
                                                      body: body))
        #expect(response.status == 201)
        #expect(response.body == body.reversed())
        let got = try #require(server.requests.first)
        #expect(got.method == "POST")
        #expect(got.body == body)
        #expect(got.header("Content-Length") == "5000")
        #expect(got.header("Expect") == nil)
        #expect(got.header("Content-Type") == nil)
        #expect(got.header("X-Amz-Target") == "AmazonSQS.ReceiveMessage")
    }

    @Test func putWithEmptyBodySendsZeroContentLength() throws {
        let server = try LoopbackServer { _ in LoopbackServer.reply(200, "token") }
        defer { server.stop() }
        let response = try CurlTransport(environment: Environment()).send(HTTPRequest(
            method: "PUT", url: server.url + "/latest/api/token",
            headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")]))
        #expect(response.text == "token")
        let got = try #require(server.requests.first)
        #expect(got.method == "PUT")
        #expect(got.header("Content-Length") == "0")
        #expect(got.header("Content-Type") == nil)
    }

    @Test func otherMethodsAndContentTypePassThrough() throws {
        let server = try LoopbackServer { req in LoopbackServer.reply(200, req.method) }
        defer { server.stop() }
        let transport = CurlTransport(environment: Environment())
        let r1 = try transport.send(HTTPRequest(method: "DELETE", url: server.url + "/x"))
        let r2 = try transport.send(HTTPRequest(method: "POST", url: server.url + "/y",
                                                headers: [("Content-Type", "application/x-amz-json-1.1")],
                                                body: Array("{}".utf8)))
        let r3 = try transport.send(HTTPRequest(method: "HEAD", url: server.url + "/z"))
        #expect(r1.text == "DELETE")
        #expect(r2.text == "POST")
        #expect(r3.status == 200 && r3.body.isEmpty)
        #expect(server.requests.map { $0.method } == ["DELETE", "POST", "HEAD"])
        #expect(server.requests[1].header("Content-Type") == "application/x-amz-json-1.1")
    }

    @Test func keepsOneConnectionAcrossRequests() throws {
        let server = try LoopbackServer { req in LoopbackServer.reply(200, req.target) }
        defer { server.stop() }
        let transport = CurlTransport(environment: Environment())
        for i in 1...4 {
            let r = try transport.send(HTTPRequest(method: i % 2 == 0 ? "POST" : "GET", url: server.url + "/\(i)",
                                                   body: i % 2 == 0 ? Array("b\(i)".utf8) : []))
            #expect(r.text == "/\(i)")
        }
        #expect(server.requests.count == 4)
        #expect(server.connections == 1)
        #expect(Set(server.requests.map { $0.connection }) == [1])
    }

    @Test func headersOfAnInterimResponseAreDropped() throws {
        let server = try LoopbackServer { _ in (200, [("X-Final", "yes")], Array("done".utf8)) }
        defer { server.stop() }
        let response = try CurlTransport(environment: Environment()).send(HTTPRequest(
            method: "POST", url: server.url + "/", headers: [("Expect", "100-continue")],
            body: Array(repeating: 65, count: 2048)))
        #expect(response.status == 200)
        #expect(response.text == "done")
        #expect(response.header("X-Final") == "yes")
        #expect(response.header("X-Interim") == nil)
        #expect(server.requests.first?.header("Expect") == "100-continue")
        #expect(server.requests.first?.body.count == 2048)
    }

    @Test func errorStatusesAreResponsesNotErrors() throws {
        let server = try LoopbackServer { _ in LoopbackServer.reply(503, "busy") }
        defer { server.stop() }
        let response = try CurlTransport(environment: Environment()).send(HTTPRequest(method: "GET", url: server.url + "/"))
        #expect(response.status == 503)
        #expect(response.text == "busy")
    }

    @Test func refusedConnectionIsConnectError() throws {
        let url = "http://127.0.0.1:\(LoopbackServer.closedPort())/"
        do {
            _ = try CurlTransport(environment: Environment()).send(HTTPRequest(method: "GET", url: url, connectTimeout: 2, timeout: 2))
            Issue.record("expected a transport error")
        } catch let e as TransportError {
            #expect(e.kind == .connect)
            #expect(e.url == url)
            #expect(e.detail.contains("curl error 7"))
            #expect(e.detail.lowercased().contains("connect"))
        }
    }

    @Test func slowServerTimesOutWithinTheTimeout() throws {
        let server = try LoopbackServer { _ in
            usleep(1_500_000)
            return LoopbackServer.reply(200, "late")
        }
        defer { server.stop() }
        let clock = SystemTime()
        let start = clock.now()
        do {
            _ = try CurlTransport(environment: Environment()).send(HTTPRequest(method: "GET", url: server.url + "/", connectTimeout: 1, timeout: 0.3))
            Issue.record("expected a timeout")
        } catch let e as TransportError {
            #expect(e.kind == .timeout)
            #expect(e.detail.contains("curl error 28"))
        }
        let elapsed = clock.now() - start
        #expect(elapsed >= 0.25 && elapsed < 1.2, "elapsed \(elapsed)")
    }

    @Test func droppedConnectionIsOtherError() throws {
        let server = try LoopbackServer { _ in (0, [], []) }
        defer { server.stop() }
        do {
            _ = try CurlTransport(environment: Environment()).send(HTTPRequest(method: "GET", url: server.url + "/"))
            Issue.record("expected a transport error")
        } catch let e as TransportError {
            #expect(e.kind == .other)
            #expect(!e.detail.isEmpty)
        }
    }

    @Test func transportRecoversAfterAFailure() throws {
        var fail = true
        let server = try LoopbackServer { _ in
            defer { fail = false }
            return fail ? (0, [], []) : LoopbackServer.reply(200, "ok")
        }
        defer { server.stop() }
        let transport = CurlTransport(environment: Environment())
        #expect(throws: TransportError.self) { try transport.send(HTTPRequest(method: "GET", url: server.url + "/")) }
        #expect(try transport.send(HTTPRequest(method: "GET", url: server.url + "/")).text == "ok")
    }

    @Test func proxyFromEnvironmentHonoursNoProxy() throws {
        let origin = try LoopbackServer { _ in LoopbackServer.reply(200, "origin") }
        defer { origin.stop() }
        let proxy = try LoopbackServer { req in LoopbackServer.reply(200, "proxied \(req.target)") }
        defer { proxy.stop() }

        let bypass = CurlTransport(environment: Environment(["http_proxy": proxy.url, "NO_PROXY": "127.0.0.1,localhost"]))
        #expect(try bypass.send(HTTPRequest(method: "GET", url: origin.url + "/a")).text == "origin")
        // A name that cannot resolve proves the request went to the proxy and not to DNS.
        #expect(try bypass.send(HTTPRequest(method: "GET", url: "http://sqs.example.invalid/q")).text
                == "proxied http://sqs.example.invalid/q")

        let through = CurlTransport(environment: Environment(["http_proxy": proxy.url, "NO_PROXY": "example.com"]))
        #expect(try through.send(HTTPRequest(method: "GET", url: origin.url + "/b")).text
                == "proxied \(origin.url)/b")

        // HTTP_PROXY in capitals is ignored for http URLs, as libcurl does.
        let ignored = CurlTransport(environment: Environment(["HTTP_PROXY": proxy.url]))
        #expect(try ignored.send(HTTPRequest(method: "GET", url: origin.url + "/c")).text == "origin")

        #expect(origin.requests.map { $0.target } == ["/a", "/c"])
        #expect(proxy.requests.map { $0.target } == ["http://sqs.example.invalid/q", "\(origin.url)/b"])
    }

    @Test(arguments: [
        ("https://ecs.us-east-1.amazonaws.com/", ["HTTPS_PROXY": "http://p:1"], "http://p:1"),
        ("https://ecs.us-east-1.amazonaws.com/", ["https_proxy": "http://l:1", "HTTPS_PROXY": "http://u:1"], "http://l:1"),
        ("https://ecs.us-east-1.amazonaws.com/", ["http_proxy": "http://p:1"], nil),
        ("http://127.0.0.1:4566/", ["HTTP_PROXY": "http://p:1"], nil),
        ("http://127.0.0.1:4566/", ["http_proxy": "http://p:1"], "http://p:1"),
        ("https://sqs.eu-west-1.amazonaws.com/", ["ALL_PROXY": "http://a:1"], "http://a:1"),
        ("https://sqs.eu-west-1.amazonaws.com/", ["HTTPS_PROXY": "", "all_proxy": "http://a:1"], "http://a:1"),
    ] as [(String, [String: String], String?)])
    func proxySelection(url: String, env: [String: String], expected: String?) {
        #expect(CurlTransport.proxy(for: url, in: Environment(env)) == expected)
    }

    @Test func curlCodesMapToKinds() {
        #expect(CurlTransport.kind(of: CURLE_COULDNT_RESOLVE_HOST) == .connect)
        #expect(CurlTransport.kind(of: CURLE_COULDNT_CONNECT) == .connect)
        #expect(CurlTransport.kind(of: CURLE_OPERATION_TIMEDOUT) == .timeout)
        #expect(CurlTransport.kind(of: CURLE_PEER_FAILED_VERIFICATION) == .tls)
        #expect(CurlTransport.kind(of: CURLE_SSL_CONNECT_ERROR) == .tls)
        #expect(CurlTransport.kind(of: CURLE_GOT_NOTHING) == .other)
        #expect(CurlTransport.kind(of: CURLE_RECV_ERROR) == .other)
    }

    @Test func timeoutsBecomePositiveMilliseconds() {
        #expect(CurlTransport.milliseconds(0.3) == 300)
        #expect(CurlTransport.milliseconds(25) == 25_000)
        #expect(CurlTransport.milliseconds(0) == 1)
        #expect(CurlTransport.milliseconds(-4) == 1)
        #expect(CurlTransport.milliseconds(.infinity) == 86_400_000)
        #expect(CurlTransport.milliseconds(.nan) == 1)
    }

    @Test func aFailedHeaderAppendKeepsTheListBuiltSoFar() {
        // curl_slist_append returns NULL when it fails and leaves the list alone; that list must still be
        // handed back to be freed, not replaced by NULL.
        var appended: [String] = []
        let (list, complete) = CurlTransport.headerList(["A: 1", "B: 2", "C: 3"]) { (list: [String]?, line: String) -> [String]? in
            if line == "C: 3" { return nil }
            appended.append(line)
            return (list ?? []) + [line]
        }
        #expect(!complete)
        #expect(list == ["A: 1", "B: 2"])
        #expect(appended == ["A: 1", "B: 2"])
        let (all, done) = CurlTransport.headerList(["A: 1"]) { (list: [String]?, line: String) -> [String]? in (list ?? []) + [line] }
        #expect(done && all == ["A: 1"])
    }
}
