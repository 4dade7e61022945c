import Foundation

/// Where contexts live: `$XDG_CONFIG_HOME/tansiq`, else `~/.config/tansiq`; one
/// `contexts/NAME.json` per context and `context` holding the selected name. The directories
/// are 0700 and the files 0600: a context names key files.
struct HubContextStore {
    let directory: String

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            directory = (xdg as NSString).appendingPathComponent("tansiq")
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            directory = (home as NSString).appendingPathComponent(".config/tansiq")
        }
    }

    var contextsDirectory: String { (directory as NSString).appendingPathComponent("contexts") }
    private var selectionFile: String { (directory as NSString).appendingPathComponent("context") }

    func file(of name: String) -> String { (contextsDirectory as NSString).appendingPathComponent("\(name).json") }

    /// The context called `name`, `nil` when there is none; a file that cannot be read is an error.
    func load(_ name: String) throws(HubContextError) -> HubContext? {
        let path = file(of: name)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(HubContext.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw HubContextError("\(path): not a Tansiq context (\(error.localizedDescription)); remove it with `tansiq context remove \(name)`")
        }
    }

    /// The names of every stored context, sorted.
    func names() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: contextsDirectory)) ?? []
        return entries.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(".json".count)) }.sorted()
    }

    /// The selected context's name (`tansiq context select`), if any.
    var selected: String? {
        guard let text = try? String(contentsOfFile: selectionFile, encoding: .utf8) else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }

    func save(_ context: HubContext, as name: String) throws(HubContextError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(context) } catch { throw HubContextError("cannot encode the context: \(error)") }
        try writePrivate(file(of: name), Array(data) + [0x0A])
    }

    func select(_ name: String?) throws(HubContextError) {
        guard let name else {
            if FileManager.default.fileExists(atPath: selectionFile) {
                do { try FileManager.default.removeItem(atPath: selectionFile) } catch { throw HubContextError("cannot unselect: \(error.localizedDescription)") }
            }
            return
        }
        try writePrivate(selectionFile, Array("\(name)\n".utf8))
    }

    func remove(_ name: String) throws(HubContextError) {
        do { try FileManager.default.removeItem(atPath: file(of: name)) } catch {
            throw HubContextError("cannot remove \(file(of: name)): \(error.localizedDescription)")
        }
        if selected == name { try select(nil) }
    }

    /// Writes `bytes` to `path` through a temporary file made 0600 before anything is in it.
    private func writePrivate(_ path: String, _ bytes: [UInt8]) throws(HubContextError) {
        for folder in [directory, contextsDirectory] where !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw HubContextError("cannot create \(folder): \(error.localizedDescription)")
            }
            // The mode given at creation goes through the umask; chmod does not.
            _ = chmod(folder, 0o700)
        }
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw HubContextError("cannot write \(path): \(String(cString: strerror(errno)))") }
        _ = fchmod(descriptor, 0o600)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw HubContextError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A context that cannot be found, read or written.
struct HubContextError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
