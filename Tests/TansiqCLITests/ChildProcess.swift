import Dispatch
import Foundation
import Synchronization
import Testing

/// A real process of one of the package's executables, with its standard output read line by
/// line so that a test can wait for what it prints.
final class ChildProcess: Sendable {
    private let process: Process
    private let lines: AsyncStream<String>
    private let linesContinuation: AsyncStream<String>.Continuation
    private let captured = Captured()

    /// What the process printed, shared with the pipes' reading handlers.
    private final class Captured: Sendable {
        let lines = Mutex<[String]>([])
        let errors = Mutex<String>("")
        let pending = Mutex(Data())
        /// Waits for a text on standard error, resumed by the reading thread or their timer.
        let errorWaiters = Mutex<[UUID: (text: String, resume: CheckedContinuation<Bool, Never>)]>([:])

        /// Appends to standard error and resumes the waits whose text is now there.
        func appendError(_ text: String) {
            let all = errors.withLock { $0 += text; return $0 }
            let due = errorWaiters.withLock { waiters in
                let ids = waiters.filter { all.contains($0.value.text) }.map(\.key)
                return ids.compactMap { waiters.removeValue(forKey: $0)?.resume }
            }
            for resume in due { resume.resume(returning: true) }
        }
    }
    private let streamsOpen = DispatchGroup()

    /// The directory holding the package's built executables (beside the test bundle).
    static let binaries: URL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    /// The package's root directory.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The arguments the process was started with.
    var arguments: [String] { process.arguments ?? [] }

    /// `environment` is added to the test's own.
    init(_ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws {
        process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let url = executable.hasPrefix("/") ? URL(fileURLWithPath: executable) : Self.binaries.appendingPathComponent(executable)
        process.executableURL = url
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = input
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        lines = stream
        linesContinuation = continuation
        let captured = captured
        let streamsOpen = streamsOpen
        streamsOpen.enter()
        streamsOpen.enter()
        // A thread per pipe reading until end of file, not `readabilityHandler`: its dispatch
        // sources race with descriptors closed (and reused) elsewhere in the test process, and
        // libdispatch has crashed on that (a bad pointer in `_dispatch_event_loop_drain`).
        let outputHandle = output.fileHandleForReading
        Self.readUntilEnd(outputHandle) { chunk in
            guard let chunk else {
                continuation.finish()
                streamsOpen.leave()
                return
            }
            let complete: [String] = captured.pending.withLock { data in
                data.append(chunk)
                var result: [String] = []
                while let newline = data.firstIndex(of: 0x0A) {
                    result.append(String(decoding: data[data.startIndex..<newline], as: UTF8.self))
                    data.removeSubrange(data.startIndex...newline)
                }
                return result
            }
            for line in complete {
                captured.lines.withLock { $0.append(line) }
                continuation.yield(line)
            }
        }
        let errorHandle = errors.fileHandleForReading
        Self.readUntilEnd(errorHandle) { chunk in
            guard let chunk else {
                streamsOpen.leave()
                return
            }
            captured.appendError(String(decoding: chunk, as: UTF8.self))
        }
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
    }

    /// Calls `body` with each chunk read from `handle` on a thread of its own, then with nil at
    /// the end of the file.
    private static func readUntilEnd(_ handle: FileHandle, _ body: @escaping @Sendable (Data?) -> Void) {
        let thread = Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                body(chunk)
            }
            body(nil)
        }
        thread.start()
    }

    /// Every line printed so far.
    var output: [String] { captured.lines.withLock { $0 } }

    /// What the process wrote on standard error so far.
    var standardError: String { captured.errors.withLock { $0 } }

    /// Reads lines until one satisfies `predicate` (returned), the output ends, or `timeout`
    /// seconds pass (nil); the process keeps running either way.
    func waitForLine(timeout: Double, where predicate: (String) -> Bool) async -> String? {
        if let line = output.first(where: predicate) { return line }
        // A marker no process prints ends this wait when the timer fires.
        let marker = "\u{0}timeout-\(UUID().uuidString)"
        let continuation = linesContinuation
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { continuation.yield(marker) }
        for await line in lines {
            if line == marker { break }
            if predicate(line) { return line }
        }
        return output.first(where: predicate)
    }

    /// Waits up to `timeout` seconds for standard error to contain `text` (a log line the
    /// process writes after an event the test caused); returns whether it did.
    func waitForError(containing text: String, timeout: Double) async -> Bool {
        let captured = captured
        let id = UUID()
        return await withCheckedContinuation { continuation in
            // Registered under the same lock the reading thread appends under: nothing written
            // between the check and the registration is missed.
            let already = captured.errorWaiters.withLock { waiters in
                if captured.errors.withLock({ $0.contains(text) }) { return true }
                waiters[id] = (text, continuation)
                return false
            }
            if already { return continuation.resume(returning: true) }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                captured.errorWaiters.withLock { $0.removeValue(forKey: id) }?.resume.resume(returning: false)
            }
        }
    }

    /// Sends `signal` (SIGHUP, …) without waiting.
    func send(signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    func terminate() -> Int32 {
        if process.isRunning { process.terminate() }
        return waitForExit()
    }

    /// Sends SIGKILL (no chance to clean up) and waits for the process to be gone.
    @discardableResult
    func killAbruptly() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return waitForExit()
    }

    /// Waits for the process to exit by itself, and for what it printed to be read.
    func waitForExit() -> Int32 {
        process.waitUntilExit()
        _ = streamsOpen.wait(timeout: .now() + 10)
        return process.terminationStatus
    }

    /// Waits for the exit status on a thread of its own, leaving Swift's cooperative threads free
    /// for the tests running beside this one.
    func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.waitForExit()) }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
