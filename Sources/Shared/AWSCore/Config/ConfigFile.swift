/// A shared `config` or `credentials` file that does not follow the grammar; names the file and the line.
public struct ConfigParseError: ReportedError, CustomStringConvertible, Equatable {
    public var path: String
    public var line: Int
    public var detail: String
    public var failureKind: FailureKind { .configuration }
    public var message: String { "cannot parse \(path) line \(line): \(detail)" }
    public var description: String { message }
}

/// One parsed file of the AWS shared-config format, read by the grammar all AWS SDKs share
/// (the cross-SDK profile-parser tests run against it): sections in file order, keys lowercased.
public struct ConfigFile: Sendable, Equatable {
    /// One `[name]` section: its properties and the sub-properties of those with an empty first line
    /// (`s3 =` followed by indented `key = value` lines).
    public struct Section: Sendable, Equatable {
        /// The header's text, trimmed, with the whitespace after a prefix collapsed: `profile prod`, `default`.
        public var name: String
        /// Properties as the spec reads them: a continued value keeps its lines joined by `\n`, and a
        /// property with sub-properties has them as its value (`\nname = value`).
        public var values: [String: String] = [:]
        /// The sub-properties of each property that has them, comments dropped, keys lowercased.
        public var subsections: [String: [String: String]] = [:]
        public init(name: String) { self.name = name }
    }

    /// Sections by their header text (`default`, `profile prod`, `services local`, ...).
    public private(set) var sections: [String: Section] = [:]
    /// Header texts in the order they first appear.
    public private(set) var order: [String] = []

    public init() {}

    public subscript(_ name: String) -> Section? { sections[name] }

    /// Parses `text` (the contents of `path`, named in errors).
    ///
    /// The grammar: a UTF-8 byte-order mark at the start is dropped; blank lines and lines starting
    /// with `#` or `;` are skipped; `[name]` starts a section (a `#` or `;` anywhere after it is a
    /// comment); `key = value` sets a property (a `#` or `;` after whitespace starts a comment); an
    /// indented line continues the property above it, or adds a sub-property when that property's
    /// value was empty. Properties whose names are not identifiers are dropped, as are the sections
    /// the SDKs ignore (decided in `SharedConfig.build`). Anything else is an error naming the line.
    /// Duplicate sections merge, and a later duplicate key wins.
    public static func parse(_ text: String, path: String = "<input>") throws -> ConfigFile {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = Substring(body.unicodeScalars.dropFirst()) }
        var file = ConfigFile()
        var current: String?
        // The property the next indented line belongs to, whether it is kept, and whether it holds sub-properties.
        var property: (key: String, kept: Bool, sub: Bool)?
        var lineNumber = 0
        for rawLine in body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            func fail(_ detail: String) -> ConfigParseError { ConfigParseError(path: path, line: lineNumber, detail: detail) }
            if trim(line).isEmpty || line.first == "#" || line.first == ";" { continue }
            if line.first == "[" {
                let prepared = prepare(line, commentsNeedWhitespace: false)
                guard prepared.last == "]" else { throw fail("profile definition must end with ']'") }
                let name = normalizeSectionName(prepared.dropFirst().dropLast())
                if file.sections[name] == nil {
                    file.sections[name] = Section(name: name)
                    file.order.append(name)
                }
                current = name
                property = nil
                continue
            }
            guard let section = current else { throw fail("expected a profile definition") }
            if line.first == " " || line.first == "\t" {
                guard let p = property else { throw fail("expected a property definition, found continuation") }
                let trimmed = trim(line)
                if p.sub {
                    let (k, v) = try splitProperty(Substring(trimmed), what: "sub-property", fail)
                    if p.kept { file.sections[section]!.subsections[p.key, default: [:]][k] = v }
                }
                if p.kept { file.sections[section]!.values[p.key, default: ""] += "\n" + trimmed }
                continue
            }
            let (key, value) = try splitProperty(line, what: "property", fail)
            let kept = isIdentifier(key)
            property = (key, kept, value.isEmpty)
            guard kept else { continue }
            file.sections[section]!.values[key] = value
            // A later `s3 =` starts its sub-properties afresh, like any later duplicate key.
            file.sections[section]!.subsections[key] = value.isEmpty ? [:] : nil
        }
        return file
    }

    /// `profile   prod` and `profile\tprod` name the same section as `profile prod`.
    static func normalizeSectionName(_ raw: Substring) -> String {
        let name = trim(raw)
        guard let gap = name.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return name }
        return String(name[..<gap]) + " " + trim(name[gap...])
    }

    /// The prefix and the name of a section header (`profile`, `prod`), or nil and the name.
    static func splitSectionName(_ name: String) -> (prefix: String?, name: String) {
        guard let space = name.firstIndex(of: " ") else { return (nil, name) }
        return (String(name[..<space]), String(name[name.index(after: space)...]))
    }

    /// Profile, section and property names: ASCII letters, digits and `_ - / . % @ : +`.
    static func isIdentifier<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            (c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)))
                || "_-/.%@:+".unicodeScalars.contains(c)
        }
    }

    private static func splitProperty(_ line: Substring, what: String,
                                      _ fail: (String) -> ConfigParseError) throws -> (String, String) {
        let prepared = prepare(line, commentsNeedWhitespace: true)
        guard let eq = prepared.firstIndex(of: "=") else { throw fail("expected an '=' sign defining a \(what)") }
        let key = trim(prepared[..<eq])
        guard !key.isEmpty else { throw fail("\(what) did not have a name") }
        return (asciiLowercased(key), trim(prepared[prepared.index(after: eq)...]))
    }

    /// Trims the line and drops a comment: any `#` / `;` in a section header, only one after
    /// whitespace in a property, so `a#b` keeps its `#`.
    private static func prepare(_ line: Substring, commentsNeedWhitespace: Bool) -> Substring {
        let t = Substring(trim(line))
        var previousWasSpace = false
        var i = t.startIndex
        while i < t.endIndex {
            let c = t[i]
            if (c == "#" || c == ";") && (previousWasSpace || !commentsNeedWhitespace) {
                return Substring(trim(t[..<i]))
            }
            previousWasSpace = c.isWhitespace
            i = t.index(after: i)
        }
        return t
    }

    private static func asciiLowercased(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { c in
            ("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32)! : c
        }))
    }

    /// Drops spaces and tabs at both ends (the spec's whitespace; other characters are kept).
    static func trim<S: StringProtocol>(_ s: S) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == " " || f == "\t" { sub = sub.dropFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub = sub.dropLast() }
        return String(sub)
    }
}
