@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// The vendored public AWS convention suites (Tests/SharedTests/Vectors/aws-conventions, with their
/// licences and provenance), located from this file's path so a plain clone finds them.
enum ConventionVectors {
    static let root: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(1)  // ConventionVectors.swift
        return parts.joined(separator: "/") + "/Vectors/aws-conventions"
    }()

    static func text(_ relative: String) throws -> String {
        try LocalFileSystem().readText(root + "/" + relative)
    }

    static func json(_ relative: String) throws -> JSON {
        try JSON.parse(text(relative), source: relative)
    }
}
