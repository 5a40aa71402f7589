import Foundation

/// A bar redrawn in place on stderr — only for a person watching a terminal, never in logs or pipes:
/// `[██████░░░░░░░░]  42%  what is happening`.
struct ProgressBar {
    let shown: Bool

    init(quiet: Bool) { shown = !quiet && isatty(STDERR_FILENO) == 1 }

    func draw(_ fraction: Double, _ text: String) {
        guard shown else { return }
        let width = 30
        let done = min(1, max(0, fraction))
        let filled = Int(done * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(String(format: "%3d%%", Int(done * 100)))  \(text)   ".utf8))
    }

    /// Ends the bar's line.
    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
