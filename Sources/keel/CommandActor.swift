import Foundation

/// Who a command acts as in the audit trail: the command and the user who ran it.
func commandActor(_ command: String) -> String {
    "\(command) (\(ProcessInfo.processInfo.environment["USER"] ?? "unknown user"))"
}
