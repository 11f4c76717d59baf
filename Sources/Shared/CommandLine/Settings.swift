import AWSCore
import Deployment

/// One setting the tools honour: where it can come from, first source first.
public struct ConfigSetting: Sendable, Equatable {
    /// What it sets.
    public var name: String
    /// Its sources in precedence order, the first one present wins: `` `--flag` ``, `` `ENV_VAR` ``,
    /// `` profile `key` `` (the selected profile, credentials file over config file).
    public var sources: [String]
    /// What happens when no source gives it, and what else to know.
    public var notes: String
}

/// Every setting the tools read, in one table. docs/configuration.md carries it verbatim, and a test
/// checks that the table names exactly the environment variables and profile keys the code reads.
public enum ConfigSettings {
    public static let all: [ConfigSetting] = [
        ConfigSetting(name: "region", sources: ["`--region`", "`AWS_REGION`", "`AWS_DEFAULT_REGION`", "profile `region`", "the queue URL's host"],
                      notes: "none: a configuration error (78)"),
        ConfigSetting(name: "profile", sources: ["`--profile`", "`AWS_PROFILE`"],
                      notes: "`default`; a profile named explicitly must exist"),
        ConfigSetting(name: "config file", sources: ["`AWS_CONFIG_FILE`"], notes: "`~/.aws/config` (`~` is `HOME`, else `/root`)"),
        ConfigSetting(name: "credentials file", sources: ["`AWS_SHARED_CREDENTIALS_FILE`"], notes: "`~/.aws/credentials`"),
        ConfigSetting(name: "home directory", sources: ["`HOME`"], notes: "`/root`"),
        ConfigSetting(name: "endpoint of one service", sources: ["`--endpoint-url`", "`AWS_ENDPOINT_URL_SQS` / `_ECS` / `_STS`", "`AWS_ENDPOINT_URL`",
                                                                 "profile `services` → `[services name]` `sqs =` / `ecs =` / `sts =` `endpoint_url`",
                                                                 "profile `endpoint_url`", "the partitions table"],
                      notes: "a configured endpoint is used as is, even with FIPS or dual-stack (as botocore's client does)"),
        ConfigSetting(name: "ignore configured endpoints", sources: ["`AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`", "profile `ignore_configured_endpoint_urls`"],
                      notes: "`false`; `true` drops every endpoint source but `--endpoint-url`"),
        ConfigSetting(name: "FIPS endpoints", sources: ["`AWS_USE_FIPS_ENDPOINT`", "profile `use_fips_endpoint`"],
                      notes: "`false`; where a partition has none, a configuration error (78)"),
        ConfigSetting(name: "dual-stack endpoints", sources: ["`AWS_USE_DUALSTACK_ENDPOINT`", "profile `use_dualstack_endpoint`"],
                      notes: "`false`; the partition's dual-stack DNS suffix"),
        ConfigSetting(name: "STS endpoint kind", sources: ["`AWS_STS_REGIONAL_ENDPOINTS`", "profile `sts_regional_endpoints`"],
                      notes: "`regional`; `legacy` sends the regions that once used it to `sts.amazonaws.com`"),
        ConfigSetting(name: "credentials from the environment", sources: ["`AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`)"],
                      notes: "first in the chain, skipped when `--profile` is given"),
        ConfigSetting(name: "web identity", sources: ["`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`)"],
                      notes: "second in the chain"),
        ConfigSetting(name: "credentials of a profile", sources: ["profile `role_arn` (with `source_profile` or `credential_source`, `role_session_name`, `external_id`, `duration_seconds`; `mfa_serial` is refused)",
                                                                  "profile `web_identity_token_file` (with `role_arn`)",
                                                                  "profile `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`)",
                                                                  "profile `credential_process`",
                                                                  "profile `sso_session` / `sso_start_url` / `sso_account_id` / `sso_role_name` / `sso_region` (checked, then refused: not supported)"],
                      notes: "third in the chain; a source profile's complete keys end a role chain even beside its `role_arn`"),
        ConfigSetting(name: "container credentials", sources: ["`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`", "`AWS_CONTAINER_CREDENTIALS_FULL_URI`"],
                      notes: "fourth in the chain; not set: skipped"),
        ConfigSetting(name: "container credentials authorization", sources: ["`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read at every fetch)",
                                                                             "`AWS_CONTAINER_AUTHORIZATION_TOKEN`"],
                      notes: "no `Authorization` header"),
        ConfigSetting(name: "instance metadata off", sources: ["`AWS_EC2_METADATA_DISABLED`"],
                      notes: "`false`: last in the chain"),
        ConfigSetting(name: "instance metadata endpoint", sources: ["`AWS_EC2_METADATA_SERVICE_ENDPOINT`", "`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (`IPv6`: `http://[fd00:ec2::254]`)"],
                      notes: "`http://169.254.169.254`"),
        ConfigSetting(name: "no IMDSv1 fallback", sources: ["`AWS_EC2_METADATA_V1_DISABLED`"], notes: "`false`: falls back when no session token is given"),
        ConfigSetting(name: "attempts per AWS call", sources: ["`AWS_MAX_ATTEMPTS`"], notes: "`3`"),
        ConfigSetting(name: "proxy for https", sources: ["`https_proxy`", "`HTTPS_PROXY`", "`all_proxy`", "`ALL_PROXY`"], notes: "none"),
        ConfigSetting(name: "proxy for http", sources: ["`http_proxy`", "`all_proxy`", "`ALL_PROXY`"], notes: "none"),
        ConfigSetting(name: "hosts reached without proxy", sources: ["`no_proxy`", "`NO_PROXY`"], notes: "none"),
        ConfigSetting(name: "queue (sqs-receive)", sources: ["`--queue-url`", "`SQS_URL`"], notes: "none: a usage error"),
        ConfigSetting(name: "cluster", sources: ["the document's `cluster` (the message's `cluster` attribute)", "`--cluster`", "`ECS_CLUSTER`"],
                      notes: "`default`"),
        ConfigSetting(name: "deployment timeout (ecs-wait)", sources: ["`--timeout`", "`ECS_TIMEOUT`"], notes: "`300` seconds"),
    ]

    /// The table as Markdown, as docs/configuration.md carries it.
    public static var markdown: String {
        var lines = ["| setting | sources, first one present wins | otherwise |", "|---|---|---|"]
        for s in all {
            lines.append("| \(s.name) | \(s.sources.joined(separator: ", then ")) | \(s.notes) |")
        }
        return lines.joined(separator: "\n")
    }
}
