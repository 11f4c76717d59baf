import AWSCore
import Deployment

import ArgumentParser

/// The parts every tool's --help shares. Each tool's own manual (what it reads, what it adds, its
/// environment, exit statuses and examples) is its `configuration`, beside its flags and `run`.
enum Manual {
    static let input = """
        Reads JSON documents on stdin (JSON Lines, or concatenated pretty-printed values) as they arrive and \
        writes each enriched document to stdout as one line, keeping every field it does not touch in its \
        place. No input: no output, exit 0. A document that fails is reported as one line on stderr \
        (tool: document N: what went wrong) and the next one is processed; the exit status is then that \
        of the most serious failure. A queue message that can never succeed (bad input, 65) is still \
        written, with "result" {"status": "rejected", "reason"}; for other failures nothing is written. \
        A document that already has a "result" passes through untouched. Bad JSON is reported with its \
        line and column and ends the run.
        """

    static let aws = """
        AWS: credentials as the AWS CLI finds them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, \
        web identity, AWS_PROFILE and the shared files, ECS container or EC2 instance credentials); region from \
        --region, AWS_REGION, AWS_DEFAULT_REGION, the profile, or the SQS queue URL; endpoint from \
        --endpoint-url, AWS_ENDPOINT_URL_SQS/AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL; proxies from HTTPS_PROXY/NO_PROXY.
        """

    static func exits(_ notes: String = "") -> String {
        "EXIT STATUS:\n" + ExitStatus.manual + (notes.isEmpty ? "" : "\n" + notes)
    }
}
