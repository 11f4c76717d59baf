/// One profile's settings, merged from the config and credentials files (the credentials file wins).
public struct Profile: Sendable, Equatable {
    public var name: String
    public var values: [String: String] = [:]
    public var subsections: [String: [String: String]] = [:]
    /// The file each setting came from, so errors can name it.
    public var origin: [String: String] = [:]

    public init(name: String) { self.name = name }

    /// The setting, or nil when absent or empty.
    public subscript(_ key: String) -> String? {
        guard let v = values[key], !v.isEmpty else { return nil }
        return v
    }

    mutating func merge(_ section: ConfigFile.Section, from path: String) {
        for (k, v) in section.values {
            values[k] = v
            origin[k] = path
        }
        for (k, v) in section.subsections { subsections[k] = v }
    }
}

/// The shared `config` and `credentials` files as the SDKs read them, and the profile in use.
public struct SharedConfig: Sendable, Equatable {
    public var configPath: String
    public var credentialsPath: String
    /// Every profile named in either file.
    public var profiles: [String: Profile]
    /// `[services name]` sections of the config file: service key -> settings.
    public var services: [String: [String: [String: String]]]
    /// `[sso-session name]` sections of the config file.
    public var ssoSessions: [String: [String: String]] = [:]
    /// The profile chosen by `--profile`, AWS_PROFILE, or `default`.
    public var profileName: String
    /// True when the profile was named by the flag or AWS_PROFILE rather than defaulted.
    public var profileExplicit: Bool

    public init(configPath: String, credentialsPath: String, profiles: [String: Profile] = [:],
                services: [String: [String: [String: String]]] = [:], profileName: String = "default",
                profileExplicit: Bool = false) {
        self.configPath = configPath
        self.credentialsPath = credentialsPath
        self.profiles = profiles
        self.services = services
        self.profileName = profileName
        self.profileExplicit = profileExplicit
    }

    /// The profile in use, when either file has it.
    public var profile: Profile? { profiles[profileName] }

    /// `in /root/.aws/credentials or /root/.aws/config`, for messages.
    public var filesDescription: String { "\(credentialsPath) or \(configPath)" }

    /// Where the files live: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else under $HOME/.aws.
    public static func paths(env: Environment) -> (config: String, credentials: String) {
        let home = env.nonEmpty("HOME") ?? "/root"
        return (expandHome(env.nonEmpty("AWS_CONFIG_FILE") ?? "~/.aws/config", home: home),
                expandHome(env.nonEmpty("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials", home: home))
    }

    static func expandHome(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") {
            return (home.hasSuffix("/") ? String(home.dropLast()) : home) + String(path.dropFirst())
        }
        return path
    }

    /// Reads both files: a missing file is empty, an unreadable one is a configuration error,
    /// and a profile named explicitly must exist in one of them.
    public static func load(profileFlag: String?, env: Environment, fs: FileSystem) throws -> SharedConfig {
        let (configPath, credentialsPath) = paths(env: env)
        let configFile = try readFile(configPath, fs: fs)
        let credentialsFile = try readFile(credentialsPath, fs: fs)
        let explicitName = profileFlag.flatMap { $0.isEmpty ? nil : $0 } ?? env.nonEmpty("AWS_PROFILE")
        var result = SharedConfig(configPath: configPath, credentialsPath: credentialsPath,
                                  profileName: explicitName ?? "default", profileExplicit: explicitName != nil)
        result.build(config: configFile, credentials: credentialsFile)
        if explicitName != nil && result.profile == nil {
            throw Failure(.configuration, "profile \(result.profileName) not found in \(result.filesDescription)")
        }
        return result
    }

    /// Builds the profile map from already parsed files, by the SDKs' rules: in the config file a
    /// profile is `[profile name]` or `[default]`, and `[profile default]`, when present, replaces
    /// `[default]` entirely; in the credentials file a profile is `[name]` without prefix; sections
    /// whose names are not identifiers, and sections of other kinds, are ignored. A profile in both
    /// files merges, the credentials file winning.
    public mutating func build(config: ConfigFile, credentials: ConfigFile) {
        let prefixedDefault = config.order.contains("profile default")
        for name in config.order {
            let section = config[name]!
            let (prefix, suffix) = ConfigFile.splitSectionName(name)
            guard let prefix else {
                if suffix == "default" && !prefixedDefault {
                    profiles["default", default: Profile(name: "default")].merge(section, from: configPath)
                }
                // Any other `[x]` in the config file is not a profile (the SDKs ignore it).
                continue
            }
            guard ConfigFile.isIdentifier(suffix) else { continue }
            switch prefix {
            case "profile": profiles[suffix, default: Profile(name: suffix)].merge(section, from: configPath)
            case "services": services[suffix, default: [:]].merge(section.subsections) { $1 }
            case "sso-session": ssoSessions[suffix, default: [:]].merge(section.values) { $1 }
            default: continue
            }
        }
        for name in credentials.order {
            let (prefix, suffix) = ConfigFile.splitSectionName(name)
            // The credentials file names profiles without the `profile ` prefix.
            guard prefix == nil, ConfigFile.isIdentifier(suffix) else { continue }
            profiles[suffix, default: Profile(name: suffix)].merge(credentials[name]!, from: credentialsPath)
        }
    }

    private static func readFile(_ path: String, fs: FileSystem) throws -> ConfigFile {
        do {
            return try ConfigFile.parse(try fs.readText(path), path: path)
        } catch let e as FileError where e.kind == .notFound {
            return ConfigFile()
        } catch let e as FileError {
            throw Failure(.configuration, "cannot read \(path): \(e.detail.lowercased())")
        }
    }
}
