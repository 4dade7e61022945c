/// Numbers the hub's messages: the stream sequence and each exact topic's sequence, both
/// strictly increasing and never reused. Pure, so it is tested without sockets: a batch is
/// numbered as a proposal (`number`) and becomes the state only once it is stored (`commit`),
/// so a batch the journal refuses uses no number.
struct Sequencer: Equatable {
    private(set) var lastSequence: UInt64
    private(set) var topicSequences: [String: UInt64]

    /// The numbers of one message.
    struct Stamp: Equatable {
        var sequence: UInt64
        var topicSequence: UInt64
    }

    /// A batch's numbers, in the batch's order, and the state they lead to.
    struct Numbering: Equatable {
        var stamps: [Stamp]
        fileprivate var lastSequence: UInt64
        fileprivate var topicUpdates: [String: UInt64]
    }

    init(lastSequence: UInt64 = 0, topicSequences: [String: UInt64] = [:]) {
        self.lastSequence = lastSequence
        self.topicSequences = topicSequences
    }

    /// Numbers messages on `topics`, one each, after everything committed.
    func number(_ topics: some Sequence<String>) -> Numbering {
        var sequence = lastSequence
        var updates: [String: UInt64] = [:]
        var stamps: [Stamp] = []
        stamps.reserveCapacity(topics.underestimatedCount)
        for topic in topics {
            sequence += 1
            let topicSequence: UInt64
            // A stream repeats its topic: one lookup for a topic the batch numbered already.
            if let index = updates.index(forKey: topic) {
                updates.values[index] += 1
                topicSequence = updates.values[index]
            } else {
                topicSequence = (topicSequences[topic] ?? 0) + 1
                updates[topic] = topicSequence
            }
            stamps.append(Stamp(sequence: sequence, topicSequence: topicSequence))
        }
        return Numbering(stamps: stamps, lastSequence: sequence, topicUpdates: updates)
    }

    /// Makes a stored batch's numbers the state.
    mutating func commit(_ numbering: Numbering) {
        lastSequence = numbering.lastSequence
        topicSequences.merge(numbering.topicUpdates) { _, new in new }
    }
}
