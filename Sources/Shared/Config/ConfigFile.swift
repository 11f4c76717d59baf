/// One parsed INI file of the AWS shared-config format: sections in file order, keys lowercased.
public struct ConfigFile: Sendable, Equatable {
    /// One `[name]` section: its settings and any indented sub-sections (`s3 =` followed by indented lines).
    public struct Section: Sendable, Equatable {
        public var name: String
        public var values: [String: String] = [:]
        public var subsections: [String: [String: String]] = [:]
        public init(name: String) { self.name = name }
    }

    /// Sections by their header text (`default`, `profile prod`, `services local`, ...).
    public private(set) var sections: [String: Section] = [:]
    /// Header texts in the order they first appear.
    public private(set) var order: [String] = []

    public init() {}

    public subscript(_ name: String) -> Section? { sections[name] }

    /// Parses the text the way botocore's configparser reads it, plus the SDKs' inline comments.
    /// Keys are lowercased (configparser's default), section names keep their case, a later
    /// duplicate key or section adds to and overrides the earlier one, and lines that are not
    /// settings are skipped rather than rejected: a stray line must not hide every credential.
    public static func parse(_ text: String) -> ConfigFile {
        var file = ConfigFile()
        var current: String?
        // The key whose value is empty, so indented lines below it form a sub-section.
        var parentKey: String?
        var parentIndent = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            let body = line.dropFirst(indent)
            if body.isEmpty || body.first == "#" || body.first == ";" { continue }
            if body.first == "[" {
                parentKey = nil
                let withoutComment = stripInlineComment(body)
                guard let close = withoutComment.lastIndex(of: "]") else { current = nil; continue }
                let name = trim(withoutComment[withoutComment.index(after: withoutComment.startIndex)..<close])
                let normalized = normalizeSectionName(name)
                current = normalized
                if file.sections[normalized] == nil {
                    file.sections[normalized] = Section(name: normalized)
                    file.order.append(normalized)
                }
                continue
            }
            guard let section = current else { continue }
            if indent > 0, let parent = parentKey, indent > parentIndent {
                if let (k, v) = splitSetting(body) {
                    file.sections[section]!.subsections[parent, default: [:]][k] = v
                }
                continue
            }
            guard let (key, value) = splitSetting(body) else { parentKey = nil; continue }
            if value.isEmpty {
                parentKey = key
                parentIndent = indent
                // A later `s3 =` starts the sub-section afresh, like any later duplicate key.
                file.sections[section]!.subsections[key] = [:]
                file.sections[section]!.values[key] = ""
            } else {
                parentKey = nil
                file.sections[section]!.values[key] = value
            }
        }
        return file
    }

    /// `profile   prod` and `profile prod` name the same profile.
    private static func normalizeSectionName(_ name: String) -> String {
        let parts = name.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count > 1 else { return name }
        return String(parts[0]) + " " + trim(name.dropFirst(parts[0].count))
    }

    private static func splitSetting(_ body: Substring) -> (String, String)? {
        // configparser takes the first `=` or `:` as the delimiter, so `role_arn = arn:aws:...` works.
        guard let d = body.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        let key = trim(body[..<d]).lowercased()
        guard !key.isEmpty else { return nil }
        let value = trim(stripInlineComment(body[body.index(after: d)...]))
        return (key, value)
    }

    /// Drops ` # comment` / ` ; comment`: only after whitespace, so `a#b` keeps its `#`.
    private static func stripInlineComment(_ s: Substring) -> Substring {
        var previous: Character = " "
        var i = s.startIndex
        var sawText = false
        while i < s.endIndex {
            let c = s[i]
            if (c == "#" || c == ";") && (previous == " " || previous == "\t") && sawText {
                return s[..<i]
            }
            if c != " " && c != "\t" { sawText = true }
            previous = c
            i = s.index(after: i)
        }
        return s
    }

    static func trim<S: StringProtocol>(_ s: S) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == " " || f == "\t" { sub = sub.dropFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub = sub.dropLast() }
        return String(sub)
    }
}
