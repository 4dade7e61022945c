import Foundation
import Yams

/// Turns an agent's `--config FILE` into command-line arguments placed before the real ones, so
/// that a file and flags go through the same parsing and validation, and flags win.
///
/// A key is an option's long name (`agency`, `ack-delay` or `ack_delay`); a list repeats the
/// option; `true` sets a flag.
public enum ConfigFileArguments {
    /// The arguments with the configuration file's contents inserted, or the error to report.
    public static func expand(_ arguments: [String]) -> Result<[String], ConfigFileError> {
        guard let index = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) else {
            return .success(arguments)
        }
        var remaining = arguments
        let path: String
        if arguments[index].hasPrefix("--config=") {
            path = String(arguments[index].dropFirst("--config=".count))
            remaining.remove(at: index)
        } else {
            guard index + 1 < arguments.count else { return .failure(ConfigFileError("--config needs a file path")) }
            path = arguments[index + 1]
            remaining.removeSubrange(index...(index + 1))
        }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard let mapping = try Yams.compose(yaml: text)?.mapping else {
                return .failure(ConfigFileError("\(path): expected a mapping of option names to values"))
            }
            var fromFile: [String] = []
            for (key, value) in mapping {
                guard let name = key.string?.replacingOccurrences(of: "_", with: "-") else {
                    return .failure(ConfigFileError("\(path): keys must be option names"))
                }
                if let sequence = value.sequence {
                    for item in sequence {
                        guard let text = item.string else { return .failure(ConfigFileError("\(path): \(name): list items must be scalars")) }
                        fromFile += ["--\(name)", text]
                    }
                } else if let flag = value.bool {
                    if flag { fromFile.append("--\(name)") }
                } else if let text = value.string {
                    fromFile += ["--\(name)", text]
                } else {
                    return .failure(ConfigFileError("\(path): \(name): expected a scalar or a list"))
                }
            }
            return .success(fromFile + remaining)
        } catch {
            return .failure(ConfigFileError("\(path): \(error)"))
        }
    }
}

/// A configuration file that cannot be read or understood.
public struct ConfigFileError: Error, CustomStringConvertible {
    /// What is wrong, naming the file.
    public let description: String
    init(_ description: String) { self.description = description }
}
