import Foundation

/// Measures how fast a journal stores messages, batch by batch, as the hub's loop would.
public enum JournalBenchmark {
    /// Appends `messages` messages in batches of `batch` to the journal at `path` and
    /// returns the rate and the time spent in `append`.
    ///
    /// Each message has a ~100-byte header and a `bodyBytes` body, on one of 16 topics,
    /// with a correlation id. Appends continue after whatever `path` already holds; pass a
    /// new file to measure an empty journal.
    public static func run(
        path: String,
        durability: JournalDurability,
        messages: Int,
        batch: Int,
        bodyBytes: Int
    ) throws -> (messagesPerSecond: Double, seconds: Double) {
        precondition(messages > 0 && batch > 0 && bodyBytes >= 0, "messages and batch must be positive")
        let journal = try Journal(path: path, durability: durability)
        defer { journal.close() }

        let topics = (0..<16).map { "referral.service-\($0 % 4).agency-\($0)" }
        var topicSequences = topics.map { journal.lastTopicSequence(for: $0) }
        var sequence = journal.lastSequence
        let body = (0..<bodyBytes).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let receivedAt = Date()
        var elapsed = Duration.zero
        var written = 0
        while written < messages {
            let count = min(batch, messages - written)
            var records: [JournalRecord] = []
            records.reserveCapacity(count)
            for _ in 0..<count {
                sequence += 1
                let topic = Int(sequence % UInt64(topics.count))
                topicSequences[topic] += 1
                records.append(JournalRecord(
                    sequence: sequence,
                    topicSequence: topicSequences[topic],
                    topic: topics[topic],
                    header: Array(#"{"v":1,"id":"m-\#(sequence)","kind":"referral","source":"commune","agent":"commune-1"}"#.utf8),
                    body: body,
                    kind: "referral",
                    source: "commune",
                    correlationID: "referral-\(sequence / 4)",
                    messageID: "m-\(sequence)",
                    receivedAt: receivedAt))
            }
            let start = ContinuousClock.now
            try journal.append(records)
            elapsed += start.duration(to: .now)
            written += count
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Double(messages) / seconds, seconds)
    }
}
