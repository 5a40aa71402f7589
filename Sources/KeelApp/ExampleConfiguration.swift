import Foundation

/// The example configuration shipped with Keel, which `keel demo` runs.
public enum ExampleConfiguration {
    public static var text: String {
        guard let url = Bundle.module.url(forResource: "keel.example", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { preconditionFailure("the example configuration is missing from Keel's resources") }
        return text
    }

    /// The example, checked, with `overrides` applied.
    public static func load(environment: [String: String] = [:]) throws -> KeelConfiguration {
        let (configuration, problems) = KeelConfiguration.check(yaml: text, environment: environment)
        guard let configuration, problems.allSatisfy({ $0.severity != .error }) else {
            throw ConfigurationError(file: "keel.example.yaml", problems: problems)
        }
        return configuration
    }
}
