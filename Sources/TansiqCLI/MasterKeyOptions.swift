import ArgumentParser
import TansiqVault

/// `--master-key-file`, else `$TANSIQ_MASTER_KEY`: the key that seals journal bodies and agents'
/// referral content at rest.
struct MasterKeyOptions: ParsableArguments {
    @Option(help: "File holding the master key (base64, mode 0600; made by `tansiq journal keygen`). Default: $\(MasterKey.environmentVariable).")
    var masterKeyFile: String?

    /// The key given, or `nil`; a bad key file is a usage error (exit 64).
    func load() throws -> MasterKey? {
        do {
            return try MasterKey.load(file: masterKeyFile)
        } catch {
            throw ValidationError(error.message)
        }
    }
}
