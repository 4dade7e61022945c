/// The "did you mean" of configuration files: the topology reader's, for the other files the
/// CLI reads (agent configuration files).
public enum Suggestion {
    /// The closest of `candidates` to `text` when it is close enough to be a likely typo.
    public static func closest(to text: String, among candidates: [String]) -> String? {
        TopologyDocumentReader.suggestion(for: text, among: candidates)
    }
}
