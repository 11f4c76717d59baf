import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// The parameters every case of the suite shares (SOURCE.md beside the vectors); inputs, not expected values.
private let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
private let suiteDate = 1_440_938_160.0  // 2015-08-30T12:36:00Z
private let suiteToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

/// One raw request from a `.req` / `request.txt` file.
struct RawRequest {
    var method: String
    var target: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = lines.removeFirst()
        let sp = first.firstIndex(of: " ")!
        method = String(first[..<sp])
        let rest = first[first.index(after: sp)...]
        target = rest.hasSuffix(" HTTP/1.1") ? String(rest.dropLast(9)) : String(rest)
        headers = []
        var bodyLines: [String]? = nil
        for line in lines {
            if bodyLines != nil { bodyLines!.append(line); continue }
            if line.isEmpty { bodyLines = []; continue }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            let colon = line.firstIndex(of: ":")!
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        body = Array((bodyLines ?? []).joined(separator: "\n").utf8)
    }

    var host: String { headers.first { $0.name.lowercased() == "host" }!.value }

    var httpRequest: HTTPRequest {
        HTTPRequest(method: method, url: "https://\(host)\(target)", headers: headers, body: body)
    }
}

/// A case folder of the original suite, with its expected files.
struct SuiteCase: CustomTestStringConvertible, Sendable {
    var name: String
    var dir: String
    var testDescription: String { name }

    static func all() -> [SuiteCase] {
        let root = TestFiles.sigv4Data + "/aws4_testsuite"
        var out: [SuiteCase] = []
        func walk(_ dir: String, _ prefix: String) {
            for entry in TestFiles.list(dir) where TestFiles.isDirectory(dir + "/" + entry) {
                let path = dir + "/" + entry
                if TestFiles.read("\(path)/\(entry).req") != nil {
                    out.append(SuiteCase(name: prefix + entry, dir: path))
                } else {
                    walk(path, prefix + entry + "/")
                }
            }
        }
        walk(root, "")
        return out
    }

    func file(_ ext: String) -> String {
        let base = String(name.split(separator: "/").last!)
        return TestFiles.read("\(dir)/\(base).\(ext)")!
    }
}

/// A case folder of the aws-c-auth suite (header signing only: query signing is not used by these tools).
struct V4Case: CustomTestStringConvertible, Sendable {
    var name: String
    var dir: String
    var testDescription: String { name }

    static func all() -> [V4Case] {
        let root = TestFiles.sigv4Data + "/v4"
        return TestFiles.list(root).filter { TestFiles.isDirectory(root + "/" + $0) }
            .map { V4Case(name: $0, dir: root + "/" + $0) }
    }

    func file(_ name: String) -> String { TestFiles.read("\(dir)/\(name)")! }
}

@Suite struct SigV4Tests {
    @Test func vectorsArePresent() {
        // Guards against a silently empty parameter list if the data moves.
        #expect(SuiteCase.all().count == 34)
        #expect(V4Case.all().count == 38)
    }

    @Test(arguments: SuiteCase.all())
    func originalSuite(_ c: SuiteCase) throws {
        let raw = RawRequest(c.file("req"))
        let token: String? = c.name == "get-vanilla-with-session-token" ? suiteToken : nil
        let signer = SigV4Signer(
            credentials: Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: token),
            region: "us-east-1", service: "service")
        let signed = signer.signWithDetails(raw.httpRequest, date: suiteDate)
        #expect(signed.canonicalRequest == c.file("creq"))
        #expect(signed.stringToSign == c.file("sts"))
        #expect(signed.request.header("Authorization") == c.file("authz"))
    }

    @Test(arguments: V4Case.all())
    func awsCAuthSuite(_ c: V4Case) throws {
        let context = try JSON.parse(c.file("context.json"))
        let creds = context["credentials"]!
        var signer = SigV4Signer(
            credentials: Credentials(accessKeyId: creds["access_key_id"]!.stringValue!,
                                     secretAccessKey: creds["secret_access_key"]!.stringValue!,
                                     sessionToken: creds["token"]?.stringValue),
            region: context["region"]!.stringValue!, service: context["service"]!.stringValue!)
        signer.normalizePath = context["normalize"]?.boolValue ?? true
        signer.signPayloadHeader = context["sign_body"]?.boolValue ?? false
        signer.omitSessionTokenFromSignature = context["omit_session_token"]?.boolValue ?? false
        let raw = RawRequest(c.file("request.txt"))
        let signed = signer.signWithDetails(raw.httpRequest, date: suiteDate)
        #expect(signed.canonicalRequest == c.file("header-canonical-request.txt"))
        #expect(signed.stringToSign == c.file("header-string-to-sign.txt"))
        let authz = signed.request.header("Authorization")!
        #expect(authz.hasSuffix("Signature=" + c.file("header-signature.txt")))
        if creds["token"] != nil {
            #expect(signed.request.header("X-Amz-Security-Token") == creds["token"]!.stringValue)
        }
    }

    @Test func signAddsHostAndSignsTheTargetHeader() {
        let signer = SigV4Signer(credentials: Credentials(accessKeyId: "AKID", secretAccessKey: "s", sessionToken: "tok"),
                                 region: "eu-west-1", service: "ecs")
        let req = HTTPRequest(method: "POST", url: "http://127.0.0.1:4566/",
                              headers: [("Content-Type", "application/x-amz-json-1.1"),
                                        ("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListTasks"),
                                        ("User-Agent", "ecs-deployment/test")],
                              body: Array("{}".utf8))
        let signed = signer.signWithDetails(req, date: 1_700_000_000)
        #expect(signed.request.header("Host") == "127.0.0.1:4566")
        #expect(signed.request.header("X-Amz-Date") == "20231114T221320Z")
        let authz = signed.request.header("Authorization")!
        #expect(authz.contains("Credential=AKID/20231114/eu-west-1/ecs/aws4_request"))
        #expect(authz.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"))
        #expect(!signed.canonicalRequest.contains("user-agent"))
    }

    @Test func uriEncodingAndDates() {
        #expect(percentEncode("a b/c~d%") == "a%20b%2Fc~d%25")
        #expect(percentEncode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(SigV4Signer.amzDate(0) == "19700101T000000Z")
        #expect(SigV4Signer.amzDate(suiteDate) == "20150830T123600Z")
    }
}
