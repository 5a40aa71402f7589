import ArgumentParser
import Foundation
import KeelApp

struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check or print configuration.", subcommands: [Check.self, Example.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report every problem in a configuration file, with its line and a fix.")

        @Argument(help: "The configuration file.") var file: String

        func run() async throws {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
            let (_, problems) = KeelConfiguration.check(yaml: text, environment: ProcessInfo.processInfo.environment)
            for problem in problems { print("\(file):\(problem)") }
            let errors = problems.filter { $0.severity == .error }.count
            if errors > 0 {
                print("\(errors) error(s), \(problems.count - errors) warning(s).")
                throw ExitCode.failure
            }
            print("\(file) is valid\(problems.isEmpty ? "" : " (\(problems.count) warning(s))").")
        }
    }

    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the example configuration that `keel demo` runs.")

        func run() { print(ExampleConfiguration.text, terminator: "") }
    }
}
