import AWSCore
import Deployment

import CShim

/// The version every tool prints for --version.
public enum Version {
    public static let string = "0.1.0"
    /// The git commit fixed at build time by scripts/build-release ("unknown" for a plain `swift build`).
    public static let commit = String(cString: cshim_git_commit())
    /// The User-Agent of every AWS request.
    public static let userAgent = "ecs-deployment/\(string)"
    /// What --version prints: the version and the commit.
    public static let full = "\(string) (commit \(commit))"
}
