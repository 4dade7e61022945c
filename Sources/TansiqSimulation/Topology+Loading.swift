import Foundation
import Yams

extension Topology {
    /// Reads and validates the topology file at `url`.
    ///
    /// - Throws: ``TopologyValidationFailure`` with every mistake found (an unreadable file,
    ///   YAML syntax, unknown keys, bad values, dangling references…).
    public static func load(contentsOf url: URL) throws -> Topology {
        let file = url.isFileURL ? url.relativePath : url.absoluteString
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TopologyValidationFailure(errors: [
                TopologyError(code: .unreadableFile, message: "cannot read the file: \(error.localizedDescription)", file: file, keyPath: "")
            ])
        }
        return try parse(yaml: text, file: file)
    }

    /// Reads and validates a topology from YAML text; `file` names it in error messages.
    ///
    /// - Throws: ``TopologyValidationFailure`` with every mistake found, sorted by key path.
    public static func parse(yaml: String, file: String) throws -> Topology {
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw TopologyValidationFailure(errors: [syntaxError(error, file: file)])
        }
        guard let root else {
            throw TopologyValidationFailure(errors: [
                TopologyError(code: .missingKey, message: "the file is empty; expected a topology with name, general, topology and scenario", file: file, keyPath: "")
            ])
        }
        var parser = TopologyParser(file: file)
        guard let topology = parser.parse(root), parser.errors.isEmpty else {
            throw TopologyValidationFailure(errors: parser.errors)
        }
        return topology
    }

    private static func syntaxError(_ error: YamlError, file: String) -> TopologyError {
        func located(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> TopologyError {
            let around = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return TopologyError(
                code: .yamlSyntax, message: "YAML syntax error at line \(mark.line), column \(mark.column): \(problem)\(around)",
                file: file, keyPath: "", line: mark.line, column: mark.column)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return located(problem, context, mark)
        case let .reader(problem, offset, _, _):
            return TopologyError(code: .yamlSyntax, message: "YAML error at byte \(offset ?? 0): \(problem)", file: file, keyPath: "")
        default:
            return TopologyError(code: .yamlSyntax, message: "YAML error: \(error)", file: file, keyPath: "")
        }
    }
}
