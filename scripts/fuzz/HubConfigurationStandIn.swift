// The fuzz target's stand-in for the hub's configuration: IngressValidator needs only its
// BodyValidation, and the real type brings the journal, the vault and their packages with it.
struct HubConfiguration {
    enum BodyValidation: Equatable {
        case full
        case headerOnly
    }
}
