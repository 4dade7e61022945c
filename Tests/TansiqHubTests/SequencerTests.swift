@testable import TansiqHub
import Testing

@Suite("Sequencer")
struct SequencerTests {
    @Test func numbersTheStreamAndEachTopicAfterWhatWasCommitted() {
        var sequencer = Sequencer(lastSequence: 10, topicSequences: ["a": 3])
        let numbering = sequencer.number(["a", "b", "a"])
        #expect(numbering.stamps == [.init(sequence: 11, topicSequence: 4), .init(sequence: 12, topicSequence: 1), .init(sequence: 13, topicSequence: 5)])
        // Nothing is used until the batch is stored.
        #expect(sequencer.lastSequence == 10)
        #expect(sequencer.number(["b"]).stamps == [.init(sequence: 11, topicSequence: 1)])
        sequencer.commit(numbering)
        #expect(sequencer.lastSequence == 13)
        #expect(sequencer.topicSequences == ["a": 5, "b": 1])
        #expect(sequencer.number(["b"]).stamps == [.init(sequence: 14, topicSequence: 2)])
    }
}
