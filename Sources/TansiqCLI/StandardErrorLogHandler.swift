import ArgumentParser
import Foundation
import Logging
import Synchronization

/// The CLI's log lines on standard error: text for people, or one JSON object a line for a log
/// shipper; both with millisecond UTC timestamps.
///
///     2026-12-01T09:21:14.123Z warning tansiq.hub: connection refused: handshake failed cause=… endpoint=…
///     {"cause":"…","endpoint":"…","label":"tansiq.hub","level":"warning","message":"connection refused: handshake failed","source":"TansiqHub","time":"2026-12-01T09:21:14.123Z"}
struct StandardErrorLogHandler: LogHandler {
    /// How log lines are written.
    enum Format: String, CaseIterable, Sendable {
        case text
        case json
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// One write at a time: lines of two threads never interleave.
    private static let output = Mutex(())

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit { all.merge(explicit) { _, new in new } }
        let time = Self.timestamp(Date())
        let text: String
        switch format {
        case .text:
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            text = "\(time) \(level) \(label): \(message)\(fields.isEmpty ? "" : " " + fields) [\(source)]\n"
        case .json:
            var object: [String: String] = [:]
            for (key, value) in all { object[key] = "\(value)" }
            object["time"] = time
            object["level"] = level.rawValue
            object["label"] = label
            object["message"] = message.description
            object["source"] = source
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            text = String(decoding: data, as: UTF8.self) + "\n"
        }
        Self.output.withLock { _ in FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// `2026-12-01T09:21:14.123Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension StandardErrorLogHandler.Format: ExpressibleByArgument {}
